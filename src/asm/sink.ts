// The interface between instruction/directive encoders and the assembler that owns sections.
//
// Encoders append words; a field whose value is not known until layout (a symbol, a branch
// target) is described by a fixup that pass 2 resolves, range-checks and inserts.

import type { Expr } from './expr';
import type { Statement } from './parser';

/** Instruction fields a fixup can fill. */
export type Field = 'I' | 'S' | 'B' | 'J' | 'U' | 'SHAMT' | 'CSR' | 'UIMM5';

/**
 * How the expression's value becomes the field value:
 * - none: as is (B/J: the target address; pass 2 subtracts pc)
 * - hi / lo: %hi / %lo of the value
 * - pcrel_hi: %pcrel_hi, relative to this instruction
 * - pcrel_lo: %pcrel_lo(label): the label names the auipc that holds the %pcrel_hi
 * - pair_lo: low part of (value - address of the auipc `anchor` bytes before this word)
 */
export type FixMod = 'none' | 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo' | 'pair_lo';

export interface Imm {
  readonly e: Expr;
  readonly mod: FixMod;
  /** 0-based column of the operand, for errors. */
  readonly col: number;
}

export interface InsnSink {
  /** Appends one instruction word; `fix` fills one field in pass 2. */
  emit(word: number, fix?: { field: Field; imm: Imm }): void;
  /** The value of e now (pass 1), which must be an absolute constant; reports an error if not. */
  constant(e: Expr, col: number, what: string): number | undefined;
  /** Reports an error at a 0-based column of the statement. */
  error(col: number, message: string): void;
}

export type StatementHandler = (stmt: Statement, sink: InsnSink) => void;
