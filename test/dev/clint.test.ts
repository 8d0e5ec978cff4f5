import { describe, expect, it } from 'vitest';
import { Clint, CLINT_MSIP, CLINT_MTIME, CLINT_MTIMECMP } from '../../src/dev/clint';
import type { Clock, IrqLine } from '../../src/dev/irq';

/** A clock whose cycle count the test sets directly. */
class FakeClock implements Clock {
  now = 0;
  cycles(): number {
    return this.now;
  }
}

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

function make(cyclesPerTick = 10) {
  const clock = new FakeClock();
  const msip = new RecordingLine();
  const mtip = new RecordingLine();
  const clint = new Clint(clock, cyclesPerTick, { msip, mtip });
  return { clock, msip, mtip, clint };
}

function setCmp(clint: Clint, v: number): void {
  clint.write(CLINT_MTIMECMP, 4, v % 2 ** 32);
  clint.write(CLINT_MTIMECMP + 4, 4, Math.floor(v / 2 ** 32));
}

describe('Clint', () => {
  it('rejects a non-positive or fractional cyclesPerTick', () => {
    const clock = new FakeClock();
    const l = { msip: new RecordingLine(), mtip: new RecordingLine() };
    expect(() => new Clint(clock, 0, l)).toThrow(RangeError);
    expect(() => new Clint(clock, 1.5, l)).toThrow(RangeError);
    expect(() => new Clint(clock, -3, l)).toThrow(RangeError);
  });

  it('resets mtimecmp to all ones so MTIP is low', () => {
    const { clint, mtip, clock } = make();
    expect(clint.read(CLINT_MTIMECMP, 4)).toBe(0xffffffff);
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(0xffffffff);
    clock.now = 1e15;
    clint.update();
    expect(mtip.calls).toEqual([]);
    expect(clint.nextEventCycle()).toBe(Infinity);
  });

  it('msip: bit 0 only, drives the MSIP line on changes', () => {
    const { clint, msip } = make();
    expect(clint.read(CLINT_MSIP, 4)).toBe(0);
    clint.write(CLINT_MSIP, 4, 0xfffffffe);
    expect(clint.read(CLINT_MSIP, 4)).toBe(0);
    expect(msip.calls).toEqual([]);
    clint.write(CLINT_MSIP, 4, 3);
    expect(clint.read(CLINT_MSIP, 4)).toBe(1);
    clint.write(CLINT_MSIP, 4, 1);
    clint.write(CLINT_MSIP, 1, 0);
    expect(msip.calls).toEqual([true, false]);
  });

  it('mtime is floor(cycles / cyclesPerTick)', () => {
    const { clint, clock } = make(10);
    expect(clint.read(CLINT_MTIME, 4)).toBe(0);
    clock.now = 9;
    expect(clint.read(CLINT_MTIME, 4)).toBe(0);
    clock.now = 10;
    expect(clint.read(CLINT_MTIME, 4)).toBe(1);
    clock.now = 10 * (2 ** 32 + 5) + 7;
    expect(clint.read(CLINT_MTIME, 4)).toBe(5);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(1);
    expect(clint.timeLo()).toBe(5);
    expect(clint.timeHi()).toBe(1);
    expect(clint.mtime()).toBe(2 ** 32 + 5);
  });

  it('writing mtime moves the offset; time keeps running from there', () => {
    const { clint, clock } = make(4);
    clock.now = 400; // 100 ticks
    clint.write(CLINT_MTIME, 4, 7);
    expect(clint.read(CLINT_MTIME, 4)).toBe(7);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0);
    clock.now = 404;
    expect(clint.read(CLINT_MTIME, 4)).toBe(8);
    clint.write(CLINT_MTIME + 4, 4, 0xabcd);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0xabcd);
    expect(clint.read(CLINT_MTIME, 4)).toBe(8);
  });

  it('mtime wraps mod 2^64 exactly', () => {
    const { clint, clock } = make(1);
    clint.write(CLINT_MTIME, 4, 0xfffffffe);
    clint.write(CLINT_MTIME + 4, 4, 0xffffffff);
    expect(clint.read(CLINT_MTIME, 4)).toBe(0xfffffffe);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0xffffffff);
    clock.now = 1;
    expect(clint.read(CLINT_MTIME, 4)).toBe(0xffffffff);
    clock.now = 2;
    expect(clint.read(CLINT_MTIME, 4)).toBe(0);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0);
    clock.now = 3;
    expect(clint.read(CLINT_MTIME, 4)).toBe(1);
  });

  it('byte and halfword access to the 64-bit registers', () => {
    const { clint } = make();
    setCmp(clint, 0);
    clint.write(CLINT_MTIMECMP + 1, 1, 0x12);
    clint.write(CLINT_MTIMECMP + 6, 2, 0xbeef);
    expect(clint.read(CLINT_MTIMECMP, 4)).toBe(0x1200);
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(0xbeef0000);
    expect(clint.read(CLINT_MTIMECMP + 1, 1)).toBe(0x12);
    expect(clint.read(CLINT_MTIMECMP + 6, 2)).toBe(0xbeef);
    expect(clint.read(CLINT_MTIMECMP + 7, 1)).toBe(0xbe);
    // A misaligned word spanning the two halves.
    clint.write(CLINT_MTIMECMP + 2, 4, 0xa1b2c3d4);
    expect(clint.read(CLINT_MTIMECMP, 4)).toBe(0xc3d41200);
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(0xbeefa1b2);
    expect(clint.read(CLINT_MTIMECMP + 2, 4)).toBe(0xa1b2c3d4);
    clint.write(CLINT_MTIME + 4, 1, 0x55);
    expect(clint.read(CLINT_MTIME + 4, 4)).toBe(0x55);
    expect(clint.read(CLINT_MTIME + 4, 2)).toBe(0x55);
  });

  it('unmapped offsets read 0 and ignore writes', () => {
    const { clint, msip, mtip } = make();
    for (const off of [4, 0x3ffc, 0x4008, 0xbff0, 0xfffc]) {
      clint.write(off, 4, 0xffffffff);
      expect(clint.read(off, 4)).toBe(0);
      expect(clint.peek(off, 4)).toBe(0);
    }
    expect(msip.calls).toEqual([]);
    expect(mtip.calls).toEqual([]);
  });

  it('MTIP rises exactly when mtime reaches mtimecmp (writes update at once)', () => {
    const { clint, clock, mtip } = make(10);
    setCmp(clint, 5);
    expect(mtip.calls).toEqual([]);
    clock.now = 49;
    clint.update();
    expect(mtip.level).toBe(false);
    clock.now = 50;
    clint.update();
    expect(mtip.calls).toEqual([true]);
    clint.update();
    expect(mtip.calls).toEqual([true]); // no duplicate edges
    setCmp(clint, 6); // moving mtimecmp past mtime lowers it immediately
    expect(mtip.calls).toEqual([true, false]);
    setCmp(clint, 5);
    expect(mtip.calls).toEqual([true, false, true]);
    clint.write(CLINT_MTIME, 4, 0); // writing mtime back also lowers it
    expect(mtip.calls).toEqual([true, false, true, false]);
  });

  it('compares the high halves first (0x1_00000000 > 0xffffffff)', () => {
    const { clint, mtip } = make(1);
    clint.write(CLINT_MTIMECMP + 4, 4, 1);
    clint.write(CLINT_MTIMECMP, 4, 0);
    clint.write(CLINT_MTIME, 4, 0xffffffff);
    expect(mtip.level).toBe(false);
    clint.write(CLINT_MTIME + 4, 4, 1);
    expect(mtip.level).toBe(true);
  });

  it('nextEventCycle is the exact first cycle of the crossing', () => {
    const { clint, clock, mtip } = make(7);
    clock.now = 3;
    setCmp(clint, 10);
    expect(clint.nextEventCycle()).toBe(70);
    clock.now = 69;
    clint.update();
    expect(mtip.level).toBe(false);
    expect(clint.nextEventCycle()).toBe(70);
    clock.now = 70;
    expect(clint.nextEventCycle()).toBe(Infinity); // the condition holds now
    clint.update();
    expect(mtip.level).toBe(true);
    expect(clint.nextEventCycle()).toBe(Infinity);
  });

  it('nextEventCycle accounts for the mtime offset and large values', () => {
    const { clint, clock } = make(3);
    clock.now = 30; // 10 ticks
    clint.write(CLINT_MTIME + 4, 4, 2);
    clint.write(CLINT_MTIME, 4, 0); // mtime = 2^33 at tick 10
    setCmp(clint, 2 ** 33 + 100);
    expect(clint.nextEventCycle()).toBe(3 * 110);
    setCmp(clint, 2 ** 33 + 2 ** 40);
    expect(clint.nextEventCycle()).toBe(3 * (10 + 2 ** 40));
    // Out of reach of a clock below 2^53.
    clint.write(CLINT_MTIMECMP + 4, 4, 0xffffffff);
    expect(clint.nextEventCycle()).toBe(Infinity);
  });

  it('nextEventCycle agrees with update() over a sweep', () => {
    for (const cpt of [1, 2, 3, 10]) {
      const { clint, clock, mtip } = make(cpt);
      clock.now = 5;
      setCmp(clint, 13);
      const ev = clint.nextEventCycle();
      for (let c = 5; c <= ev; c++) {
        clock.now = c;
        clint.update();
        expect(mtip.level).toBe(c >= ev);
      }
    }
  });

  it('peek equals read and has no side effect', () => {
    const { clint, clock } = make(2);
    clock.now = 1234;
    setCmp(clint, 0x1_2345_6789);
    for (const off of [0, CLINT_MTIMECMP, CLINT_MTIMECMP + 4, CLINT_MTIME, CLINT_MTIME + 4]) {
      expect(clint.peek(off, 4)).toBe(clint.read(off, 4));
    }
    const before = clint.saveState();
    clint.peek(CLINT_MTIME, 4);
    expect(clint.saveState()).toEqual(before);
  });

  it('saveState/loadState round-trip and re-drive the lines', () => {
    const a = make(5);
    a.clock.now = 500;
    a.clint.write(CLINT_MTIME, 4, 1000);
    setCmp(a.clint, 900);
    a.clint.write(CLINT_MSIP, 4, 1);
    const s = a.clint.saveState();
    expect(s.mtip).toBe(1);
    const b = make(5);
    b.clock.now = 500;
    expect(b.clint.loadState(s)).toEqual({ ok: true });
    expect(b.msip.calls).toEqual([true]);
    expect(b.mtip.calls).toEqual([true]);
    expect(b.clint.read(CLINT_MTIME, 4)).toBe(1000);
    expect(b.clint.read(CLINT_MTIMECMP, 4)).toBe(900);
    expect(b.clint.saveState()).toEqual(s);
  });

  it('loadState rejects malformed state and changes nothing', () => {
    const { clint } = make(5);
    const good = clint.saveState();
    expect(clint.loadState({ ...good, cyclesPerTick: 6 }).ok).toBe(false);
    expect(clint.loadState({ ...good, msip: 2 }).ok).toBe(false);
    expect(clint.loadState({ ...good, offsetHi: 2 ** 32 }).ok).toBe(false);
    expect(clint.loadState({ ...good, mtimecmpLo: -1 }).ok).toBe(false);
    const r = clint.loadState({ ...good, mtimecmpLo: 1.5 });
    expect(r.ok === false && r.error).toMatch(/mtimecmpLo/);
    expect(clint.saveState()).toEqual(good);
  });

  it('reset restores power-on values and lowers both lines', () => {
    const { clint, msip, mtip } = make(1);
    clint.write(CLINT_MSIP, 4, 1);
    setCmp(clint, 0);
    clint.write(CLINT_MTIME, 4, 99);
    clint.reset();
    expect(msip.level).toBe(false);
    expect(mtip.level).toBe(false);
    expect(clint.read(CLINT_MTIME, 4)).toBe(0);
    expect(clint.read(CLINT_MTIMECMP + 4, 4)).toBe(0xffffffff);
  });
});
