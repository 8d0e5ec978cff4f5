// The board: one hart, the physical bus with RAM, and the QEMU-virt devices, driven by virtual
// time. Machine.run() alternates between the hart (for as many instructions as may pass before
// the next device event) and the devices; a hart waiting in WFI makes time jump to that event.

import { Hart, StopReason } from '../cpu/hart';
import { immI, immS, ISA_BY_OP, rdOf, rs1Of, rs2Of, writesRd } from '../cpu/isa';
import { decode } from '../cpu/decode';
import { Bus } from '../mmu/bus';
import { Access } from '../mmu/mmu';
import { checkRv32imaFlags, loadSegmentsIntoRam, parseElf } from '../elf/reader';
import { Clint } from './clint';
import { TestFinisher, type FinisherResult } from './finisher';
import { Htif } from './htif';
import { IrqSource } from './irqsrc';
import {
  CLINT_BASE, DEFAULT_RAM_SIZE, irqsrcWiringOk, FINISHER_BASE, IRQSRC_BASE, IRQSRC_CHANNELS, IRQSRC_IRQ_BASE, PLIC_BASE, RAM_BASE,
  UART_BASE, UART_IRQ,
} from './memlayout';
import { Plic } from './plic';
import { stateHash } from './statehash';
import { Uart16550 } from './uart';

export interface MachineOptions {
  /** RAM bytes at 0x80000000; a multiple of 4 KiB. Default 128 MiB. */
  ramSize?: number;
  /** Retired instructions per virtual second. Default 100 MHz. */
  insnsPerSecond?: number;
  /** CLINT mtime frequency; insnsPerSecond must be a multiple of it. Default 10 MHz. */
  mtimeHz?: number;
  /** Bytes the UART receives, available from the start. */
  uartInput?: Uint8Array;
  /**
   * The PLIC source of the IRQ source device's channel 0 (channel n drives this + n). Default
   * IRQSRC_IRQ_BASE; another value models a board wired differently (a restore maps sources).
   */
  irqsrcFirstSource?: number;
  /** Called with every byte the UART or HTIF console transmits (also kept for outputText()). */
  onOutput?: (byte: number) => void;
}

/** The data memory access of a traced load, store or AMO (found by decoding the instruction). */
export interface MemAccess {
  kind: 'load' | 'store' | 'amo';
  /** The virtual address. */
  addr: number;
  /** Bytes accessed: 1, 2 or 4. */
  size: number;
  /** The value loaded (as written to rd; undefined when rd is x0 or a failed SC stored nothing). */
  loaded?: number;
  /** The value stored (an AMO: the memory word after it; undefined for a failed SC). */
  stored?: number;
}

/** One retired (or trapping) instruction, for --trace. */
export interface TraceEntry {
  pc: number;
  word: number;
  /** The privilege mode the instruction ran in: 0 U, 1 S, 3 M. */
  priv: number;
  /** The register written, or -1 if none (or x0). */
  rd: number;
  /** rd's value after the instruction. */
  value: number;
  /** The instruction raised an exception and did not retire. */
  trapped: boolean;
  /** Trapped: the exception's cause and tval (mcause/mtval, scause/stval, or the hosted trap's). */
  cause: number;
  tval: number;
  /** A load, store or AMO that retired: where and what. */
  mem?: MemAccess;
}

export interface RunOptions {
  /** Stop after this many executed instructions (retired or trapping). */
  maxInsns: number;
  trace?: (e: TraceEntry) => void;
}

export type RunReason = 'exit' | 'limit' | 'idle';

export interface RunResult {
  reason: RunReason;
  /** The guest's exit code (finisher or HTIF); meaningful when reason is 'exit'. */
  exitCode: number;
  /** How the guest exited: 'pass'/'fail' through the finisher, 'reset', or 'htif'. */
  exitKind?: FinisherResult['kind'] | 'htif';
}

export type LoadResult = { ok: true; entry: number } | { ok: false; error: string };

export class Machine {
  readonly bus: Bus;
  readonly hart: Hart;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly uart: Uart16550;
  readonly irqsrc: IrqSource;
  readonly finisher: TestFinisher;
  htif: Htif | undefined;
  readonly cyclesPerTick: number;
  readonly insnsPerSecond: number;
  private readonly output: number[] = [];
  private readonly onOutput: ((byte: number) => void) | undefined;
  private exit: RunResult | undefined;
  /** Instructions executed (retired or trapping) by run(), excluding idle time. */
  executed = 0;

