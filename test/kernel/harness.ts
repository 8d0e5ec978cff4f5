// Kernel test harness: boots init with a scenario whose components are in-test assembly
// snippets, runs it in virtual time and reads back what happened (log lines with their virtual
// times, tasks, threads, stats, guest memory by symbol).
//
//   const b = boot([{ name: 'a', asm: `.include "lib/rt.s"\n ... main: ...` }]);
//   b.runMs(10);
//   b.texts('a')        // the log lines of component a
//   b.results('a', 3)   // [a0, a1, a2, a3] records stored by the `rec` macro
//
// The snippets see `lib/*` (programs/lib on disk) and `t/rec.s`, a set of macros for precise
// tests with raw ecalls (no runtime needed):
//
//   .include "lib/abi.s"          (or "lib/rt.s", then define main instead of _start)
//   .include "t/rec.s"
//   _start:
//     rec_init                    s11 = __results (the cursor)
//     inv SLOT_PD, PD_CAP_INFO, 2 INVOKE with immediates, then `rec` stores a0-a3
//     park                        WAIT forever on a fresh receiver (the component stays alive)

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assemble, formatError } from '../../src/asm/index';
import { Init, PROGRAM_BASE, type LogLine } from '../../src/kernel/init';
import type { Kernel, KernelStop } from '../../src/kernel/kernel';
import { parseScenario } from '../../src/kernel/scenario';
import { SignalContext } from '../../src/kernel/signal';
import { kernelStateHash } from '../../src/kernel/statehash';
import type { Task } from '../../src/kernel/task';
import type { Thread } from '../../src/kernel/thread';

export const ROOT = resolve(__dirname, '../..');
const LIB = join(ROOT, 'programs', 'lib');

/** Macros for raw-ecall tests (served as `t/rec.s`). Needs the constants of lib/abi.s. */
export const REC_S = `
# t/rec.s: result recording for kernel tests. s11 is the cursor into __results.
.macro rec_init
    la s11, __results
.endm
# rec: stores a0-a3 at the cursor and advances it by 16 bytes.
.macro rec
    sw a0, 0(s11)
    sw a1, 4(s11)
    sw a2, 8(s11)
    sw a3, 12(s11)
    addi s11, s11, 16
.endm
# rec_hi: stores a4-a7 the same way.
.macro rec_hi
    sw a4, 0(s11)
    sw a5, 4(s11)
    sw a6, 8(s11)
    sw a7, 12(s11)
    addi s11, s11, 16
.endm
# sys n: a7 = n, ecall (a0.. set by the caller).
.macro sys n
    li a7, \\n
    ecall
.endm
# inv slot, op, x2..x6: INVOKE with immediate arguments, then rec.
.macro inv slot, op, x2=0, x3=0, x4=0, x5=0, x6=0
    li a0, \\slot
    li a1, \\op
    li a2, \\x2
    li a3, \\x3
    li a4, \\x4
    li a5, \\x5
    li a6, \\x6
    li a7, SYS_INVOKE
    ecall
    rec
.endm
# park: waits forever on a receiver nobody signals (the component stays alive, idle); on the
# default receiver if the capability table is full.
.macro park
    li a0, SLOT_PD
    li a1, PD_ALLOC_RECEIVER
    li a7, SYS_INVOKE
    ecall
    mv s10, a1
    beqz a0, .Lpark\\@
    li s10, SLOT_SIGNALS
.Lpark\\@:
    mv a0, s10
    li a7, SYS_WAIT
    ecall
    j .Lpark\\@
.endm
# spin: a busy loop forever.
.macro spin
.Lspin\\@:
    j .Lspin\\@
.endm

.bss
.balign 4096
.globl __results
__results: .space 4096
.text
`;

/**
 * Helpers on the runtime library (served as `t/util.s`; include after lib/rt.s):
 * sleep_init() opens a Timer session with a context on a receiver of its own;
 * sleep_us(us) waits that long (one-shot); log_num(n) logs n as a signed decimal line;
 * now_us() -> ELAPSED_US (low word).
 */
