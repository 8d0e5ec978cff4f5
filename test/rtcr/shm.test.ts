// Shared memory across checkpoint/restore (issue 6), on shm_ring: a producer and a consumer pass
// checksummed records through a ring in one 4 KiB region of the SHM service.
//   (a) the image stores the shared dataspace once, and the restore makes it one dataspace that
//       both members' address spaces show at the same address, on the same physical page;
//   (b) after restore a write through one member's mapping is read through the other's;
//   (c) equivalence for the pair at random points (fast-check, bounded), granularity and mode
//       varied: log lines with their virtual times and the state hash equal the reference run's,
//       the consumer never reports a lost, doubled or torn record;
//   (d) incremental tracking of the shared dataspace through both mappings: an incremental image
//       copies fewer bytes than the full one, copies the shared page only when it was written
//       (by the producer's stores, or through the consumer's mapping), and the chain restores it.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Init, type LogLine } from '../../src/kernel/init';
import type { Kernel } from '../../src/kernel/kernel';
import { parseScenario, type Scenario } from '../../src/kernel/scenario';
import { TimerSession } from '../../src/kernel/services/sessions';
import { shmRegistry } from '../../src/kernel/services/shm';
import { kernelStateHash } from '../../src/kernel/statehash';
import type { Task } from '../../src/kernel/task';
import { decodeImage, type Image } from '../../src/rtcr/image';
import type { Checkpoint } from '../../src/rtcr/model';
import { Rtcr } from '../../src/rtcr/rtcr';
import type { TrackMode } from '../../src/rtcr/tracking';

const PROGRAMS = 'programs';
const readFile = (p: string) => {
  try { return readFileSync(join(PROGRAMS, p)); } catch { return undefined; }
};
const scenario = (): Scenario => {
  const r = parseScenario(readFileSync(join(PROGRAMS, 'shm_ring.json'), 'utf8'), 'shm_ring.json');
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
};
const fmt = (l: LogLine) => `${l.cycles} [${l.label}] ${l.text}`;
const decode = (b: Uint8Array): Image => {
  const d = decodeImage(b);
  if (!d.ok) throw new Error(d.error);
  return d.image;
};
const boot = (granularity: number, mode: TrackMode): Rtcr => {
  const b = Rtcr.boot({ scenario: scenario(), readFile }, { granularity, mode });
  if (!b.ok) throw new Error(b.message);
  return b.rtcr;
};
const restore = (chain: Image[]): Rtcr => {
  const r = Rtcr.restore(chain);
  if (!r.ok) throw new Error(r.error);
  return r.rtcr;
};
const task = (init: Init, name: string): Task => {
  const c = init.components.get(name);
  if (c === undefined) throw new Error(`no component ${name}`);
  return c.task;
};
const read = (k: Kernel, t: Task, va: number, len: number): Uint8Array => {
  const r = k.readUser(t, va, len);
  if (!r.ok) throw new Error(`readUser ${t.label} 0x${va.toString(16)}: ${r.error}`);
  return r.value;
};
const write = (k: Kernel, t: Task, va: number, bytes: number[]): void => {
  const r = k.writeUser(t, va, Uint8Array.from(bytes));
  if (!r.ok) throw new Error(`writeUser ${t.label} 0x${va.toString(16)}: ${r.error}`);
};

const RING = 4096;
/** Past the ring's 64 slots (64 + 64 x 16 = 1088 bytes): words no program reads or writes. */
const SPARE = RING - 8;
const T_NS = 0.31e9; // three consumer reports (100, 200, 300 ms)
const CONFIGS: { granularity: number; mode: TrackMode }[] = [
  { granularity: 0, mode: 'access' },
  ...[1, 16, 256].flatMap((g) => (['access', 'write'] as const).map((mode) => ({ granularity: g, mode }))),
];

/** The address both log for the ring (`... ring ring0 at 0x10000000, ...`). */
function ringAddress(log: readonly LogLine[], label: string): number {
  const line = log.find((l) => l.label === label && / ring ring0 at 0x/.test(l.text));
  if (line === undefined) throw new Error(`${label} did not log its ring address`);
  return Number(/ at (0x[0-9a-f]+)/.exec(line.text)![1]);
}

/**
 * Where component `ci` attached the shared dataspace in the image: regions of its address space
 * whose target is the shared dataspace, or the region map (managed dataspace) Rtcr tracks it
 * through.
 */
function sharedRegions(cp: Checkpoint, ci: number): { base: number; size: number }[] {
  const shmId = cp.shm[0].dataspace;
  const overRms = new Set((cp.tracking?.managed ?? []).filter((m) => m.over === shmId).map((m) => m.rm));
  const as = cp.objects[cp.components[ci].addressSpace];
  if (as.kind !== 'regionmap') throw new Error('address space is not a region map');
  return as.regions.filter((r) => {
    const t = cp.objects[r.target];
    return r.target === shmId || overRms.has(r.target) || (t.kind === 'managed' && overRms.has(t.rm));
  }).map((r) => ({ base: r.base, size: r.size }));
}