  constructor(opts: MachineOptions = {}) {
    const insnsPerSecond = opts.insnsPerSecond ?? 100_000_000;
    const mtimeHz = opts.mtimeHz ?? 10_000_000;
    if (!Number.isInteger(insnsPerSecond / mtimeHz) || insnsPerSecond < mtimeHz) {
      throw new RangeError('insnsPerSecond must be a positive multiple of mtimeHz');
    }
    this.cyclesPerTick = insnsPerSecond / mtimeHz;
    this.insnsPerSecond = insnsPerSecond;
    this.bus = new Bus(RAM_BASE, opts.ramSize ?? DEFAULT_RAM_SIZE);
    const hart = (this.hart = new Hart(this.bus));
    this.onOutput = opts.onOutput;
    const line = (bit: number) => ({ set: (level: boolean) => hart.setIrqLine(bit, level) });
    this.clint = new Clint({ cycles: () => hart.cycles }, this.cyclesPerTick, { msip: line(3), mtip: line(7) });
    this.plic = new Plic([line(11), line(9)]);
    this.uart = new Uart16550({ irq: this.plic.sourceLine(UART_IRQ), output: (b) => this.emit(b) });
    const first = opts.irqsrcFirstSource ?? IRQSRC_IRQ_BASE;
    if (!irqsrcWiringOk(first)) {
      throw new RangeError(`irqsrcFirstSource ${first}: channels need ${IRQSRC_CHANNELS} free PLIC sources in 1-31 (not the UART's ${UART_IRQ})`);
    }
    const irqsrcLines = Array.from({ length: IRQSRC_CHANNELS }, (_, i) => this.plic.sourceLine(first + i));
    this.irqsrc = new IrqSource({ cycles: () => hart.cycles }, this.cyclesPerTick, irqsrcLines);
    this.finisher = new TestFinisher((r) => this.finish({ reason: 'exit', exitCode: r.code, exitKind: r.kind }));
    hart.time = this.clint;
    this.bus.map(FINISHER_BASE, this.finisher);
    this.bus.map(CLINT_BASE, this.clint);
    this.bus.map(PLIC_BASE, this.plic);
    this.bus.map(UART_BASE, this.uart);
    this.bus.map(IRQSRC_BASE, this.irqsrc);
    if (opts.uartInput !== undefined) this.uart.pushInput(opts.uartInput);
    hart.reset(RAM_BASE);
  }

  /**
   * Loads an ELF32 RISC-V executable: validates it whole, writes its segments (by physical
   * address, as QEMU's -kernel does) and points the hart at its entry. HTIF is enabled when the
   * ELF has a `tohost` symbol. Nothing is written if anything is wrong.
   */
  loadElf(bytes: Uint8Array): LoadResult {
    const parsed = parseElf(bytes);
    if (!parsed.ok) return parsed;
    const elf = parsed.elf;
    const flags = checkRv32imaFlags(elf);
    if (!flags.ok) return flags;
    const tohost = elf.symbols.get('tohost');
    const fromhost = elf.symbols.get('fromhost');
    if (tohost !== undefined && !this.bus.isRam(tohost.value, 8)) {
      return { ok: false, error: `symbol tohost (0x${tohost.value.toString(16)}) is not in RAM` };
    }
    if (fromhost !== undefined && !this.bus.isRam(fromhost.value, 8)) {
      return { ok: false, error: `symbol fromhost (0x${fromhost.value.toString(16)}) is not in RAM` };
    }
    const loaded = loadSegmentsIntoRam(elf, this.bus);
    if (!loaded.ok) return loaded;
    if (tohost !== undefined) this.attachHtif(tohost.value, fromhost?.value);
    this.hart.reset(elf.entry);
    return { ok: true, entry: elf.entry };
  }

  private attachHtif(tohost: number, fromhost: number | undefined): void {
    const htif = new Htif({ tohost, fromhost }, {
      exit: (code) => this.finish({ reason: 'exit', exitCode: code, exitKind: 'htif' }),
      output: (bytes) => { for (const b of bytes) this.emit(b); },
    });
    this.htif = htif;
    this.bus.watch(tohost, 8, (pa, size) => {
      htif.onToHostWrite(this.bus, pa, size);
      this.hart.requestBreak();
    });
  }

  private emit(byte: number): void {
    this.output.push(byte);
    this.onOutput?.(byte);
  }

  private finish(r: RunResult): void {
    if (this.exit === undefined) this.exit = r;
    this.hart.requestBreak();
  }

  /** Everything transmitted so far, as latin1 text. */
  outputText(): string {
    let s = '';
    for (let i = 0; i < this.output.length; i += 8192) {
      s += String.fromCharCode(...this.output.slice(i, i + 8192));
    }
    return s;
  }

  /** Whether the guest has exited (finisher or HTIF). */
  exited(): RunResult | undefined {
    return this.exit;
  }