export const UTIL_S = `
.text
.globl sleep_init
sleep_init:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, __sleep_name
    li a1, 0
    call parent_session
    la t0, __sleep_timer
    sw a0, 0(t0)
    call pd_alloc_receiver
    la t0, __sleep_rx
    sw a0, 0(t0)
    li a1, 0x51ee
    call pd_alloc_context
    mv a1, a0
    la t0, __sleep_timer
    lw a0, 0(t0)
    call timer_sigh
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
.globl sleep_us
sleep_us:
    addi sp, sp, -16
    sw ra, 12(sp)
    mv a1, a0
    la t0, __sleep_timer
    lw a0, 0(t0)
    call timer_trigger_once
    la t0, __sleep_rx
    lw a0, 0(t0)
    call sys_wait
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
.globl now_us
now_us:
    la t0, __sleep_timer
    lw a0, 0(t0)
    li a1, TIMER_ELAPSED_US
    li a7, SYS_INVOKE
    ecall
    mv a0, a1
    ret
.globl log_num
log_num:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    call line_reset
    lw a0, 8(sp)
    call line_sdec
    call line_log
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
.section .rodata
__sleep_name: .asciz "Timer"
.bss
.balign 4
__sleep_timer: .space 4
__sleep_rx: .space 4
.text
`;

/** Error codes of docs/abi.md. */
export const E = {
  OK: 0, BAD_SLOT: -1, RIGHTS: -2, BAD_OPCODE: -3, BAD_ARG: -4, FAULT: -5, QUOTA: -6,
  REGION_CONFLICT: -7, DENIED: -8, WOULD_BLOCK: -9, BAD_SYSCALL: -10, NOT_FOUND: -11,
} as const;

/** Virtual cycles per millisecond at the default clock (100 M instructions per second). */
export const CYCLES_PER_MS = 100_000;

export interface Snippet {
  name: string;
  /** The program's assembly source (stored as NAME.s). */
  asm: string;
  config?: string;
  ram?: string | number;
  priority?: number;
  routes?: Partial<Record<'LOG' | 'Timer' | 'RM' | 'IRQ' | 'IO_MEM', 'core'>>;
}

export interface BootOptions {
  uart?: { input?: string; inputAt?: string };
  clock?: { insnsPerSecond?: number; mtimeHz?: number };
  ramMiB?: number;
}

/** The scenario object (before validation) for `snippets`. */
export function scenarioOf(snippets: readonly Snippet[], opts: BootOptions = {}): Record<string, unknown> {
  const components = snippets.map((s) => {
    const c: Record<string, unknown> = { name: s.name, program: `${s.name}.s` };
    if (s.config !== undefined) c.config = s.config;
    if (s.ram !== undefined) c.ram = s.ram;
    if (s.priority !== undefined) c.priority = s.priority;
    if (s.routes !== undefined) c.routes = s.routes;
    return c;
  });
  const sc: Record<string, unknown> = { components };
  if (opts.uart !== undefined) sc.uart = opts.uart;
  if (opts.clock !== undefined) sc.clock = opts.clock;
  if (opts.ramMiB !== undefined) sc.ramMiB = opts.ramMiB;
  return sc;
}

/** Serves the snippets, `t/rec.s` and programs/lib from disk. */
export function fileReader(snippets: readonly Snippet[]): (path: string) => Uint8Array | undefined {
  const files = new Map<string, string>(snippets.map((s) => [`${s.name}.s`, s.asm]));
  files.set('t/rec.s', REC_S);
  files.set('t/util.s', UTIL_S);
  return (path) => {
    const text = files.get(path);
    if (text !== undefined) return latin1Bytes(text);
    const m = /^lib\/([A-Za-z0-9_.-]+)$/.exec(path);
    if (m !== null && existsSync(join(LIB, m[1]))) return new Uint8Array(readFileSync(join(LIB, m[1])));
    return undefined;
  };
}

