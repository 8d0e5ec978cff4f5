// A harness for instruction-accurate tests: assemble a snippet, run it on a fresh Machine, and
// check registers, memory, CSRs and traps.
//
//   run('li a0, 2\n addi a0, a0, 3').expectReg('a0', 5);
//
// The snippet is GNU assembly (it may use .data, labels, macros). An epilogue is appended:
//
//   _done: j _done      the program's normal end (fall through or jump to it)
//   _trap: j _trap      mtvec (and stvec) point here unless the program sets its own
//
// Every program runs on every registered *engine* and all must end in the identical state
// (registers, pc, privilege, CSRs, counters, RAM, devices: the state hash and a readable
// snapshot). The reference engine single-steps the interpreter (`run(1)`, as `--trace` does,
// compiled blocks off) until pc reaches
// `_done`, `_trap` or an extra stop label, which gives the exact number N of executed
// instructions; every other engine then runs exactly N instructions its own way and must land
// on the same state. 'batch' uses Machine.run with large budgets (the interpreter's hot loop,
// compiled blocks off); 'jit' the same with the fast path on, every block compiled at first
// sight. Further engines register themselves with registerEngine() and every suite covers them.

import { expect } from 'vitest';
import { assembleText, formatError } from '../../src/asm/index';
import { csrRead } from '../../src/cpu/csr';
import { CSR_BY_NAME } from '../../src/cpu/csrnames';
import type { Hart } from '../../src/cpu/hart';
import { Machine, type RunReason, type RunResult } from '../../src/dev/machine';

// ---------------------------------------------------------------- engines

/** A way to execute a loaded machine for exactly `maxInsns` executed instructions. */
export interface Engine {
  readonly name: string;
  /** Prepares a freshly loaded machine for this engine (before the test's own setup). */
  configure?(m: Machine): void;
  run(m: Machine, maxInsns: number): RunResult;
}

const noTrace = (): void => {};

/** The reference: the interpreter, one instruction per hart.run(1), as --trace does. */
export const STEP_ENGINE: Engine = {
  name: 'step',
  configure: (m) => { m.hart.jitEnabled = false; },
  run: (m, maxInsns) => m.run({ maxInsns, trace: noTrace }),
};

/** The interpreter's hot loop: Machine.run with budgets as large as the devices allow. */
export const BATCH_ENGINE: Engine = {
  name: 'batch',
  configure: (m) => { m.hart.jitEnabled = false; },
  run: (m, maxInsns) => m.run({ maxInsns }),
};

/** The fast path (compiled blocks), compiling every block at first sight so tests reach it. */
export const JIT_ENGINE: Engine = {
  name: 'jit',
  configure: (m) => {
    m.hart.jitEnabled = true;
    m.hart.jit.hotThreshold = 0;
  },
  run: (m, maxInsns) => m.run({ maxInsns }),
};

const ENGINES = new Map<string, Engine>([['batch', BATCH_ENGINE], ['jit', JIT_ENGINE]]);

/** Adds an engine that every run() (without an explicit `modes`) must agree with. */
export function registerEngine(e: Engine): void {
  if (e.name === 'step') throw new Error('"step" is the reference engine');
  ENGINES.set(e.name, e);
}

/** Removes an engine added by registerEngine(). */
export function unregisterEngine(name: string): void {
  if (name !== 'batch' && name !== 'jit') ENGINES.delete(name);
}

/** Names of the engines compared against the reference by default. */
export function engineNames(): string[] {
  return [...ENGINES.keys()];
}

// ---------------------------------------------------------------- registers and CSRs

const ABI = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

export type RegName = string | number;

/** Register number of an ABI name, `xN`, `fp`, or a number. */
export function regIndex(r: RegName): number {
  if (typeof r === 'number') {
    if (!Number.isInteger(r) || r < 0 || r > 31) throw new Error(`bad register number ${r}`);
    return r;
  }
  if (r === 'fp') return 8;
  const abi = ABI.indexOf(r);
  if (abi >= 0) return abi;
  const m = /^x(\d+)$/.exec(r);
  if (m !== null && Number(m[1]) < 32) return Number(m[1]);
  throw new Error(`unknown register ${r}`);
}

