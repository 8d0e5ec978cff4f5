// IRQ source: a timer-driven interrupt generator of our own (not on QEMU's virt board), for
// programs and tests that need device interrupts at exact, replayable points of virtual time.
// Four channels, each driving one PLIC source (IRQSRC_IRQ_BASE + channel). Per channel, at
// base + 0x20 * ch:
//
//   +0x00 CONTROL  bit 0 ENABLE, bit 1 PERIODIC; a write with ENABLE arms the channel
//   +0x04 PERIOD   in timebase ticks (mtime's rate, floor(cycles / cyclesPerTick)); 32 bits
//   +0x08 COUNT    events fired since reset (read-only, wraps at 2^32)
//   +0x0c STATUS   bit 0 PENDING (the line is high), bit 1 ARMED (read-only)
//   +0x10 ACK      write bit 0 = 1: clears PENDING, which lowers the line; reads 0
//
// and, for the whole device, +0x100 ID (reads 0x53515249, "IRQS") and +0x104 CHANNELS (4).
//
// Time: a write of CONTROL with ENABLE set (re)arms the channel with the deadline
// floor(cycles / cyclesPerTick) + PERIOD ticks, i.e. it fires at cycle deadline * cyclesPerTick.
// When the deadline has passed, update() fires the channel: COUNT += 1, PENDING = 1, line high.
// A periodic channel re-arms at deadline + PERIOD (PERIOD read at that moment; should update()
// come late, every period that has passed counts, so COUNT never depends on how often the board
// looks); a one-shot channel disarms (ENABLE reads 0 again). The timebase is the board's tick
// count, independent of writes to the CLINT's mtime. Everything is derived from the clock, so
// a run replays to the instruction. Only aligned 32-bit accesses are decoded; anything else
// reads 0 and is ignored.

import type { AccessSize, MmioDevice } from '../mmu/bus';
import type { Clock, IrqLine } from './irq';
import { IRQSRC_CHANNELS, IRQSRC_SIZE } from './memlayout';

export const IRQSRC_STRIDE = 0x20;
export const IRQSRC_CONTROL = 0x00;
export const IRQSRC_PERIOD = 0x04;
export const IRQSRC_COUNT = 0x08;
export const IRQSRC_STATUS = 0x0c;
export const IRQSRC_ACK = 0x10;
export const IRQSRC_ID = 0x100;
export const IRQSRC_NCHANNELS = 0x104;
/** "IRQS" as a little-endian word. */
export const IRQSRC_MAGIC = 0x5351_5249;

export const IRQSRC_CTRL_ENABLE = 1;
export const IRQSRC_CTRL_PERIODIC = 2;
export const IRQSRC_STATUS_PENDING = 1;
export const IRQSRC_STATUS_ARMED = 2;

const CTRL_MASK = IRQSRC_CTRL_ENABLE | IRQSRC_CTRL_PERIODIC;
const TWO32 = 2 ** 32;

/** One channel's state; all numbers are integers. */
export interface IrqSourceChannelState {
  /** CONTROL bits (ENABLE = armed, PERIODIC). */
  control: number;
  /** PERIOD in ticks, uint32. */
  period: number;
  /** COUNT, uint32. */
  count: number;
  /** PENDING, 0 or 1 (the line's level). */
  pending: number;
  /** Tick at which an armed channel fires (a safe integer); 0 when not armed. */
  deadline: number;
}

/** Everything a checkpoint needs. Deadlines are absolute ticks: restore the clock with it. */
export interface IrqSourceState {
  cyclesPerTick: number;
  channels: IrqSourceChannelState[];
}

type LoadResult = { ok: true } | { ok: false; error: string };

interface Channel {
  control: number;
  period: number;
  count: number;
  pending: boolean;
  deadline: number;
}

