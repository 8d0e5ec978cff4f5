// The fast path: basic blocks of guest code compiled to JavaScript functions.
//
// A block starts at a virtual pc and runs straight-line through ALU, M-extension, load, store
// and fence instructions, ending after a branch or jump, at the end of its 4 KiB page, at
// MAX_BLOCK instructions, or just before an instruction it does not compile (CSR, system,
// atomic, fence.i, illegal), which the interpreter then executes. Register numbers, immediates
// and pc values are constants in the generated code; x0 writes are dropped at compile time.
//
// Contract of a block function fn(h, n): executes its instructions in order with exactly the
// interpreter's semantics (hart.ts), given n >= its length; sets h.pc to the next pc; returns
// the number of instructions executed (a trapping one included). It returns early after a trap
// (h.faulted) or when a slow-path access asks the run loop to look (h.breakRequested).
//
// Blocks are keyed by virtual pc and the fetch translation (fadd) they were compiled under, so a
// remapped page never runs stale code. Pages that blocks were compiled from are "code pages":
// the TLB never caches them for stores, so every store there takes the slow path, and a store
// that touches a compiled 64-byte granule drops the page's blocks.

import { Bus, PAGE_SHIFT } from '../mmu/bus';
import { TLB_MASK, type Mmu } from '../mmu/mmu';
import { DECODE_TABLE, SCAN, scanDecode } from './decode';
import { Op } from './isa';
import type { Hart } from './hart';
import { mulh, mulhsu, mulhu } from './mulh';

export type BlockFn = (h: Hart, n: number) => number;

export interface Block {
  /** Virtual pc of the first instruction; odd once the block is invalidated (never matches). */
  vpc: number;
  /** The fetch translation (RAM offset - virtual address) it was compiled under. */
  fadd: number;
  /** Instructions in the block; Infinity marks a pc that cannot start a block. */
  len: number;
  fn: BlockFn;
}

export const BLOCK_SLOTS = 1 << 14;
export const BLOCK_MASK = BLOCK_SLOTS - 1;
/** Executions of a pc before its block is compiled, by default. */
export const HOT_THRESHOLD = 24;
const MAX_BLOCK = 128;
const GRANULE_SHIFT = 6;

const NOT_COMPILABLE: BlockFn = () => 0;

export class Jit {
  /** Direct-mapped block cache indexed by the RAM offset of the block: ((pc + fadd) >>> 2) & BLOCK_MASK. */
  readonly blocks: (Block | undefined)[] = new Array<Block | undefined>(BLOCK_SLOTS).fill(undefined);
  readonly heat = new Uint16Array(BLOCK_SLOTS);
  private readonly byPage = new Map<number, Block[]>();
  /** One bit per 64-byte RAM granule holding compiled code. */
  private readonly codeGranules: Uint8Array;
  private readonly factoryArgs: unknown[];
  /** Executions of a pc before its block is compiled (0: compile at first sight, for tests). */
  hotThreshold = HOT_THRESHOLD;
  compiled = 0;
  invalidated = 0;

  constructor(private readonly hart: Hart, private readonly bus: Bus, private readonly mmu: Mmu) {
    this.codeGranules = new Uint8Array(bus.ramSize >>> GRANULE_SHIFT);
    this.factoryArgs = [hart.x, bus.ram, bus.ram16, bus.ram32, mmu.rTag, mmu.rAdd, mmu.wTag, mmu.wAdd,
      mulh, mulhsu, mulhu];
    bus.onCodeWrite = (pa, size) => this.codeWritten(pa, size);
  }

  /**
   * Compiles the block at virtual `pc` whose page translates with `fadd` into the cache slot and
   * returns it (len Infinity if the first instruction cannot be compiled).
   */
  compile(pc: number, fadd: number): Block {
    const slot = ((pc + fadd) >>> 2) & BLOCK_MASK;
    const ramOff = (pc + fadd) >>> 0;
    const { source, len } = generate(this.bus.ram32, pc, ramOff);
    let fn = NOT_COMPILABLE;
    if (len > 0) {
      const factory = new Function('x', 'm8', 'm16', 'm32', 'rT', 'rA', 'wT', 'wA', 'mulh', 'mulhsu', 'mulhu',
        `return function block_${(pc >>> 0).toString(16)}(h, n) {\n${source}\n};`) as (...a: unknown[]) => BlockFn;
      fn = factory(...this.factoryArgs);
      this.markCode(ramOff, len * 4);
      this.compiled++;
    }
    const block: Block = { vpc: pc, fadd, len: len > 0 ? len : Infinity, fn };
    this.blocks[slot] = block;
    const page = ramOff >>> PAGE_SHIFT;
    let list = this.byPage.get(page);
    if (list === undefined) this.byPage.set(page, (list = []));
    list.push(block);
    return block;
  }

