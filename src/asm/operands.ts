// Operand interpretation shared by instructions and pseudo-instructions: registers, CSRs,
// immediates, memory references, fence sets.

import { regNumber } from './registers';
import { csrNumber } from './csr';
import type { Operand } from './parser';
import type { Imm, InsnSink } from './sink';
import type { Expr } from './expr';

/** The register an operand names, or undefined (no error reported). */
export function asReg(o: Operand | undefined): number | undefined {
  if (o?.kind !== 'expr' || o.e.k !== 'sym') return undefined;
  return regNumber(o.e.name);
}

/** True if the operand is a register name. */
export const isReg = (o: Operand | undefined): boolean => asReg(o) !== undefined;

/** The register of operand o; reports "bad register" / "expected a register" otherwise. */
export function reg(o: Operand, sink: InsnSink): number {
  const r = asReg(o);
  if (r !== undefined) return r;
  if (o.kind === 'expr' && o.e.k === 'sym') sink.error(o.col, `bad register \`${o.e.name}'`);
  else sink.error(o.col, 'expected a register');
  return 0;
}

/** An immediate operand: plain expression or %hi/%lo/%pcrel_hi/%pcrel_lo(expr). */
export function imm(o: Operand, sink: InsnSink, allowMod = true): Imm | undefined {
  if (o.kind === 'expr') {
    if (o.e.k === 'sym' && regNumber(o.e.name) !== undefined) {
      sink.error(o.col, `expected an immediate, got register \`${o.e.name}'`);
      return undefined;
    }
    return { e: o.e, mod: 'none', col: o.col };
  }
  if (o.kind === 'mod' && allowMod) return { e: o.e, mod: o.mod, col: o.col };
  sink.error(o.col, o.kind === 'mod' ? `%${o.mod} is not allowed here` : 'expected an immediate');
  return undefined;
}

/** A memory operand `off(base)` / `(base)` / `%lo(x)(base)`: base register and offset. */
export function mem(o: Operand, sink: InsnSink): { base: number; off: Imm } | undefined {
  if (o.kind !== 'mem') { sink.error(o.col, 'expected a memory operand `offset(register)\''); return undefined; }
  const base = regNumber(o.base);
  if (base === undefined) { sink.error(o.baseCol, `bad register \`${o.base}'`); return undefined; }
  const zero: Expr = { k: 'num', v: 0 };
  if (o.off === null) return { base, off: { e: zero, mod: 'none', col: o.col } };
  if ('mod' in o.off) return { base, off: { e: o.off.e, mod: o.off.mod, col: o.col } };
  return { base, off: { e: o.off, mod: 'none', col: o.col } };
}

/** A CSR operand: a CSR name or an expression for its number. */
export function csr(o: Operand, sink: InsnSink): Imm | undefined {
  if (o.kind === 'expr' && o.e.k === 'sym') {
    const n = csrNumber(o.e.name);
    if (n !== undefined) return { e: { k: 'num', v: n }, mod: 'none', col: o.col };
    if (regNumber(o.e.name) !== undefined) { sink.error(o.col, `expected a CSR, got register \`${o.e.name}'`); return undefined; }
  }
  return imm(o, sink, false);
}

/** A fence set (`iorw` letters in any order; `unknown` or `0` for the empty set). */
export function fenceSet(o: Operand, sink: InsnSink): number {
  if (o.kind === 'expr' && o.e.k === 'num' && o.e.v === 0) return 0;
  if (o.kind === 'expr' && o.e.k === 'sym') {
    const s = o.e.name;
    if (s === 'unknown') return 0;
    if (/^[iorw]+$/.test(s)) {
      let bits = 0;
      for (const c of s) bits |= c === 'i' ? 8 : c === 'o' ? 4 : c === 'r' ? 2 : 1;
      return bits;
    }
  }
  sink.error(o.col, 'expected a fence set of i, o, r, w');
  return 0;
}

/** Checks the operand count; reports "missing operand" / "extra operand". */
export function arity(ops: readonly Operand[], counts: readonly number[], nameCol: number, sink: InsnSink, name: string): boolean {
  if (counts.includes(ops.length)) return true;
  const max = Math.max(...counts);
  if (ops.length > max) sink.error(ops[max]!.col, `extra operand for \`${name}' (expects ${describe(counts)})`);
  else sink.error(ops.length > 0 ? ops[ops.length - 1]!.col : nameCol, `missing operand for \`${name}' (expects ${describe(counts)})`);
  return false;
}

function describe(counts: readonly number[]): string {
  const s = counts.map((n) => `${n}`).join(' or ');
  return `${s} operand${counts.length === 1 && counts[0] === 1 ? '' : 's'}`;
}
