// Base instructions: a row of the ISA table plus operands -> one word (and maybe a fixup).
//
// The operand syntax per format is GNU as's, including the forms objdump prints (so that
// disassembler output assembles back): `add rd,rs1,imm` for addi (likewise and/or/xor/sll/srl/
// sra/slt/sltu), `csrrw rd,csr,imm` for csrrwi, one- and two-operand `jal`/`jalr`.

import { ISA_BY_NAME, type InsnDef, encR, encI, encS, encB, encU, encJ } from '../cpu/isa';
import type { Operand, Statement } from './parser';
import type { Field, Imm, InsnSink } from './sink';
import { checkField, insertField } from './fields';
import { arity, asReg, csr, fenceSet, imm, isReg, mem, reg } from './operands';

/**
 * Emits `word` with `value` in `field`: inserted now when it is a plain number, else as a
 * fixup for pass 2.
 */
export function emitWithField(sink: InsnSink, word: number, field: Field, value: Imm): void {
  if (value.mod === 'none' && value.e.k === 'num' && field !== 'B' && field !== 'J') {
    const c = checkField(field, value.e.v);
    if (!c.ok) { sink.error(value.col, c.message); sink.emit(word); return; }
    sink.emit(insertField(word, field, c.v));
    return;
  }
  sink.emit(word, { field, imm: value });
}

const num = (v: number, col = 0): Imm => ({ e: { k: 'num', v }, mod: 'none', col });

// Instruction builders used by formats and pseudo-instructions.
export const emitR = (s: InsnSink, d: InsnDef, rd: number, rs1: number, rs2: number): void => s.emit(encR(d, rd, rs1, rs2));
export const emitI = (s: InsnSink, d: InsnDef, rd: number, rs1: number, v: Imm | number): void =>
  emitWithField(s, encI(d, rd, rs1, 0), 'I', typeof v === 'number' ? num(v) : v);
export const emitS = (s: InsnSink, d: InsnDef, rs2: number, rs1: number, v: Imm): void =>
  emitWithField(s, encS(d, rs1, rs2, 0), 'S', v);
export const emitB = (s: InsnSink, d: InsnDef, rs1: number, rs2: number, target: Imm): void =>
  emitWithField(s, encB(d, rs1, rs2, 0), 'B', target);
export const emitU = (s: InsnSink, d: InsnDef, rd: number, v: Imm | number): void =>
  emitWithField(s, encU(d, rd, 0), 'U', typeof v === 'number' ? num(v) : v);
export const emitJ = (s: InsnSink, d: InsnDef, rd: number, target: Imm): void =>
  emitWithField(s, encJ(d, rd, 0), 'J', target);

/** A row by mnemonic; the table has every name used here. */
export function row(name: string): InsnDef {
  const d = ISA_BY_NAME.get(name);
  if (d === undefined) throw new Error(`ISA table has no row \`${name}'`);
  return d;
}

/** Branch/jump target operand: an expression (not %mod), the target address. */
function target(o: Operand, sink: InsnSink): Imm | undefined {
  return imm(o, sink, false);
}

/** Suffix bits of .aq/.rl/.aqrl. */
export function aqrlBits(suffix: string): number {
  return suffix === '.aqrl' ? 3 << 25 : suffix === '.aq' ? 1 << 26 : suffix === '.rl' ? 1 << 25 : 0;
}

/** Assembles a base instruction of row d (suffix: AMO ordering bits). Returns false if the
 *  operands do not fit any form (errors reported). */
