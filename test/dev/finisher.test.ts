import { describe, expect, it } from 'vitest';
import { decodeFinisher, TestFinisher, type FinisherResult } from '../../src/dev/finisher';

function make() {
  const results: FinisherResult[] = [];
  const fin = new TestFinisher((r) => results.push(r));
  return { fin, results };
}

describe('TestFinisher', () => {
  it('0x5555 passes with code 0, whatever the upper half', () => {
    const { fin, results } = make();
    fin.write(0, 4, 0x5555);
    fin.write(0, 4, 0x00ab_5555);
    expect(results).toEqual([
      { kind: 'pass', code: 0 },
      { kind: 'pass', code: 0 },
    ]);
  });

  it('0x3333 fails with code value >>> 16', () => {
    const { fin, results } = make();
    fin.write(0, 4, (42 << 16) | 0x3333);
    fin.write(0, 4, 0xffff_3333);
    fin.write(0, 4, 0x3333);
    expect(results).toEqual([
      { kind: 'fail', code: 42 },
      { kind: 'fail', code: 0xffff },
      { kind: 'fail', code: 0 },
    ]);
  });

  it('0x7777 requests a reset', () => {
    const { fin, results } = make();
    fin.write(0, 4, 0x7777);
    expect(results).toEqual([{ kind: 'reset', code: 0 }]);
  });

  it('16-bit stores at offset 0 are decoded too (as QEMU does)', () => {
    const { fin, results } = make();
    fin.write(0, 2, 0x1_5555);
    fin.write(0, 2, 0x7_3333); // a 16-bit store carries no code
    expect(results).toEqual([
      { kind: 'pass', code: 0 },
      { kind: 'fail', code: 0 },
    ]);
  });

  it('ignores other values, other offsets and byte stores', () => {
    const { fin, results } = make();
    fin.write(0, 4, 0);
    fin.write(0, 4, 0x5556);
    fin.write(0, 4, 0x5555_0000);
    fin.write(4, 4, 0x5555);
    fin.write(0xffc, 4, 0x3333);
    fin.write(0, 1, 0x55);
    expect(results).toEqual([]);
  });

  it('reads and peeks return 0', () => {
    const { fin } = make();
    fin.write(0, 4, 0x1234);
    for (const off of [0, 4, 0xffc]) {
      expect(fin.read(off, 4)).toBe(0);
      expect(fin.peek(off, 1)).toBe(0);
    }
  });

  it('decode is total', () => {
    expect(decodeFinisher(0x1234)).toBeUndefined();
    expect(decodeFinisher(0xffff_ffff)).toBeUndefined();
  });
});
