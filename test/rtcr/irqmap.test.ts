// Restoring on a node whose board is wired differently: a restore-time map moves interrupt
// sources, so the IRQ session, the pending/claimed state and the interrupts after it land on the
// new source — none lost, none doubled.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Init, type LogLine } from '../../src/kernel/init';
import { parseScenario } from '../../src/kernel/scenario';
import { decodeImage, type Image } from '../../src/rtcr/image';
import { describeImage } from '../../src/rtcr/inspect';
import { parseIrqMap, remapIrqs } from '../../src/rtcr/irqmap';
import { Rtcr } from '../../src/rtcr/rtcr';

const readFile = (p: string) => {
  try { return readFileSync(join('programs', p)); } catch { return undefined; }
};
const scenario = () => {
  const r = parseScenario(readFileSync('programs/irq_lazy.json', 'utf8'), 'irq_lazy.json');
  if (!r.ok) throw new Error(r.error);
  return r.scenario;
};
const fmt = (l: LogLine) => `${l.cycles} [${l.label}] ${l.text}`;
const T = 200e6;
const AT = 22e6; // irq_lazy's channel-1 interrupt is claimed and not acknowledged (docs: programs/README.md)

function checkpointAt(t: number): Image {
  const b = Rtcr.boot({ scenario: scenario(), readFile }, { granularity: 16, mode: 'write' });
  if (!b.ok) throw new Error(b.message);
  b.rtcr.init.runUntilNs(t);
  const d = decodeImage(b.rtcr.checkpoint().bytes);
  if (!d.ok) throw new Error(d.error);
  return d.image;
}

function reference(): LogLine[] {
  const ref = Init.create({ scenario: scenario(), readFile });
  if (!ref.ok) throw new Error(ref.message);
  ref.init.runUntilNs(T);
  return ref.init.log;
}

describe('restore-time IRQ map', () => {
  it('moves a claimed, unacknowledged interrupt and the later ones to the new source', () => {
    const ref = reference();
    const img = checkpointAt(AT);
    // Channel 1 drives PLIC source 2 here; on the other board the device starts at source 20.
    const r = Rtcr.restore([img], undefined, { board: { irqsrcFirstSource: 20 }, irqMap: new Map([[2, 21]]) });
    if (!r.ok) throw new Error(r.error);
    const plic = r.rtcr.init.machine.plic.saveState();
    expect((plic.claimed >>> 21) & 1).toBe(1); // still claimed, now as source 21
    expect((plic.claimed >>> 2) & 1).toBe(0);
    r.rtcr.init.runUntilNs(T);
    const after = ref.filter((l) => l.cycles > Math.round(AT * 0.1));
    expect(r.rtcr.init.log.map(fmt)).toEqual(after.map(fmt));
  });

  it('without the map, a rewired board is refused (nothing would drive the sessions\' sources), naming the map', () => {
    const r = Rtcr.restore([checkpointAt(AT)], undefined, { board: { irqsrcFirstSource: 20 } });
    expect(r.ok ? 'accepted' : r.error).toBe('the IRQ source device drove PLIC sources 1-4 where the checkpoint was taken and ' +
      'drives 20-23 on this board, and IRQ sessions wait on 2: restore with the IRQ map 2=21 (--irq-map 2=21)');
  });

  it('a checkpoint taken on a rewired board records its wiring: restoring on the default board needs the map back', () => {
    const ref = reference();
    const first = checkpointAt(AT);
    const moved = Rtcr.restore([first], undefined, { board: { irqsrcFirstSource: 20 }, irqMap: new Map([[2, 21]]) });
    if (!moved.ok) throw new Error(moved.error);
    moved.rtcr.init.runUntilNs(AT + 30e6);
    const d = decodeImage(moved.rtcr.checkpoint().bytes);
    if (!d.ok) throw new Error(d.error);
    expect(d.image.checkpoint.board).toEqual({ irqsrcFirstSource: 20 });
    expect(describeImage(d.image, false)).toMatch(/^virtual time .* board RAM \d+ MiB, IRQ source device from PLIC source 20$/m);
    const refused = Rtcr.restore([first, d.image]);
    expect(refused.ok ? 'accepted' : refused.error).toMatch(/drove PLIC sources 20-23 .* drives 1-4 .* IRQ map 21=2 /);
    const back = Rtcr.restore([first, d.image], undefined, { irqMap: new Map([[21, 2]]) });
    if (!back.ok) throw new Error(back.error);
    back.rtcr.init.runUntilNs(T);
    const after = ref.filter((l) => l.cycles > Math.round((AT + 30e6) * 0.1));
    expect(back.rtcr.init.log.map(fmt)).toEqual(after.map(fmt));
  });

  it('a rewired board is no problem for a checkpoint without IRQ sessions on the moved sources', () => {
    const r = parseScenario(readFileSync('programs/sheep_counter.json', 'utf8'), 'sheep_counter.json');
    if (!r.ok) throw new Error(r.error);
    const b = Rtcr.boot({ scenario: r.scenario, readFile });
    if (!b.ok) throw new Error(b.message);
    b.rtcr.init.runUntilNs(1.5e9);
    const d = decodeImage(b.rtcr.checkpoint().bytes);
    if (!d.ok) throw new Error(d.error);
    expect(Rtcr.restore([d.image], undefined, { board: { irqsrcFirstSource: 20 } }).ok).toBe(true);
  });

  it('refuses maps that are not permutations of PLIC sources, and boards that cannot be wired', () => {
    const img = checkpointAt(AT);
    const bad = (irqMap: Map<number, number>, irqsrcFirstSource?: number) => {
      const r = Rtcr.restore([img], undefined, { irqMap, board: irqsrcFirstSource === undefined ? undefined : { irqsrcFirstSource } });
      return r.ok ? 'accepted' : r.error;
    };
    expect(bad(new Map([[2, 21], [3, 21]]))).toMatch(/two sources moved onto one/);
    expect(bad(new Map([[2, 32]]))).toMatch(/sources are 1-31/);
    expect(bad(new Map([[0, 5]]))).toMatch(/sources are 1-31/);
    expect(bad(new Map(), 8)).toMatch(/cannot start at PLIC source 8/); // would overlap the UART's 10
    expect(parseIrqMap('1=5,2=6')).toEqual(new Map([[1, 5], [2, 6]]));
    expect(parseIrqMap('1:5')).toBeUndefined();
    expect(remapIrqs({ ...img.checkpoint, devices: { ...img.checkpoint.devices, plic: null } }, new Map([[2, 3]])).ok).toBe(false);
  });
});
