import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mulh, mulhsu, mulhu } from '../../src/cpu/mulh';
import { run } from '../helpers/run';

const MIN = -0x80000000;
const s64 = (v: number): bigint => BigInt(v | 0);
const u64 = (v: number): bigint => BigInt(v >>> 0);
/** The low or high 32 bits of a BigInt product, as a signed number. */
const low = (p: bigint): number => Number(BigInt.asIntN(32, p));
const high = (p: bigint): number => Number(BigInt.asIntN(32, p >> 32n));

const REF: Record<string, (a: number, b: number) => number> = {
  mul: (a, b) => low(s64(a) * s64(b)),
  mulh: (a, b) => high(s64(a) * s64(b)),
  mulhsu: (a, b) => high(s64(a) * u64(b)),
  mulhu: (a, b) => high(u64(a) * u64(b)),
  // Division per the spec: round toward zero, and the table of special cases.
  div: (a, b) => (b === 0 ? -1 : a === MIN && b === -1 ? MIN : Number(BigInt.asIntN(32, s64(a) / s64(b)))),
  divu: (a, b) => (b === 0 ? -1 : Number(BigInt.asIntN(32, u64(a) / u64(b)))),
  rem: (a, b) => (b === 0 ? a : a === MIN && b === -1 ? 0 : Number(BigInt.asIntN(32, s64(a) % s64(b)))),
  remu: (a, b) => (b === 0 ? a : Number(BigInt.asIntN(32, u64(a) % u64(b)))),
};

function runOp(op: string, pairs: [number, number][]): number[] {
  const body = pairs.map(([a, b], i) => `  li a1, ${a | 0}\n  li a2, ${b | 0}\n  ${op} a0, a1, a2\n  sw a0, ${4 * i}(s0)`);
  const o = run(`  la s0, out\n${body.join('\n')}\n  j _done\n  .data\nout: .space ${4 * pairs.length}\n`).expectNoTrap();
  return pairs.map((_, i) => o.mem(o.sym('out') + 4 * i) | 0);
}

const int32 = fc.integer({ min: MIN, max: 0x7fffffff });
const operand = fc.oneof(int32, fc.constantFrom(0, 1, -1, 2, -2, MIN, 0x7fffffff, 0xffff, 0x10000, -0x10000));

describe('M extension', () => {
  it('the division edge table (spec table "semantics for division by zero and division overflow")', () => {
    const x = 0x12345;
    // divisor 0: DIV -1, DIVU 2^32-1, REM x, REMU x
    expect(runOp('div', [[x, 0], [-x, 0], [0, 0]])).toEqual([-1, -1, -1]);
    expect(runOp('divu', [[x, 0], [-x, 0]])).toEqual([-1, -1]);
    expect(runOp('rem', [[x, 0], [-x, 0], [MIN, 0]])).toEqual([x, -x, MIN]);
    expect(runOp('remu', [[x, 0], [-x, 0]])).toEqual([x, -x]);
    // overflow: -2^31 / -1 = -2^31, remainder 0
    expect(runOp('div', [[MIN, -1]])).toEqual([MIN]);
    expect(runOp('rem', [[MIN, -1]])).toEqual([0]);
    // the unsigned ops see 0x80000000 / 0xffffffff = 0 rem 0x80000000
    expect(runOp('divu', [[MIN, -1]])).toEqual([0]);
    expect(runOp('remu', [[MIN, -1]])).toEqual([MIN]);
  });

  it('division rounds toward zero; the remainder takes the dividend\'s sign', () => {
    expect(runOp('div', [[7, 2], [-7, 2], [7, -2], [-7, -2]])).toEqual([3, -3, -3, 3]);
    expect(runOp('rem', [[7, 2], [-7, 2], [7, -2], [-7, -2]])).toEqual([1, -1, 1, -1]);
    expect(runOp('divu', [[-7, 2]])).toEqual([0x7ffffffc]);
    expect(runOp('remu', [[-7, 2]])).toEqual([1]);
  });

  it('multiplication edges', () => {
    const pairs: [number, number][] = [[MIN, MIN], [MIN, -1], [-1, -1], [0x7fffffff, 0x7fffffff], [-1, MIN], [MIN, 0x7fffffff]];
    for (const op of ['mul', 'mulh', 'mulhsu', 'mulhu']) {
      expect(runOp(op, pairs), op).toEqual(pairs.map(([a, b]) => REF[op](a, b)));
    }
    // mulhsu(-1, 0xffffffff) = high(-(2^32-1)) = -1; mulhu(-1,-1) = 0xfffffffe
    expect(runOp('mulhsu', [[-1, -1]])).toEqual([-1]);
    expect(runOp('mulhu', [[-1, -1]])).toEqual([-2]);
    expect(runOp('mulh', [[MIN, MIN]])).toEqual([0x40000000]);
  });

  for (const op of Object.keys(REF)) {
    it(`${op}: random operands against a BigInt reference (on the hart)`, () => {
      fc.assert(fc.property(fc.array(fc.tuple(operand, operand), { minLength: 1, maxLength: 24 }),
        (pairs) => { expect(runOp(op, pairs)).toEqual(pairs.map(([a, b]) => REF[op](a, b))); }), { numRuns: 15 });
    });
  }

  it('mulh/mulhsu/mulhu helpers against BigInt for many operands', () => {
    fc.assert(fc.property(operand, operand, (a, b) => {
      expect(mulh(a, b)).toBe(REF.mulh(a, b));
      expect(mulhsu(a, b)).toBe(REF.mulhsu(a, b));
      expect(mulhu(a, b)).toBe(REF.mulhu(a, b));
    }), { numRuns: 50000 });
  });

  it('rd = x0 discards; rd may equal rs1 and rs2', () => {
    run('li a0, 6\n li a1, 7\n mul x0, a0, a1\n mul a0, a0, a1\n div a1, a1, a1\n rem a2, a0, a0')
      .expectRegs({ zero: 0, a0: 42, a1: 1, a2: 0 });
  });
});