export function csrNumber(name: string | number): number {
  if (typeof name === 'number') return name;
  const n = CSR_BY_NAME.get(name);
  if (n === undefined) throw new Error(`unknown CSR ${name}`);
  return n;
}

/** The CSRs a state snapshot lists by name (the state hash covers the rest). */
const SNAPSHOT_CSRS = [
  'mstatus', 'sstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'sie', 'sip', 'mtvec', 'stvec',
  'mepc', 'sepc', 'mcause', 'scause', 'mtval', 'stval', 'mscratch', 'sscratch', 'mcounteren',
  'scounteren', 'mcountinhibit', 'satp', 'mcycle', 'mcycleh', 'minstret', 'minstreth', 'time', 'timeh',
];

export const hex = (v: number): string => '0x' + (v >>> 0).toString(16).padStart(8, '0');

export interface Snapshot {
  reason: string;
  pc: string;
  priv: number;
  x: string[];
  csrs: Record<string, string>;
  cycles: number;
  instret: number;
  waiting: boolean;
  reservation: number;
  output: string;
  hash: string;
}

export function snapshot(m: Machine, reason: string): Snapshot {
  const h = m.hart;
  const csrs: Record<string, string> = {};
  for (const name of SNAPSHOT_CSRS) csrs[name] = hex(csrRead(h, csrNumber(name)));
  return {
    reason,
    pc: hex(h.pc),
    priv: h.priv,
    x: Array.from(h.x, hex),
    csrs,
    cycles: h.cycles,
    instret: h.instret,
    waiting: h.waiting,
    reservation: h.reservation,
    output: m.outputText(),
    hash: m.stateHash(),
  };
}

// ---------------------------------------------------------------- run()

export const EPILOGUE = '\n  .text\n  .balign 4\n_done: j _done\n_trap: j _trap\n';

/** Why the reference run stopped. */
export type Stop = 'done' | 'trap' | 'label' | RunReason;

export interface RunOptions {
  /** RAM bytes (default 1 MiB). */
  ramSize?: number;
  /** Executed-instruction limit before the test fails (default 200 000). */
  budget?: number;
  /** Bytes the UART receives from the start. */
  uartInput?: Uint8Array;
  /** Called on each fresh machine after loading, before running (page tables, hart fields). */
  setup?: (m: Machine, sym: (name: string) => number) => void;
  /** Extra labels at which to stop, like _done. */
  stopAt?: string[];
  /** Point mtvec/stvec at _trap before running (default true). */
  trapVector?: boolean;
  /** Engines compared with the single-stepping reference (default: all registered). */
  modes?: string[];
  /** Hosted mode: passed to hart.hosted before running. */
  hosted?: boolean;
}

export interface ExpectedTrap {
  cause: number;
  interrupt?: boolean;
  tval?: number | string;
  /** The trapping pc: a number or a label. */
  epc?: number | string;
  /** The mode that took the trap (default M). */
  to?: 'M' | 'S';
}

export class Outcome {
  constructor(
    readonly machine: Machine,
    readonly symbols: Map<string, number>,
    readonly stop: Stop,
    /** Instructions executed (retired or trapping) until the stop. */
    readonly executed: number,
  ) {}

  get hart(): Hart {
    return this.machine.hart;
  }

