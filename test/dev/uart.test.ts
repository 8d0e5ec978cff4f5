import { describe, expect, it } from 'vitest';
import type { IrqLine } from '../../src/dev/irq';
import {
  Uart16550,
  UART_DLL,
  UART_DLM,
  UART_FCR,
  UART_IER,
  UART_IIR,
  UART_LCR,
  UART_LSR,
  UART_MCR,
  UART_MSR,
  UART_RBR,
  UART_SCR,
  UART_THR,
} from '../../src/dev/uart';

/** An interrupt line that records every set() call. */
class RecordingLine implements IrqLine {
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.calls.push(level);
  }
  get level(): boolean {
    return this.calls.length > 0 && this.calls[this.calls.length - 1];
  }
}

function make() {
  const irq = new RecordingLine();
  const out: number[] = [];
  const uart = new Uart16550({ irq, output: (b) => out.push(b) });
  return { uart, irq, out };
}

const rd = (u: Uart16550, reg: number) => u.read(reg, 1);
const wr = (u: Uart16550, reg: number, v: number) => u.write(reg, 1, v);

describe('Uart16550 registers', () => {
  it('has QEMU reset values', () => {
    const { uart } = make();
    expect(rd(uart, UART_IER)).toBe(0);
    expect(rd(uart, UART_IIR)).toBe(0x01);
    expect(rd(uart, UART_LCR)).toBe(0);
    expect(rd(uart, UART_MCR)).toBe(0x08);
    expect(rd(uart, UART_LSR)).toBe(0x60);
    expect(rd(uart, UART_MSR)).toBe(0xb0);
    expect(rd(uart, UART_SCR)).toBe(0);
    expect(rd(uart, UART_RBR)).toBe(0);
    wr(uart, UART_LCR, 0x80);
    expect(rd(uart, UART_DLL)).toBe(0x0c);
    expect(rd(uart, UART_DLM)).toBe(0);
  });

  it('THR write goes to the sink; LSR THRE|TEMT stay set', () => {
    const { uart, out } = make();
    for (const c of 'hi\n') wr(uart, UART_THR, c.charCodeAt(0));
    uart.write(UART_THR, 4, 0x1234_5641); // wide stores use the low byte
    expect(out).toEqual([0x68, 0x69, 0x0a, 0x41]);
    expect(rd(uart, UART_LSR) & 0x60).toBe(0x60);
  });

  it('DLAB switches offsets 0 and 1 to the divisor latch', () => {
    const { uart, out } = make();
    wr(uart, UART_IER, 0x0f);
    wr(uart, UART_LCR, 0x83);
    wr(uart, UART_DLL, 0x01);
    wr(uart, UART_DLM, 0x02);
    expect(out).toEqual([]);
    expect(rd(uart, UART_DLL)).toBe(0x01);
    expect(rd(uart, UART_DLM)).toBe(0x02);
    expect(rd(uart, UART_LCR)).toBe(0x83);
    wr(uart, UART_LCR, 0x03);
    expect(rd(uart, UART_IER)).toBe(0x0f);
    wr(uart, UART_THR, 0x42);
    expect(out).toEqual([0x42]);
    wr(uart, UART_LCR, 0x80);
    expect(rd(uart, UART_DLL)).toBe(0x01); // unchanged by the THR write
  });

  it('IER keeps 4 bits, MCR 5 bits, SCR 8 bits; LSR and MSR ignore writes', () => {
    const { uart } = make();
    wr(uart, UART_IER, 0xff);
    wr(uart, UART_MCR, 0xff);
    wr(uart, UART_SCR, 0xa5);
    wr(uart, UART_LSR, 0);
    wr(uart, UART_MSR, 0);
    expect(rd(uart, UART_IER)).toBe(0x0f);
    expect(rd(uart, UART_MCR)).toBe(0x1f);
    expect(rd(uart, UART_SCR)).toBe(0xa5);
    expect(rd(uart, UART_LSR)).toBe(0x60);
  });

  it('registers alias every 8 bytes across the window, any access width', () => {
    const { uart } = make();
    uart.write(0x8 + UART_SCR, 4, 0x77);
    expect(rd(uart, UART_SCR)).toBe(0x77);
    expect(uart.read(0xf8 + UART_SCR, 2)).toBe(0x77);
    expect(uart.read(UART_LSR, 4)).toBe(0x60);
  });

  it('receives pushed input in order; DR follows the receiver', () => {
    const { uart } = make();
    uart.pushInput([0x61, 0x162, 0x63]); // 0x162 keeps its low byte
    expect(uart.inputPending()).toBe(3);
    expect(rd(uart, UART_LSR) & 1).toBe(1);
    expect(rd(uart, UART_RBR)).toBe(0x61);
    expect(rd(uart, UART_RBR)).toBe(0x62);
    expect(rd(uart, UART_LSR) & 1).toBe(1);
    expect(rd(uart, UART_RBR)).toBe(0x63);
    expect(rd(uart, UART_LSR) & 1).toBe(0);
    expect(rd(uart, UART_RBR)).toBe(0); // empty receiver reads 0
    expect(uart.inputPending()).toBe(0);
  });

  it('long input is delivered intact', () => {
    const { uart } = make();
    const data = Array.from({ length: 20000 }, (_, i) => (i * 7) & 0xff);
    uart.pushInput(new Uint8Array(data));
    const got: number[] = [];
    while (rd(uart, UART_LSR) & 1) got.push(rd(uart, UART_RBR));
    expect(got).toEqual(data);
  });
});

