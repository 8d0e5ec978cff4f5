// Test helpers for programs/: assembling with our assembler (and GNU as where installed), and a
// call harness that runs single functions of the runtime library (programs/lib) on the hart in
// hosted mode, with system calls answered by the test.
//
//   const h = new LibHarness();
//   h.call('parse_uint', [h.str('64K'), 3]).a0 === 65536
//
// The harness assembles `lib/rt.s` with a `main` of its own at the RAM base and runs it in
// U-mode under an Sv32 table of two megapages: the program's 4 MiB at 0x8000_0000 (identity)
// and 4 MiB at ATTACH (0x1000_0000, a user address as ATTACH returns them) for answers of mocked
// attaches. A call sets a0-a7, sp (top of the program's megapage), ra (an `ebreak` that ends the
// call) and runs to that ebreak. Every `ecall` is handed to `onEcall`, which sees a0-a7 and may
// set results; the default records the call and returns status 0.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assemble, formatError } from '../../src/asm/index';
import type { Hart } from '../../src/cpu/hart';
import { Machine } from '../../src/dev/machine';
import { Priv } from '../../src/mmu/mmu';

export const ROOT = resolve(__dirname, '../..');
export const PROGRAMS = join(ROOT, 'programs');
export const PROGRAM_BASE = 0x10000;