function latin1Bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
}

/** Symbols of a snippet, assembled exactly as init assembles it. */
function symbolsOf(s: Snippet, readFile: (path: string) => Uint8Array | undefined): Map<string, number> {
  const r = assemble([{ name: `${s.name}.s`, text: s.asm }], {
    base: PROGRAM_BASE,
    readFile: (p) => { const f = readFile(p); return f === undefined ? undefined : String.fromCharCode(...f); },
  });
  if (!r.ok) throw new Error(`${s.name}.s does not assemble:\n${r.errors.map(formatError).join('\n')}`);
  return r.symbols;
}

/** A booted scenario. */
export class Booted {
  readonly kernel: Kernel;
  /** Every kernel.run() result, in order. */
  readonly stops: KernelStop[] = [];

  constructor(readonly init: Init, private readonly symbols: ReadonlyMap<string, ReadonlyMap<string, number>>) {
    this.kernel = init.kernel;
  }

  /** Runs to virtual time `ms` milliseconds since boot. */
  runMs(ms: number): KernelStop {
    return this.runNs(Math.round(ms * 1e6));
  }

  runUs(us: number): KernelStop {
    return this.runNs(Math.round(us * 1e3));
  }

  runNs(ns: number): KernelStop {
    const r = this.init.runUntilNs(ns);
    this.stops.push(r);
    return r;
  }

  /** Virtual time in cycles / nanoseconds. */
  get cycles(): number {
    return this.kernel.now();
  }

  get nowNs(): number {
    return (this.kernel.now() * 1e9) / this.init.scenario.clock.insnsPerSecond;
  }

  /** Every log line (init's included). */
  get log(): readonly LogLine[] {
    return this.init.log;
  }

  /** The log lines of component `name` (label `init -> name`). */
  lines(name: string): LogLine[] {
    return this.init.log.filter((l) => l.label === `init -> ${name}`);
  }

  /** The texts of component `name`'s log lines. */
  texts(name: string): string[] {
    return this.lines(name).map((l) => l.text);
  }

  /** The texts of init's own lines (exits, faults). */
  initTexts(): string[] {
    return this.init.log.filter((l) => l.label === 'init').map((l) => l.text);
  }

  /** Virtual time of a log line in nanoseconds. */
  ns(line: LogLine): number {
    return (line.cycles * 1e9) / this.init.scenario.clock.insnsPerSecond;
  }

  task(name: string): Task {
    const c = this.init.components.get(name);
    if (c === undefined) throw new Error(`no component ${name}`);
    return c.task;
  }

  thread(name: string, index = 0): Thread {
    const t = this.task(name).threads[index];
    if (t === undefined) throw new Error(`component ${name} has no thread ${index}`);
    return t;
  }

  /** Address of a symbol of component `name`'s program. */
  sym(name: string, symbol: string): number {
    const a = this.symbols.get(name)?.get(symbol);
    if (a === undefined) throw new Error(`no symbol ${symbol} in ${name}`);
    return a;
  }

  /** `n` words of `name`'s memory at a symbol or address (through its region maps). */
  words(name: string, at: string | number, n: number): number[] {
    const va = typeof at === 'string' ? this.sym(name, at) : at;
    const r = this.kernel.readUser(this.task(name), va, n * 4);
    if (!r.ok) throw new Error(`cannot read ${n} words at 0x${va.toString(16)} of ${name}: ${r.error}`);
    const dv = new DataView(r.value.buffer);
    return Array.from({ length: n }, (_, i) => dv.getInt32(i * 4, true));
  }

  word(name: string, at: string | number): number {
    return this.words(name, at, 1)[0];
  }