/** Contract: true if v is an integer in [0, 2^32). */
function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < TWO32;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class IrqSource implements MmioDevice {
  readonly name = 'irqsrc';
  readonly size = IRQSRC_SIZE;

  private readonly clock: Clock;
  private readonly cyclesPerTick: number;
  private readonly lines: readonly IrqLine[];
  private readonly ch: Channel[];

  /**
   * Contract: cyclesPerTick is a positive safe integer and `lines` has one line per channel
   * (IRQSRC_CHANNELS); otherwise it throws (a wiring bug). The lines start low.
   */
  constructor(clock: Clock, cyclesPerTick: number, lines: readonly IrqLine[]) {
    if (!Number.isSafeInteger(cyclesPerTick) || cyclesPerTick <= 0) {
      throw new RangeError(`cyclesPerTick must be a positive integer, got ${cyclesPerTick}`);
    }
    if (lines.length !== IRQSRC_CHANNELS) {
      throw new RangeError(`irqsrc needs ${IRQSRC_CHANNELS} lines, got ${lines.length}`);
    }
    this.clock = clock;
    this.cyclesPerTick = cyclesPerTick;
    this.lines = lines;
    this.ch = Array.from({ length: IRQSRC_CHANNELS }, () => ({ control: 0, period: 0, count: 0, pending: false, deadline: 0 }));
  }

  /** Power-on state: every channel disabled, period and count 0, nothing pending; lines low. */
  reset(): void {
    for (let i = 0; i < this.ch.length; i++) {
      this.ch[i] = { control: 0, period: 0, count: 0, pending: false, deadline: 0 };
      this.lines[i].set(false);
    }
  }

  /** A guest load: reading has no side effects. */
  read(offset: number, size: AccessSize): number {
    return this.peek(offset, size);
  }

  /** Contract: the value of an aligned 32-bit register; 0 for anything else. No side effects. */
  peek(offset: number, size: AccessSize): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    if (offset === IRQSRC_ID) return IRQSRC_MAGIC;
    if (offset === IRQSRC_NCHANNELS) return IRQSRC_CHANNELS;
    const c = this.channelAt(offset);
    if (c === undefined) return 0;
    switch (offset % IRQSRC_STRIDE) {
      case IRQSRC_CONTROL:
        return c.control;
      case IRQSRC_PERIOD:
        return c.period;
      case IRQSRC_COUNT:
        return c.count;
      case IRQSRC_STATUS:
        return (c.pending ? IRQSRC_STATUS_PENDING : 0) | ((c.control & IRQSRC_CTRL_ENABLE) !== 0 ? IRQSRC_STATUS_ARMED : 0);
      default:
        return 0; // ACK and the gap up to the next channel read 0
    }
  }

  /** A guest store; only aligned 32-bit stores to CONTROL, PERIOD and ACK have an effect. */
  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    const i = this.channelIndex(offset);
    if (i < 0) return;
    const c = this.ch[i];
    const v = value >>> 0;
    switch (offset % IRQSRC_STRIDE) {
      case IRQSRC_CONTROL:
        c.control = v & CTRL_MASK;
        if ((c.control & IRQSRC_CTRL_ENABLE) !== 0) this.arm(c);
        else c.deadline = 0;
        return;
      case IRQSRC_PERIOD:
        c.period = v;
        return;
      case IRQSRC_ACK:
        if ((v & 1) !== 0 && c.pending) {
          c.pending = false;
          this.lines[i].set(false);
        }
        return;
      default:
        return; // COUNT and STATUS are read-only
    }
  }

  /** Fires every armed channel whose deadline has passed (see the top of this file). */
  update(): void {
    const nowTick = this.ticksNow();
    for (let i = 0; i < this.ch.length; i++) {
      const c = this.ch[i];
      if ((c.control & IRQSRC_CTRL_ENABLE) === 0 || c.deadline > nowTick) continue;
      let fired = 1;
      if ((c.control & IRQSRC_CTRL_PERIODIC) !== 0 && c.period !== 0) {
        fired = Math.floor((nowTick - c.deadline) / c.period) + 1;
        c.deadline += fired * c.period;
      } else {
        c.control &= ~IRQSRC_CTRL_ENABLE; // one-shot (or a periodic channel whose PERIOD became 0)
        c.deadline = 0;
      }
      c.count = (c.count + fired) % TWO32;
      if (!c.pending) {
        c.pending = true;
        this.lines[i].set(true);
      }
    }
  }

  /**
   * The smallest cycle at which some armed channel fires: Infinity if none is armed or that cycle
   * lies beyond 2^53. A deadline that has passed already gives a cycle <= now (update() is due).
   */
  nextEventCycle(): number {
    let next = Infinity;
    for (const c of this.ch) {
      if ((c.control & IRQSRC_CTRL_ENABLE) !== 0) next = Math.min(next, c.deadline * this.cyclesPerTick);
    }
    return next > Number.MAX_SAFE_INTEGER ? Infinity : next;
  }

  /** Whether channel `i`'s line is high (PENDING). */
  lineHigh(i: number): boolean {
    return this.ch[i]?.pending ?? false;
  }

  /** Contract: a plain copy of all state; loadState(saveState()) changes nothing. */
  saveState(): IrqSourceState {
    return {
      cyclesPerTick: this.cyclesPerTick,
      channels: this.ch.map((c) => ({
        control: c.control, period: c.period, count: c.count, pending: c.pending ? 1 : 0, deadline: c.deadline,
      })),
    };
  }

  /**
   * Restores a saved state and drives every line with its level. Does not read the clock (the
   * deadlines are absolute ticks: the board restores its clock too). Rejects malformed state,
   * changing nothing; never throws, whatever `s` is.
   */
  loadState(s: IrqSourceState): LoadResult {
    const raw: unknown = s;
    if (!isRecord(raw)) return { ok: false, error: 'irqsrc state: not an object' };
    if (raw.cyclesPerTick !== this.cyclesPerTick) {
      return { ok: false, error: `irqsrc state: cyclesPerTick ${String(raw.cyclesPerTick)} != ${this.cyclesPerTick}` };
    }
    const chans = raw.channels;
    if (!Array.isArray(chans) || chans.length !== IRQSRC_CHANNELS) {
      return { ok: false, error: `irqsrc state: channels must be ${IRQSRC_CHANNELS} entries` };
    }
    const next: Channel[] = [];
    for (let i = 0; i < chans.length; i++) {
      const c: unknown = chans[i];
      const at = `irqsrc state: channels[${i}]`;
      if (!isRecord(c)) return { ok: false, error: `${at} is not an object` };
      if (!isU32(c.control) || (c.control & ~CTRL_MASK) !== 0) return { ok: false, error: `${at}.control has bits outside 0..1` };
      if (!isU32(c.period)) return { ok: false, error: `${at}.period is not a uint32` };
      if (!isU32(c.count)) return { ok: false, error: `${at}.count is not a uint32` };
      if (c.pending !== 0 && c.pending !== 1) return { ok: false, error: `${at}.pending must be 0 or 1` };
      const d = c.deadline;
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
        return { ok: false, error: `${at}.deadline is not a tick count (a non-negative safe integer)` };
      }
      const armed = (c.control & IRQSRC_CTRL_ENABLE) !== 0;
      if (!armed && d !== 0) return { ok: false, error: `${at}.deadline must be 0 when the channel is not armed` };
      next.push({ control: c.control, period: c.period, count: c.count, pending: c.pending === 1, deadline: d });
    }
    for (let i = 0; i < next.length; i++) {
      this.ch[i] = next[i];
      this.lines[i].set(next[i].pending);
    }
    return { ok: true };
  }

  private ticksNow(): number {
    return Math.floor(this.clock.cycles() / this.cyclesPerTick);
  }

  /** Arms `c` from now; PERIOD 0 cannot be armed (ENABLE reads 0). */
  private arm(c: Channel): void {
    if (c.period === 0) {
      c.control &= ~IRQSRC_CTRL_ENABLE;
      c.deadline = 0;
      return;
    }
    c.deadline = this.ticksNow() + c.period;
  }

  /** Contract: the channel number whose registers contain `offset`, or -1. */
  private channelIndex(offset: number): number {
    const i = Math.floor(offset / IRQSRC_STRIDE);
    return offset >= 0 && i < IRQSRC_CHANNELS ? i : -1;
  }

  private channelAt(offset: number): Channel | undefined {
    const i = this.channelIndex(offset);
    return i < 0 ? undefined : this.ch[i];
  }
}
