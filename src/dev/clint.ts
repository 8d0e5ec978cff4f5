// CLINT: the core-local interruptor of hart 0, laid out as on QEMU's `virt` board.
//
//   +0x0000  msip       bit 0 drives the machine software interrupt (MSIP)
//   +0x4000  mtimecmp   64 bits (two little-endian words); MTIP = mtime >= mtimecmp
//   +0xbff8  mtime      64 bits, readable and writable
//
// Virtual time: mtime = floor(cycles / cyclesPerTick) + offset (mod 2^64). The clock's cycle
// count stays below 2^53; 64-bit registers are held as two uint32 halves so that every value the
// guest can write (up to 2^64 - 1) is exact, which a double alone could not be.

import type { AccessSize, MmioDevice } from '../mmu/bus';
import type { Clock, IrqLine } from './irq';
import { CLINT_SIZE } from './memlayout';

export const CLINT_MSIP = 0x0000;
export const CLINT_MTIMECMP = 0x4000;
export const CLINT_MTIME = 0xbff8;

const TWO32 = 2 ** 32;
const MAX_U32 = 0xffff_ffff;

/** The two interrupt outputs of the CLINT, wired to mip.MSIP and mip.MTIP of the hart. */
export interface ClintLines {
  readonly msip: IrqLine;
  readonly mtip: IrqLine;
}

/** Everything a checkpoint needs; all fields are uint32 (or 0/1 for levels). */
export interface ClintState {
  cyclesPerTick: number;
  msip: number;
  mtimecmpLo: number;
  mtimecmpHi: number;
  /** (mtime - floor(cycles / cyclesPerTick)) mod 2^64; meaningful with the same clock value. */
  offsetLo: number;
  offsetHi: number;
  /** Level last driven on the MTIP line. */
  mtip: number;
}

/** A 64-bit unsigned value as two uint32 halves. */
interface U64 {
  lo: number;
  hi: number;
}

/** Contract: a + b mod 2^64, exact for uint32 halves. */
function add64(a: U64, b: U64): U64 {
  const lo = a.lo + b.lo;
  const carry = lo >= TWO32 ? 1 : 0;
  return { lo: lo % TWO32, hi: (a.hi + b.hi + carry) % TWO32 };
}

/** Contract: a - b mod 2^64, exact for uint32 halves. */
function sub64(a: U64, b: U64): U64 {
  let lo = a.lo - b.lo;
  let borrow = 0;
  if (lo < 0) {
    lo += TWO32;
    borrow = 1;
  }
  let hi = a.hi - b.hi - borrow;
  if (hi < 0) hi += TWO32;
  return { lo, hi };
}

/** Contract: true if a >= b as unsigned 64-bit values. */
function ge64(a: U64, b: U64): boolean {
  return a.hi !== b.hi ? a.hi > b.hi : a.lo >= b.lo;
}

/** Contract: n is a non-negative integer below 2^53; returns it split into halves. */
function split(n: number): U64 {
  return { lo: n % TWO32, hi: Math.floor(n / TWO32) };
}

/** Contract: true if v is an integer in [0, 2^32). */
function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_U32;
}

export class Clint implements MmioDevice {
  readonly name = 'clint';
  readonly size = CLINT_SIZE;

  private readonly clock: Clock;
  private readonly cyclesPerTick: number;
  private readonly lines: ClintLines;
  private msip = 0;
  private cmpLo = MAX_U32;
  private cmpHi = MAX_U32;
  private offLo = 0;
  private offHi = 0;
  private mtipLevel = false;

  /**
   * Contract: cyclesPerTick is a positive safe integer (a host configuration error throws).
   * Both lines start low; the caller's interrupt state is assumed to start low too.
   */
  constructor(clock: Clock, cyclesPerTick: number, lines: ClintLines) {
    if (!Number.isSafeInteger(cyclesPerTick) || cyclesPerTick <= 0) {
      throw new RangeError(`cyclesPerTick must be a positive integer, got ${cyclesPerTick}`);
    }
    this.clock = clock;
    this.cyclesPerTick = cyclesPerTick;
    this.lines = lines;
  }

