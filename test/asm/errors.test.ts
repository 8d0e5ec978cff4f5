// Errors: file:line:col, message, source line and caret; all errors of a run; no output.
import { describe, expect, it } from 'vitest';
import { assemble, formatError } from '../../src/asm/index';
import { errorsOf } from './helpers';

describe('errors', () => {
  it('unknown mnemonic, bad register, out-of-range immediates with their range', () => {
    expect(errorsOf('foo a0\nsub a0, a1, q7\naddi a0, a0, 5000\nslli a0, a0, 32\nlui a0, -1')).toEqual([
      "1:1: unknown mnemonic `foo'",
      "2:13: bad register `q7'",
      '3:14: immediate out of range: 5000 (-2048..2047)',
      '4:14: immediate out of range: 32 (0..31)',
      '5:9: immediate out of range: -1 (0..1048575)',
    ]);
  });
  it('branch out of range, undefined and duplicate symbols', () => {
    expect(errorsOf('x: nop\nx: nop\nj nowhere\nbeq a0, a1, far\n.zero 5000\nfar: nop')).toEqual([
      "2:1: duplicate symbol `x' (first defined at test.s:1)",
      "3:3: undefined symbol `nowhere'",
      '4:13: branch target out of range: offset 5004 (-4096..4094)',
    ]);
  });
  it('missing and extra operands, bad directive', () => {
    expect(errorsOf('add a0, a1\nadd a0, a1, a2, a3\n.bogus 1\nnop x')).toEqual([
      "1:9: missing operand for `add' (expects 3 operands)",
      "2:17: extra operand for `add' (expects 3 operands)",
      "3:1: unknown directive `.bogus'",
      "4:5: extra operand for `nop' (expects 0 operands)",
    ]);
  });
  it('.include not found or recursive', () => {
    const files: Record<string, string> = { 'a.s': '.include "b.s"', 'b.s': '.include "a.s"' };
    expect(errorsOf('.include "missing.s"\n.include "a.s"', (p) => files[p])).toEqual([
      "1:1: .include file `missing.s' not found",
      "1:1: `a.s' is included recursively (test.s -> a.s -> b.s -> a.s)",
    ]);
  });
  it('duplicate global across files; every error carries a caret under the column', () => {
    const r = assemble([
      { name: 'a.s', text: '.globl f\nf: nop' },
      { name: 'b.s', text: '.globl f\n  f: nop\n  addi a0, a0, 9999' },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatError)).toEqual([
      "b.s:3:16: error: immediate out of range: 9999 (-2048..2047)\n    addi a0, a0, 9999\n                 ^",
      "b.s:2:3: error: duplicate symbol `f' (first defined at a.s:2)\n    f: nop\n    ^",
    ]);
  });
  it('li needs a value known at that point; syntax errors point at the spot', () => {
    expect(errorsOf('li a0, later\n.equ later, 1\naddi a0, a0, 1 +\nlw a0, 4(a1')).toEqual([
      "1:8: `li' value must be a constant known at this point; `later' is not defined yet",
      "3:16: syntax error at `+'",
      "4:9: syntax error at `(a1'",
    ]);
  });
  it('errors inside macro expansions point at the invocation', () => {
    expect(errorsOf('.macro m r\n  addi \\r, \\r, 1\n.endm\n  m q1')).toEqual([
      "4:3: bad register `q1' (in expansion of macro `m')",
    ]);
  });
});
