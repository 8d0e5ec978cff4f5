// The --trace line format (formatTraceLine): one definition for ELF runs, scenarios and restores.
import { describe, expect, it } from 'vitest';
import { formatTraceLine } from '../../src/cli/trace';
import type { TraceEntry } from '../../src/dev/machine';

const entry = (e: Partial<TraceEntry>): TraceEntry =>
  ({ pc: 0x10000, word: 0x00000013, priv: 0, rd: -1, value: 0, trapped: false, cause: 0, tval: 0, ...e });

describe('formatTraceLine', () => {
  it('prints pc, word, privilege mode, mnemonic and the register written', () => {
    expect(formatTraceLine(entry({ word: 0x00500513, rd: 10, value: 5, priv: 3 })))
      .toMatch(/^00010000 00500513 M li a0,5 +a0=0x00000005$/);
    expect(formatTraceLine(entry({ priv: 1 }))).toMatch(/^00010000 00000013 S nop$/);
  });

  it('names the component and thread for a scenario', () => {
    expect(formatTraceLine(entry({}), 'crash/main')).toMatch(/^\[crash\/main\] 00010000 00000013 U nop$/);
  });

  it('prints a store value in its size and a load value as loaded', () => {
    // sb t1,1(t0)
    expect(formatTraceLine(entry({ word: 0x006280a3, mem: { kind: 'store', addr: 0x2001, size: 1, stored: 0x78 } })))
      .toMatch(/ sb t1,1\(t0\) +store \[0x00002001\]=0x78$/);
    // lw a0,4(t0)
    expect(formatTraceLine(entry({ word: 0x0042a503, rd: 10, value: 0xfffffff0, mem: { kind: 'load', addr: 0x2004, size: 4, loaded: 0xfffffff0 } })))
      .toMatch(/ lw a0,4\(t0\) +a0=0xfffffff0 load \[0x00002004\]=0xfffffff0$/);
  });

  it('prints both sides of an AMO and a store-conditional that stored nothing', () => {
    expect(formatTraceLine(entry({ word: 0x0072a52f, rd: 10, value: 5, mem: { kind: 'amo', addr: 0x2000, size: 4, loaded: 5, stored: 12 } })))
      .toMatch(/ a0=0x00000005 load \[0x00002000\]=0x00000005 store \[0x00002000\]=0x0000000c$/);
    expect(formatTraceLine(entry({ word: 0x1862a6af, rd: 13, value: 1, mem: { kind: 'store', addr: 0x2000, size: 4 } })))
      .toMatch(/ a3=0x00000001 store \[0x00002000\] \(not stored\)$/);
  });

  it('prints a trap with its cause and tval, and no made-up instruction for a failed fetch', () => {
    expect(formatTraceLine(entry({ word: 0x0002a503, trapped: true, cause: 13, tval: 0x40000000 })))
      .toMatch(/^00010000 0002a503 U lw a0,0\(t0\) +trap: load page fault tval=0x40000000$/);
    expect(formatTraceLine(entry({ pc: 0x10000, word: 0, trapped: true, cause: 12, tval: 0x10000 })))
      .toMatch(/^00010000 00000000 U \(no instruction fetched\) +trap: instruction page fault tval=0x00010000$/);
  });
});
