// The statement grammar, with arcsecond: labels, a mnemonic or directive, and operands.
//
// One statement is one line (or one `;`-separated part of a line) with comments already
// removed (see source.ts). Operands are kept generic here: an expression, `%mod(expr)`, a memory
// reference `offset(base)`, a string literal or `@name`; what an operand means (register, CSR,
// symbol) is decided by the instruction or directive that uses it.

import {
  Parser, choice, sequenceOf, sepBy, many, possibly, recursiveParser, endOfInput,
  updateParserState, updateError, updateResult,
} from 'arcsecond';
import { RANK, type BinOp, type Expr, type UnOp } from './expr';
import { MAX_EXPR_NESTING } from './limits';

export type Mod = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';

export type Operand =
  | { readonly kind: 'expr'; readonly e: Expr; readonly col: number }
  | { readonly kind: 'mod'; readonly mod: Mod; readonly e: Expr; readonly col: number }
  | { readonly kind: 'mem'; readonly off: Expr | { mod: Mod; e: Expr } | null; readonly base: string;
      readonly baseCol: number; readonly col: number }
  | { readonly kind: 'str'; readonly bytes: Uint8Array; readonly col: number }
  | { readonly kind: 'at'; readonly name: string; readonly col: number };

export interface Label { readonly name: string; readonly col: number }

export interface Statement {
  readonly labels: readonly Label[];
  /** Mnemonic or directive (with its leading dot), or '' for a label-only/empty statement. */
  readonly name: string;
  readonly nameCol: number;
  readonly operands: readonly Operand[];
}

// ---- fast tokens ----
// arcsecond's own `regex` decodes the rest of the input on every call; these tokens match sticky
// regexes against the statement text (kept while one statement is parsed), which is the same
// grammar at a fraction of the cost. Statements are ASCII outside string literals, and string
// literals are scanned by `stringLit` over the same text, so byte index = character index unless
// a string holds non-ASCII characters; then `current.ascii` is false and we map through UTF-8.

let current = { text: '', ascii: true, byteToChar: [] as number[], charToByte: [] as number[] };

function setText(text: string): void {
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(text);
  let byteToChar: number[] = [], charToByte: number[] = [];
  if (!ascii) {
    byteToChar = []; charToByte = [];
    let b = 0;
    for (let i = 0; i < text.length; i++) {
      charToByte[i] = b;
      const c = text.codePointAt(i)!;
      const n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      for (let k = 0; k < n; k++) byteToChar[b + k] = i;
      b += n;
      if (c >= 0x10000) { i++; charToByte[i] = b; }
    }
    charToByte[text.length] = b;
    byteToChar[b] = text.length;
  }
  current = { text, ascii, byteToChar, charToByte };
}
const toChar = (byteIdx: number): number => current.ascii ? byteIdx : current.byteToChar[byteIdx]!;
const toByte = (charIdx: number): number => current.ascii ? charIdx : current.charToByte[charIdx]!;

/** A token: a sticky regex matched at the current position, skipping leading blanks. */
function tok(re: RegExp, what: string): Parser<string> {
  const sticky = new RegExp(re.source, 'y');
  return new Parser<string>((state) => {
    if (state.isError) return state;
    let i = toChar(state.index);
    const t = current.text;
    while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
    sticky.lastIndex = i;
    const m = sticky.exec(t);
    if (m === null) return updateError(state, `expected ${what}`);
    return updateParserState(state, m[0], toByte(i + m[0].length));
  });
}

/** The current column (0-based character index), after skipping blanks. */
const pos: Parser<number> = new Parser<number>((state) => {
  if (state.isError) return state;
  let i = toChar(state.index);
  const t = current.text;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  return updateParserState(state, i, toByte(i));
});

const IDENT_RE = /[A-Za-z_.$][A-Za-z0-9_.$]*/;
const ident = tok(IDENT_RE, 'a name');
const sym = (s: string): Parser<string> => tok(new RegExp(s.replace(/[|\\{}()[\]^$+*?.-]/g, '\\$&')), `\`${s}'`);

// ---- string and character literals ----

const ESC: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, '"': 34, "'": 39 };

/** Decodes the escape at text[i] (just after the backslash): [byte values, next index]. */
function escape(t: string, i: number): [number[], number] | undefined {
  const c = t[i];
  if (c === undefined) return undefined;
  if (c in ESC) return [[ESC[c]!], i + 1];
  if (c >= '0' && c <= '7') {
    let j = i, v = 0;
    while (j < t.length && j < i + 3 && t[j]! >= '0' && t[j]! <= '7') v = v * 8 + (t.charCodeAt(j++) - 48);
    return [[v & 0xff], j];
  }
  if (c === 'x' || c === 'X') {
    let j = i + 1, v = 0;
    while (j < t.length && /[0-9a-fA-F]/.test(t[j]!)) v = v * 16 + parseInt(t[j++]!, 16);
    if (j === i + 1) return undefined;
    return [[v & 0xff], j];
  }
  return [[...new TextEncoder().encode(c)], i + 1];
}