  /**
   * Runs until the guest exits, `maxInsns` more instructions have executed, or the hart waits
   * for an interrupt that nothing can deliver ('idle'). With `trace`, one instruction at a time.
   */
  run(opts: RunOptions): RunResult {
    const hart = this.hart;
    const stopAt = this.executed + opts.maxInsns;
    while (this.exit === undefined) {
      const left = stopAt - this.executed;
      if (left <= 0) return { reason: 'limit', exitCode: 0 };
      this.updateDevices();
      const next = this.nextEventCycle();
      const budget = Math.max(1, Math.min(left, next - hart.cycles));
      const before = hart.cycles;
      const reason = opts.trace !== undefined ? this.traceStep(opts.trace) : hart.run(budget);
      this.executed += hart.cycles - before;
      if (reason === StopReason.Wfi && this.exit === undefined) {
        this.updateDevices();
        if (hart.wakeable()) continue;
        const wake = this.nextEventCycle();
        if (wake === Infinity) return { reason: 'idle', exitCode: 0 };
        hart.cycles = Math.max(hart.cycles, wake); // idle: time jumps to the next event
      }
    }
    return this.exit;
  }

  /** Lets the time-driven devices (CLINT, IRQ source) catch up with the clock. */
  private updateDevices(): void {
    this.clint.update();
    this.irqsrc.update();
  }

  /** The next cycle at which a time-driven device changes a line (Infinity: none). */
  nextEventCycle(): number {
    return Math.min(this.clint.nextEventCycle(), this.irqsrc.nextEventCycle());
  }

  /**
   * Executes one instruction and reports it to `trace` (single-stepping: for --trace only, the
   * fast path is untouched). Bare: a pending interrupt is taken first. Returns the hart's stop.
   */
  traceStep(trace: (e: TraceEntry) => void): StopReason {
    const hart = this.hart;
    hart.pollInterrupts();
    if (hart.waiting && !hart.wakeable()) return StopReason.Wfi;
    const pc = hart.pc;
    const priv = hart.priv;
    const exceptions = hart.exceptions;
    const word = this.peekWord(pc);
    const fmt = word === undefined ? 'NONE' : ISA_BY_OP[decode(word)]?.format ?? 'NONE';
    const mem = word === undefined ? undefined : memBefore(fmt, word, hart.x);
    const reason = hart.run(1);
    const trapped = hart.exceptions !== exceptions;
    const r = word === undefined ? 0 : rdOf(word);
    const rd = !trapped && writesRd(fmt) && r !== 0 ? r : -1;
    const value = rd >= 0 ? hart.x[rd] >>> 0 : 0;
    if (mem !== undefined && !trapped) this.memAfter(mem, fmt, word!, rd, value);
    let cause = 0;
    let tval = 0;
    if (trapped) {
      // Hosted: the kernel's trap; bare: the CSRs of the mode the trap went to.
      cause = hart.hosted ? hart.exitCause : hart.priv === 3 ? hart.mcause : hart.scause;
      tval = hart.hosted ? hart.exitTval : hart.priv === 3 ? hart.mtval : hart.stval;
    }
    trace({ pc: pc >>> 0, word: (word ?? 0) >>> 0, priv, rd, value, trapped, cause: cause >>> 0, tval: tval >>> 0, mem: trapped ? undefined : mem });
    return reason;
  }

  /** Completes a traced access after the step: the value loaded, an AMO's new memory word, an SC's result. */
  private memAfter(mem: MemAccess, fmt: string, word: number, rd: number, value: number): void {
    if (rd >= 0 && mem.kind !== 'store') mem.loaded = value;
    if (fmt === 'AMO' && ((word >>> 27) & 31) === 3) { // SC.W: stored only if rd is 0 afterwards
      if (rdOf(word) !== 0 && value !== 0) mem.stored = undefined;
      mem.kind = 'store';
      mem.loaded = undefined;
    } else if (mem.kind === 'amo') {
      const pa = this.hart.mmu.peekTranslate(mem.addr, Access.Store);
      mem.stored = pa < 0 ? undefined : this.bus.peek(pa, 4);
    }
  }

  /** The instruction word at virtual `pc`, read without side effects; undefined if unmapped. */
  peekWord(pc: number): number | undefined {
    const pa = this.hart.mmu.peekTranslate(pc, Access.Fetch);
    return pa < 0 ? undefined : this.bus.peek(pa, 4);
  }

  /** The state hash: registers, CSRs, counters, RAM and device state (see statehash.ts). */
  stateHash(): string {
    return stateHash(this);
  }
}

/** The access a LOAD, STORE, LR or AMO instruction is about to make (before it executes). */
function memBefore(fmt: string, w: number, x: Int32Array): MemAccess | undefined {
  const base = x[rs1Of(w)];
  switch (fmt) {
    case 'LOAD':
      return { kind: 'load', addr: (base + immI(w)) >>> 0, size: 1 << (((w >>> 12) & 7) & 3) };
    case 'STORE': {
      const size = 1 << ((w >>> 12) & 3);
      const v = x[rs2Of(w)];
      return { kind: 'store', addr: (base + immS(w)) >>> 0, size, stored: size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1) };
    }
    case 'LR':
      return { kind: 'load', addr: base >>> 0, size: 4 };
    case 'AMO':
      return { kind: 'amo', addr: base >>> 0, size: 4, stored: x[rs2Of(w)] >>> 0 };
    default:
      return undefined;
  }
}
