// Directives: sections, symbols, data, alignment, options. Each handler checks its operands and
// acts on the file being assembled through DirectiveTarget.

import type { Expr } from './expr';
import type { Operand, Statement } from './parser';
import { MAX_ALIGN } from './limits';
import { BSS, DATA, RODATA, TEXT, type SecId } from './objfile';

export interface DirectiveTarget {
  error(col: number, message: string): void;
  constant(e: Expr, col: number, what: string): number | undefined;
  /** Makes input section `name` (placed in output section `out`) current. */
  switchSection(name: string, out: SecId): void;
  readonly section: SecId;
  defineEqu(name: string, e: Expr, col: number, redefine: boolean): void;
  declareGlobal(name: string, col: number): void;
  /** Appends a value of `size` bytes (constant now, else a pass-2 fixup). */
  data(size: 1 | 2 | 4, e: Expr, col: number): void;
  /** Appends an instruction word given as a number (`.insn`). */
  insnWord(e: Expr, col: number): void;
  bytes(b: Uint8Array, col: number): void;
  fill(n: number, value: number, col: number): void;
  /** Aligns to `bytes` (a power of two); fill byte (default: nops in .text, else 0), max skip. */
  align(bytes: number, fill: number | undefined, max: number | undefined, col: number): void;
  option(name: string, col: number): void;
}

type Handler = (st: Statement, t: DirectiveTarget) => void;

/** The name an operand spells (a bare symbol such as `.text` or `norelax`). */
function nameOf(o: Operand | undefined): string | undefined {
  return o?.kind === 'expr' && o.e.k === 'sym' ? o.e.name : o?.kind === 'expr' && o.e.k === 'dot' ? '.' : undefined;
}

function count(st: Statement, t: DirectiveTarget, min: number, max: number): boolean {
  const n = st.operands.length;
  if (n < min) { t.error(st.operands[n - 1]?.col ?? st.nameCol, `missing operand for \`${st.name}' (expects ${min === max ? min : `${min} to ${max}`})`); return false; }
  if (n > max) { t.error(st.operands[max]!.col, `extra operand for \`${st.name}' (expects ${min === max ? max : `at most ${max}`})`); return false; }
  return true;
}

const section = (name: string, sec: SecId): Handler => (st, t) => {
  // `.text 1` style subsections are not supported; `.data`/`.bss` etc. take no operand here.
  if (count(st, t, 0, 0)) t.switchSection(name, sec);
};

/** Maps a `.section` name (and flags/type) to an output section. */
export function sectionFor(name: string, flags: string, type: string): SecId | undefined {
  if (/^\.text(\.|$)/.test(name)) return TEXT;
  if (/^\.s?rodata(\.|$)/.test(name)) return RODATA;
  if (/^\.s?data(\.|$)/.test(name) || /^\.tohost(\.|$)/.test(name)) return DATA;
  if (/^\.s?bss(\.|$)/.test(name)) return BSS;
  if (type === 'nobits') return BSS;
  if (flags.includes('x')) return TEXT;
  if (flags.includes('w')) return DATA;
  if (flags.includes('a')) return RODATA;
  return undefined;
}

function sectionDirective(st: Statement, t: DirectiveTarget): void {
  if (!count(st, t, 1, 4)) return;
  const name = nameOf(st.operands[0]);
  if (name === undefined) { t.error(st.operands[0]!.col, 'expected a section name'); return; }
  const f = st.operands[1];
  const flags = f?.kind === 'str' ? new TextDecoder().decode(f.bytes) : '';
  const ty = st.operands[2];
  const type = ty?.kind === 'at' ? ty.name : '';
  const sec = sectionFor(name, flags, type);
  if (sec === undefined) { t.error(st.operands[0]!.col, `unknown section \`${name}' (use .text*, .rodata*, .data*, .bss* or flags "ax"/"aw"/"a")`); return; }
  t.switchSection(name, sec);
}

const dataDirective = (size: 1 | 2 | 4): Handler => (st, t) => {
  for (const o of st.operands) {
    if (o.kind !== 'expr') { t.error(o.col, `\`${st.name}' expects expressions`); continue; }
    t.data(size, o.e, o.col);
  }
};

const stringDirective = (nul: boolean): Handler => (st, t) => {
  if (!count(st, t, 1, Infinity)) return;
  for (const o of st.operands) {
    if (o.kind !== 'str') { t.error(o.col, `\`${st.name}' expects a string`); continue; }
    t.bytes(o.bytes, o.col);
    if (nul) t.fill(1, 0, o.col);
  }
};