const stringLit: Parser<Uint8Array> = new Parser<Uint8Array>((state) => {
  if (state.isError) return state;
  let i = toChar(state.index);
  const t = current.text;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  if (t[i] !== '"') return updateError(state, 'expected a string');
  const out: number[] = [];
  i++;
  for (;;) {
    if (i >= t.length) return updateError(state, 'unterminated string');
    const c = t[i]!;
    if (c === '"') { i++; break; }
    if (c === '\\') {
      const r = escape(t, i + 1);
      if (r === undefined) return updateError(state, 'bad escape in string');
      out.push(...r[0]); i = r[1];
      continue;
    }
    const code = t.codePointAt(i)!;
    if (code < 0x80) { out.push(code); i++; } else {
      const ch = String.fromCodePoint(code);
      out.push(...new TextEncoder().encode(ch)); i += ch.length;
    }
  }
  return updateParserState(state, new Uint8Array(out), toByte(i));
});

const charLit: Parser<number> = new Parser<number>((state) => {
  if (state.isError) return state;
  let i = toChar(state.index);
  const t = current.text;
  while (i < t.length && (t[i] === ' ' || t[i] === '\t')) i++;
  if (t[i] !== "'") return updateError(state, 'expected a character');
  let v: number, j: number;
  if (t[i + 1] === '\\') {
    const r = escape(t, i + 2);
    if (r === undefined) return updateError(state, 'bad escape');
    v = r[0][0]!; j = r[1];
  } else if (i + 1 < t.length) {
    v = t.codePointAt(i + 1)!; j = i + 1 + (v >= 0x10000 ? 2 : 1);
  } else return updateError(state, 'expected a character');
  if (t[j] === "'") j++; // GNU accepts both 'c and 'c'
  return updateParserState(state, v, toByte(j));
});

// ---- expressions ----

/** Parses a number token as GNU as reads it: 0x.., 0b.., leading-0 octal, decimal. */
function numberValue(s: string): number {
  if (/^0[xX]/.test(s)) return parseInt(s.slice(2), 16);
  if (/^0[bB]/.test(s)) return parseInt(s.slice(2), 2);
  if (/^0[0-7]+$/.test(s)) return parseInt(s.slice(1), 8);
  return parseInt(s, 10);
}

const numberTok = tok(/0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+/, 'a number');
const localRef = tok(/[0-9]+[bf](?![A-Za-z0-9_.$])/, 'a local label reference');

/** A recursive parser whose body is built once (arcsecond's recursiveParser rebuilds it per use). */
function lazy<T>(build: () => Parser<T>): Parser<T> {
  let p: Parser<T> | undefined;
  return recursiveParser(() => (p ??= build()));
}

const primary: Parser<Expr> = lazy(() => choice([
  sequenceOf([pos, localRef]).map(([col, s]): Expr =>
    ({ k: 'local', n: s.slice(0, -1), dir: s.endsWith('b') ? 'b' : 'f', col })),
  numberTok.map((s): Expr => ({ k: 'num', v: numberValue(s) })),
  charLit.map((v): Expr => ({ k: 'num', v })),
  sequenceOf([pos, ident]).map(([col, name]): Expr => name === '.' ? { k: 'dot' } : { k: 'sym', name, col }),
  sequenceOf([sym('('), expr, sym(')')]).map(([, e]) => e),
  sequenceOf([tok(/[-~!+]/, 'an operator'), primary]).map(([op, a]): Expr => {
    if (op === '-' && a.k === 'num') return { k: 'num', v: -a.v };
    return { k: 'un', op: op as UnOp, a };
  }),
]));

// Binary operators; `%` only when not starting a %modifier, and `<`/`>` not shifts.
const binop = tok(/<<|>>|==|!=|<>|<=|>=|&&|\|\||[*/|&^+\-<>]|%(?![A-Za-z_])/, 'an operator')
  .map((s): BinOp => (s === '<>' ? '!=' : s) as BinOp);

/** Precedence climbing over GNU's ranks. */
export const expr: Parser<Expr> = lazy(() =>
  sequenceOf([primary, many(sequenceOf([binop, primary]))]).map(([first, rest]) => {
    const operands: Expr[] = [first];
    const ops: BinOp[] = [];
    const reduce = (): void => {
      const b = operands.pop()!, a = operands.pop()!, op = ops.pop()!;
      operands.push({ k: 'bin', op, a, b });
    };
    for (const [op, e] of rest) {
      while (ops.length > 0 && RANK[ops[ops.length - 1]!] >= RANK[op]) reduce();
      ops.push(op); operands.push(e);
    }
    while (ops.length > 0) reduce();
    return operands[0]!;
  }));

// ---- operands ----

