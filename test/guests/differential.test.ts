// The differential suite. Every committed guest ELF runs on our Machine and its UART output and
// exit status must equal the committed expectation (recorded from QEMU 7.2, with QEMU's known
// departures from the spec replaced by the spec's behaviour): this part needs no toolchain and
// no QEMU. Where qemu-system-riscv32 is installed, each ELF also runs on QEMU live and the two
// are compared again, through the same table of known differences.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/dev/machine';
import {
  ELF_DIR, EXPECTED_DIR, KNOWN_DIFFERENCES, guestPrograms, hasQemu, qemuVersion, runQemu,
  specExpectation, type ExpectedMeta,
} from './qemu';

/** Far more than any guest needs (the largest retires a few hundred thousand instructions). */
const MAX_INSNS = 50_000_000;

interface OurRun {
  reason: string;
  exitCode: number;
  output: string;
}

function runOurs(name: string): OurRun {
  const m = new Machine({});
  const loaded = m.loadElf(new Uint8Array(readFileSync(join(ELF_DIR, `${name}.elf`))));
  if (!loaded.ok) throw new Error(`${name}: loadElf failed: ${loaded.error}`);
  const r = m.run({ maxInsns: MAX_INSNS });
  return { reason: r.reason, exitCode: r.exitCode, output: m.outputText() };
}

function expected(name: string): { output: string; meta: ExpectedMeta } {
  return {
    output: readFileSync(join(EXPECTED_DIR, `${name}.out`), 'latin1'),
    meta: JSON.parse(readFileSync(join(EXPECTED_DIR, `${name}.json`), 'utf8')) as ExpectedMeta,
  };
}

/** The FAIL lines of a guest's output: on a mismatch they say what went wrong. */
const failLines = (output: string) => output.split('\n').filter((l) => l.startsWith('FAIL'));

const programs = guestPrograms();
const ours = new Map<string, OurRun>();
const oursFor = (name: string): OurRun => {
  let r = ours.get(name);
  if (!r) {
    r = runOurs(name);
    ours.set(name, r);
  }
  return r;
};

describe('guest programs on this machine vs the recorded expectation', () => {
  it('finds the committed guests', () => {
    expect(programs.length).toBeGreaterThanOrEqual(14);
    for (const p of ['hello', 'rv32i', 'mext', 'amo', 'misaligned', 'jumps', 'csr', 'traps', 'sv32', 'interrupts', 'wfi', 'htif']) {
      expect(programs).toContain(p);
    }
  });

  for (const name of programs) {
    it(`${name}: same UART output and exit status`, () => {
      const { output, meta } = expected(name);
      const r = oursFor(name);
      expect(failLines(r.output), `${name}: checks that fail here`).toEqual([]);
      expect(r.reason, `${name}: run ended by`).toBe('exit');
      expect(r.output).toBe(output);
      expect(r.exitCode).toBe(meta.exitCode);
    });
  }

  it('every known difference names checks that exist in the expected output', () => {
    for (const d of KNOWN_DIFFERENCES) {
      for (const [program, checks] of Object.entries(d.checks)) {
        const { output } = expected(program);
        for (const c of checks) expect(output.split('\n'), `${d.id}: ${program}: ${c}`).toContain(`ok   ${c}`);
      }
    }
  });
});

describe.skipIf(!hasQemu())('guest programs on QEMU (live) vs this machine', () => {
  for (const name of programs) {
    it(`${name}: QEMU and this machine agree, up to the known differences`, () => {
      const q = runQemu(name, join(ELF_DIR, `${name}.elf`));
      expect(q.timedOut, `${name}: QEMU timed out; stderr: ${q.stderr}`).toBe(false);
      const spec = specExpectation(name, q);
      expect(spec.unexplained, `${name}: QEMU fails checks no known difference explains`).toEqual([]);
      // The table describes QEMU 7.2 (Debian's, as in CI); other versions may have fixed some.
      if (qemuVersion()?.startsWith('7.2.')) {
        expect(spec.notObserved, `${name}: known differences QEMU 7.2 no longer shows`).toEqual([]);
      }
      const r = oursFor(name);
      expect(r.output).toBe(spec.output);
      expect(r.exitCode).toBe(spec.exitCode);
    });
  }
});
