// UART 16550A as on QEMU virt: byte registers with reg-shift 0, aliased every 8 bytes over the
// 256-byte window (QEMU decodes offset & 7). An access of any width reaches one register and
// uses its low byte.
//
//   0 RBR (read) / THR (write) / DLL (DLAB=1)    4 MCR
//   1 IER / DLM (DLAB=1)                         5 LSR (read-only)
//   2 IIR (read) / FCR (write)                   6 MSR (read-only)
//   3 LCR (bit 7 = DLAB)                         7 SCR
//
// Transmission is instantaneous: a THR write hands the byte to the sink (or, in loopback, to the
// receiver) and THR is empty again at once. Reception: the host queues bytes with pushInput();
// they move into the receiver (1 byte without FIFO, 16 with) as soon as there is room, so the
// host side never overruns. Interrupt priorities follow QEMU's serial.c: line status (0x6) >
// received data (0x4) > THR empty (0x2); modem-status and character-timeout interrupts never occur.

import type { AccessSize, MmioDevice } from '../mmu/bus';
import type { IrqLine } from './irq';
import { UART_SIZE } from './memlayout';

export const UART_RBR = 0;
export const UART_THR = 0;
export const UART_DLL = 0;
export const UART_IER = 1;
export const UART_DLM = 1;
export const UART_IIR = 2;
export const UART_FCR = 2;
export const UART_LCR = 3;
export const UART_MCR = 4;
export const UART_LSR = 5;
export const UART_MSR = 6;
export const UART_SCR = 7;

const IER_RDI = 0x01;
const IER_THRI = 0x02;
const IER_RLSI = 0x04;
const IIR_NONE = 0x01;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_FIFO = 0xc0;
const FCR_FE = 0x01;
const FCR_RFR = 0x02;
const FCR_XFR = 0x04;
/** The FCR bits QEMU keeps: enable, DMA mode, trigger level. */
const FCR_KEEP = 0xc9;
const LCR_DLAB = 0x80;
const LSR_DR = 0x01;
const LSR_OE = 0x02;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;
const MCR_MASK = 0x1f;
const MCR_OUT2 = 0x08;
const MCR_LOOP = 0x10;
/** DCD | DSR | CTS: the modem lines QEMU reports without a real serial port. */
const MSR_DEFAULT = 0xb0;
const FIFO_DEPTH = 16;
/** Divisor after reset: 9600 baud from QEMU's 1.8432 MHz clock. */
const DIVISOR_RESET = 0x0c;

/** What the UART is connected to. */
export interface UartOptions {
  /** PLIC source line (source 10 on virt). */
  readonly irq: IrqLine;
  /** Receives every transmitted byte (0..255), synchronously. */
  readonly output: (byte: number) => void;
}

/** Everything a checkpoint needs; bytes are 0..255. */
export interface UartState {
  ier: number;
  lcr: number;
  mcr: number;
  scr: number;
  dll: number;
  dlm: number;
  fcr: number;
  /** The THR-empty interrupt condition (cleared by reading IIR, set when THR empties). */
  thrIpending: number;
  /** Overrun latched in LSR (loopback only). */
  overrun: number;
  /** Bytes in the receiver (RBR / RX FIFO), oldest first. */
  rx: number[];
  /** Bytes the host queued that have not reached the receiver yet. */
  backlog: number[];
}

type LoadResult = { ok: true } | { ok: false; error: string };

/** Contract: true if v is an integer byte. */
function isByte(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xff;
}

export class Uart16550 implements MmioDevice {
  readonly name = 'uart';
  readonly size = UART_SIZE;

  private readonly irq: IrqLine;
  private readonly output: (byte: number) => void;
  private ier = 0;
  private lcr = 0;
  private mcr = MCR_OUT2;
  private scr = 0;
  private dll = DIVISOR_RESET;
  private dlm = 0;
  private fcr = 0;
  private thrIpending = false;
  private overrun = false;
  private rx: number[] = [];
  /** Host-queued bytes are backlog[backlogHead..]; the ones before were moved to rx. */
  private backlog: number[] = [];
  private backlogHead = 0;
  private irqLevel = false;

  /** Contract: the line starts low (the caller's view of it too). */
  constructor(options: UartOptions) {
    this.irq = options.irq;
    this.output = options.output;
  }