  /** Power-on state: msip 0, mtimecmp all ones, mtime = ticks since cycle 0; drives both lines low. */
  reset(): void {
    this.msip = 0;
    this.cmpLo = MAX_U32;
    this.cmpHi = MAX_U32;
    this.offLo = 0;
    this.offHi = 0;
    this.mtipLevel = false;
    this.lines.msip.set(false);
    this.lines.mtip.set(false);
  }

  /** A guest load: no side effects on the CLINT (reading mtime only samples the clock). */
  read(offset: number, size: AccessSize): number {
    return this.peek(offset, size);
  }

  /** Contract: returns the little-endian value of `size` bytes at `offset`; 0 where unmapped. */
  peek(offset: number, size: AccessSize): number {
    const shift = offset & 3;
    if (shift + size <= 4) {
      // The access lies within one aligned word: take it from that word.
      const word = this.wordAt(offset - shift);
      return size === 4 ? word : (word >>> (8 * shift)) & ((1 << (8 * size)) - 1);
    }
    // A misaligned access crossing a word boundary: assemble byte by byte.
    let v = 0;
    for (let i = 0; i < size; i++) v |= this.byteAt(offset + i) << (8 * i);
    return v >>> 0;
  }

  /** A guest store of the low `size` bytes of `value`; unmapped bytes are ignored. */
  write(offset: number, size: AccessSize, value: number): void {
    const shift = offset & 3;
    if (shift + size <= 4) {
      const mask = size === 4 ? MAX_U32 : ((1 << (8 * size)) - 1) << (8 * shift);
      this.mergeWord(offset - shift, (value << (8 * shift)) >>> 0, mask >>> 0);
    } else {
      for (let i = 0; i < size; i++) {
        const o = offset + i;
        this.mergeWord(o & ~3, ((value >>> (8 * i)) & 0xff) << (8 * (o & 3)), (0xff << (8 * (o & 3))) >>> 0);
      }
    }
    this.update();
  }

  /** Recomputes MTIP from the clock and drives the line if its level changed. */
  update(): void {
    const level = ge64(this.mtimeNow(), { lo: this.cmpLo, hi: this.cmpHi });
    if (level !== this.mtipLevel) {
      this.mtipLevel = level;
      this.lines.mtip.set(level);
    }
  }

  /**
   * The smallest cycle count at which mtime >= mtimecmp newly becomes true: Infinity if it holds
   * already (MTIP is high, or rises at the next update()) or if that cycle lies beyond 2^53 (the
   * clock never gets there). A fall caused by mtime wrapping past 2^64 is not an event.
   */
  nextEventCycle(): number {
    const ticks = this.ticksNow();
    const now = add64(split(ticks), { lo: this.offLo, hi: this.offHi });
    const cmp = { lo: this.cmpLo, hi: this.cmpHi };
    if (ge64(now, cmp)) return Infinity;
    const d = sub64(cmp, now);
    // mtime counts up one per tick and cmp > mtime, so it is reached after d ticks without wrapping.
    const targetTicks = ticks + d.hi * TWO32 + d.lo;
    const cycle = targetTicks * this.cyclesPerTick;
    return cycle > Number.MAX_SAFE_INTEGER ? Infinity : cycle;
  }

  /** Low 32 bits of mtime now (the `time` CSR). */
  timeLo(): number {
    return this.mtimeNow().lo;
  }

  /** High 32 bits of mtime now (the `timeh` CSR). */
  timeHi(): number {
    return this.mtimeNow().hi;
  }

  /** mtime now as a number; exact while below 2^53. */
  mtime(): number {
    const m = this.mtimeNow();
    return m.hi * TWO32 + m.lo;
  }