/** Consumer report lines: `consumed N records, last seq S, errors E`. */
function consumerReports(log: readonly LogLine[]): { n: number; seq: number; errors: number }[] {
  return log.filter((l) => l.label === 'init -> shm_consumer').flatMap((l) => {
    const m = /^consumed (\d+) records, last seq (\d+), errors (\d+)$/.exec(l.text);
    return m === null ? [] : [{ n: Number(m[1]), seq: Number(m[2]), errors: Number(m[3]) }];
  });
}

/** No lost, doubled or torn record: every report has errors 0 and N = S, rising; no "bad record". */
function expectClean(log: readonly LogLine[], what: string): void {
  expect(log.filter((l) => /bad record/.test(l.text)).map(fmt), what).toEqual([]);
  const reports = consumerReports(log);
  for (const r of reports) {
    expect(r.errors, what).toBe(0);
    expect(r.seq, what).toBe(r.n);
  }
  for (let i = 1; i < reports.length; i++) expect(reports[i].seq, what).toBeGreaterThan(reports[i - 1].seq);
}

let ref: { log: LogLine[]; hash: string; ticks: number[]; untilCycles: number };

beforeAll(() => {
  const r = Init.create({ scenario: scenario(), readFile });
  if (!r.ok) throw new Error(r.message);
  r.init.runUntilNs(1e6);
  // The consumer's periodic timer: every drain starts at one of its ticks.
  const timers = [...r.init.kernel.events].filter((e): e is TimerSession => e instanceof TimerSession && e.period > 0);
  expect(timers).toHaveLength(1);
  const untilCycles = r.init.cyclesOf(T_NS);
  const ticks: number[] = [];
  for (let c = timers[0].due(); c < untilCycles; c += timers[0].period) ticks.push(c);
  r.init.runUntilNs(T_NS);
  ref = { log: [...r.init.log], hash: kernelStateHash(r.init.kernel), ticks, untilCycles };
});

describe('shm_ring: the reference run', () => {
  it('passes records without loss, doubling or tearing, and both members log the ring at one address', () => {
    expectClean(ref.log, 'reference');
    expect(consumerReports(ref.log)).toHaveLength(3);
    expect(ringAddress(ref.log, 'init -> shm_consumer')).toBe(ringAddress(ref.log, 'init -> shm_producer'));
  });
});

describe.each(CONFIGS)('shm_ring, granularity $granularity, $mode', ({ granularity, mode }) => {
  it('(a) the image stores the shared dataspace once; restored, both members map it at the same address on the same physical pages', () => {
    const rtcr = boot(granularity, mode);
    rtcr.init.runUntilNs(0.1234e9);
    const k0 = rtcr.init.kernel;
    const va = ringAddress(rtcr.init.log, 'init -> shm_consumer');
    const page = read(k0, task(rtcr.init, 'shm_consumer'), va, RING);
    const image = decode(rtcr.checkpoint().bytes);
    const cp = image.checkpoint;

    expect(cp.shm).toHaveLength(1);
    expect(cp.shm[0].name).toBe('ring0');
    expect(cp.components[cp.shm[0].charged].name).toBe('shm_consumer'); // the first to ask pays
    const shmId = cp.shm[0].dataspace;
    const rec = cp.objects[shmId];
    expect(rec.kind === 'dataspace' ? rec.size : -1).toBe(RING);
    // Its memory: one record, its one page, and nowhere else in the image.
    expect(cp.memory.filter((m) => m.dataspace === shmId).map((m) => m.pages)).toEqual([[0]]);
    let copies = 0;
    for (const m of cp.memory) {
      for (let p = 0; p < m.pages.length; p++) {
        if (m.data.subarray(p * RING, (p + 1) * RING).every((b, i) => b === page[i])) copies++;
      }
    }
    expect(copies).toBe(1);
    // Both attach it (directly, or through the one managed dataspace that tracks it) at one address.
    const names = cp.components.map((c) => c.name);
    const cons = sharedRegions(cp, names.indexOf('shm_consumer'));
    const prod = sharedRegions(cp, names.indexOf('shm_producer'));
    expect(cons).toEqual([{ base: va, size: RING }]);
    expect(prod).toEqual(cons);

    const restored = restore([image]);
    const k = restored.init.kernel;
    const regions = [...shmRegistry(k).values()];
    expect(regions.map((r) => [r.name, r.dataspace.size, r.charged])).toEqual([['ring0', RING, task(restored.init, 'shm_consumer')]]);
    const pa = regions[0].dataspace.phys;
    for (const name of ['shm_consumer', 'shm_producer']) {
      const t = task(restored.init, name);
      expect(read(k, t, va, RING), name).toEqual(page); // (faults a tracked granule in)
      const res = t.as.resolve(va);
      expect(res.kind === 'mapped' ? res.pa : res.kind, name).toBe(pa);
    }
  });

  it('(b) after restore a write through one member\'s mapping is read through the other\'s', () => {
    const rtcr = boot(granularity, mode);
    rtcr.init.runUntilNs(0.05e9);
    const restored = restore([decode(rtcr.checkpoint().bytes)]);
    const k = restored.init.kernel;
    const va = ringAddress(rtcr.init.log, 'init -> shm_consumer');
    const prod = task(restored.init, 'shm_producer');
    const cons = task(restored.init, 'shm_consumer');
    write(k, prod, va + SPARE, [0xde, 0xad, 0xbe, 0xef]);
    expect([...read(k, cons, va + SPARE, 4)]).toEqual([0xde, 0xad, 0xbe, 0xef]);
    write(k, cons, va + SPARE + 4, [1, 2, 3, 4]);
    expect([...read(k, prod, va + SPARE, 8)]).toEqual([0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4]);
    // And the guests' own words: the ring header both see is the same (used, head, tail, errors).
    expect(read(k, prod, va, 16)).toEqual(read(k, cons, va, 16));
  });
});