export function assembleBase(d: InsnDef, st: Statement, sink: InsnSink, suffix = ''): void {
  const ops = st.operands;
  const name = st.name;
  const ar = (...counts: number[]): boolean => arity(ops, counts, st.nameCol, sink, name);
  switch (d.format) {
    case 'R': {
      if (!ar(3)) return;
      if (!isReg(ops[2]) && ops[2]!.kind !== 'str') {
        // GNU: add/and/or/xor/slt/sltu/sll/srl/sra with an immediate mean the `i` form.
        const alt = ISA_BY_NAME.get(d.name === 'sltu' ? 'sltiu' : `${d.name}i`);
        if (alt !== undefined) { assembleBase(alt, st, sink); return; }
      }
      emitR(sink, d, reg(ops[0]!, sink), reg(ops[1]!, sink), reg(ops[2]!, sink));
      return;
    }
    case 'I': {
      if (!ar(3)) return;
      const rd = reg(ops[0]!, sink), rs1 = reg(ops[1]!, sink), v = imm(ops[2]!, sink);
      if (v !== undefined) emitI(sink, d, rd, rs1, v);
      return;
    }
    case 'SHIFT': {
      if (!ar(3)) return;
      const rd = reg(ops[0]!, sink), rs1 = reg(ops[1]!, sink), v = imm(ops[2]!, sink, false);
      if (v !== undefined) emitWithField(sink, encR(d, rd, rs1, 0), 'SHAMT', v);
      return;
    }
    case 'LOAD': {
      if (!ar(2, 3)) return;
      const rd = reg(ops[0]!, sink);
      if (ops.length === 3) { // GNU: lw rd, off, rs1 is not a form; reject
        sink.error(ops[2]!.col, `extra operand for \`${name}'`); return;
      }
      const m = mem(ops[1]!, sink);
      if (m !== undefined) emitI(sink, d, rd, m.base, m.off);
      return;
    }
    case 'STORE': {
      if (!ar(2)) return;
      const rs2 = reg(ops[0]!, sink);
      const m = mem(ops[1]!, sink);
      if (m !== undefined) emitS(sink, d, rs2, m.base, m.off);
      return;
    }
    case 'BRANCH': {
      if (!ar(3)) return;
      const rs1 = reg(ops[0]!, sink), rs2 = reg(ops[1]!, sink), t = target(ops[2]!, sink);
      if (t !== undefined) emitB(sink, d, rs1, rs2, t);
      return;
    }
    case 'U': {
      if (!ar(2)) return;
      const rd = reg(ops[0]!, sink), v = imm(ops[1]!, sink);
      if (v === undefined) return;
      if (v.mod === 'lo' || v.mod === 'pcrel_lo') { sink.error(v.col, `%${v.mod} is not allowed in \`${name}'`); return; }
      emitU(sink, d, rd, v);
      return;
    }
    case 'JAL': {
      if (!ar(1, 2)) return;
      const rd = ops.length === 2 ? reg(ops[0]!, sink) : 1;
      const t = target(ops[ops.length - 1]!, sink);
      if (t !== undefined) emitJ(sink, d, rd, t);
      return;
    }
    case 'JALR': {
      if (!ar(1, 2, 3)) return;
      jalrForms(d, ops, sink, 1);
      return;
    }
    case 'CSR': case 'CSRI': {
      if (!ar(3)) return;
      const rd = reg(ops[0]!, sink), c = csr(ops[1]!, sink);
      if (c === undefined) return;
      let def = d;
      if (d.format === 'CSR' && !isReg(ops[2])) def = row(`${d.name}i`); // csrrw rd,csr,imm -> csrrwi
      if (def.format === 'CSR') emitCsr(sink, def, rd, c, reg(ops[2]!, sink));
      else {
        const v = imm(ops[2]!, sink, false);
        if (v !== undefined) emitCsrI(sink, def, rd, c, v);
      }
      return;
    }
    case 'AMO': {
      if (!ar(3)) return;
      const rd = reg(ops[0]!, sink), rs2 = reg(ops[1]!, sink), rs1 = amoAddr(ops[2]!, sink);
      sink.emit((encR(d, rd, rs1, rs2) | aqrlBits(suffix)) >>> 0);
      return;
    }
    case 'LR': {
      if (!ar(2)) return;
      const rd = reg(ops[0]!, sink), rs1 = amoAddr(ops[1]!, sink);
      sink.emit((encR(d, rd, rs1, 0) | aqrlBits(suffix)) >>> 0);
      return;
    }
    case 'FENCE': {
      if (!ar(0, 2)) return;
      const pred = ops.length === 2 ? fenceSet(ops[0]!, sink) : 15;
      const succ = ops.length === 2 ? fenceSet(ops[1]!, sink) : 15;
      sink.emit((d.match | (pred << 24) | (succ << 20)) >>> 0);
      return;
    }
    case 'SFENCE': {
      if (!ar(0, 1, 2)) return;
      const rs1 = ops.length >= 1 ? reg(ops[0]!, sink) : 0;
      const rs2 = ops.length === 2 ? reg(ops[1]!, sink) : 0;
      sink.emit(encR(d, 0, rs1, rs2));
      return;
    }
    case 'NONE': {
      if (!ar(0)) return;
      sink.emit(d.match);
      return;
    }
  }
}