describe('Uart16550 interrupts', () => {
  it('RX data available: IIR 0x4, line high until the data is read', () => {
    const { uart, irq } = make();
    uart.pushInput([1, 2]);
    expect(irq.calls).toEqual([]); // IER.RDI off
    wr(uart, UART_IER, 0x01);
    expect(irq.calls).toEqual([true]);
    expect(rd(uart, UART_IIR)).toBe(0x04);
    expect(rd(uart, UART_IIR)).toBe(0x04); // reading IIR does not clear RDA
    rd(uart, UART_RBR);
    expect(irq.level).toBe(true); // second byte moved in
    rd(uart, UART_RBR);
    expect(irq.calls).toEqual([true, false]);
    expect(rd(uart, UART_IIR)).toBe(0x01);
  });

  it('THR empty: raised when THRI is enabled, cleared by an IIR read that reports it', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x02);
    expect(irq.calls).toEqual([true]);
    expect(uart.peek(UART_IIR, 1)).toBe(0x02); // peek does not acknowledge
    expect(irq.level).toBe(true);
    expect(rd(uart, UART_IIR)).toBe(0x02);
    expect(irq.calls).toEqual([true, false]);
    expect(rd(uart, UART_IIR)).toBe(0x01);
    // A THR write empties at once and re-raises it.
    wr(uart, UART_THR, 0x41);
    expect(irq.calls).toEqual([true, false, true]);
    expect(rd(uart, UART_IIR)).toBe(0x02);
    expect(irq.level).toBe(false);
  });

  it('THR empty: re-enabling THRI re-raises it; disabling drops it', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x02);
    rd(uart, UART_IIR);
    wr(uart, UART_IER, 0x02); // unchanged: no re-raise
    expect(irq.level).toBe(false);
    wr(uart, UART_IER, 0x00);
    wr(uart, UART_IER, 0x02);
    expect(irq.level).toBe(true);
    wr(uart, UART_IER, 0x00);
    expect(irq.level).toBe(false);
    expect(rd(uart, UART_IIR)).toBe(0x01);
  });

  it('RX data outranks THR empty; IIR read of RDA leaves THRE pending', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x03);
    uart.pushInput([9]);
    expect(rd(uart, UART_IIR)).toBe(0x04);
    expect(rd(uart, UART_RBR)).toBe(9);
    expect(rd(uart, UART_IIR)).toBe(0x02); // THRE was not acknowledged by the first read
    expect(rd(uart, UART_IIR)).toBe(0x01);
    expect(irq.level).toBe(false);
  });

  it('FIFO enabled: IIR bits 0xC0, 16-byte receiver, RX flush drops received bytes', () => {
    const { uart } = make();
    wr(uart, UART_FCR, 0x01);
    expect(rd(uart, UART_IIR)).toBe(0xc1);
    uart.pushInput(Array.from({ length: 20 }, (_, i) => i));
    expect(uart.saveState().rx.length).toBe(16);
    expect(uart.saveState().backlog.length).toBe(4);
    wr(uart, UART_FCR, 0x03); // clear RX FIFO: 16 bytes lost, the rest move in
    expect(uart.inputPending()).toBe(4);
    expect(rd(uart, UART_RBR)).toBe(16);
    wr(uart, UART_FCR, 0x00); // disabling flushes too
    expect(rd(uart, UART_IIR)).toBe(0x01);
    expect(uart.inputPending()).toBe(0); // 17..19 were in the FIFO
    uart.pushInput([1, 2]);
    expect(uart.saveState().rx).toEqual([1]); // back to a one-byte holding register
    expect(uart.saveState().backlog).toEqual([2]);
  });

  it('FIFO enabled: RDA and THRE ids carry the FIFO bits', () => {
    const { uart } = make();
    wr(uart, UART_FCR, 0xc1);
    wr(uart, UART_IER, 0x03);
    uart.pushInput([5]);
    expect(rd(uart, UART_IIR)).toBe(0xc4);
    rd(uart, UART_RBR);
    expect(rd(uart, UART_IIR)).toBe(0xc2);
    expect(rd(uart, UART_IIR)).toBe(0xc1);
  });

  it('FCR TX reset re-raises THR empty', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x02);
    rd(uart, UART_IIR);
    expect(irq.level).toBe(false);
    wr(uart, UART_FCR, 0x04);
    expect(irq.level).toBe(true);
  });

  it('loopback: THR feeds the receiver, overrun sets OE and line status interrupt', () => {
    const { uart, irq, out } = make();
    uart.pushInput([0x99]);
    rd(uart, UART_RBR);
    wr(uart, UART_MCR, 0x10 | 0x0b);
    expect(rd(uart, UART_MSR)).toBe(0x80 | 0x10 | 0x20); // OUT2->DCD, RTS->CTS, DTR->DSR
    wr(uart, UART_IER, 0x05);
    wr(uart, UART_THR, 0x41);
    expect(out).toEqual([]);
    expect(rd(uart, UART_IIR)).toBe(0x04);
    wr(uart, UART_THR, 0x42); // one-byte receiver is full: overrun
    expect(rd(uart, UART_LSR)).toBe(0x63);
    expect(rd(uart, UART_LSR)).toBe(0x61); // OE cleared by the read
    wr(uart, UART_THR, 0x43);
    expect(rd(uart, UART_IIR)).toBe(0x06);
    expect(irq.level).toBe(true);
    rd(uart, UART_LSR);
    expect(rd(uart, UART_IIR)).toBe(0x04);
    expect(rd(uart, UART_RBR)).toBe(0x41);
    expect(irq.level).toBe(false);
  });

  it('loopback disconnects host input until it is turned off', () => {
    const { uart } = make();
    wr(uart, UART_MCR, 0x10);
    uart.pushInput([7]);
    expect(rd(uart, UART_LSR) & 1).toBe(0);
    wr(uart, UART_MCR, 0x00);
    expect(rd(uart, UART_RBR)).toBe(7);
  });
});

