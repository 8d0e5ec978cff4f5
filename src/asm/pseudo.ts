// Pseudo-instructions: each expands to base instructions named by their ISA table rows, with
// GNU as's expansions (so the bytes match): `li` as GNU's load_const, `la`/`lla`/`call`/`tail`
// and symbol loads/stores as auipc pairs with %pcrel_hi/%pcrel_lo (non-PIC, norelax).

import { type InsnDef } from '../cpu/isa';
import type { Operand, Statement } from './parser';
import type { Imm, InsnSink } from './sink';
import { arity, csr, imm, isReg, reg } from './operands';
import { emitB, emitCsr, emitCsrI, emitI, emitJ, emitR, emitS, emitU, jalrForms, row } from './insn';
import { lo12 } from './fields';
import { csrNumber } from './csr';

type Handler = (st: Statement, sink: InsnSink) => void;

const ZERO = 0, RA = 1, T1 = 6;

function ops(st: Statement, sink: InsnSink, ...counts: number[]): readonly Operand[] | undefined {
  return arity(st.operands, counts, st.nameCol, sink, st.name) ? st.operands : undefined;
}

/** GNU's load_const for RV32: lui of the rounded upper part, then addi of the low part. */
export function emitLi(sink: InsnSink, rd: number, value: number): void {
  const v = value | 0;
  const lower = lo12(v);
  const upper = (v - lower) | 0;
  let hiReg = ZERO;
  if (upper !== 0) { emitU(sink, row('lui'), rd, (upper >>> 12) & 0xfffff); hiReg = rd; }
  if (lower !== 0 || hiReg === ZERO) emitI(sink, row('addi'), rd, hiReg, lower);
}

function li(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 2); if (!o) return;
  const rd = reg(o[0]!, sink);
  const v = imm(o[1]!, sink, false); if (!v) return;
  const k = sink.constant(v.e, v.col, '`li\' value');
  if (k === undefined) return;
  if (k < -0x80000000 || k > 0xffffffff) { sink.error(v.col, `immediate out of range: ${k} (li takes a 32-bit value)`); return; }
  emitLi(sink, rd, k);
}

/** auipc tmp, %pcrel_hi(target); then `second` with %pcrel_lo relative to that auipc. */
function pcrelPair(sink: InsnSink, tmp: number, target: Imm, second: (lo: Imm) => void): void {
  emitU(sink, row('auipc'), tmp, { e: target.e, mod: 'pcrel_hi', col: target.col });
  second({ e: target.e, mod: 'pair_lo', col: target.col });
}

function la(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 2); if (!o) return;
  const rd = reg(o[0]!, sink);
  const t = imm(o[1]!, sink, false); if (!t) return;
  pcrelPair(sink, rd, t, (lo) => emitI(sink, row('addi'), rd, rd, lo));
}

/** `call sym` = auipc ra + jalr ra; `call rd, sym` = auipc t1 + jalr rd (GNU's temporaries). */
function call(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 1, 2); if (!o) return;
  const rd = o.length === 2 ? reg(o[0]!, sink) : RA;
  const tmp = o.length === 2 ? T1 : RA;
  const t = imm(o[o.length - 1]!, sink, false); if (!t) return;
  pcrelPair(sink, tmp, t, (lo) => emitI(sink, row('jalr'), rd, tmp, lo));
}

function tail(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 1); if (!o) return;
  const t = imm(o[0]!, sink, false); if (!t) return;
  pcrelPair(sink, T1, t, (lo) => emitI(sink, row('jalr'), ZERO, T1, lo));
}

/** `op rd, rs` -> base(rd, a, b) with register/immediate arrangement given by f. */
const unary = (f: (sink: InsnSink, rd: number, rs: number) => void): Handler => (st, sink) => {
  const o = ops(st, sink, 2); if (!o) return;
  f(sink, reg(o[0]!, sink), reg(o[1]!, sink));
};

/** Branch against zero: `op rs, target` -> base(rs/zero arrangement). */
const branchZero = (base: string, zeroFirst: boolean): Handler => (st, sink) => {
  const o = ops(st, sink, 2); if (!o) return;
  const rs = reg(o[0]!, sink);
  const t = imm(o[1]!, sink, false); if (!t) return;
  emitB(sink, row(base), zeroFirst ? ZERO : rs, zeroFirst ? rs : ZERO, t);
};

/** Swapped-operand branch: `bgt a, b, t` -> `blt b, a, t`. */
const branchSwap = (base: string): Handler => (st, sink) => {
  const o = ops(st, sink, 3); if (!o) return;
  const a = reg(o[0]!, sink), b = reg(o[1]!, sink);
  const t = imm(o[2]!, sink, false); if (!t) return;
  emitB(sink, row(base), b, a, t);
};

/** csrr rd, csr. */
function csrr(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 2); if (!o) return;
  const rd = reg(o[0]!, sink);
  const c = csr(o[1]!, sink); if (!c) return;
  emitCsr(sink, row('csrrs'), rd, c, ZERO);
}