  /** Marks RAM [off, off+len) as compiled code: stores there must take the slow path. */
  private markCode(off: number, len: number): void {
    for (let g = off >>> GRANULE_SHIFT; g <= (off + len - 1) >>> GRANULE_SHIFT; g++) this.codeGranules[g] = 1;
    const page = off >>> PAGE_SHIFT;
    if (this.bus.codePages[page] !== 0) return;
    this.bus.codePages[page] = 1;
    // Drop write-TLB entries that map this page, so stores to it reach codeWritten().
    const { wTag, wAdd } = this.mmu;
    for (let i = 0; i < wTag.length; i++) {
      if (wTag[i] !== -1 && ((((wTag[i] << PAGE_SHIFT) + wAdd[i]) >>> 0) >>> PAGE_SHIFT) === page) wTag[i] = -1;
    }
  }

  /** A guest store reached a code page: drop the page's blocks if it hit compiled code. */
  private codeWritten(pa: number, size: number): void {
    const off = pa - this.bus.ramBase;
    let hit = false;
    for (let g = off >>> GRANULE_SHIFT; g <= (off + size - 1) >>> GRANULE_SHIFT; g++) hit ||= this.codeGranules[g] !== 0;
    if (hit) this.invalidatePage(off >>> PAGE_SHIFT);
  }

  /**
   * Drops every block compiled from RAM page `page` (a RAM page index). Host code that writes
   * guest RAM directly (a loader, a kernel) calls invalidateRange() for what it wrote.
   */
  invalidatePage(page: number): void {
    const list = this.byPage.get(page);
    if (list !== undefined) {
      for (const b of list) {
        b.vpc = 1;
        this.invalidated++;
      }
      this.byPage.delete(page);
    }
    this.bus.codePages[page] = 0;
    this.codeGranules.fill(0, (page << PAGE_SHIFT) >>> GRANULE_SHIFT, ((page + 1) << PAGE_SHIFT) >>> GRANULE_SHIFT);
    this.hart.requestBreak(); // the running block may be one of them: leave it
  }

  /** Drops the blocks of every page in physical [pa, pa+len). */
  invalidateRange(pa: number, len: number): void {
    if (len <= 0) return;
    const first = (pa - this.bus.ramBase) >>> PAGE_SHIFT;
    const last = (pa + len - 1 - this.bus.ramBase) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) if (this.bus.codePages[p] !== 0) this.invalidatePage(p);
  }

  /** Drops every block. */
  flush(): void {
    for (const p of [...this.byPage.keys()]) this.invalidatePage(p);
    this.blocks.fill(undefined);
    this.heat.fill(0);
  }
}

// ---- code generation ----

const int = (v: number): string => `${v | 0}`;

/**
 * JavaScript for the block at virtual `pc` (RAM offset `ramOff`), and its length. Each
 * instruction k ends knowing it is the (k+1)th executed: early returns give that count.
 */
function generate(m32: Int32Array, pc: number, ramOff: number): { source: string; len: number } {
  const out: string[] = [];
  let k = 0;
  let cur = pc | 0;
  let off = ramOff;
  for (;;) {
    const w = m32[off >>> 2];
    let op = DECODE_TABLE[(w & 0x7f) | ((w >>> 5) & 0x380) | ((w >>> 15) & 0x1fc00)];
    if (op === SCAN) op = scanDecode(w);
    const code = emit(op, w, cur, k + 1);
    if (code === undefined) break; // not compiled: the interpreter takes it from here
    out.push(code.text);
    k++;
    if (code.ends) return { source: out.join('\n'), len: k };
    cur = (cur + 4) | 0;
    off += 4;
    if ((cur & 0xfff) === 0 || k === MAX_BLOCK) break; // page end: the next fetch translates anew
  }
  if (k > 0) out.push(`h.pc = ${int(cur)}; return ${k};`);
  return { source: out.join('\n'), len: k };
}

