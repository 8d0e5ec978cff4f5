// The equivalence suite (like CRIU's zdtm): for every scenario under programs/, at several
// checkpoint points, with granularity 0, 1, 16 and 256 and both tracking modes,
//   - a run under Rtcr (checkpointing as it goes) prints the same log at the same virtual times
//     and ends in the same state hash as the run under init, and
//   - "checkpoint at t, restore the chain up to t on a fresh kernel, run to T" gives the log lines
//     after t and the state hash of "run to T".
// Then the same through image files and separate processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Init, type LogLine } from '../../src/kernel/init';
import { parseScenario, type Scenario } from '../../src/kernel/scenario';
import { kernelStateHash } from '../../src/kernel/statehash';
import { decodeImage, type Image } from '../../src/rtcr/image';
import { Rtcr } from '../../src/rtcr/rtcr';
import type { TrackMode } from '../../src/rtcr/tracking';

const PROGRAMS = 'programs';
const readFile = (p: string) => {
  try { return readFileSync(join(PROGRAMS, p)); } catch { return undefined; }
};
const scenario = (file: string): Scenario => {
  const r = parseScenario(readFileSync(join(PROGRAMS, file), 'utf8'), file);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
};
const fmt = (l: LogLine) => `${l.cycles} [${l.label}] ${l.text}`;
const decode = (b: Uint8Array): Image => {
  const d = decodeImage(b);
  if (!d.ok) throw new Error(d.error);
  return d.image;
};

/**
 * Checkpoint points (virtual ns) and the end T, chosen per program so that they fall where the
 * issue asks: a thread running, blocked in a timer wait, blocked in a managed-dataspace fault,
 * mid multi-thread work. Scenarios not listed get T = 2 s and points at T/3 and 2T/3.
 */
const PLAN: Record<string, { points: number[]; until: number }> = {
  'hello.json': { points: [500, 1200], until: 1e6 }, // mid-run, before it logs and exits
  'sheep_counter.json': { points: [1.5e9, 2.5e9, 3e9], until: 5e9 }, // waiting for the timer; 3 s: right at a tick
  'threads.json': { points: [1e5, 2.5e5, 6e5], until: 2e6 }, // workers mid-way through their AMO/LR-SC loops
  'memwalk.json': { points: [0.35e9, 0.55e9], until: 1.5e9 },
  'memwalk_rtcr.json': { points: [0.25e9, 0.75e9], until: 1.5e9 },
  'uart_echo.json': { points: [5e6, 1.2e7], until: 3e7 }, // before and after the input arrives
  'crash.json': { points: [1e9, 1.7e9], until: 3e9 }, // before and after the fault
  'pager.json': { points: [0.03e9, 0.12e9, 0.4e9], until: 2e9 }, // the worker blocked in a managed-dataspace fault
  'irq_counter.json': { points: [15e6, 55e6, 60e6], until: 200e6 }, // between interrupts; 60 ms: just as one fires
  'irq_lazy.json': { points: [20e6, 22e6, 50e6], until: 200e6 }, // an interrupt pending, claimed and not acknowledged
  'shm_ring.json': { points: [0.1234e9, 0.5e9], until: 1e9 }, // producer mid-record, consumer mid-check
};

const CONFIGS: { granularity: number; mode: TrackMode }[] = [
  { granularity: 0, mode: 'access' },
  ...[1, 16, 256].flatMap((g) => (['access', 'write'] as const).map((mode) => ({ granularity: g, mode }))),
];

const scenarios = readdirSync(PROGRAMS).filter((f) => f.endsWith('.json')).sort();

describe.each(scenarios)('%s', (file) => {
  const plan = PLAN[file] ?? { points: [2e9 / 3, 4e9 / 3], until: 2e9 };
  let reference: { log: string[]; hash: string; logAt: (ns: number) => number };

  beforeAll(() => {
    const ref = Init.create({ scenario: scenario(file), readFile });
    if (!ref.ok) throw new Error(ref.message);
    ref.init.runUntilNs(plan.until);
    const cyclesPerNs = ref.init.scenario.clock.insnsPerSecond / 1e9;
    reference = {
      log: ref.init.log.map(fmt),
      hash: kernelStateHash(ref.init.kernel),
      // How many lines were written by virtual time ns (a line at exactly t is before it).
      logAt: (ns) => ref.init.log.filter((l) => l.cycles <= Math.round(ns * cyclesPerNs)).length,
    };
  });

  it.each(CONFIGS)('granularity $granularity, $mode: Rtcr run and every restored link equal the run under init', ({ granularity, mode }) => {
    const booted = Rtcr.boot({ scenario: scenario(file), readFile }, { granularity, mode });
    if (!booted.ok) throw new Error(booted.message);
    const rtcr = booted.rtcr;
    const images: Image[] = [];
    const kinds: string[] = [];
    for (const t of plan.points) {
      rtcr.init.runUntilNs(t);
      const c = rtcr.checkpoint();
      images.push(decode(c.bytes));
      kinds.push(c.kind);
    }
    rtcr.init.runUntilNs(plan.until);
    expect(rtcr.init.log.map(fmt)).toEqual(reference.log);
    expect(kernelStateHash(rtcr.init.kernel)).toBe(reference.hash);
    expect(kinds).toEqual(plan.points.map((_, i) => (granularity > 0 && i > 0 ? 'incremental' : 'full')));

    plan.points.forEach((t, i) => {
      const restored = Rtcr.restore(images.slice(0, i + 1));
      if (!restored.ok) throw new Error(restored.error);
      restored.rtcr.init.runUntilNs(plan.until);
      const at = `restored at ${t} ns`;
      expect(restored.rtcr.init.log.map(fmt), at).toEqual(reference.log.slice(reference.logAt(t)));
      expect(kernelStateHash(restored.rtcr.init.kernel), at).toBe(reference.hash);
    });
  });
});

describe('through image files, in separate processes', () => {
  let dir: string;
  const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8' });
  beforeAll(() => {
    execFileSync('node', ['scripts/build.mjs']);
    dir = mkdtempSync(join(tmpdir(), 'rtcr-eq-'));
  });

  it.each([
    ['threads.json', '250us', '2ms', '1', 'access'],
    ['memwalk_rtcr.json', '400ms', '1500ms', '16', 'write'],
  ])('%s: checkpoint at %s, restore in a new process, run to %s', (file, at, until, g, mode) => {
    const out = join(dir, file);
    const ck = rtcr('checkpoint', join(PROGRAMS, file), '--at', at, '--every', '100us', '--count', '2', '--granularity', g, '--mode', mode, '-o', out);
    expect(ck.status, ck.stderr).toBe(0);
    const restored = rtcr('restore', out, '--until', until, '--hash');
    const straight = rtcr('run', join(PROGRAMS, file), '--until', until, '--hash');
    expect(restored.status, restored.stderr).toBe(0);
    const hash = (s: string) => /state-hash: ([0-9a-f]{16})/.exec(s)?.[1];
    expect(hash(restored.stderr)).toBeDefined();
    expect(hash(restored.stderr)).toBe(hash(straight.stderr));
    // The restored process prints what came after the checkpoint: the tail of the straight log.
    expect(straight.stdout.endsWith(restored.stdout)).toBe(true);
  });
});