  sym(name: string): number {
    const v = this.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name} (declare it .globl)`);
    return v;
  }

  private addr(v: number | string): number {
    return typeof v === 'string' ? this.sym(v) : v;
  }

  /** A register as a signed 32-bit number. */
  reg(r: RegName): number {
    return this.hart.x[regIndex(r)];
  }

  /** A register as an unsigned 32-bit number. */
  ureg(r: RegName): number {
    return this.reg(r) >>> 0;
  }

  expectReg(r: RegName, value: number): this {
    expect(hex(this.reg(r)), `register ${r}`).toBe(hex(value));
    return this;
  }

  expectRegs(values: Record<string, number>): this {
    for (const [r, v] of Object.entries(values)) this.expectReg(r, v);
    return this;
  }

  /** Memory at a physical address (or label), without side effects; unsigned. */
  mem(addr: number | string, size: 1 | 2 | 4 = 4): number {
    const v = this.machine.bus.peek(this.addr(addr), size);
    if (v === undefined) throw new Error(`nothing at ${hex(this.addr(addr))}`);
    return v;
  }

  expectMem(addr: number | string, value: number, size: 1 | 2 | 4 = 4): this {
    const mask = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
    expect(hex(this.mem(addr, size)), `memory at ${typeof addr === 'string' ? addr : hex(addr)}`).toBe(hex(value & mask));
    return this;
  }

  /** A CSR read with the hart's current privilege ignored (unsigned). */
  csr(name: string | number): number {
    return csrRead(this.hart, csrNumber(name)) >>> 0;
  }

  expectCsr(name: string | number, value: number): this {
    expect(hex(this.csr(name)), `CSR ${name}`).toBe(hex(value));
    return this;
  }

  expectStop(stop: Stop): this {
    expect(this.stop, this.describe()).toBe(stop);
    return this;
  }

  /** The program stopped at _trap with this cause (and tval/epc if given). */
  expectTrap(t: ExpectedTrap): this {
    expect(this.stop, this.describe()).toBe('trap');
    const to = t.to ?? 'M';
    const h = this.hart;
    expect(h.priv, 'privilege at the trap handler').toBe(to === 'M' ? 3 : 1);
    const cause = to === 'M' ? h.mcause : h.scause;
    const code = (t.cause | (t.interrupt === true ? 0x80000000 : 0)) >>> 0;
    expect(hex(cause), `${to === 'M' ? 'mcause' : 'scause'} (${this.describe()})`).toBe(hex(code));
    if (t.tval !== undefined) {
      expect(hex(to === 'M' ? h.mtval : h.stval), to === 'M' ? 'mtval' : 'stval').toBe(hex(this.addr(t.tval)));
    }
    if (t.epc !== undefined) {
      expect(hex(to === 'M' ? h.mepc : h.sepc), to === 'M' ? 'mepc' : 'sepc').toBe(hex(this.addr(t.epc)));
    }
    return this;
  }

  /** reg(to) - reg(from) === delta (wrapping). */
  expectDelta(from: RegName, to: RegName, delta: number): this {
    expect((this.reg(to) - this.reg(from)) | 0, `${to} - ${from}`).toBe(delta);
    return this;
  }

  expectPriv(p: 'M' | 'S' | 'U'): this {
    expect(this.hart.priv, 'privilege').toBe(p === 'M' ? 3 : p === 'S' ? 1 : 0);
    return this;
  }

  /** Stopped at _trap with an illegal-instruction exception raised by the instruction at `at`. */
  expectIllegal(at: string, to: 'M' | 'S' = 'M'): this {
    return this.expectTrap({ cause: 2, epc: at, tval: this.mem(at), to });
  }

  /** The program reached _done. */
  expectNoTrap(): this {
    expect(this.stop, this.describe()).toBe('done');
    return this;
  }

  describe(): string {
    const h = this.hart;
    return `stopped: ${this.stop} at pc ${hex(h.pc)} priv ${h.priv} after ${this.executed} insns; ` +
      `mcause ${hex(h.mcause)} mepc ${hex(h.mepc)} mtval ${hex(h.mtval)} ` +
      `scause ${hex(h.scause)} sepc ${hex(h.sepc)} stval ${hex(h.stval)}`;
  }
}

/** Assembles `src` + epilogue; throws a readable error on assembly errors. */
export function assemble(src: string): { elf: Uint8Array; symbols: Map<string, number> } {
  const text = /\b_start\s*:/.test(src) ? src : `  .text\n  .globl _start\n_start:\n${src}`;
  const r = assembleText(text + EPILOGUE);
  if (!r.ok) throw new Error(`assembly failed:\n${r.errors.map(formatError).join('\n')}`);
  return { elf: r.elf, symbols: r.symbols };
}

/** A fresh machine with the program loaded and prepared as `opts` asks. */
export function prepare(elf: Uint8Array, symbols: Map<string, number>, opts: RunOptions, engine: Engine): Machine {
  const m = new Machine({ ramSize: opts.ramSize ?? 1 << 20, uartInput: opts.uartInput });
  const loaded = m.loadElf(elf);
  if (!loaded.ok) throw new Error(`loadElf failed: ${loaded.error}`);
  engine.configure?.(m);
  const sym = (name: string): number => {
    const v = symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v;
  };
  if (opts.trapVector !== false) {
    m.hart.mtvec = sym('_trap');
    m.hart.stvec = sym('_trap');
  }
  if (opts.hosted === true) m.hart.hosted = true;
  opts.setup?.(m, sym);
  return m;
}

/**
 * Runs `src` on the reference engine until it stops, then on every other engine for the same
 * number of instructions, and checks they all end in the same state.
 */
export function run(src: string, opts: RunOptions = {}): Outcome {
  const { elf, symbols } = assemble(src);
  const stops = new Map<number, Stop>();
  stops.set(symbols.get('_done') as number, 'done');
  stops.set(symbols.get('_trap') as number, 'trap');
  for (const l of opts.stopAt ?? []) {
    const a = symbols.get(l);
    if (a === undefined) throw new Error(`no stop label ${l} (declare it .globl)`);
    stops.set(a, 'label');
  }
  const budget = opts.budget ?? 200_000;

  // Reference: single steps until a stop label, an exit or idle.
  const ref = prepare(elf, symbols, opts, STEP_ENGINE);
  let stop: Stop | undefined;
  while (stop === undefined) {
    if (ref.executed >= budget) {
      throw new Error(`program did not stop within ${budget} instructions (pc ${hex(ref.hart.pc)})`);
    }
    const r = STEP_ENGINE.run(ref, 1);
    if (r.reason !== 'limit') stop = r.reason;
    else stop = stops.get(ref.hart.pc >>> 0);
  }
  const executed = ref.executed;
  const expected = snapshot(ref, stop === 'exit' || stop === 'idle' ? stop : 'limit');

  for (const name of opts.modes ?? engineNames()) {
    const engine = name === 'step' ? STEP_ENGINE : ENGINES.get(name);
    if (engine === undefined) throw new Error(`no engine ${name}`);
    const m = prepare(elf, symbols, opts, engine);
    const r = engine.run(m, executed);
    expect(m.executed, `engine ${name}: executed instructions`).toBe(executed);
    expect(snapshot(m, r.reason), `engine ${name} vs single-stepping`).toEqual(expected);
  }
  return new Outcome(ref, symbols, stop, executed);
}

// ---------------------------------------------------------------- assembly snippets

/** mstatus bits, for assembly text. */
export const MSTATUS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, MPIE: 1 << 7, SPP: 1 << 8, MPP: 3 << 11,
  MPP_S: 1 << 11, MPRV: 1 << 17, SUM: 1 << 18, MXR: 1 << 19, TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
} as const;

/** Drops from M to `mode` at `label` via mret (clobbers t0). */
export function enterMode(mode: 'S' | 'U', label: string): string {
  return `
  li t0, ${MSTATUS.MPP}
  csrc mstatus, t0
  li t0, ${mode === 'S' ? MSTATUS.MPP_S : 0}
  csrs mstatus, t0
  la t0, ${label}
  csrw mepc, t0
  mret
`;
}

/**
 * An M-mode trap handler at `mskip` that records the trap and resumes after the trapping
 * instruction: s11 counts traps, s10 = last mcause, s9 = last mtval, s8 = last mepc. Clobbers t6.
 * Install it with INSTALL_MSKIP; place MSKIP_HANDLER after the program (it ends in mret).
 */
export const INSTALL_MSKIP = '  la t6, mskip\n  csrw mtvec, t6\n';
export const MSKIP_HANDLER = `
  j _done
  .balign 4
mskip:
  addi s11, s11, 1
  csrr s10, mcause
  csrr s9, mtval
  csrr s8, mepc
  addi t6, s8, 4
  csrw mepc, t6
  mret
`;

/** The same for S-mode traps at `sskip` (scause/stval/sepc, sret). */
export const INSTALL_SSKIP = '  la t6, sskip\n  csrw stvec, t6\n';
export const SSKIP_HANDLER = `
  j _done
  .balign 4
sskip:
  addi s11, s11, 1
  csrr s10, scause
  csrr s9, stval
  csrr s8, sepc
  addi t6, s8, 4
  csrw sepc, t6
  sret
`;