describe('shm_ring: equivalence at random points', () => {
  it('logs and times, state right after restore, hash at T equal the reference; no record lost, doubled or torn', () => {
    const { ticks, untilCycles } = ref;
    // Points: right at a consumer tick ±1 (the consumer cuts the producer off), inside a drain,
    // or anywhere.
    const point = fc.oneof(
      fc.tuple(fc.constantFrom(...ticks), fc.constantFrom(-1, 0, 1)).map(([c, d]) => c + d),
      fc.tuple(fc.constantFrom(...ticks), fc.integer({ min: 2, max: 3000 })).map(([c, d]) => c + d),
      fc.integer({ min: 1, max: untilCycles - 1 }),
    );
    const arb = fc.record({
      points: fc.uniqueArray(point, { minLength: 1, maxLength: 2 }).map((p) => [...p].sort((a, b) => a - b)),
      config: fc.constantFrom(...CONFIGS),
    });
    fc.assert(fc.property(arb, ({ points, config }) => {
      const rtcr = boot(config.granularity, config.mode);
      const taken: { image: Image; cycles: number; logCount: number; hash: string }[] = [];
      for (const c of points) {
        rtcr.init.kernel.run(c);
        const image = decode(rtcr.checkpoint().bytes);
        taken.push({ image, cycles: rtcr.init.kernel.now(), logCount: rtcr.init.log.length, hash: kernelStateHash(rtcr.init.kernel) });
      }
      rtcr.init.runUntilNs(T_NS);
      const where = `points ${points.join(', ')}, granularity ${config.granularity}, ${config.mode}`;
      expect(rtcr.init.log.map(fmt), `Rtcr run, ${where}`).toEqual(ref.log.map(fmt));
      expect(kernelStateHash(rtcr.init.kernel), `Rtcr run, ${where}`).toBe(ref.hash);
      taken.forEach((t, i) => {
        const at = `restored at cycle ${t.cycles} (${where})`;
        const restored = restore(taken.slice(0, i + 1).map((x) => x.image));
        expect(kernelStateHash(restored.init.kernel), `${at}: state right after restore`).toBe(t.hash);
        restored.init.runUntilNs(T_NS);
        expect(restored.init.log.map(fmt), at).toEqual(ref.log.slice(t.logCount).map(fmt));
        expect(kernelStateHash(restored.init.kernel), `${at}: hash at T`).toBe(ref.hash);
        expectClean([...ref.log.slice(0, t.logCount), ...restored.init.log], at);
      });
    }), { seed: 0x5a3, numRuns: 10, endOnFailure: true });
  });
});