  /** Power-on state (QEMU's serial_reset); drops all received and queued input; drives irq low. */
  reset(): void {
    this.ier = 0;
    this.lcr = 0;
    this.mcr = MCR_OUT2;
    this.scr = 0;
    this.dll = DIVISOR_RESET;
    this.dlm = 0;
    this.fcr = 0;
    this.thrIpending = false;
    this.overrun = false;
    this.rx = [];
    this.backlog = [];
    this.backlogHead = 0;
    this.irqLevel = false;
    this.irq.set(false);
  }

  /** Host input: queues bytes (low 8 bits of each) for the guest to receive, in order. */
  pushInput(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.backlog.push(bytes[i] & 0xff);
    this.refill();
    this.updateIrq();
  }

  /** Bytes received or queued that the guest has not read yet. */
  inputPending(): number {
    return this.rx.length + this.backlog.length - this.backlogHead;
  }

  /** A guest load of register offset & 7; RBR, IIR and LSR reads have side effects. */
  read(offset: number, size: AccessSize): number {
    void size; // every width reaches one byte register
    const reg = offset & 7;
    const value = this.peek(offset, 1);
    if (reg === UART_RBR && !this.dlab()) {
      this.rx.shift();
      this.refill();
    } else if (reg === UART_IIR && (value & 0x0f) === IIR_THRI) {
      // Reading IIR while it reports THR-empty acknowledges that interrupt.
      this.thrIpending = false;
    } else if (reg === UART_LSR) {
      this.overrun = false; // error bits clear when LSR is read
    }
    this.updateIrq();
    return value;
  }

  /** Contract: the byte read() would return, without side effects. */
  peek(offset: number, size: AccessSize): number {
    void size;
    switch (offset & 7) {
      case UART_RBR:
        return this.dlab() ? this.dll : (this.rx[0] ?? 0);
      case UART_IER:
        return this.dlab() ? this.dlm : this.ier;
      case UART_IIR:
        return this.interruptId() | ((this.fcr & FCR_FE) !== 0 ? IIR_FIFO : 0);
      case UART_LCR:
        return this.lcr;
      case UART_MCR:
        return this.mcr;
      case UART_LSR:
        return this.lsr();
      case UART_MSR:
        return this.msr();
      default:
        return this.scr;
    }
  }

  /** A guest store of the low byte of `value` to register offset & 7. */
  write(offset: number, size: AccessSize, value: number): void {
    void size;
    const v = value & 0xff;
    switch (offset & 7) {
      case UART_THR:
        if (this.dlab()) this.dll = v;
        else this.transmit(v);
        break;
      case UART_IER:
        if (this.dlab()) this.dlm = v;
        else this.writeIer(v);
        break;
      case UART_FCR:
        this.writeFcr(v);
        break;
      case UART_LCR:
        this.lcr = v;
        break;
      case UART_MCR:
        this.mcr = v & MCR_MASK;
        break;
      case UART_SCR:
        this.scr = v;
        break;
      default:
        break; // LSR and MSR are read-only
    }
    this.refill(); // leaving loopback reconnects the receiver to the host queue
    this.updateIrq();
  }

  /** Contract: a plain copy of all state; loadState(saveState()) changes nothing. */
  saveState(): UartState {
    return {
      ier: this.ier,
      lcr: this.lcr,
      mcr: this.mcr,
      scr: this.scr,
      dll: this.dll,
      dlm: this.dlm,
      fcr: this.fcr,
      thrIpending: this.thrIpending ? 1 : 0,
      overrun: this.overrun ? 1 : 0,
      rx: this.rx.slice(),
      backlog: this.backlog.slice(this.backlogHead),
    };
  }

  /** Restores a saved state and drives the irq line; rejects malformed state, changing nothing. */
  loadState(s: UartState): LoadResult {
    for (const k of ['ier', 'lcr', 'mcr', 'scr', 'dll', 'dlm', 'fcr'] as const) {
      if (!isByte(s[k])) return { ok: false, error: `uart state: ${k} is not a byte` };
    }
    if ((s.ier & ~0x0f) !== 0 || (s.mcr & ~MCR_MASK) !== 0 || (s.fcr & ~FCR_KEEP) !== 0) {
      return { ok: false, error: 'uart state: ier, mcr or fcr has bits the device never holds' };
    }
    for (const k of ['thrIpending', 'overrun'] as const) {
      if (s[k] !== 0 && s[k] !== 1) return { ok: false, error: `uart state: ${k} must be 0 or 1` };
    }
    for (const k of ['rx', 'backlog'] as const) {
      if (!Array.isArray(s[k]) || !s[k].every(isByte)) return { ok: false, error: `uart state: ${k} must be bytes` };
    }
    const depth = (s.fcr & FCR_FE) !== 0 ? FIFO_DEPTH : 1;
    if (s.rx.length > depth) return { ok: false, error: `uart state: rx holds more than ${depth} bytes` };
    this.ier = s.ier;
    this.lcr = s.lcr;
    this.mcr = s.mcr;
    this.scr = s.scr;
    this.dll = s.dll;
    this.dlm = s.dlm;
    this.fcr = s.fcr;
    this.thrIpending = s.thrIpending === 1;
    this.overrun = s.overrun === 1;
    this.rx = s.rx.slice();
    this.backlog = s.backlog.slice();
    this.backlogHead = 0;
    this.irqLevel = this.interruptId() !== IIR_NONE;
    this.irq.set(this.irqLevel);
    return { ok: true };
  }