const modName = tok(/%(hi|lo|pcrel_hi|pcrel_lo)(?=\s*\()/, 'a %modifier').map((s) => s.slice(1) as Mod);
const modExpr = sequenceOf([modName, sym('('), expr, sym(')')]).map(([mod, , e]) => ({ mod, e }));

const baseReg = sequenceOf([sym('('), pos, ident, sym(')')]).map(([, col, name]) => ({ col, name }));

const endOfOperand = tok(/(?=,|$)/, 'end of operand');

const operand: Parser<Operand> = choice([
  sequenceOf([pos, stringLit]).map(([col, bytes]): Operand => ({ kind: 'str', bytes, col })),
  sequenceOf([pos, tok(/@[A-Za-z_]+/, '@type')]).map(([col, s]): Operand => ({ kind: 'at', name: s.slice(1), col })),
  sequenceOf([pos, modExpr, possibly(baseReg)]).map(([col, m, b]): Operand => b === null
    ? { kind: 'mod', mod: m.mod, e: m.e, col }
    : { kind: 'mem', off: m, base: b.name, baseCol: b.col, col }),
  // `(reg)` alone, before the expression form would read it as a parenthesised symbol.
  sequenceOf([pos, baseReg, endOfOperand]).map(([col, b]): Operand =>
    ({ kind: 'mem', off: null, base: b.name, baseCol: b.col, col })),
  sequenceOf([pos, expr, possibly(baseReg)]).map(([col, e, b]): Operand => b === null
    ? { kind: 'expr', e, col }
    : { kind: 'mem', off: e, base: b.name, baseCol: b.col, col }),
]);

const label = sequenceOf([pos, tok(/(?:[A-Za-z_.$][A-Za-z0-9_.$]*|[0-9]+)(?=[ \t]*:)/, 'a label'), sym(':')])
  .map(([col, name]): Label => ({ name, col }));

const blanks = tok(/[ \t]*/, '');

const statement: Parser<Statement> = sequenceOf([
  many(label),
  possibly(sequenceOf([pos, ident, sepBy<string, Operand, string, unknown>(sym(','))(operand) as Parser<Operand[]>])),
  blanks,
  endOfInput,
]).map(([labels, body]): Statement => body === null
  ? { labels, name: '', nameCol: 0, operands: [] }
  : { labels, name: body[1], nameCol: body[0], operands: body[2] });

/** Error position (0-based column) and message of a failed parse. */
export interface ParseFailure { col: number; message: string }

/**
 * Parses one statement (no comments, no newline). On failure, reports the column where the
 * grammar stopped.
 */
export function parseStatement(text: string): { ok: true; stmt: Statement } | { ok: false; error: ParseFailure } {
  const deep = nestingColumn(text);
  if (deep !== undefined) return { ok: false, error: { col: deep, message: `expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)` } };
  setText(text);
  const r = statement.run(text);
  if (!r.isError) {
    const tall = r.result.operands.find((o) => operandDepth(o) > MAX_EXPR_NESTING);
    if (tall !== undefined) return { ok: false, error: { col: tall.col, message: `expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)` } };
    return { ok: true, stmt: r.result };
  }
  // Find how far a prefix parses, to point at the offending character.
  const col = furthest(text);
  const ch = col < text.length ? `\`${text.slice(col, col + 12).trimEnd()}'` : 'end of line';
  return { ok: false, error: { col, message: `syntax error at ${ch}` } };
}

/**
 * The column where the text nests deeper than MAX_EXPR_NESTING (open parentheses plus a run of
 * unary operators), scanned before parsing because the parser recurses that deep; undefined
 * if it does not. Quotes are skipped (a string may hold any character).
 */
function nestingColumn(text: string): number | undefined {
  let depth = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"' || c === "'") { // skip a literal (escapes included)
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      run = 0;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    if (c === '-' || c === '~' || c === '!' || c === '+') run++;
    else if (c !== ' ' && c !== '\t') run = 0;
    if (depth + run > MAX_EXPR_NESTING) return i;
  }
  return undefined;
}

/** How deep an operand's expression tree is (iteratively: the tree may be a long chain). */
function operandDepth(o: Operand): number {
  const e = o.kind === 'expr' || o.kind === 'mod' ? o.e : o.kind === 'mem' ? (o.off === null ? undefined : 'e' in o.off ? o.off.e : o.off) : undefined;
  if (e === undefined) return 0;
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (d > max) max = d;
    if (x.k === 'un') stack.push([x.a, d + 1]);
    if (x.k === 'bin') stack.push([x.a, d + 1], [x.b, d + 1]);
  }
  return max;
}

/** The column where parsing stops: labels, name, then operands one by one. */
function furthest(text: string): number {
  const prefix = sequenceOf([many(label), possibly(sequenceOf([ident, possibly(operand), many(sequenceOf([sym(','), operand]))]))]);
  const r = prefix.run(text);
  let i = r.isError ? 0 : toChar(r.index);
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return i;
}

/** Exposed for tests: parses a whole expression. */
export function parseExpr(text: string): Expr | undefined {
  setText(text);
  const r = sequenceOf([expr, blanks, endOfInput]).run(text);
  return r.isError ? undefined : r.result[0];
}

// Unused import guard for updateResult (kept for custom parsers).
void updateResult;
