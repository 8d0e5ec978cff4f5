import { describe, expect, it } from 'vitest';
import type { IrqLine } from '../../src/dev/irq';
import { Plic, PLIC_CLAIM, PLIC_CONTEXT, PLIC_CONTEXT_STRIDE, PLIC_ENABLE, PLIC_ENABLE_STRIDE, PLIC_PENDING } from '../../src/dev/plic';

/** An interrupt line that records every set() call. */
class RecordingLine implements IrqLine {
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.calls.push(level);
  }
  get level(): boolean {
    return this.calls.length > 0 && this.calls[this.calls.length - 1];
  }
}

const M = 0;
const S = 1;
const prio = (n: number) => 4 * n;
const enable = (ctx: number) => PLIC_ENABLE + PLIC_ENABLE_STRIDE * ctx;
const threshold = (ctx: number) => PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * ctx;
const claimReg = (ctx: number) => PLIC_CONTEXT + PLIC_CONTEXT_STRIDE * ctx + PLIC_CLAIM;

function make() {
  const meip = new RecordingLine();
  const seip = new RecordingLine();
  const plic = new Plic([meip, seip]);
  return { plic, meip, seip };
}

/** Enables `ids` for ctx with priority p each. */
function arm(plic: Plic, ctx: number, ids: number[], p = 1): void {
  let mask = plic.read(enable(ctx), 4);
  for (const id of ids) {
    plic.write(prio(id), 4, p);
    mask |= 1 << id;
  }
  plic.write(enable(ctx), 4, mask >>> 0);
}

describe('Plic registers', () => {
  it('priorities keep 3 bits; source 0 and sources above 31 read 0', () => {
    const { plic } = make();
    plic.write(prio(1), 4, 0xff);
    plic.write(prio(31), 4, 5);
    plic.write(prio(0), 4, 7);
    plic.write(prio(32), 4, 7);
    expect(plic.read(prio(1), 4)).toBe(7);
    expect(plic.read(prio(31), 4)).toBe(5);
    expect(plic.read(prio(0), 4)).toBe(0);
    expect(plic.read(prio(32), 4)).toBe(0);
  });

  it('enable words: bit 0 is hardwired 0, other words and contexts read 0', () => {
    const { plic } = make();
    plic.write(enable(M), 4, 0xffffffff);
    plic.write(enable(S), 4, 0x00000402);
    plic.write(enable(M) + 4, 4, 0xffffffff);
    plic.write(enable(2), 4, 0xffffffff);
    expect(plic.read(enable(M), 4)).toBe(0xfffffffe);
    expect(plic.read(enable(S), 4)).toBe(0x402);
    expect(plic.read(enable(M) + 4, 4)).toBe(0);
    expect(plic.read(enable(2), 4)).toBe(0);
  });

  it('thresholds keep 3 bits, per context', () => {
    const { plic } = make();
    plic.write(threshold(M), 4, 0xf3);
    plic.write(threshold(S), 4, 6);
    expect(plic.read(threshold(M), 4)).toBe(3);
    expect(plic.read(threshold(S), 4)).toBe(6);
    expect(plic.read(threshold(2), 4)).toBe(0);
  });

  it('pending is read-only to the guest', () => {
    const { plic } = make();
    plic.write(PLIC_PENDING, 4, 0xffffffff);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0);
    plic.setSource(3, true);
    plic.write(PLIC_PENDING, 4, 0);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 3);
  });

  it('only aligned 32-bit accesses are decoded', () => {
    const { plic } = make();
    plic.write(prio(1), 1, 5);
    plic.write(prio(2) + 1, 4, 5);
    expect(plic.read(prio(1), 4)).toBe(0);
    plic.write(prio(1), 4, 5);
    expect(plic.read(prio(1), 1)).toBe(0);
    expect(plic.read(prio(1), 2)).toBe(0);
    // A byte read of the claim register does not claim.
    arm(plic, M, [4]);
    plic.setSource(4, true);
    expect(plic.read(claimReg(M), 1)).toBe(0);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 4);
  });

  it('unmapped offsets read 0 and ignore writes', () => {
    const { plic, meip, seip } = make();
    for (const off of [0x1004, 0x1ffc, 0x2100, 0x1f_fffc, PLIC_CONTEXT + 8, PLIC_CONTEXT + 2 * PLIC_CONTEXT_STRIDE, 0x3ff_fffc]) {
      plic.write(off, 4, 0xffffffff);
      expect(plic.read(off, 4)).toBe(0);
    }
    expect(plic.saveState()).toEqual(make().plic.saveState());
    expect(meip.calls).toEqual([]);
    expect(seip.calls).toEqual([]);
  });
});