  /** The first `n` records [a0, a1, a2, a3] stored by `rec`. */
  results(name: string, n: number): [number, number, number, number][] {
    const w = this.words(name, '__results', n * 4);
    return Array.from({ length: n }, (_, i) => [w[i * 4], w[i * 4 + 1], w[i * 4 + 2], w[i * 4 + 3]]);
  }

  /** The statuses (a0) of the first `n` records. */
  statuses(name: string, n: number): number[] {
    return this.results(name, n).map((r) => r[0]);
  }

  /** How many records `rec` has stored so far (the cursor s11 of the main thread). */
  recCount(name: string): number {
    return (this.thread(name).regs[27] - this.sym(name, '__results')) / 16;
  }

  /** Submits `n` signals to the signal context in `slot` of component `name` (as a device would). */
  signal(name: string, slot: number, n = 1): void {
    const cap = this.task(name).caps.get(slot);
    if (!(cap?.obj instanceof SignalContext)) throw new Error(`slot ${slot} of ${name} is not a signal context`);
    cap.obj.submit(n);
  }

  hash(): string {
    return kernelStateHash(this.kernel);
  }
}

/** Boots a scenario of snippets; throws if the scenario is invalid or init refuses it. */
export function boot(snippets: readonly Snippet[], opts: BootOptions = {}): Booted {
  const r = tryBoot(snippets, opts);
  if (!r.ok) throw new Error(r.message);
  return r.booted;
}

/** As boot, with init's refusal as a value. */
export function tryBoot(snippets: readonly Snippet[], opts: BootOptions = {}):
  { ok: true; booted: Booted } | { ok: false; message: string } {
  const parsed = parseScenario(JSON.stringify(scenarioOf(snippets, opts)), 'test.json');
  if (!parsed.ok) return { ok: false, message: parsed.error };
  const readFile = fileReader(snippets);
  const created = Init.create({ scenario: parsed.scenario, readFile });
  if (!created.ok) return { ok: false, message: created.message };
  const symbols = new Map<string, Map<string, number>>();
  for (const s of snippets) symbols.set(s.name, symbolsOf(s, readFile));
  return { ok: true, booted: new Booted(created.init, symbols) };
}

/** A raw program: abi constants, the rec macros and `_start:` followed by `body`. */
export function raw(body: string, data = ''): string {
  return `.include "lib/abi.s"\n.include "t/rec.s"\n.text\n.globl _start\n_start:\n    rec_init\n${body}\n${data}\n`;
}

/** A program on the runtime library: `main:` followed by `body` (end it with `call exit` or `park`: main does not save ra). */
export function withRt(body: string, data = ''): string {
  return `.include "lib/rt.s"\n.include "t/rec.s"\n.include "t/util.s"\n.text\n.globl main\nmain:\n    rec_init\n${body}\n${data}\n`;
}

/**
 * A UART echo driver: IO_MEM for the UART, IRQ 10 with context 1, logs every line the UART
 * receives (as uart_echo does), acknowledging each interrupt.
 */
export const UART_ECHO = withRt(`
    la a0, n_io
    la a1, m_uart
    call parent_session
    call io_mem_dataspace
    call ds_attach
    mv s0, a0
    la a0, n_irq
    la a1, i10
    call parent_session
    mv s1, a0
    li a0, 1
    call signal_context
    mv a1, a0
    mv a0, s1
    call irq_sigh
    li t0, UART_IER_RX
    sb t0, UART_IER(s0)
1:  li a0, SLOT_SIGNALS
    call sys_wait
    call line_reset
2:  lbu t0, UART_LSR(s0)
    andi t0, t0, UART_LSR_DR
    beqz t0, 3f
    lbu a0, UART_RBR(s0)
    call line_char
    j 2b
3:  call line_log
    mv a0, s1
    call irq_ack
    j 1b`, `.section .rodata
n_io: .asciz "IO_MEM"
n_irq: .asciz "IRQ"
i10: .asciz "irq=10"
m_uart: .asciz "base=0x10000000, size=0x1000"
`);