describe.each(CONFIGS.filter((c) => c.granularity > 0))('shm_ring, incremental, granularity $granularity, $mode', ({ granularity, mode }) => {
  it('an incremental image after a short run copies fewer bytes than the full one', () => {
    const rtcr = boot(granularity, mode);
    rtcr.init.runUntilNs(0.1e9);
    const full = rtcr.checkpoint();
    rtcr.init.runUntilNs(0.1e9 + 0.2e6); // 200 us: the producer writes records, the consumer does not run
    const incr = rtcr.checkpoint();
    expect([full.kind, incr.kind]).toEqual(['full', 'incremental']);
    expect(incr.figures.bytesCopied).toBeLessThan(full.figures.bytesCopied);
    expect(incr.figures.dataspacesSkipped).toBeGreaterThan(0);
  });

  it('incremental tracking of the shared dataspace through both mappings', () => {
    const rtcr = boot(granularity, mode);
    const k0 = rtcr.init.kernel;
    const prod0 = task(rtcr.init, 'shm_producer');
    const cons0 = task(rtcr.init, 'shm_consumer');
    // Start right after a drain, so that until the next tick only the producer runs.
    const tick = ref.ticks[20];
    k0.run(tick + 5000);
    const va = ringAddress(rtcr.init.log, 'init -> shm_consumer');
    const shmPages = (img: Image) => img.checkpoint.memory.filter((m) => m.dataspace === img.checkpoint.shm[0].dataspace).flatMap((m) => m.pages);
    const chain: Image[] = [decode(rtcr.checkpoint().bytes)];
    expect(shmPages(chain[0]), 'full image').toEqual([0]);

    // Nothing ran: the shared page was not touched through either mapping, so it is not copied.
    chain.push(decode(rtcr.checkpoint().bytes));
    expect(shmPages(chain[1]), 'nothing ran').toEqual([]);

    // The producer alone runs (its stores go through its own mapping): copied.
    const consumerInsns = cons0.stats.instructions;
    const producerInsns = prod0.stats.instructions;
    k0.run(ref.ticks[21] - 10);
    expect(cons0.stats.instructions, 'the consumer stayed asleep').toBe(consumerInsns);
    expect(prod0.stats.instructions).toBeGreaterThan(producerInsns);
    const header = read(k0, prod0, va, 16);
    chain.push(decode(rtcr.checkpoint().bytes));
    expect(shmPages(chain[2]), 'written by the producer').toEqual([0]);

    // A write through the consumer's mapping only (no guest runs): copied.
    write(k0, cons0, va + SPARE, [0x11, 0x22, 0x33, 0x44]);
    chain.push(decode(rtcr.checkpoint().bytes));
    expect(shmPages(chain[3]), 'written through the consumer\'s mapping').toEqual([0]);

    // And nothing again.
    chain.push(decode(rtcr.checkpoint().bytes));
    expect(shmPages(chain[4]), 'nothing ran').toEqual([]);

    // Every prefix restores the shared page as it was, seen alike through both mappings.
    for (let n = 1; n <= chain.length; n++) {
      const r = restore(chain.slice(0, n));
      const k = r.init.kernel;
      const p = read(k, task(r.init, 'shm_producer'), va, RING);
      expect(read(k, task(r.init, 'shm_consumer'), va, RING), `chain of ${n}`).toEqual(p);
      if (n >= 3) expect(p.subarray(0, 16), `chain of ${n}`).toEqual(header);
      expect([...p.subarray(SPARE, SPARE + 4)], `chain of ${n}`).toEqual(n >= 4 ? [0x11, 0x22, 0x33, 0x44] : [0, 0, 0, 0]);
    }
    // The last one runs on like the reference (the spare words are read by no one).
    const last = restore(chain);
    last.init.runUntilNs(T_NS);
    expect(last.init.log.map(fmt)).toEqual(ref.log.slice(chain[chain.length - 1].checkpoint.logCount).map(fmt));
  });

  it('after a restore the chain goes on: the shared page is still tracked through both mappings', () => {
    const rtcr = boot(granularity, mode);
    rtcr.init.runUntilNs(0.1e9);
    const chain: Image[] = [decode(rtcr.checkpoint().bytes)];
    /** Log lines of the whole story before each checkpoint (the restored init logs only what comes after). */
    const before = [rtcr.init.log.length];
    const restored = restore(chain);
    const take = () => {
      chain.push(decode(restored.checkpoint().bytes));
      before.push(before[0] + restored.init.log.length);
    };
    const shmPages = (img: Image) => img.checkpoint.memory.filter((m) => m.dataspace === img.checkpoint.shm[0].dataspace).flatMap((m) => m.pages);
    restored.init.runUntilNs(0.1e9 + 2e6); // two consumer ticks: both write the ring
    take();
    expect(chain[1].head.kind).toBe('incremental');
    expect(shmPages(chain[1]), 'written by both').toEqual([0]);
    take();
    expect(shmPages(chain[2]), 'nothing ran').toEqual([]);
    restored.init.runUntilNs(0.1e9 + 2.5e6);
    take();
    expect(shmPages(chain[3]), 'written by the producer').toEqual([0]);
    for (let n = 2; n <= chain.length; n++) {
      const again = restore(chain.slice(0, n));
      again.init.runUntilNs(T_NS);
      const at = `chain of ${n}`;
      expect(again.init.log.map(fmt), at).toEqual(ref.log.slice(before[n - 1]).map(fmt));
      expect(kernelStateHash(again.init.kernel), at).toBe(ref.hash);
    }
  });
});
