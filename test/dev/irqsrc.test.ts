// The IRQ source device: registers, one-shot and periodic channels at exact cycles, acknowledge,
// counting, nextEventCycle, peek, state round trip and refusal; then on the board, a bare-metal
// program taking its interrupts through the PLIC in M-mode.

import { describe, expect, it } from 'vitest';
import type { Clock, IrqLine } from '../../src/dev/irq';
import {
  IrqSource, IRQSRC_ACK, IRQSRC_CONTROL, IRQSRC_COUNT, IRQSRC_CTRL_ENABLE, IRQSRC_CTRL_PERIODIC, IRQSRC_ID,
  IRQSRC_MAGIC, IRQSRC_NCHANNELS, IRQSRC_PERIOD, IRQSRC_STATUS, IRQSRC_STATUS_ARMED, IRQSRC_STATUS_PENDING,
  IRQSRC_STRIDE, type IrqSourceState,
} from '../../src/dev/irqsrc';
import { Machine } from '../../src/dev/machine';
import { IRQSRC_BASE, IRQSRC_CHANNELS, IRQSRC_IRQ_BASE, IRQSRC_SIZE, UART_IRQ } from '../../src/dev/memlayout';
import { assemble } from '../helpers/run';

class FakeClock implements Clock {
  now = 0;
  cycles(): number {
    return this.now;
  }
}

class RecordingLine implements IrqLine {
  readonly calls: boolean[] = [];
  set(level: boolean): void {
    this.calls.push(level);
  }
  get level(): boolean {
    return this.calls.length > 0 && this.calls[this.calls.length - 1];
  }
}

const CPT = 10; // cycles per tick

function make(cyclesPerTick = CPT) {
  const clock = new FakeClock();
  const lines = Array.from({ length: IRQSRC_CHANNELS }, () => new RecordingLine());
  const dev = new IrqSource(clock, cyclesPerTick, lines);
  return { clock, lines, dev };
}

const reg = (ch: number, r: number) => ch * IRQSRC_STRIDE + r;
const ENABLE = IRQSRC_CTRL_ENABLE;
const PERIODIC = IRQSRC_CTRL_PERIODIC;
const PENDING = IRQSRC_STATUS_PENDING;
const ARMED = IRQSRC_STATUS_ARMED;

/** Every readable register of the device, through peek. */
function snapshot(dev: IrqSource): number[] {
  const out: number[] = [];
  for (let off = 0; off < IRQSRC_SIZE; off += 4) out.push(dev.peek(off, 4));
  return out;
}