describe('Plic claim/complete', () => {
  it('a high enabled source with priority > threshold raises the context line', () => {
    const { plic, meip, seip } = make();
    arm(plic, M, [10], 1);
    plic.setSource(10, true);
    expect(meip.calls).toEqual([true]);
    expect(seip.calls).toEqual([]);
    expect(plic.outputHigh(M)).toBe(true);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 10);
    expect(plic.read(claimReg(M), 4)).toBe(10);
    expect(meip.calls).toEqual([true, false]);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0);
    expect(plic.read(claimReg(M), 4)).toBe(0); // nothing left
  });

  it('priority 0 never interrupts', () => {
    const { plic, meip } = make();
    arm(plic, M, [5], 0);
    plic.setSource(5, true);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 5);
    expect(meip.calls).toEqual([]);
    expect(plic.read(claimReg(M), 4)).toBe(0);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 5);
  });

  it('threshold: only priorities strictly above it interrupt', () => {
    const { plic, meip } = make();
    arm(plic, M, [5], 3);
    plic.write(threshold(M), 4, 3);
    plic.setSource(5, true);
    expect(meip.calls).toEqual([]);
    expect(plic.peekClaim(M)).toBe(0);
    plic.write(threshold(M), 4, 2);
    expect(meip.calls).toEqual([true]);
    plic.write(threshold(M), 4, 7);
    expect(meip.calls).toEqual([true, false]);
    plic.write(prio(5), 4, 7);
    expect(meip.level).toBe(false);
    plic.write(threshold(M), 4, 6);
    expect(meip.level).toBe(true);
  });

  it('claims the highest priority first, ties go to the lowest id', () => {
    const { plic } = make();
    arm(plic, M, [3, 7, 9, 20], 2);
    plic.write(prio(20), 4, 5);
    for (const n of [3, 7, 9, 20]) plic.setSource(n, true);
    expect(plic.read(claimReg(M), 4)).toBe(20);
    expect(plic.read(claimReg(M), 4)).toBe(3);
    expect(plic.read(claimReg(M), 4)).toBe(7);
    expect(plic.read(claimReg(M), 4)).toBe(9);
    expect(plic.read(claimReg(M), 4)).toBe(0);
  });

  it('source 31 works', () => {
    const { plic } = make();
    arm(plic, S, [31], 7);
    plic.setSource(31, true);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0x80000000);
    expect(plic.read(claimReg(S), 4)).toBe(31);
    plic.write(claimReg(S), 4, 31);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0x80000000); // still high: re-sampled
  });

  it('enable is per context: each context sees only its sources', () => {
    const { plic, meip, seip } = make();
    arm(plic, M, [1]);
    arm(plic, S, [2]);
    plic.setSource(2, true);
    expect(meip.calls).toEqual([]);
    expect(seip.calls).toEqual([true]);
    expect(plic.read(claimReg(M), 4)).toBe(0);
    expect(plic.read(claimReg(S), 4)).toBe(2);
    expect(seip.level).toBe(false);
  });

  it('a source enabled in both contexts is claimed once, and lowers both lines', () => {
    const { plic, meip, seip } = make();
    arm(plic, M, [6]);
    arm(plic, S, [6]);
    plic.setSource(6, true);
    expect(meip.level && seip.level).toBe(true);
    expect(plic.read(claimReg(S), 4)).toBe(6);
    expect(meip.level || seip.level).toBe(false);
    expect(plic.read(claimReg(M), 4)).toBe(0);
    // Completing from M (where 6 is enabled too) ends in-service.
    plic.setSource(6, false);
    plic.write(claimReg(M), 4, 6);
    expect(plic.saveState().claimed).toBe(0);
  });

  it('level-triggered: no new request while in service; complete re-samples the level', () => {
    const { plic, meip } = make();
    arm(plic, M, [10]);
    plic.setSource(10, true);
    expect(plic.read(claimReg(M), 4)).toBe(10);
    // Still high and toggling while in service: nothing is forwarded.
    plic.setSource(10, false);
    plic.setSource(10, true);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0);
    expect(meip.level).toBe(false);
    plic.write(claimReg(M), 4, 10);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 10);
    expect(meip.level).toBe(true);
    // Claim again, drop the line, complete: nothing pending any more.
    expect(plic.read(claimReg(M), 4)).toBe(10);
    plic.setSource(10, false);
    plic.write(claimReg(M), 4, 10);
    expect(plic.read(PLIC_PENDING, 4)).toBe(0);
    expect(meip.level).toBe(false);
  });

  it('a pending request stays pending when the source drops before the claim', () => {
    const { plic, meip } = make();
    arm(plic, M, [4]);
    plic.setSource(4, true);
    plic.setSource(4, false);
    expect(plic.read(PLIC_PENDING, 4)).toBe(1 << 4);
    expect(meip.level).toBe(true);
    expect(plic.read(claimReg(M), 4)).toBe(4);
  });

  it('a request while disabled is pending and interrupts once enabled', () => {
    const { plic, meip } = make();
    plic.write(prio(8), 4, 1);
    plic.setSource(8, true);
    expect(meip.calls).toEqual([]);
    plic.write(enable(M), 4, 1 << 8);
    expect(meip.calls).toEqual([true]);
    plic.write(enable(M), 4, 0);
    expect(meip.calls).toEqual([true, false]);
  });

  it('complete is ignored for a source not enabled in that context', () => {
    const { plic } = make();
    arm(plic, M, [10]);
    plic.setSource(10, true);
    expect(plic.read(claimReg(M), 4)).toBe(10);
    plic.write(claimReg(S), 4, 10); // not enabled for S
    expect(plic.saveState().claimed).toBe(1 << 10);
    plic.write(enable(M), 4, 0);
    plic.write(claimReg(M), 4, 10); // disabled now
    expect(plic.saveState().claimed).toBe(1 << 10);
    plic.write(enable(M), 4, 1 << 10);
    plic.write(claimReg(M), 4, 10);
    expect(plic.saveState().claimed).toBe(0);
  });

  it('complete of ids that are out of range or not in service does nothing', () => {
    const { plic } = make();
    arm(plic, M, [1, 2]);
    plic.setSource(1, true);
    const before = plic.saveState();
    for (const id of [0, 2, 32, 0xffffffff]) plic.write(claimReg(M), 4, id);
    expect(plic.saveState()).toEqual(before);
  });

  it('peek of claim does not claim, and peek equals read elsewhere', () => {
    const { plic, meip } = make();
    arm(plic, M, [9], 4);
    plic.write(threshold(M), 4, 1);
    plic.setSource(9, true);
    const before = plic.saveState();
    expect(plic.peek(claimReg(M), 4)).toBe(9);
    expect(plic.peekClaim(M)).toBe(9);
    expect(plic.saveState()).toEqual(before);
    expect(meip.calls).toEqual([true]);
    for (const off of [prio(9), PLIC_PENDING, enable(M), threshold(M)]) {
      expect(plic.peek(off, 4)).toBe(plic.read(off, 4));
    }
  });

  it('setSource ignores out-of-range sources; sourceLine rejects them', () => {
    const { plic } = make();
    const before = plic.saveState();
    plic.setSource(0, true);
    plic.setSource(32, true);
    plic.setSource(-1, true);
    plic.setSource(1.5, true);
    expect(plic.saveState()).toEqual(before);
    expect(() => plic.sourceLine(0)).toThrow(RangeError);
    expect(() => plic.sourceLine(32)).toThrow(RangeError);
    const line = plic.sourceLine(10);
    line.set(true);
    expect(plic.saveState().levels).toBe(1 << 10);
    expect(plic.saveState().pending).toBe(1 << 10);
  });
});