/** csrw/csrs/csrc csr, rs|imm (immediate -> the `i` row), and the explicit `i` forms. */
const csrWrite = (base: string, immOnly: boolean): Handler => (st, sink) => {
  const o = ops(st, sink, 2); if (!o) return;
  const c = csr(o[0]!, sink); if (!c) return;
  if (!immOnly && isReg(o[1])) { emitCsr(sink, row(base), ZERO, c, reg(o[1]!, sink)); return; }
  const v = imm(o[1]!, sink, false); if (!v) return;
  emitCsrI(sink, row(`${base}i`), ZERO, c, v);
};

/** rdcycle & co: csrrs rd, <counter>, zero. */
const rdCounter = (counter: string): Handler => (st, sink) => {
  const o = ops(st, sink, 1); if (!o) return;
  emitCsr(sink, row('csrrs'), reg(o[0]!, sink), { e: { k: 'num', v: csrNumber(counter)! }, mod: 'none', col: 0 }, ZERO);
};

function j(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 1); if (!o) return;
  const t = imm(o[0]!, sink, false); if (!t) return;
  emitJ(sink, row('jal'), ZERO, t);
}

function jr(st: Statement, sink: InsnSink): void {
  const o = ops(st, sink, 1, 2); if (!o) return;
  jalrForms(row('jalr'), o, sink, ZERO);
}

/** A no-operand pseudo-instruction: one base instruction built by `build`. */
const fixed = (build: (sink: InsnSink) => void): Handler => (st, sink) => {
  if (ops(st, sink, 0)) build(sink);
};

/** `lw rd, symbol` and `sw rs, symbol, rt`: auipc + access with %pcrel_lo. */
export function loadStoreSymbol(d: InsnDef, st: Statement, sink: InsnSink): void {
  const o = st.operands;
  if (d.format === 'LOAD') {
    if (!arity(o, [2], st.nameCol, sink, st.name)) return;
    const rd = reg(o[0]!, sink);
    const t = imm(o[1]!, sink, false); if (!t) return;
    pcrelPair(sink, rd, t, (lo) => emitI(sink, d, rd, rd, lo));
    return;
  }
  if (!arity(o, [3], st.nameCol, sink, st.name)) return;
  const rs2 = reg(o[0]!, sink), rt = reg(o[2]!, sink);
  const t = imm(o[1]!, sink, false); if (!t) return;
  pcrelPair(sink, rt, t, (lo) => emitS(sink, d, rs2, rt, lo));
}

/** Pseudo-instructions by mnemonic. */
export const PSEUDO: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['nop', fixed((s) => emitI(s, row('addi'), ZERO, ZERO, 0))],
  ['li', li],
  ['la', la],
  ['lla', la],
  ['mv', unary((s, rd, rs) => emitI(s, row('addi'), rd, rs, 0))],
  ['zext.b', unary((s, rd, rs) => emitI(s, row('andi'), rd, rs, 255))],
  ['not', unary((s, rd, rs) => emitI(s, row('xori'), rd, rs, -1))],
  ['neg', unary((s, rd, rs) => emitR(s, row('sub'), rd, ZERO, rs))],
  ['seqz', unary((s, rd, rs) => emitI(s, row('sltiu'), rd, rs, 1))],
  ['snez', unary((s, rd, rs) => emitR(s, row('sltu'), rd, ZERO, rs))],
  ['sltz', unary((s, rd, rs) => emitR(s, row('slt'), rd, rs, ZERO))],
  ['sgtz', unary((s, rd, rs) => emitR(s, row('slt'), rd, ZERO, rs))],
  ['beqz', branchZero('beq', false)],
  ['bnez', branchZero('bne', false)],
  ['blez', branchZero('bge', true)],
  ['bgez', branchZero('bge', false)],
  ['bltz', branchZero('blt', false)],
  ['bgtz', branchZero('blt', true)],
  ['bgt', branchSwap('blt')],
  ['ble', branchSwap('bge')],
  ['bgtu', branchSwap('bltu')],
  ['bleu', branchSwap('bgeu')],
  ['j', j],
  ['jr', jr],
  ['call', call],
  ['tail', tail],
  ['ret', fixed((s) => emitI(s, row('jalr'), ZERO, RA, 0))],
  ['csrr', csrr],
  ['csrw', csrWrite('csrrw', false)],
  ['csrs', csrWrite('csrrs', false)],
  ['csrc', csrWrite('csrrc', false)],
  ['csrwi', csrWrite('csrrw', true)],
  ['csrsi', csrWrite('csrrs', true)],
  ['csrci', csrWrite('csrrc', true)],
  ['rdcycle', rdCounter('cycle')],
  ['rdtime', rdCounter('time')],
  ['rdinstret', rdCounter('instret')],
  ['rdcycleh', rdCounter('cycleh')],
  ['rdtimeh', rdCounter('timeh')],
  ['rdinstreth', rdCounter('instreth')],
  // fence.tso: FENCE with fm = 1000, pred = succ = rw.
  ['fence.tso', fixed((s) => s.emit((row('fence').match | (8 << 28) | (3 << 24) | (3 << 20)) >>> 0))],
  // unimp: csrrw zero, cycle, zero (a write to a read-only CSR traps).
  ['unimp', fixed((s) => emitCsr(s, row('csrrw'), ZERO, { e: { k: 'num', v: csrNumber('cycle')! }, mod: 'none', col: 0 }, ZERO))],
]);