describe('Uart16550 peek and state', () => {
  it('peek returns what read would, with no side effects', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x03);
    uart.pushInput([1, 2]);
    const before = uart.saveState();
    const calls = irq.calls.length;
    for (let r = 0; r < 8; r++) uart.peek(r, 1);
    expect(uart.saveState()).toEqual(before);
    expect(irq.calls.length).toBe(calls);
    for (let r = 0; r < 8; r++) expect(uart.peek(r, 1)).toBe(uart.read(r, 1));
  });

  it('round-trips state and re-drives the line', () => {
    const a = make();
    wr(a.uart, UART_FCR, 0x01);
    wr(a.uart, UART_IER, 0x01);
    wr(a.uart, UART_SCR, 0x5a);
    a.uart.pushInput(Array.from({ length: 18 }, (_, i) => i + 1));
    rd(a.uart, UART_RBR);
    const s = a.uart.saveState();
    const b = make();
    expect(b.uart.loadState(s)).toEqual({ ok: true });
    expect(b.irq.calls).toEqual([true]);
    expect(b.uart.saveState()).toEqual(s);
    const drain = (u: Uart16550) => {
      const got: number[] = [];
      while (rd(u, UART_LSR) & 1) got.push(rd(u, UART_RBR));
      return got;
    };
    expect(drain(b.uart)).toEqual(drain(a.uart));
  });

  it('loadState rejects malformed state and changes nothing', () => {
    const { uart } = make();
    const good = uart.saveState();
    const bad = [
      { ...good, ier: 0x10 },
      { ...good, lcr: 256 },
      { ...good, fcr: 0x02 },
      { ...good, thrIpending: 2 },
      { ...good, rx: [1, 2] }, // more than the 1-byte holding register
      { ...good, backlog: [300] },
    ];
    for (const s of bad) {
      const r = uart.loadState(s);
      expect(r.ok === false && r.error).toMatch(/^uart state: /);
    }
    expect(uart.saveState()).toEqual(good);
  });

  it('reset restores power-on state and drops input', () => {
    const { uart, irq } = make();
    wr(uart, UART_IER, 0x01);
    uart.pushInput([1]);
    uart.reset();
    expect(irq.level).toBe(false);
    expect(uart.saveState()).toEqual(make().uart.saveState());
  });
});