describe('IrqSource: registers', () => {
  it('rejects a bad cyclesPerTick or the wrong number of lines (wiring bugs)', () => {
    const clock = new FakeClock();
    const lines = Array.from({ length: IRQSRC_CHANNELS }, () => new RecordingLine());
    expect(() => new IrqSource(clock, 0, lines)).toThrow(RangeError);
    expect(() => new IrqSource(clock, 2.5, lines)).toThrow(RangeError);
    expect(() => new IrqSource(clock, 10, lines.slice(1))).toThrow(RangeError);
  });

  it('power-on: everything 0, ID and CHANNELS, no event, lines untouched', () => {
    const { dev, lines } = make();
    for (let ch = 0; ch < IRQSRC_CHANNELS; ch++) {
      for (const r of [IRQSRC_CONTROL, IRQSRC_PERIOD, IRQSRC_COUNT, IRQSRC_STATUS, IRQSRC_ACK]) expect(dev.read(reg(ch, r), 4)).toBe(0);
    }
    expect(dev.read(IRQSRC_ID, 4)).toBe(IRQSRC_MAGIC);
    expect(dev.read(IRQSRC_ID, 4)).toBe(0x53515249);
    expect(dev.read(IRQSRC_NCHANNELS, 4)).toBe(4);
    expect(dev.nextEventCycle()).toBe(Infinity);
    expect(lines.every((l) => l.calls.length === 0)).toBe(true);
  });

  it('CONTROL keeps bits 0-1 only; PERIOD is 32 bits; COUNT and STATUS are read-only', () => {
    const { dev } = make();
    dev.write(reg(1, IRQSRC_PERIOD), 4, 0xffff_ffff);
    expect(dev.read(reg(1, IRQSRC_PERIOD), 4)).toBe(0xffff_ffff);
    dev.write(reg(1, IRQSRC_CONTROL), 4, 0xffff_fffc | PERIODIC);
    expect(dev.read(reg(1, IRQSRC_CONTROL), 4)).toBe(PERIODIC);
    dev.write(reg(1, IRQSRC_COUNT), 4, 123);
    dev.write(reg(1, IRQSRC_STATUS), 4, 3);
    expect(dev.read(reg(1, IRQSRC_COUNT), 4)).toBe(0);
    expect(dev.read(reg(1, IRQSRC_STATUS), 4)).toBe(0);
    dev.write(IRQSRC_ID, 4, 0);
    expect(dev.read(IRQSRC_ID, 4)).toBe(IRQSRC_MAGIC);
    // channels are independent
    expect(dev.read(reg(0, IRQSRC_PERIOD), 4)).toBe(0);
    expect(dev.read(reg(2, IRQSRC_PERIOD), 4)).toBe(0);
  });

  it('only aligned 32-bit accesses are decoded; the gaps and everything past the channels read 0', () => {
    const { dev } = make();
    dev.write(reg(0, IRQSRC_PERIOD), 2, 0x1234);
    dev.write(reg(0, IRQSRC_PERIOD) + 1, 4, 0x1234);
    dev.write(reg(0, IRQSRC_PERIOD), 1, 0x12);
    expect(dev.read(reg(0, IRQSRC_PERIOD), 4)).toBe(0);
    dev.write(reg(0, IRQSRC_PERIOD), 4, 0x1234_5678);
    expect(dev.read(reg(0, IRQSRC_PERIOD), 2)).toBe(0);
    expect(dev.read(reg(0, IRQSRC_PERIOD), 1)).toBe(0);
    expect(dev.read(reg(0, IRQSRC_PERIOD) + 2, 4)).toBe(0);
    for (const off of [0x14, 0x18, 0x1c, 0x80, 0xfc, 0x108, 0xffc]) {
      dev.write(off, 4, 0xffff_ffff);
      expect(dev.read(off, 4)).toBe(0);
    }
    expect(dev.nextEventCycle()).toBe(Infinity);
  });
});

