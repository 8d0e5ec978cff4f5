// Hostile input ends in errors at the statement that reaches a limit (file:line:col like every
// other assembler error), quickly, without an exception or an internal error; src/asm/limits.ts.
import { describe, expect, it } from 'vitest';
import { MAX_ALIGN, MAX_EXPANDED_LINES, MAX_EXPR_NESTING, MAX_OUTPUT_BYTES } from '../../src/asm/limits';
import { asm, errorsOf, hexOf } from './helpers';

/** Errors of `text`, asserting it neither throws nor takes long, and gives no output. */
function refused(text: string, ms = 15_000): string[] {
  const t0 = performance.now();
  let r: ReturnType<typeof asm> | undefined;
  expect(() => { r = asm(text); }).not.toThrow();
  expect(performance.now() - t0).toBeLessThan(ms);
  expect(r?.ok).toBe(false);
  const errors = r !== undefined && !r.ok ? r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`) : [];
  expect(errors.join('\n')).not.toMatch(/internal assembler error|0:0/);
  return errors;
}

describe('alignment', () => {
  it('.balign 0x80000000 is an error at its operand (was a Node stack trace)', () => {
    expect(refused('nop\n.balign 0x80000000')).toEqual([`2:9: alignment too large: 2147483648 (at most ${MAX_ALIGN})`]);
  });

  it('.balign up to the limit still works', () => {
    expect(hexOf(`.data\n.byte 0\n.balign ${MAX_ALIGN}\n.byte 1`, '.data').length / 2).toBe(MAX_ALIGN + 1);
  });
});

describe('expression nesting', () => {
  it('100,000 nested parentheses are reported at their line as a nesting limit (was "internal assembler error ... 0:0")', () => {
    expect(refused(`nop\nli a0, ${'('.repeat(100_000)}1${')'.repeat(100_000)}`))
      .toEqual([`2:${8 + MAX_EXPR_NESTING}: expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)`]);
  });

  it('100,000 unary minuses likewise', () => {
    expect(refused(`li a0, ${'-'.repeat(100_000)}1`)).toEqual([`1:${8 + MAX_EXPR_NESTING}: expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)`]);
  });

  it('a chain of 100,000 additions (a tree as deep) is reported at its operand', () => {
    expect(refused(`li a0, 1${'+1'.repeat(100_000)}`)).toEqual([`1:8: expression nested too deeply (more than ${MAX_EXPR_NESTING} levels)`]);
  });

  it('nesting within the limit assembles, and parentheses inside strings do not count', () => {
    const n = MAX_EXPR_NESTING - 1;
    expect(errorsOf(`li a0, ${'('.repeat(n)}1${')'.repeat(n)}\n.ascii "${'('.repeat(1000)}"`)).toEqual([]);
  });
});

describe('macros and output size', () => {
  it('a macro that expands exponentially stops at the expansion limit, at the line that uses it', () => {
    const defs = Array.from({ length: 30 }, (_, i) => `.macro m${i + 1}\nm${i}\nm${i}\n.endm`).join('\n');
    const errors = refused(`.macro m0\nnop\n.endm\n${defs}\nm30`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^124:1: macro expansion too large: more than ${MAX_EXPANDED_LINES} lines`));
  });

  it('files that include the next one twice, 30 deep, stop at the same limit', () => {
    const files: Record<string, string> = { 'f30.s': 'nop' };
    for (let i = 0; i < 30; i++) files[`f${i}.s`] = `.include "f${i + 1}.s"\n.include "f${i + 1}.s"`;
    const t0 = performance.now();
    const r = asm('.include "f0.s"', 0x80000000, (p) => files[p]);
    expect(performance.now() - t0).toBeLessThan(15_000);
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`^f\\d+\\.s:\\d+:1: expansion too large: more than ${MAX_EXPANDED_LINES} lines from macros and includes`));
  });

  it('macros nested too deeply (GNU as: 100)', () => {
    expect(refused('.macro r\nr\n.endm\nr')[0]).toMatch(/^4:1: macros nested too deeply \(more than 100\)/);
  });

  it('output beyond the limit is an error at the statement that passes it', () => {
    const chunk = MAX_OUTPUT_BYTES / 2;
    expect(refused(`.data\n.space ${chunk}\n.space ${chunk}\n.byte 1`)).toEqual([`4:1: output too large: more than ${MAX_OUTPUT_BYTES} bytes`]);
  });
});
