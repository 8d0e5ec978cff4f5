// Property: a crafted image - a real checkpoint of a program under programs/ with some of its
// records changed, re-encoded so its checksums are right - is either refused (one line, nothing
// built, no throw) or restores to components that reach nothing their sessions do not grant
// (grants.ts walks the live kernel to check, independently of the restorer's checks).
// Bounded: a fixed seed and a number of runs that keeps the file well under 30 s.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeImage, encodeImage } from '../../src/rtcr/image';
import type { Checkpoint, ObjectRecord } from '../../src/rtcr/model';
import { Rtcr } from '../../src/rtcr/rtcr';
import { PROGRAMS, real } from './crafted';
import { grantViolations, regionViolations } from './grants';

/** Every scenario under programs/, checkpointed early (and two of them under tracking too). */
const BASES: [string, number, number][] = [
  ...readdirSync(PROGRAMS).filter((f) => f.endsWith('.json')).sort().map((f): [string, number, number] => [f, 5e6, 0]),
  ['sheep_counter.json', 2e7, 1],
  ['shm_ring.json', 2e7, 1],
];

type Mutation = { kind: number; a: number; b: number; c: number };

/** Applies one mutation to `cp`, choosing records and values by the numbers a, b, c. */
function mutate(cp: Checkpoint, m: Mutation): void {
  const objs = cp.objects;
  const anyObj = (n: number) => n % (objs.length + 2); // sometimes one past the end
  const comp = (n: number) => cp.components[n % cp.components.length];
  const pick = <T>(xs: T[], n: number): T | undefined => (xs.length === 0 ? undefined : xs[n % xs.length]);
  const of = <K extends ObjectRecord['kind']>(kind: K) => objs.filter((o): o is Extract<ObjectRecord, { kind: K }> => o.kind === kind);
  const regions = of('regionmap').flatMap((r) => r.regions);
  const threads = cp.components.flatMap((c, ci) => c.threads.map((t) => ({ ci, t })));
  switch (m.kind % 16) {
    case 0: { const cap = pick(comp(m.a).caps, m.b); if (cap) cap.object = anyObj(m.c); break; }
    case 1: { const cap = pick(comp(m.a).caps, m.b); if (cap) cap.rights = m.c % 8; break; }
    case 2: { const c = comp(m.a); const used = new Set(c.caps.map((x) => x.slot)); const slot = 1 + (m.b % 255);
      if (!used.has(slot)) c.caps.push({ slot, object: anyObj(m.c), rights: 7, badge: 0 }); break; }
    case 3: { const r = pick(regions, m.a); if (r) r.target = anyObj(m.b); break; }
    case 4: { const r = pick(regions, m.a); if (r) { r.writable = (m.b & 1) === 1; r.executable = (m.b & 2) === 2; } break; }
    case 5: { const r = pick(regions, m.a); if (r) r.base = (m.b % 0x80000) * 4096; break; }
    case 6: { const d = pick(of('dataspace'), m.a); if (d) d.owner = m.b % cp.components.length; break; }
    case 7: { const s = pick(of('session'), m.a); if (s) s.component = m.b % cp.components.length; break; }
    case 8: { const t = pick(threads, m.a); if (t) t.t.state = m.b % 5; break; }
    case 9: { const rx = pick(of('receiver'), m.a); const t = pick(threads, m.b); if (rx && t) rx.waiters.push([t.ci, t.t.index]); break; }
    case 10: { const r = pick(cp.shm, m.a); if (r) r.charged = m.b % cp.components.length; break; }
    case 11: { const t = pick(cp.tracking?.managed ?? [], m.a); if (t) { if (m.c % 2 === 0) t.rm = anyObj(m.b); else { const d = pick(t.designated, m.b); if (d) d.ds = anyObj(m.c); } } break; }
    case 12: { const x = pick(of('context'), m.a); if (x) x.receiver = anyObj(m.b); break; }
    case 13: { const s = pick(of('session').filter((o) => o.timer !== undefined), m.a); if (s?.timer) s.timer.context = anyObj(m.b); break; }
    case 14: { const c = comp(m.a); if (c.routes && c.routes.length > 0) c.routes.splice(m.b % c.routes.length, 1); break; }
    case 15: { const s = pick(of('session'), m.a); if (s) s.label = ['init -> x', '\u001b[2J', 'a\nb', ''][m.b % 4]; break; }
  }
}

const mutation = fc.record({ kind: fc.nat(), a: fc.nat(), b: fc.nat(), c: fc.nat() });

describe('crafted images (property)', () => {
  it('every base checkpoint restores and grants nothing beyond its sessions (control)', () => {
    for (const [file, ns, g] of BASES) {
      const d = decodeImage(encodeImage({ kind: 'full', sequence: 0 }, real(file, ns, g)));
      if (!d.ok) throw new Error(d.error);
      const r = Rtcr.restore([d.image]);
      expect(r.ok ? 'ok' : `${file}: ${r.error}`).toBe('ok');
      if (!r.ok) continue;
      expect(grantViolations(r.rtcr.init, r.rtcr.interposition.tracker)).toEqual([]);
      expect(regionViolations(r.rtcr.init)).toEqual([]);
    }
  });

  it('a crafted image is refused cleanly, or restores to no more than its sessions grant', () => {
    let refused = 0;
    let restored = 0;
    fc.assert(fc.property(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (bi, ms) => {
      const [file, ns, g] = BASES[bi % BASES.length];
      const cp = real(file, ns, g);
      for (const m of ms) mutate(cp, m);
      const d = decodeImage(encodeImage({ kind: 'full', sequence: 0 }, cp));
      if (!d.ok) { refused++; return; } // the schema refused it (names the field)
      const r = Rtcr.restore([d.image]);
      if (!r.ok) {
        refused++;
        expect(r.error).not.toContain('\n');
        return;
      }
      restored++;
      expect(grantViolations(r.rtcr.init, r.rtcr.interposition.tracker)).toEqual([]);
      expect(regionViolations(r.rtcr.init)).toEqual([]);
    }), { seed: 20261204, numRuns: 80 });
    expect(refused).toBeGreaterThan(0);
    console.log(`crafted images: ${refused} refused, ${restored} restored within their grants`);
  }, 120_000);
});