  private dlab(): boolean {
    return (this.lcr & LCR_DLAB) !== 0;
  }

  /** Contract: the IIR interrupt id (bits 3..0) by 16550 priority; IIR_NONE if none. */
  private interruptId(): number {
    if ((this.ier & IER_RLSI) !== 0 && this.overrun) return IIR_RLSI;
    if ((this.ier & IER_RDI) !== 0 && this.rx.length > 0) return IIR_RDI;
    if ((this.ier & IER_THRI) !== 0 && this.thrIpending) return IIR_THRI;
    return IIR_NONE;
  }

  /** THR and the shift register are always empty: transmission takes no time. */
  private lsr(): number {
    return (this.rx.length > 0 ? LSR_DR : 0) | (this.overrun ? LSR_OE : 0) | LSR_THRE | LSR_TEMT;
  }

  /** In loopback the modem outputs feed the inputs (as QEMU computes it); else DCD|DSR|CTS. */
  private msr(): number {
    if ((this.mcr & MCR_LOOP) === 0) return MSR_DEFAULT;
    return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
  }

  /** Sends one byte; THR empties at once, which (re)raises the THR-empty condition. */
  private transmit(byte: number): void {
    if ((this.mcr & MCR_LOOP) !== 0) this.loopBack(byte);
    else this.output(byte);
    this.thrIpending = true;
  }

  /** Loopback delivers to the receiver directly; a full receiver overruns and drops the byte. */
  private loopBack(byte: number): void {
    if (this.rx.length < this.depth()) this.rx.push(byte);
    else this.overrun = true;
  }

  /**
   * Turning THRI on while THR is empty raises THR-empty even if an IIR read had cleared it
   * (QEMU does this; drivers rely on toggling IER to kick transmission); turning it off clears it.
   */
  private writeIer(v: number): void {
    const changed = (this.ier ^ v) & 0x0f;
    this.ier = v & 0x0f;
    if ((changed & IER_THRI) !== 0) this.thrIpending = (this.ier & IER_THRI) !== 0;
  }

  /** FIFO control: toggling the enable bit flushes both FIFOs; flushed RX data is lost. */
  private writeFcr(v: number): void {
    let val = v;
    if (((val ^ this.fcr) & FCR_FE) !== 0) val |= FCR_RFR | FCR_XFR;
    if ((val & FCR_RFR) !== 0) this.rx = [];
    if ((val & FCR_XFR) !== 0) this.thrIpending = true; // the (always empty) TX FIFO is reset: empty
    this.fcr = val & FCR_KEEP;
    this.refill();
  }

  private depth(): number {
    return (this.fcr & FCR_FE) !== 0 ? FIFO_DEPTH : 1;
  }

  /** Moves host-queued bytes into the receiver while it has room (never in loopback). */
  private refill(): void {
    // In loopback the receiver is disconnected from the outside, as on real hardware.
    if ((this.mcr & MCR_LOOP) !== 0) return;
    while (this.rx.length < this.depth() && this.backlogHead < this.backlog.length) {
      this.rx.push(this.backlog[this.backlogHead++]);
    }
    // Drop consumed bytes now and then, so a long input costs linear time overall.
    if (this.backlogHead > 4096 && this.backlogHead * 2 > this.backlog.length) {
      this.backlog = this.backlog.slice(this.backlogHead);
      this.backlogHead = 0;
    }
  }

  /** Drives the irq line if its level changed. */
  private updateIrq(): void {
    const level = this.interruptId() !== IIR_NONE;
    if (level !== this.irqLevel) {
      this.irqLevel = level;
      this.irq.set(level);
    }
  }
}