describe('IrqSource: events in virtual time', () => {
  it('one-shot: fires once at (tick of the arming write + PERIOD) * cyclesPerTick, then disarms', () => {
    const { dev, clock, lines } = make();
    clock.now = 1234; // tick 123
    dev.write(reg(0, IRQSRC_PERIOD), 4, 50);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE);
    expect(dev.read(reg(0, IRQSRC_CONTROL), 4)).toBe(ENABLE);
    expect(dev.read(reg(0, IRQSRC_STATUS), 4)).toBe(ARMED);
    expect(dev.nextEventCycle()).toBe((123 + 50) * CPT);
    clock.now = 1729;
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(0);
    expect(lines[0].calls).toEqual([]);
    clock.now = 1730;
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(1);
    expect(dev.read(reg(0, IRQSRC_STATUS), 4)).toBe(PENDING);
    expect(dev.read(reg(0, IRQSRC_CONTROL), 4)).toBe(0);
    expect(lines[0].calls).toEqual([true]);
    expect(dev.lineHigh(0)).toBe(true);
    expect(dev.nextEventCycle()).toBe(Infinity);
    clock.now = 1e9;
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(1);
    expect(lines.slice(1).every((l) => l.calls.length === 0)).toBe(true);
  });

  it('periodic: fires every PERIOD ticks at exact cycles, nextEventCycle names each', () => {
    const { dev, clock, lines } = make();
    clock.now = 5; // tick 0
    dev.write(reg(2, IRQSRC_PERIOD), 4, 7);
    dev.write(reg(2, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    const fired: number[] = [];
    for (let k = 0; k < 20; k++) {
      const next = dev.nextEventCycle();
      clock.now = next - 1;
      dev.update();
      expect(dev.read(reg(2, IRQSRC_COUNT), 4)).toBe(k);
      clock.now = next;
      dev.update();
      expect(dev.read(reg(2, IRQSRC_COUNT), 4)).toBe(k + 1);
      fired.push(next);
      dev.write(reg(2, IRQSRC_ACK), 4, 1);
    }
    expect(fired).toEqual(Array.from({ length: 20 }, (_, k) => (k + 1) * 7 * CPT));
    expect(lines[2].calls).toEqual(Array.from({ length: 40 }, (_, i) => i % 2 === 0));
    expect(dev.read(reg(2, IRQSRC_STATUS), 4)).toBe(ARMED);
  });

  it('level: the line stays high while PENDING; further events count without re-driving it; ACK lowers it', () => {
    const { dev, clock, lines } = make();
    dev.write(reg(3, IRQSRC_PERIOD), 4, 10);
    dev.write(reg(3, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    for (let t = 1; t <= 3; t++) {
      clock.now = t * 100;
      dev.update();
    }
    expect(dev.read(reg(3, IRQSRC_COUNT), 4)).toBe(3);
    expect(lines[3].calls).toEqual([true]);
    expect(dev.read(reg(3, IRQSRC_STATUS), 4)).toBe(PENDING | ARMED);
    dev.write(reg(3, IRQSRC_ACK), 4, 0); // bit 0 clear: nothing
    dev.write(reg(3, IRQSRC_ACK), 4, 0xfffe);
    expect(dev.lineHigh(3)).toBe(true);
    dev.write(reg(3, IRQSRC_ACK), 4, 1);
    expect(lines[3].calls).toEqual([true, false]);
    expect(dev.read(reg(3, IRQSRC_STATUS), 4)).toBe(ARMED);
    dev.write(reg(3, IRQSRC_ACK), 4, 1); // nothing pending: no call
    expect(lines[3].calls).toEqual([true, false]);
    expect(dev.read(reg(3, IRQSRC_ACK), 4)).toBe(0);
  });

  it('an update that comes late counts every period that passed and keeps the phase', () => {
    const { dev, clock } = make();
    dev.write(reg(0, IRQSRC_PERIOD), 4, 10);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    clock.now = 100 * 4 + 55; // 4.55 periods
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(4);
    expect(dev.nextEventCycle()).toBe(500);
    clock.now = 500;
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(5);
  });

  it('re-arming restarts from now; disabling stops without touching PENDING; PERIOD 0 cannot be armed', () => {
    const { dev, clock, lines } = make();
    dev.write(reg(1, IRQSRC_PERIOD), 4, 10);
    dev.write(reg(1, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    clock.now = 100;
    dev.update();
    clock.now = 150;
    dev.write(reg(1, IRQSRC_CONTROL), 4, ENABLE | PERIODIC); // re-arm at tick 15
    expect(dev.nextEventCycle()).toBe(250);
    dev.write(reg(1, IRQSRC_CONTROL), 4, PERIODIC);
    expect(dev.nextEventCycle()).toBe(Infinity);
    expect(dev.read(reg(1, IRQSRC_STATUS), 4)).toBe(PENDING);
    expect(lines[1].level).toBe(true);
    clock.now = 10_000;
    dev.update();
    expect(dev.read(reg(1, IRQSRC_COUNT), 4)).toBe(1);
    dev.write(reg(1, IRQSRC_PERIOD), 4, 0);
    dev.write(reg(1, IRQSRC_CONTROL), 4, ENABLE);
    expect(dev.read(reg(1, IRQSRC_CONTROL), 4)).toBe(0);
    expect(dev.nextEventCycle()).toBe(Infinity);
  });

  it('PERIOD written while armed applies from the next re-arm; PERIOD 0 ends a periodic channel after its event', () => {
    const { dev, clock } = make();
    dev.write(reg(0, IRQSRC_PERIOD), 4, 10);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    dev.write(reg(0, IRQSRC_PERIOD), 4, 3);
    expect(dev.nextEventCycle()).toBe(100);
    clock.now = 100;
    dev.update();
    expect(dev.nextEventCycle()).toBe(130);
    dev.write(reg(0, IRQSRC_PERIOD), 4, 0);
    clock.now = 130;
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(2);
    expect(dev.read(reg(0, IRQSRC_CONTROL), 4)).toBe(PERIODIC);
    expect(dev.nextEventCycle()).toBe(Infinity);
  });

  it('nextEventCycle is the earliest channel; COUNT wraps at 2^32', () => {
    const { dev, clock } = make(1);
    dev.write(reg(0, IRQSRC_PERIOD), 4, 300);
    dev.write(reg(1, IRQSRC_PERIOD), 4, 200);
    dev.write(reg(3, IRQSRC_PERIOD), 4, 1);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE);
    dev.write(reg(1, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    expect(dev.nextEventCycle()).toBe(200);
    clock.now = 200;
    dev.update();
    expect(dev.nextEventCycle()).toBe(300);
    // COUNT wraps: a state with count 2^32 - 1, then two events
    const s = dev.saveState();
    s.channels[3] = { control: ENABLE | PERIODIC, period: 1, count: 0xffff_ffff, pending: 0, deadline: 201 };
    expect(dev.loadState(s)).toEqual({ ok: true });
    clock.now = 202;
    dev.update();
    expect(dev.read(reg(3, IRQSRC_COUNT), 4)).toBe(1);
  });

  it('an event beyond 2^53 cycles is never (Infinity)', () => {
    const { dev, clock } = make(2 ** 20);
    clock.now = 2 ** 53 - 2 ** 21;
    dev.write(reg(0, IRQSRC_PERIOD), 4, 0xffff_ffff);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE);
    expect(dev.read(reg(0, IRQSRC_STATUS), 4)).toBe(ARMED);
    expect(dev.nextEventCycle()).toBe(Infinity);
    dev.update();
    expect(dev.read(reg(0, IRQSRC_COUNT), 4)).toBe(0);
    expect(dev.loadState(dev.saveState())).toEqual({ ok: true }); // its own state is always accepted
  });

  it('peek and read have no side effects and agree', () => {
    const { dev, clock, lines } = make();
    dev.write(reg(0, IRQSRC_PERIOD), 4, 5);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    clock.now = 50;
    dev.update();
    const before = JSON.stringify(dev.saveState());
    const calls = lines.map((l) => l.calls.length);
    const a = snapshot(dev);
    for (let off = 0; off < IRQSRC_SIZE; off++) {
      for (const size of [1, 2, 4] as const) expect(dev.read(off, size)).toBe(dev.peek(off, size));
    }
    expect(snapshot(dev)).toEqual(a);
    expect(JSON.stringify(dev.saveState())).toBe(before);
    expect(lines.map((l) => l.calls.length)).toEqual(calls);
  });

  it('reset: everything back to power-on, lines driven low', () => {
    const { dev, clock, lines } = make();
    dev.write(reg(0, IRQSRC_PERIOD), 4, 5);
    dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    clock.now = 50;
    dev.update();
    dev.reset();
    expect(snapshot(dev)).toEqual(snapshot(make().dev));
    expect(lines.every((l) => l.level === false && l.calls.at(-1) === false)).toBe(true);
    expect(dev.nextEventCycle()).toBe(Infinity);
  });
});

describe('IrqSource: state', () => {
  function busy() {
    const m = make();
    m.dev.write(reg(0, IRQSRC_PERIOD), 4, 5);
    m.dev.write(reg(0, IRQSRC_CONTROL), 4, ENABLE | PERIODIC);
    m.dev.write(reg(2, IRQSRC_PERIOD), 4, 17);
    m.dev.write(reg(2, IRQSRC_CONTROL), 4, ENABLE);
    m.clock.now = 123;
    m.dev.update();
    return m;
  }

  it('round trip: a second device loaded with the state behaves identically from there on', () => {
    const a = busy();
    const s = a.dev.saveState();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const b = make();
    b.clock.now = a.clock.now;
    expect(b.dev.loadState(JSON.parse(JSON.stringify(s)) as IrqSourceState)).toEqual({ ok: true });
    expect(b.dev.saveState()).toEqual(s);
    expect(snapshot(b.dev)).toEqual(snapshot(a.dev));
    expect(b.lines.map((l) => l.level)).toEqual([true, false, false, false]);
    expect(b.lines.every((l) => l.calls.length === 1)).toBe(true); // every line driven once
    for (let k = 0; k < 10; k++) {
      expect(b.dev.nextEventCycle()).toBe(a.dev.nextEventCycle());
      a.clock.now = b.clock.now = a.dev.nextEventCycle();
      a.dev.update();
      b.dev.update();
      expect(snapshot(b.dev)).toEqual(snapshot(a.dev));
    }
    expect(a.dev.loadState(a.dev.saveState())).toEqual({ ok: true });
  });

  it('malformed state is refused with a message, changing nothing and never throwing', () => {
    const { dev, lines } = busy();
    const good = dev.saveState();
    const before = JSON.stringify(good);
    const calls = lines.map((l) => l.calls.length);
    const ch = (patch: Record<string, unknown>, i = 0) => {
      const s = JSON.parse(before) as { channels: Record<string, unknown>[] };
      s.channels[i] = { ...s.channels[i], ...patch };
      return s;
    };
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      [42, /not an object/],
      [[], /not an object/],
      [{ ...good, cyclesPerTick: 20 }, /cyclesPerTick 20 != 10/],
      [{ ...good, cyclesPerTick: undefined }, /cyclesPerTick/],
      [{ ...good, channels: good.channels.slice(1) }, /4 entries/],
      [{ ...good, channels: 'x' }, /4 entries/],
      [{ ...good, channels: [null, 1, 2, 3] }, /channels\[0\] is not an object/],
      [ch({ control: 4 }), /channels\[0\]\.control/],
      [ch({ control: -1 }), /control/],
      [ch({ control: 1.5 }), /control/],
      [ch({ period: 2 ** 32 }), /period/],
      [ch({ period: '5' }), /period/],
      [ch({ count: -1 }), /count/],
      [ch({ count: NaN }), /count/],
      [ch({ pending: 2 }), /pending/],
      [ch({ pending: true }), /pending/],
      [ch({ deadline: -1 }), /deadline/],
      [ch({ deadline: 0.5 }), /deadline/],
      [ch({ deadline: 2 ** 53 }), /deadline/],
      [ch({ deadline: Infinity }), /deadline/],
      [ch({ deadline: 7 }, 1), /channels\[1\]\.deadline must be 0 when the channel is not armed/],
      [ch({ control: 'x' }, 3), /channels\[3\]\.control/],
    ];
    for (const [s, msg] of bad) {
      const r = dev.loadState(s as IrqSourceState);
      expect(r.ok, JSON.stringify(s)).toBe(false);
      if (!r.ok) expect(r.error).toMatch(msg);
      expect(JSON.stringify(dev.saveState())).toBe(before);
      expect(lines.map((l) => l.calls.length)).toEqual(calls);
    }
  });
});

// ---------------------------------------------------------------- on the board

/**
 * Bare metal in M-mode: channel CH of the IRQ source fires every PERIOD ticks; the handler claims
 * from the PLIC (context 0), records mcycle, COUNT and the claimed id, acknowledges the device and
 * completes the claim. After N interrupts the program passes through the finisher.
 * The main loop either waits in WFI or spins.
 */
function boardProgram(ch: number, period: number, n: number, wait: 'wfi' | 'spin'): string {
  const src = IRQSRC_IRQ_BASE + ch;
  const chBase = IRQSRC_BASE + ch * IRQSRC_STRIDE;
  return `
  la t0, handler
  csrw mtvec, t0
  li s0, 0x0c000000         # PLIC
  li t0, 1
  sw t0, ${src * 4}(s0)     # priority 1
  li t1, 0x2000
  add t1, t1, s0
  li t0, ${1 << src}
  sw t0, 0(t1)              # enable for context 0
  li t0, 0x800
  csrs mie, t0              # MEIE
  csrsi mstatus, 8          # MIE
  la s3, log
  li s1, 0                  # interrupts taken
  li s4, ${chBase}
  li t0, ${period}
  sw t0, ${IRQSRC_PERIOD}(s4)
  li t0, ${ENABLE | PERIODIC}
  sw t0, ${IRQSRC_CONTROL}(s4)
  li s5, ${n}
1:
  ${wait === 'wfi' ? 'wfi' : 'addi s6, s6, 1'}
  bltu s1, s5, 1b
  sw zero, ${IRQSRC_CONTROL}(s4)
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
2: j 2b

.balign 4
handler:
  csrr t2, mcycle
  li t0, 0x0c200004
  lw t1, 0(t0)              # claim
  lw t3, ${IRQSRC_COUNT}(s4)
  sw t2, 0(s3)
  sw t3, 4(s3)
  sw t1, 8(s3)
  addi s3, s3, 12
  li t4, 1
  sw t4, ${IRQSRC_ACK}(s4)  # device: PENDING off, line low
  sw t1, 0(t0)              # complete
  addi s1, s1, 1
  mret

.data
.balign 4
log: .space ${12 * n}
`;
}

function runBoard(ch: number, period: number, n: number, wait: 'wfi' | 'spin', trace = false) {
  const { elf, symbols } = assemble(boardProgram(ch, period, n, wait));
  const m = new Machine({ ramSize: 1 << 20 });
  expect(m.loadElf(elf).ok).toBe(true);
  const result = m.run({ maxInsns: 5_000_000, trace: trace ? () => {} : undefined });
  const logAt = symbols.get('log')!;
  const entries: { cycle: number; count: number; id: number }[] = [];
  for (let i = 0; i < n; i++) {
    const w = (k: number) => m.bus.peek(logAt + 12 * i + 4 * k, 4)!;
    entries.push({ cycle: w(0), count: w(1), id: w(2) });
  }
  return { m, result, entries };
}

describe('IrqSource on the board (bare metal, M-mode, PLIC context 0)', () => {
  it('is mapped at IRQSRC_BASE on sources 1-4, next to the UART on 10', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(m.bus.deviceAt(IRQSRC_BASE)).toBe(m.irqsrc);
    expect(m.bus.peek(IRQSRC_BASE + IRQSRC_ID, 4)).toBe(IRQSRC_MAGIC);
    expect(IRQSRC_IRQ_BASE + IRQSRC_CHANNELS - 1).toBeLessThan(UART_IRQ);
    for (let ch = 0; ch < IRQSRC_CHANNELS; ch++) {
      m.irqsrc.loadState({
        cyclesPerTick: m.cyclesPerTick,
        channels: Array.from({ length: 4 }, (_, i) => ({ control: 0, period: 0, count: 0, pending: i === ch ? 1 : 0, deadline: 0 })),
      });
      expect(m.plic.saveState().levels).toBe(1 << (IRQSRC_IRQ_BASE + ch));
    }
  });

  for (const wait of ['wfi', 'spin'] as const) {
    it(`${wait}: each interrupt is taken at its exact cycle, claimed as source ch+1, counted, acknowledged`, () => {
      const period = 1000; // ticks = 10_000 cycles at 10 cycles per tick
      const { m, result, entries } = runBoard(2, period, 5, wait);
      expect(result).toMatchObject({ reason: 'exit', exitKind: 'pass' });
      expect(entries.map((e) => e.id)).toEqual([3, 3, 3, 3, 3]);
      expect(entries.map((e) => e.count)).toEqual([1, 2, 3, 4, 5]);
      // The channel was armed in the first few dozen cycles (tick 1 or so); events are exactly
      // one period apart, and the handler's first instruction sees mcycle = event cycle.
      const first = entries[0].cycle;
      expect(first % (period * m.cyclesPerTick)).toBeLessThan(m.cyclesPerTick * 10);
      expect(first % m.cyclesPerTick).toBe(0);
      entries.forEach((e, k) => expect(e.cycle).toBe(first + k * period * m.cyclesPerTick));
      expect(m.irqsrc.lineHigh(2)).toBe(false);
      expect(m.plic.saveState()).toMatchObject({ pending: 0, claimed: 0 });
    });
  }

  it('the same run single-stepped (as --trace does) ends in the identical state and hash', () => {
    const a = runBoard(0, 333, 4, 'spin');
    const b = runBoard(0, 333, 4, 'spin', true);
    expect(b.entries).toEqual(a.entries);
    expect(b.m.hart.cycles).toBe(a.m.hart.cycles);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
  });

  it('the state hash covers the device', () => {
    const a = new Machine({ ramSize: 1 << 20 });
    const b = new Machine({ ramSize: 1 << 20 });
    expect(a.stateHash()).toBe(b.stateHash());
    b.bus.write(IRQSRC_BASE + IRQSRC_PERIOD, 4, 1);
    expect(b.stateHash()).not.toBe(a.stateHash());
  });

  it('Machine.nextEventCycle is the earlier of the CLINT and the IRQ source', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(m.nextEventCycle()).toBe(Infinity);
    m.bus.write(IRQSRC_BASE + IRQSRC_PERIOD, 4, 50);
    m.bus.write(IRQSRC_BASE + IRQSRC_CONTROL, 4, ENABLE);
    expect(m.nextEventCycle()).toBe(50 * m.cyclesPerTick);
    m.bus.write(0x0200_4000, 4, 20); // mtimecmp = 20
    m.bus.write(0x0200_4004, 4, 0);
    expect(m.nextEventCycle()).toBe(20 * m.cyclesPerTick);
  });
});