interface Emitted {
  text: string;
  /** The instruction ends the block (it set h.pc and returned). */
  ends: boolean;
}

const R = (r: number): string => `x[${r}]`;

/** The code of one instruction, or undefined if blocks do not compile it. K = count if it ends here. */
function emit(op: number, w: number, pc: number, K: number): Emitted | undefined {
  const rd = (w >>> 7) & 31, rs1 = (w >>> 15) & 31, rs2 = (w >>> 20) & 31;
  const immI = w >> 20;
  const immS = ((w >> 25) << 5) | rd;
  const set = (expr: string): Emitted => ({ text: rd === 0 ? `${expr};` : `x[${rd}] = ${expr};`, ends: false });
  const pc4 = int(pc + 4);
  const misaligned = (t: string) => `{ h.pc = ${int(pc)}; h.raise(0, ${t}); return ${K}; }`;
  switch (op) {
    case Op.LUI: return set(int(w & 0xfffff000));
    case Op.AUIPC: return set(int(pc + (w & 0xfffff000)));
    case Op.JAL: {
      const t = (pc + (((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) |
        (((w >>> 21) & 1023) << 1))) | 0;
      if ((t & 3) !== 0) return { text: misaligned(int(t)), ends: true };
      return { text: `${rd !== 0 ? `x[${rd}] = ${pc4}; ` : ''}h.pc = ${int(t)}; return ${K};`, ends: true };
    }
    case Op.JALR:
      return {
        text: `{ const t = (${R(rs1)} + ${immI}) & -2; if ((t & 3) !== 0) ${misaligned('t')} ` +
          `${rd !== 0 ? `x[${rd}] = ${pc4}; ` : ''}h.pc = t; return ${K}; }`,
        ends: true,
      };
    case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
      const t = (pc + (((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) |
        (((w >>> 8) & 15) << 1))) | 0;
      const a = R(rs1), b = R(rs2);
      const cond = op === Op.BEQ ? `${a} === ${b}` : op === Op.BNE ? `${a} !== ${b}` : op === Op.BLT ? `${a} < ${b}`
        : op === Op.BGE ? `${a} >= ${b}` : op === Op.BLTU ? `(${a} >>> 0) < (${b} >>> 0)` : `(${a} >>> 0) >= (${b} >>> 0)`;
      const taken = (t & 3) !== 0 ? misaligned(int(t)) : `{ h.pc = ${int(t)}; return ${K}; }`;
      return { text: `if (${cond}) ${taken}\nh.pc = ${pc4}; return ${K};`, ends: true };
    }
    case Op.LW: return load(rd, rs1, immI, 4, pc, K, 'm32[(va + rA[i]) >>> 2]', 'v');
    case Op.LH: return load(rd, rs1, immI, 2, pc, K, '(m16[(va + rA[i]) >>> 1] << 16) >> 16', '(v << 16) >> 16');
    case Op.LHU: return load(rd, rs1, immI, 2, pc, K, 'm16[(va + rA[i]) >>> 1]', 'v');
    case Op.LB: return load(rd, rs1, immI, 1, pc, K, '(m8[(va + rA[i]) >>> 0] << 24) >> 24', '(v << 24) >> 24');
    case Op.LBU: return load(rd, rs1, immI, 1, pc, K, 'm8[(va + rA[i]) >>> 0]', 'v');
    case Op.SW: return store(rs1, rs2, immS, 4, pc, K, 'm32[(va + wA[i]) >>> 2]');
    case Op.SH: return store(rs1, rs2, immS, 2, pc, K, 'm16[(va + wA[i]) >>> 1]');
    case Op.SB: return store(rs1, rs2, immS, 1, pc, K, 'm8[(va + wA[i]) >>> 0]');
    case Op.ADDI: return set(`${R(rs1)} + ${immI}`);
    case Op.SLTI: return set(`${R(rs1)} < ${immI} ? 1 : 0`);
    case Op.SLTIU: return set(`(${R(rs1)} >>> 0) < ${immI >>> 0} ? 1 : 0`);
    case Op.XORI: return set(`${R(rs1)} ^ ${immI}`);
    case Op.ORI: return set(`${R(rs1)} | ${immI}`);
    case Op.ANDI: return set(`${R(rs1)} & ${immI}`);
    case Op.SLLI: return set(`${R(rs1)} << ${rs2}`);
    case Op.SRLI: return set(`${R(rs1)} >>> ${rs2}`);
    case Op.SRAI: return set(`${R(rs1)} >> ${rs2}`);
    case Op.ADD: return set(`${R(rs1)} + ${R(rs2)}`);
    case Op.SUB: return set(`${R(rs1)} - ${R(rs2)}`);
    case Op.SLL: return set(`${R(rs1)} << (${R(rs2)} & 31)`);
    case Op.SLT: return set(`${R(rs1)} < ${R(rs2)} ? 1 : 0`);
    case Op.SLTU: return set(`(${R(rs1)} >>> 0) < (${R(rs2)} >>> 0) ? 1 : 0`);
    case Op.XOR: return set(`${R(rs1)} ^ ${R(rs2)}`);
    case Op.SRL: return set(`${R(rs1)} >>> (${R(rs2)} & 31)`);
    case Op.SRA: return set(`${R(rs1)} >> (${R(rs2)} & 31)`);
    case Op.OR: return set(`${R(rs1)} | ${R(rs2)}`);
    case Op.AND: return set(`${R(rs1)} & ${R(rs2)}`);
    case Op.MUL: return set(`Math.imul(${R(rs1)}, ${R(rs2)})`);
    case Op.MULH: return set(`mulh(${R(rs1)}, ${R(rs2)})`);
    case Op.MULHSU: return set(`mulhsu(${R(rs1)}, ${R(rs2)})`);
    case Op.MULHU: return set(`mulhu(${R(rs1)}, ${R(rs2)})`);
    // Division edge cases as in hart.ts (spec table 13.1).
    case Op.DIV: return divRem(rd, rs1, rs2, 'b === 0 ? -1 : (a === -2147483648 && b === -1) ? a : (a / b) | 0', false);
    case Op.DIVU: return divRem(rd, rs1, rs2, 'b === 0 ? -1 : (a / b) >>> 0', true);
    case Op.REM: return divRem(rd, rs1, rs2, 'b === 0 ? a : (a === -2147483648 && b === -1) ? 0 : a % b', false);
    case Op.REMU: return divRem(rd, rs1, rs2, 'b === 0 ? a : a % b', true);
    case Op.FENCE: return { text: '', ends: false };
    default: return undefined;
  }
}

function divRem(rd: number, rs1: number, rs2: number, expr: string, unsigned: boolean): Emitted {
  const u = unsigned ? ' >>> 0' : '';
  const body = `{ const a = ${R(rs1)}${u}, b = ${R(rs2)}${u}; ${rd !== 0 ? `x[${rd}] = ` : ''}${expr}; }`;
  return { text: body, ends: false };
}

/** A load: TLB hit inline; otherwise h.load(), leaving on a fault or a break request. */
function load(rd: number, rs1: number, imm: number, size: number, pc: number, K: number,
  fast: string, fromSlow: string): Emitted {
  const align = size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
  const dst = rd !== 0 ? `x[${rd}] = ` : '';
  return {
    text: `{ const va = (${R(rs1)} + ${imm}) | 0, vp = va >>> 12, i = vp & ${TLB_MASK};\n` +
      `if (rT[i] === vp${align}) ${dst}${fast};\n` +
      `else { h.pc = ${int(pc)}; const v = h.load(va, ${size}, n - ${K}); if (h.faulted) return ${K}; ` +
      `${dst}${fromSlow}; if (h.breakRequested) { h.pc = ${int(pc + 4)}; return ${K}; } } }`,
    ends: false,
  };
}

/** A store: TLB hit inline; otherwise h.store(), leaving on a fault or a break request. */
function store(rs1: number, rs2: number, imm: number, size: number, pc: number, K: number, fast: string): Emitted {
  const align = size === 1 ? '' : ` && (va & ${size - 1}) === 0`;
  return {
    text: `{ const va = (${R(rs1)} + ${imm}) | 0, vp = va >>> 12, i = vp & ${TLB_MASK};\n` +
      `if (wT[i] === vp${align}) ${fast} = ${R(rs2)};\n` +
      `else { h.pc = ${int(pc)}; h.store(va, ${size}, ${R(rs2)}, n - ${K}); if (h.faulted) return ${K}; ` +
      `if (h.breakRequested) { h.pc = ${int(pc + 4)}; return ${K}; } } }`,
    ends: false,
  };
}