  /** Contract: a plain copy of all state; loadState(saveState()) changes nothing. */
  saveState(): ClintState {
    return {
      cyclesPerTick: this.cyclesPerTick,
      msip: this.msip,
      mtimecmpLo: this.cmpLo,
      mtimecmpHi: this.cmpHi,
      offsetLo: this.offLo,
      offsetHi: this.offHi,
      mtip: this.mtipLevel ? 1 : 0,
    };
  }

  /**
   * Restores a saved state and drives both lines to the saved levels. Does not read the clock:
   * the mtime offset is relative to the cycle count, so the machine restores its clock too and
   * then calls update() as after any time step. Rejects malformed state without changing anything.
   */
  loadState(s: ClintState): { ok: true } | { ok: false; error: string } {
    for (const k of ['msip', 'mtip'] as const) {
      if (s[k] !== 0 && s[k] !== 1) return { ok: false, error: `clint state: ${k} must be 0 or 1` };
    }
    for (const k of ['mtimecmpLo', 'mtimecmpHi', 'offsetLo', 'offsetHi'] as const) {
      if (!isU32(s[k])) return { ok: false, error: `clint state: ${k} is not a uint32` };
    }
    if (s.cyclesPerTick !== this.cyclesPerTick) {
      return { ok: false, error: `clint state: cyclesPerTick ${s.cyclesPerTick} != ${this.cyclesPerTick}` };
    }
    this.msip = s.msip;
    this.cmpLo = s.mtimecmpLo;
    this.cmpHi = s.mtimecmpHi;
    this.offLo = s.offsetLo;
    this.offHi = s.offsetHi;
    this.mtipLevel = s.mtip === 1;
    this.lines.msip.set(this.msip === 1);
    this.lines.mtip.set(this.mtipLevel);
    return { ok: true };
  }

  private ticksNow(): number {
    return Math.floor(this.clock.cycles() / this.cyclesPerTick);
  }

  private mtimeNow(): U64 {
    return add64(split(this.ticksNow()), { lo: this.offLo, hi: this.offHi });
  }

  /** Contract: the value of the aligned word at `off` (a multiple of 4); 0 if unmapped. */
  private wordAt(off: number): number {
    switch (off) {
      case CLINT_MSIP:
        return this.msip;
      case CLINT_MTIMECMP:
        return this.cmpLo;
      case CLINT_MTIMECMP + 4:
        return this.cmpHi;
      case CLINT_MTIME:
        return this.mtimeNow().lo;
      case CLINT_MTIME + 4:
        return this.mtimeNow().hi;
      default:
        return 0;
    }
  }

  /** Contract: one byte of the register file at any offset. */
  private byteAt(off: number): number {
    return (this.wordAt(off & ~3) >>> (8 * (off & 3))) & 0xff;
  }

  /**
   * Contract: replaces the bits selected by `mask` of the aligned word at `off` with those of
   * `bits` (already shifted into place); ignores unmapped words. Does not update MTIP.
   */
  private mergeWord(off: number, bits: number, mask: number): void {
    const merged = ((this.wordAt(off) & ~mask) | (bits & mask)) >>> 0;
    switch (off) {
      case CLINT_MSIP:
        this.setMsip(merged & 1);
        return;
      case CLINT_MTIMECMP:
        this.cmpLo = merged;
        return;
      case CLINT_MTIMECMP + 4:
        this.cmpHi = merged;
        return;
      case CLINT_MTIME:
        this.setMtime({ lo: merged, hi: this.mtimeNow().hi });
        return;
      case CLINT_MTIME + 4:
        this.setMtime({ lo: this.mtimeNow().lo, hi: merged });
        return;
      default:
        return;
    }
  }

  private setMsip(bit: number): void {
    if (bit === this.msip) return;
    this.msip = bit;
    this.lines.msip.set(bit === 1);
  }

  /** Makes mtime read `m` at the current cycle count by moving the offset. */
  private setMtime(m: U64): void {
    const off = sub64(m, split(this.ticksNow()));
    this.offLo = off.lo;
    this.offHi = off.hi;
  }
}