/** `(rs1)` or `0(rs1)` for AMOs. */
function amoAddr(o: Operand, sink: InsnSink): number {
  const m = mem(o, sink);
  if (m === undefined) return 0;
  if (!(m.off.mod === 'none' && m.off.e.k === 'num' && m.off.e.v === 0)) sink.error(o.col, 'AMO address must be `(register)\' or `0(register)\'');
  return m.base;
}

export function emitCsr(sink: InsnSink, d: InsnDef, rd: number, c: Imm, rs1: number): void {
  emitWithField(sink, encR(d, rd, rs1, 0), 'CSR', c);
}

/** CSRI: two fields (CSR number and uimm5); constants are inserted now, else two fixups. */
export function emitCsrI(sink: InsnSink, d: InsnDef, rd: number, c: Imm, v: Imm): void {
  // The CSR number is almost always a constant; fold it first, then the immediate.
  let w = encR(d, rd, 0, 0);
  if (c.e.k === 'num' && c.mod === 'none') {
    const ck = checkField('CSR', c.e.v);
    if (!ck.ok) sink.error(c.col, ck.message); else w = insertField(w, 'CSR', ck.v);
    emitWithField(sink, w, 'UIMM5', v);
    return;
  }
  const k = sink.constant(c.e, c.col, 'CSR number');
  if (k === undefined) { sink.emit(w); return; }
  const ck = checkField('CSR', k);
  if (!ck.ok) sink.error(c.col, ck.message); else w = insertField(w, 'CSR', ck.v);
  emitWithField(sink, w, 'UIMM5', v);
}

/**
 * jalr/jr forms: `rs`, `off(rs)`, `rd, rs`, `rd, off(rs)`, `rd, rs, off`. `defaultRd` is the
 * link register of the one-operand forms (ra for jalr, zero for jr).
 */
export function jalrForms(d: InsnDef, ops: readonly Operand[], sink: InsnSink, defaultRd: number): void {
  const zero: Imm = num(0);
  const regOrMem = (o: Operand): { base: number; off: Imm } | undefined => {
    const r = asReg(o);
    if (r !== undefined) return { base: r, off: zero };
    return mem(o, sink);
  };
  if (ops.length === 1) {
    const m = regOrMem(ops[0]!);
    if (m !== undefined) emitI(sink, d, defaultRd, m.base, m.off);
    return;
  }
  if (ops.length === 2) {
    if (defaultRd === 0 && isReg(ops[0]) && !isReg(ops[1]) && ops[1]!.kind !== 'mem') {
      // jr rs, off
      const v = imm(ops[1]!, sink);
      if (v !== undefined) emitI(sink, d, 0, reg(ops[0]!, sink), v);
      return;
    }
    const rd = reg(ops[0]!, sink);
    const m = regOrMem(ops[1]!);
    if (m !== undefined) emitI(sink, d, rd, m.base, m.off);
    return;
  }
  const rd = reg(ops[0]!, sink), rs1 = reg(ops[1]!, sink), v = imm(ops[2]!, sink);
  if (v !== undefined) emitI(sink, d, rd, rs1, v);
}