function exprOperand(st: Statement, t: DirectiveTarget, i: number, what: string): number | undefined {
  const o = st.operands[i];
  if (o === undefined) return undefined;
  if (o.kind !== 'expr') { t.error(o.col, `expected ${what}`); return undefined; }
  return t.constant(o.e, o.col, what);
}

function space(st: Statement, t: DirectiveTarget): void {
  if (!count(st, t, 1, 2)) return;
  const n = exprOperand(st, t, 0, 'a size');
  if (n === undefined) return;
  if (n < 0) { t.error(st.operands[0]!.col, `size must not be negative: ${n}`); return; }
  const fill = st.operands.length > 1 ? exprOperand(st, t, 1, 'a fill value') : 0;
  if (fill === undefined) return;
  t.fill(n, fill, st.operands[0]!.col);
}

/** .align / .p2align take a power of two; .balign a byte count. */
const alignDirective = (pow2: boolean): Handler => (st, t) => {
  if (!count(st, t, 1, 3)) return;
  const a = exprOperand(st, t, 0, 'an alignment');
  if (a === undefined) return;
  const col = st.operands[0]!.col;
  let bytes: number;
  if (pow2) {
    if (a < 0 || a > 16) { t.error(col, `alignment out of range: ${a} (0..16)`); return; }
    bytes = 2 ** a;
  } else {
    if (a > MAX_ALIGN) { t.error(col, `alignment too large: ${a} (at most ${MAX_ALIGN})`); return; }
    if (a <= 0 || (a & (a - 1)) !== 0) { t.error(col, `alignment must be a power of two: ${a}`); return; }
    bytes = a;
  }
  const fillOp = st.operands[1];
  const fill = fillOp !== undefined && !(fillOp.kind === 'expr' && fillOp.e.k === 'sym' && fillOp.e.name === '') ? exprOperand(st, t, 1, 'a fill value') : undefined;
  const max = st.operands.length > 2 ? exprOperand(st, t, 2, 'a maximum') : undefined;
  t.align(bytes, fill, max, col);
};

function globl(st: Statement, t: DirectiveTarget): void {
  if (!count(st, t, 1, Infinity)) return;
  for (const o of st.operands) {
    const n = nameOf(o);
    if (n === undefined) t.error(o.col, 'expected a symbol name'); else t.declareGlobal(n, o.col);
  }
}

const equ = (redefine: boolean): Handler => (st, t) => {
  if (!count(st, t, 2, 2)) return;
  const n = nameOf(st.operands[0]);
  const v = st.operands[1]!;
  if (n === undefined || n === '.') { t.error(st.operands[0]!.col, 'expected a symbol name'); return; }
  if (v.kind !== 'expr') { t.error(v.col, 'expected an expression'); return; }
  t.defineEqu(n, v.e, st.operands[0]!.col, redefine);
};

function option(st: Statement, t: DirectiveTarget): void {
  if (!count(st, t, 1, 1)) return;
  const n = nameOf(st.operands[0]);
  if (n === undefined) { t.error(st.operands[0]!.col, 'expected an option name'); return; }
  t.option(n, st.operands[0]!.col);
}

function insn(st: Statement, t: DirectiveTarget): void {
  if (!count(st, t, 1, 1)) return;
  const o = st.operands[0]!;
  if (o.kind !== 'expr') { t.error(o.col, '.insn takes an instruction word (the raw form only)'); return; }
  t.insnWord(o.e, o.col);
}

const ignore: Handler = () => { /* accepted for compatibility, no effect */ };

export const DIRECTIVES: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['.text', section('.text', TEXT)],
  ['.data', section('.data', DATA)],
  ['.rodata', section('.rodata', RODATA)],
  ['.bss', section('.bss', BSS)],
  ['.section', sectionDirective],
  ['.globl', globl],
  ['.global', globl],
  ['.equ', equ(true)],
  ['.set', equ(true)],
  ['.equiv', equ(false)],
  ['.word', dataDirective(4)],
  ['.long', dataDirective(4)],
  ['.4byte', dataDirective(4)],
  ['.half', dataDirective(2)],
  ['.short', dataDirective(2)],
  ['.2byte', dataDirective(2)],
  ['.byte', dataDirective(1)],
  ['.ascii', stringDirective(false)],
  ['.asciz', stringDirective(true)],
  ['.string', stringDirective(true)],
  ['.zero', space],
  ['.space', space],
  ['.skip', space],
  ['.align', alignDirective(true)],
  ['.p2align', alignDirective(true)],
  ['.balign', alignDirective(false)],
  ['.option', option],
  ['.insn', insn],
  ['.file', ignore],
  ['.ident', ignore],
  ['.type', ignore],
  ['.size', ignore],
  ['.attribute', ignore],
  ['.local', ignore],
]);