describe('Plic state', () => {
  it('round-trips pending/claimed/enable/priority/threshold and re-drives outputs', () => {
    const a = make();
    arm(a.plic, M, [3, 10], 2);
    arm(a.plic, S, [5], 6);
    a.plic.write(threshold(S), 4, 1);
    a.plic.setSource(10, true);
    a.plic.setSource(3, true);
    expect(a.plic.read(claimReg(M), 4)).toBe(3);
    a.plic.setSource(5, true);
    const s = a.plic.saveState();
    expect(s.pending).toBe((1 << 10) | (1 << 5));
    expect(s.claimed).toBe(1 << 3);
    const b = make();
    expect(b.plic.loadState(s)).toEqual({ ok: true });
    expect(b.meip.calls).toEqual([true]);
    expect(b.seip.calls).toEqual([true]);
    expect(b.plic.saveState()).toEqual(s);
    // The restored PLIC behaves like the original.
    expect(b.plic.read(claimReg(M), 4)).toBe(10);
    b.plic.write(claimReg(M), 4, 3);
    expect(b.plic.read(PLIC_PENDING, 4)).toBe((1 << 3) | (1 << 5)); // 3 is still high
  });

  it('loadState rejects malformed state and changes nothing', () => {
    const { plic } = make();
    arm(plic, M, [2]);
    const good = plic.saveState();
    const bad = [
      { ...good, priority: good.priority.slice(1) },
      { ...good, priority: good.priority.map(() => 8) },
      { ...good, priority: [1, ...good.priority.slice(1)] },
      { ...good, pending: 1 },
      { ...good, claimed: -2 },
      { ...good, levels: 2 ** 32 },
      { ...good, enable: [0] },
      { ...good, enable: [1, 0] },
      { ...good, threshold: [0, 8] },
    ];
    for (const s of bad) {
      const r = plic.loadState(s);
      expect(r.ok).toBe(false);
      expect(r.ok === false && r.error).toMatch(/^plic state: /);
    }
    expect(plic.saveState()).toEqual(good);
  });

  it('reset clears everything and lowers both lines', () => {
    const { plic, meip, seip } = make();
    arm(plic, M, [2]);
    plic.setSource(2, true);
    plic.reset();
    expect(meip.level).toBe(false);
    expect(seip.calls).toEqual([false]);
    expect(plic.saveState()).toEqual(make().plic.saveState());
  });
});