/** Reads a file for `.include`, relative to the including file first (as the kernel does). */
function readAt(p: string): string | undefined {
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

/** Assembles programs/NAME (or any path) with our assembler; throws with the errors. */
export function assembleProgram(path: string, base = PROGRAM_BASE): { elf: Uint8Array; symbols: Map<string, number> } {
  const r = assemble([{ name: path, text: readFileSync(path, 'utf8') }], {
    base, readFile: (q) => readAt(q) ?? readAt(join(dirname(path), q)),
  });
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return { elf: r.elf, symbols: r.symbols };
}

/** Assembles a source text that lives (virtually) in programs/, so `.include "lib/rt.s"` works. */
export function assembleSource(text: string, base: number): { elf: Uint8Array; symbols: Map<string, number> } {
  const name = join(PROGRAMS, '__test__.s');
  const r = assemble([{ name, text }], { base, readFile: (q) => readAt(q) ?? readAt(join(PROGRAMS, q)) });
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return { elf: r.elf, symbols: r.symbols };
}

export interface CallResult { a0: number; a1: number; a2: number; a3: number }

/** One ecall as the guest made it: a0-a7. */
export type Regs8 = [number, number, number, number, number, number, number, number];

const RAM_BASE = 0x8000_0000;
const MEGA = 4 * 1024 * 1024;
const RAM_SIZE = 2 * MEGA;
/** Virtual address of the second megapage (physical RAM_BASE + 4 MiB). */
export const ATTACH = 0x1000_0000;


export class LibHarness {
  readonly m: Machine;
  readonly symbols: Map<string, number>;
  /** Every ecall of the last call(), as a0-a7 (unsigned). */
  ecalls: Regs8[] = [];
  /** Answers an ecall: sets result registers on the hart; default: a0 = 0. */
  onEcall: (args: Regs8, hart: Hart) => void = (_args, hart) => { hart.x[10] = 0; };
  /** A bump allocator in the scratch area for strings and buffers. */
  private heap: number;
  private readonly heapEnd: number;

  constructor(extra = '') {
    const { elf, symbols } = assembleSource(`.include "lib/rt.s"
.text
.globl main
main: ret
__halt: ebreak
${extra}
.bss
.balign 16
__scratch: .space 65536
__scratch_end:
.balign 4096
__root_table: .space 4096
`, RAM_BASE);
    this.symbols = symbols;
    this.m = new Machine({ ramSize: RAM_SIZE });
    const r = this.m.loadElf(elf);
    if (!r.ok) throw new Error(r.error);
    const hart = this.m.hart;
    hart.hosted = true;
    hart.jitEnabled = false;
    const root = this.sym('__root_table');
    const pte = (pa: number): number => ((pa >>> 12) << 10) | 0xdf; // V R W X U A D
    this.m.bus.write(root + (RAM_BASE >>> 22) * 4, 4, pte(RAM_BASE));
    this.m.bus.write(root + (ATTACH >>> 22) * 4, 4, pte(RAM_BASE + MEGA));
    hart.satp = (0x8000_0000 | (root >>> 12)) | 0;
    hart.priv = Priv.U;
    hart.contextChanged();
    this.heap = this.sym('__scratch');
    this.heapEnd = this.sym('__scratch_end');
  }

  sym(name: string): number {
    const v = this.symbols.get(name);
    if (v === undefined) throw new Error(`no symbol ${name}`);
    return v >>> 0;
  }

  /** Reserves n bytes (16-aligned) of scratch memory, zeroed. */
  alloc(n: number): number {
    const a = this.heap;
    this.heap += (n + 15) & ~15;
    if (this.heap > this.heapEnd) throw new Error('scratch area exhausted');
    this.write(a, new Uint8Array(n));
    return a;
  }

  /** A copy of the string in scratch memory, NUL-terminated; its address. */
  str(s: string): number {
    const bytes = new TextEncoder().encode(s);
    const a = this.alloc(bytes.length + 1);
    this.write(a, bytes);
    return a;
  }

  /** Physical address of a virtual one (the two megapages). */
  pa(va: number): number {
    va >>>= 0;
    if (va >= ATTACH && va < ATTACH + MEGA) return RAM_BASE + MEGA + (va - ATTACH);
    if (va >= RAM_BASE && va < RAM_BASE + MEGA) return va;
    throw new Error(`0x${va.toString(16)} is not mapped`);
  }

  write(addr: number, bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.m.bus.write(this.pa(addr + i), 1, bytes[i]!);
  }

  read(addr: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.m.bus.read(this.pa(addr + i), 1);
    return out;
  }

  readText(addr: number, n: number): string {
    return new TextDecoder().decode(this.read(addr, n));
  }

  word(addr: number): number {
    return this.m.bus.read(this.pa(addr), 4) >>> 0;
  }

  /** Calls a library function with up to 8 arguments; runs until it returns. */
  call(name: string, args: readonly number[] = [], maxInsns = 10_000_000): CallResult {
    return this.callWithSp(this.sym(name), args, RAM_BASE + MEGA - 64, maxInsns, name);
  }

  /** As call(), at an address and with a given sp. */
  callWithSp(pc: number, args: readonly number[], sp: number, maxInsns = 10_000_000, name = `0x${pc.toString(16)}`): CallResult {
    const hart = this.m.hart;
    const halt = this.sym('__halt');
    hart.x.fill(0);
    args.forEach((v, i) => { hart.x[10 + i] = v | 0; });
    hart.x[1] = halt;
    hart.x[2] = sp | 0;
    hart.pc = pc | 0;
    this.ecalls = [];
    let left = maxInsns;
    for (;;) {
      if (left <= 0) throw new Error(`${name}: no return after ${maxInsns} instructions (pc 0x${(hart.pc >>> 0).toString(16)})`);
      const before = hart.cycles;
      const exceptions = hart.exceptions;
      hart.run(Math.min(left, 1_000_000));
      left -= hart.cycles - before;
      if (hart.exceptions === exceptions) continue;
      const cause = hart.exitCause;
      if ((hart.pc >>> 0) === halt && cause === 3) break;
      if (cause === 8) {
        const a = [...hart.x.subarray(10, 18)].map((v) => v >>> 0) as Regs8;
        this.ecalls.push(a);
        this.onEcall(a, hart);
        hart.pc = (hart.pc + 4) | 0;
        continue;
      }
      throw new Error(`${name}: trap cause ${cause} at pc 0x${(hart.pc >>> 0).toString(16)}, tval 0x${(hart.exitTval >>> 0).toString(16)}`);
    }
    const x = hart.x;
    return { a0: x[10]!, a1: x[11]!, a2: x[12]!, a3: x[13]! };
  }
}
