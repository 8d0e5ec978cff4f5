// Expressions: the AST the parser builds and its evaluator.
//
// Operators and precedence are GNU as's (not C's): unary - ~ ! bind tightest, then
// * / % << >>, then | & ^, then + -, then comparisons, then && ||. Values are JS numbers; the
// bitwise operators and shifts work on 32-bit two's complement (documented difference: GNU uses
// 64 bits).
//
// A value is absolute (sec = ABS) or relative to a section of the file being assembled
// (pass 1, before layout). After layout every symbol is absolute, so pass 2 evaluates to plain
// numbers through the same function.

export type BinOp = '*' | '/' | '%' | '<<' | '>>' | '|' | '&' | '^' | '+' | '-'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';
export type UnOp = '-' | '~' | '!' | '+';

export type Expr =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'sym'; readonly name: string; readonly col: number }
  | { readonly k: 'local'; readonly n: string; readonly dir: 'b' | 'f'; readonly col: number }
  | { readonly k: 'dot' }
  | { readonly k: 'un'; readonly op: UnOp; readonly a: Expr }
  | { readonly k: 'bin'; readonly op: BinOp; readonly a: Expr; readonly b: Expr };

/** Binary operator ranks, GNU as's op_rank (higher binds tighter). */
export const RANK: Readonly<Record<BinOp, number>> = {
  '*': 9, '/': 9, '%': 9, '<<': 9, '>>': 9,
  '|': 8, '&': 8, '^': 8,
  '+': 6, '-': 6,
  '==': 5, '!=': 5, '<': 5, '<=': 5, '>': 5, '>=': 5,
  '&&': 3, '||': 2,
};

/** Section id of absolute values. */
export const ABS = -1;

export interface Value { readonly v: number; readonly sec: number }

/** What evaluation needs: symbol values and `.`; lookup returns undefined for unknown names. */
export interface EvalContext {
  lookup(name: string): Value | undefined;
  readonly dot: Value;
}

export type EvalResult =
  | { ok: true; value: Value }
  | { ok: false; message: string; col?: number; undefinedSymbol?: string };

const abs = (v: number): Value => ({ v, sec: ABS });
const fail = (message: string, col?: number, undefinedSymbol?: string): EvalResult =>
  ({ ok: false, message, col, undefinedSymbol });

function applyBin(op: BinOp, x: number, y: number): number | undefined {
  switch (op) {
    case '*': return x * y;
    case '/': return y === 0 ? undefined : Math.trunc(x / y);
    case '%': return y === 0 ? undefined : x % y;
    case '<<': return y >= 32 || y < 0 ? 0 : (x << y);
    case '>>': return y >= 32 || y < 0 ? (x < 0 ? -1 : 0) : (x >> y);
    case '|': return x | y;
    case '&': return x & y;
    case '^': return x ^ y;
    case '+': return x + y;
    case '-': return x - y;
    // GNU as: comparisons give -1 for true, 0 for false.
    case '==': return x === y ? -1 : 0;
    case '!=': return x !== y ? -1 : 0;
    case '<': return x < y ? -1 : 0;
    case '<=': return x <= y ? -1 : 0;
    case '>': return x > y ? -1 : 0;
    case '>=': return x >= y ? -1 : 0;
    case '&&': return x !== 0 && y !== 0 ? 1 : 0;
    case '||': return x !== 0 || y !== 0 ? 1 : 0;
  }
}

/** Evaluates e. Relocatable values may only be added to or subtracted from absolute ones. */
export function evaluate(e: Expr, ctx: EvalContext): EvalResult {
  switch (e.k) {
    case 'num': return { ok: true, value: abs(e.v) };
    case 'dot': return { ok: true, value: ctx.dot };
    case 'sym': {
      const v = ctx.lookup(e.name);
      return v === undefined ? fail(`undefined symbol \`${e.name}'`, e.col, e.name) : { ok: true, value: v };
    }
    case 'local':
      return fail(`undefined local label \`${e.n}${e.dir}'`, e.col, `${e.n}${e.dir}`);
    case 'un': {
      const a = evaluate(e.a, ctx);
      if (!a.ok) return a;
      if (e.op === '+') return a;
      if (a.value.sec !== ABS) return fail(`operator \`${e.op}' needs an absolute value`);
      const x = a.value.v;
      return { ok: true, value: abs(e.op === '-' ? -x : e.op === '~' ? ~x : (x === 0 ? 1 : 0)) };
    }
    case 'bin': {
      const a = evaluate(e.a, ctx);
      if (!a.ok) return a;
      const b = evaluate(e.b, ctx);
      if (!b.ok) return b;
      const x = a.value, y = b.value;
      if (e.op === '+') {
        if (x.sec !== ABS && y.sec !== ABS) return fail('cannot add two relocatable values');
        return { ok: true, value: { v: x.v + y.v, sec: x.sec !== ABS ? x.sec : y.sec } };
      }
      if (e.op === '-') {
        if (y.sec === ABS) return { ok: true, value: { v: x.v - y.v, sec: x.sec } };
        if (x.sec === y.sec) return { ok: true, value: abs(x.v - y.v) };
        return fail('cannot subtract values of different sections');
      }
      if (x.sec !== ABS || y.sec !== ABS) return fail(`operator \`${e.op}' needs absolute values`);
      const r = applyBin(e.op, x.v, y.v);
      return r === undefined ? fail('division by zero') : { ok: true, value: abs(r) };
    }
  }
}

/** Replaces numeric local label references (`1b`, `1f`) using bind; other nodes are kept. */
export function bindLocals(e: Expr, bind: (n: string, dir: 'b' | 'f', col: number) => Expr): Expr {
  switch (e.k) {
    case 'local': return bind(e.n, e.dir, e.col);
    case 'un': { const a = bindLocals(e.a, bind); return a === e.a ? e : { k: 'un', op: e.op, a }; }
    case 'bin': {
      const a = bindLocals(e.a, bind), b = bindLocals(e.b, bind);
      return a === e.a && b === e.b ? e : { k: 'bin', op: e.op, a, b };
    }
    default: return e;
  }
}

/** True when e mentions no symbol, local label or `.` (its value is known while parsing). */
export function isConstant(e: Expr): boolean {
  switch (e.k) {
    case 'num': return true;
    case 'un': return isConstant(e.a);
    case 'bin': return isConstant(e.a) && isConstant(e.b);
    default: return false;
  }
}

/** The single symbol name e consists of, if it is a bare symbol. */
export function bareSymbol(e: Expr): string | undefined {
  return e.k === 'sym' ? e.name : undefined;
}
