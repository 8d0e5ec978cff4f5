// logCount across restores: a checkpoint counts the log lines of the whole run before it, also
// when it is taken after a restore (the restored init continues the count from the image).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Init } from '../../src/kernel/init';
import { parseScenario, type Scenario } from '../../src/kernel/scenario';
import { decodeImage, type Image } from '../../src/rtcr/image';
import { Rtcr } from '../../src/rtcr/rtcr';

const PROGRAMS = 'programs';
const readFile = (p: string) => {
  try { return readFileSync(join(PROGRAMS, p)); } catch { return undefined; }
};
const scenario = (file: string): Scenario => {
  const r = parseScenario(readFileSync(join(PROGRAMS, file), 'utf8'), file);
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
};
const decode = (b: Uint8Array): Image => {
  const d = decodeImage(b);
  if (!d.ok) throw new Error(d.error);
  return d.image;
};

describe('logCount', () => {
  // model.ts: `logCount` is "Log lines written before the checkpoint". A restored Init's own log
  // holds only the lines written since the restore; it once counted from there (4 instead of 8).
  it('a checkpoint taken after a restore records the log lines written before it in the whole run (logCount)', () => {
    const booted = Rtcr.boot({ scenario: scenario('irq_counter.json'), readFile }, { granularity: 16, mode: 'write' });
    if (!booted.ok) throw new Error(booted.message);
    booted.rtcr.init.runUntilNs(35e6);
    const first = decode(booted.rtcr.checkpoint().bytes);
    const restored = Rtcr.restore([first]);
    if (!restored.ok) throw new Error(restored.error);
    restored.rtcr.init.runUntilNs(75e6);
    const second = decode(restored.rtcr.checkpoint().bytes);

    const ref = Init.create({ scenario: scenario('irq_counter.json'), readFile });
    if (!ref.ok) throw new Error(ref.message);
    ref.init.runUntilNs(35e6);
    expect(first.checkpoint.logCount).toBe(ref.init.log.length); // 4: the first line and irq 1-3
    ref.init.runUntilNs(75e6);
    expect(second.checkpoint.logCount).toBe(ref.init.log.length); // 8, not the 4 (irq 4-7) since the restore
  });
});
