// Our per-instruction trace against the golden traces recorded from QEMU 7.2 (traces/*.trace.gz,
// see record.sh): the same pcs in the same order, the same instructions trapping, and the same
// value in every register written.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/dev/machine';
import { ELF_DIR, TRACED_PROGRAMS, TRACES_DIR, parseTrace, type GoldenStep } from './qemu';

interface OurStep {
  pc: number;
  word: number;
  rd: number;
  value: number;
  trapped: boolean;
}

const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

function show(s: GoldenStep | OurStep | undefined): string {
  if (!s) return '(end of trace)';
  const rd = s.trapped ? ' trap' : s.rd > 0 ? ` x${s.rd}=${hex(s.value)}` : '';
  return `${hex(s.pc)}${'word' in s ? ` [${hex(s.word)}]` : ''}${rd}`;
}

/** The index of the first step where ours departs from the golden one, or -1. */
function firstMismatch(golden: readonly GoldenStep[], ours: readonly OurStep[]): number {
  const n = Math.max(golden.length, ours.length);
  for (let i = 0; i < n; i++) {
    const g = golden[i];
    const o = ours[i];
    if (!g || !o) return i;
    if (g.pc !== o.pc || g.trapped !== o.trapped) return i;
    if (g.trapped) continue;
    if (g.rd !== 0) {
      if (o.rd !== g.rd || o.value >>> 0 !== g.value) return i;
    } else if (o.rd > 0 && i + 1 < golden.length) {
      // QEMU's trace says the instruction writes no register (the last step's value is unknown)
      return i;
    }
  }
  return -1;
}

describe('instruction traces vs golden traces from QEMU', () => {
  for (const name of TRACED_PROGRAMS) {
    it(`${name}: same pc sequence, traps and register writes`, () => {
      const golden = parseTrace(gunzipSync(readFileSync(join(TRACES_DIR, `${name}.trace.gz`))).toString('latin1'));
      expect(golden.length).toBeGreaterThan(50);
      const m = new Machine({});
      const loaded = m.loadElf(new Uint8Array(readFileSync(join(ELF_DIR, `${name}.elf`))));
      expect(loaded.ok).toBe(true);
      const ours: OurStep[] = [];
      const r = m.run({
        maxInsns: golden.length + 1000,
        trace: (e) => {
          ours.push({ pc: e.pc >>> 0, word: e.word >>> 0, rd: e.rd, value: e.value >>> 0, trapped: e.trapped });
        },
      });
      expect(r.reason).toBe('exit');
      const i = firstMismatch(golden, ours);
      if (i >= 0) {
        const lines: string[] = [];
        for (let k = Math.max(0, i - 5); k <= i + 2; k++) {
          lines.push(`${k === i ? '>' : ' '} #${k}  qemu ${show(golden[k]).padEnd(24)} ours ${show(ours[k])}`);
        }
        expect.fail(`${name}: traces part at step ${i} of ${golden.length}:\n${lines.join('\n')}`);
      }
      expect(ours.length).toBe(golden.length);
    });
  }
});
