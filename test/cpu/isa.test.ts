import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, DECODE_TABLE, KEY_BITS_MASK, keyOf, SCAN } from '../../src/cpu/decode';
import { ISA, ISA_BY_NAME, ISA_BY_OP, Op, type InsnDef } from '../../src/cpu/isa';

const matches = (d: InsnDef, w: number): boolean => ((w ^ d.match) & d.mask) === 0;

/** The reference decoder: every row that matches, by full scan. */
function allMatches(w: number): InsnDef[] {
  return ISA.filter((d) => matches(d, w));
}

describe('the ISA table', () => {
  it('has one row per Op (ILLEGAL and COUNT excepted) and unique names', () => {
    const ops = ISA.map((d) => d.op).sort((a, b) => a - b);
    const expected: number[] = [];
    for (let op = 1; op < Op.COUNT; op++) expected.push(op);
    expect(ops).toEqual(expected);
    expect(new Set(ISA.map((d) => d.name)).size).toBe(ISA.length);
    for (const d of ISA) {
      expect(ISA_BY_OP[d.op]).toBe(d);
      expect(ISA_BY_NAME.get(d.name)).toBe(d);
    }
  });

  it('rows are consistent: match has no bits outside mask, opcode fully in the mask', () => {
    for (const d of ISA) {
      expect((d.match & ~d.mask) >>> 0, d.name).toBe(0);
      expect(d.mask & 0x7f, d.name).toBe(0x7f);
      expect(d.match & 3, `${d.name}: 32-bit encoding`).toBe(3);
    }
  });

  it('no two rows overlap (no word matches both)', () => {
    // Two rows overlap iff their match values agree on the bits both masks fix.
    for (let i = 0; i < ISA.length; i++) {
      for (let j = i + 1; j < ISA.length; j++) {
        const a = ISA[i], b = ISA[j];
        const common = a.mask & b.mask;
        expect(((a.match ^ b.match) & common) !== 0, `${a.name} overlaps ${b.name}`).toBe(true);
      }
    }
  });

  it('the overlap check would catch an overlap (the witness word matches both)', () => {
    // Sanity of the criterion above: for a non-overlapping pair there is no witness; for a made-up
    // overlapping pair, match_a | match_b is one.
    const a = ISA_BY_NAME.get('addi') as InsnDef;
    const wide: InsnDef = { ...a, name: 'wide', mask: 0x7f, match: 0x13 };
    const w = (a.match | wide.match) >>> 0;
    expect(matches(a, w) && matches(wide, w)).toBe(true);
  });

  it('decode() of each row\'s match value is that row', () => {
    for (const d of ISA) {
      expect(decode(d.match), d.name).toBe(d.op);
      expect(allMatches(d.match).map((r) => r.name)).toEqual([d.name]);
    }
  });

  it('decode() of each row with every free bit set is that row', () => {
    for (const d of ISA) {
      const w = (d.match | ~d.mask) >>> 0;
      expect(decode(w), d.name).toBe(d.op);
    }
  });

  it('decode() equals a full scan of the table for random words', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (w) => {
        const rows = allMatches(w);
        expect(rows.length).toBeLessThanOrEqual(1);
        expect(decode(w)).toBe(rows.length === 0 ? Op.ILLEGAL : rows[0].op);
      }),
      { numRuns: 20000 },
    );
  });

  it('decode() equals a full scan for random words near each row (free fields random)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ISA.length - 1 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 31 }),
        (i, noise, flip) => {
          const d = ISA[i];
          // a legal encoding with random free fields, and the same with one fixed bit flipped
          const legal = ((d.match & d.mask) | (noise & ~d.mask)) >>> 0;
          expect(decode(legal)).toBe(d.op);
          const flipped = (legal ^ (1 << flip)) >>> 0;
          const rows = allMatches(flipped);
          expect(decode(flipped)).toBe(rows.length === 0 ? Op.ILLEGAL : rows[0].op);
        },
      ),
      { numRuns: 20000 },
    );
  });

  it('the decode table is exact for every key, and SCAN only where other bits decide', () => {
    const bad: string[] = [];
    for (let key = 0; key < DECODE_TABLE.length; key++) {
      const entry = DECODE_TABLE[key];
      const w = ((key & 0x7f) | (((key >>> 7) & 7) << 12) | (((key >>> 10) & 0x7f) << 25)) >>> 0;
      if (keyOf(w) !== key) bad.push(`keyOf ${key}`);
      // rows that can match some word with this key
      const rows = ISA.filter((d) => ((w ^ d.match) & d.mask & KEY_BITS_MASK) === 0);
      const decided = rows.length === 1 && (rows[0].mask & ~KEY_BITS_MASK) === 0;
      if (entry === SCAN) {
        if (decided || rows.length === 0) bad.push(`key ${key}: SCAN but decided by the key`);
      } else if (entry !== (rows.length === 0 ? Op.ILLEGAL : rows[0].op) || (rows.length > 0 && !decided)) {
        bad.push(`key ${key}: ${entry}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('known encodings', () => {
    const cases: [number, Op][] = [
      [0x00000013, Op.ADDI], // nop
      [0x00000073, Op.ECALL],
      [0x00100073, Op.EBREAK],
      [0x30200073, Op.MRET],
      [0x10200073, Op.SRET],
      [0x10500073, Op.WFI],
      [0x12000073, Op.SFENCE_VMA],
      [0x12b50073, Op.SFENCE_VMA], // sfence.vma a0, a1
      [0x0000100f, Op.FENCE_I],
      [0x0ff0000f, Op.FENCE],
      [0x8330000f, Op.FENCE], // fence.tso
      [0x1005a2af, Op.LR_W], // lr.w t0, (a1)
      [0x1605a2af, Op.LR_W], // lr.w.aqrl
      [0x1015a2af, Op.ILLEGAL], // lr.w with rs2 != 0
      [0x1865a32f, Op.SC_W],
      [0x00000000, Op.ILLEGAL],
      [0xffffffff, Op.ILLEGAL],
      [0x00200073, Op.ILLEGAL], // uret is not implemented
      [0x7b200073, Op.ILLEGAL], // dret
      [0x02000033 | (1 << 12), Op.MULH],
      [0x42000033, Op.ILLEGAL], // funct7 0x21
      [0x40001013, Op.ILLEGAL], // slli with funct7 0x20
      [0x02001013, Op.ILLEGAL], // slli with shamt[5] (RV64 only)
      [0x00003003, Op.ILLEGAL], // ld
      [0x0000302f, Op.ILLEGAL], // amo .d
    ];
    for (const [w, op] of cases) expect(decode(w), `0x${w.toString(16)}`).toBe(op);
  });
});
