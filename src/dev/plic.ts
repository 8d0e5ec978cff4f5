// PLIC: platform-level interrupt controller, laid out as QEMU virt's SiFive PLIC, with sources
// 1..31 and two contexts of hart 0 (0 = M-mode -> MEIP, 1 = S-mode -> SEIP).
//
//   +0x000000 + 4*src          priority of src (3 bits; 0 = never interrupts)
//   +0x001000                  pending bits 0..31 (read-only; bit 0 is always 0)
//   +0x002000 + 0x80*ctx       enable bits 0..31 of a context (bit 0 is always 0)
//   +0x200000 + 0x1000*ctx     priority threshold of a context (3 bits)
//   +0x200004 + 0x1000*ctx     claim (read) / complete (write)
//
// Gateways are level-triggered as the PLIC spec describes: a request is forwarded (pending set)
// while the source is high and no request of that source is pending or in service; a pending bit
// stays set until claimed even if the source drops; completion ends in-service and re-samples the
// level. Registers decode aligned 32-bit accesses only; anything else reads 0 and is ignored.

import type { AccessSize, MmioDevice } from '../mmu/bus';
import type { IrqLine } from './irq';
import { PLIC_SIZE, PLIC_SOURCES } from './memlayout';

export const PLIC_PRIORITY = 0x0;
export const PLIC_PENDING = 0x1000;
export const PLIC_ENABLE = 0x2000;
export const PLIC_ENABLE_STRIDE = 0x80;
export const PLIC_CONTEXT = 0x20_0000;
export const PLIC_CONTEXT_STRIDE = 0x1000;
/** Offset of the claim/complete register within a context's block. */
export const PLIC_CLAIM = 4;
/** Priorities and thresholds have 3 bits, as on QEMU virt (7 levels above "never"). */
export const PLIC_PRIORITY_MASK = 7;
export const PLIC_CONTEXTS = 2;

/** Bits 1..PLIC_SOURCES: the implemented sources (bit 0, "no interrupt", is hardwired 0). */
const SOURCE_MASK = (2 ** (PLIC_SOURCES + 1) - 2) >>> 0;

/** Everything a checkpoint needs. Bit sets are uint32 with bit n = source n. */
export interface PlicState {
  /** priority[n] for n in 0..PLIC_SOURCES (priority[0] is always 0). */
  priority: number[];
  pending: number;
  /** In service: claimed and not yet completed. */
  claimed: number;
  /** Current input levels of the sources. */
  levels: number;
  /** enable[ctx] for each context. */
  enable: number[];
  /** threshold[ctx] for each context. */
  threshold: number[];
}

type LoadResult = { ok: true } | { ok: false; error: string };

/** Contract: true if v is an integer in [0, 2^32) with no bits outside `mask`. */
function isBits(v: unknown, mask: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff && (v & ~mask) === 0;
}

/** Contract: true if v is an array of `len` integers in [0, max]. */
function isSmallArray(v: unknown, len: number, max: number): v is number[] {
  return (
    Array.isArray(v) &&
    v.length === len &&
    v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= max)
  );
}

export class Plic implements MmioDevice {
  readonly name = 'plic';
  readonly size = PLIC_SIZE;

  private readonly outputs: readonly IrqLine[];
  private readonly priority = new Uint8Array(PLIC_SOURCES + 1);
  private pending = 0;
  private claimed = 0;
  private levels = 0;
  private readonly enable = new Uint32Array(PLIC_CONTEXTS);
  private readonly threshold = new Uint8Array(PLIC_CONTEXTS);
  private readonly outputLevel: boolean[] = new Array<boolean>(PLIC_CONTEXTS).fill(false);

  /** Contract: `contexts[ctx]` is the line of context ctx (0 -> MEIP, 1 -> SEIP); all start low. */
  constructor(contexts: readonly [IrqLine, IrqLine]) {
    this.outputs = contexts;
  }

  /** Power-on state: everything 0, source levels forgotten; drives both outputs low. */
  reset(): void {
    this.priority.fill(0);
    this.pending = 0;
    this.claimed = 0;
    this.levels = 0;
    this.enable.fill(0);
    this.threshold.fill(0);
    this.driveAll();
  }

  /**
   * The gateway of source n: sets its input level. Out-of-range n is ignored. A rising level (or
   * a high one) makes the source pending unless it is pending or in service already.
   */
  setSource(n: number, level: boolean): void {
    if (!Number.isInteger(n) || n < 1 || n > PLIC_SOURCES) return;
    const bit = (1 << n) >>> 0;
    this.levels = level ? (this.levels | bit) >>> 0 : (this.levels & ~bit) >>> 0;
    if (level) this.forward(bit);
    this.updateOutputs();
  }

  /** A line for a device to drive source n. Throws (a wiring bug) if n is not in 1..31. */
  sourceLine(n: number): IrqLine {
    if (!Number.isInteger(n) || n < 1 || n > PLIC_SOURCES) {
      throw new RangeError(`PLIC source ${n} is not in 1..${PLIC_SOURCES}`);
    }
    return { set: (level: boolean) => this.setSource(n, level) };
  }

  /**
   * Claims for context ctx: returns the pending, enabled source with the highest priority above
   * the threshold (ties: the lowest id), clears its pending bit and marks it in service; 0 if none.
   */
  claim(ctx: number): number {
    const id = this.best(ctx);
    if (id !== 0) {
      const bit = (1 << id) >>> 0;
      this.pending = (this.pending & ~bit) >>> 0;
      this.claimed = (this.claimed | bit) >>> 0;
      this.updateOutputs();
    }
    return id;
  }

  /** What claim(ctx) would return, without claiming. */
  peekClaim(ctx: number): number {
    return this.best(ctx);
  }

  /**
   * Completes source id for context ctx: ignored unless id is a source enabled for ctx (the spec
   * says so) and in service; otherwise ends in-service and re-samples the source's level.
   */
  complete(ctx: number, id: number): void {
    if (ctx < 0 || ctx >= PLIC_CONTEXTS || !Number.isInteger(id) || id < 1 || id > PLIC_SOURCES) return;
    const bit = (1 << id) >>> 0;
    if ((this.enable[ctx] & bit) === 0 || (this.claimed & bit) === 0) return;
    this.claimed = (this.claimed & ~bit) >>> 0;
    if ((this.levels & bit) !== 0) this.forward(bit);
    this.updateOutputs();
  }

  /** The level currently driven on context ctx's output. */
  outputHigh(ctx: number): boolean {
    return this.outputLevel[ctx] ?? false;
  }

  /** A guest load; reading a claim register claims. */
  read(offset: number, size: AccessSize): number {
    const ctx = this.claimContext(offset, size);
    return ctx >= 0 ? this.claim(ctx) : this.peek(offset, size);
  }

  /** Contract: the value at an aligned 32-bit register; 0 for anything else. No side effects. */
  peek(offset: number, size: AccessSize): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    if (offset < PLIC_PENDING) return offset / 4 <= PLIC_SOURCES ? this.priority[offset / 4] : 0;
    if (offset === PLIC_PENDING) return this.pending;
    const ectx = this.enableContext(offset);
    if (ectx >= 0) return this.enable[ectx];
    const ctx = this.contextOf(offset);
    if (ctx < 0) return 0;
    const reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
    if (reg === 0) return this.threshold[ctx];
    return reg === PLIC_CLAIM ? this.best(ctx) : 0;
  }

  /** A guest store; only aligned 32-bit stores to writable registers have an effect. */
  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    this.store(offset, value >>> 0);
    this.updateOutputs();
  }

  /** Contract: a plain copy of all state; loadState(saveState()) changes nothing. */
  saveState(): PlicState {
    return {
      priority: Array.from(this.priority),
      pending: this.pending,
      claimed: this.claimed,
      levels: this.levels,
      enable: Array.from(this.enable),
      threshold: Array.from(this.threshold),
    };
  }

  /** Restores a saved state and drives both outputs; rejects malformed state, changing nothing. */
  loadState(s: PlicState): LoadResult {
    if (!isSmallArray(s.priority, PLIC_SOURCES + 1, PLIC_PRIORITY_MASK) || s.priority[0] !== 0) {
      return { ok: false, error: `plic state: priority must be ${PLIC_SOURCES + 1} values 0..7, [0] = 0` };
    }
    for (const k of ['pending', 'claimed', 'levels'] as const) {
      if (!isBits(s[k], SOURCE_MASK)) return { ok: false, error: `plic state: ${k} has bits outside 1..31` };
    }
    if (!Array.isArray(s.enable) || s.enable.length !== PLIC_CONTEXTS || !s.enable.every((e) => isBits(e, SOURCE_MASK))) {
      return { ok: false, error: `plic state: enable must be ${PLIC_CONTEXTS} bit sets of sources 1..31` };
    }
    if (!isSmallArray(s.threshold, PLIC_CONTEXTS, PLIC_PRIORITY_MASK)) {
      return { ok: false, error: `plic state: threshold must be ${PLIC_CONTEXTS} values 0..7` };
    }
    this.priority.set(s.priority);
    this.pending = s.pending;
    this.claimed = s.claimed;
    this.levels = s.levels;
    this.enable.set(s.enable);
    this.threshold.set(s.threshold);
    this.driveAll();
    return { ok: true };
  }

  /** Contract: applies an aligned 32-bit store; read-only and unmapped registers ignore it. */
  private store(offset: number, value: number): void {
    if (offset < PLIC_PENDING) {
      const n = offset / 4;
      if (n >= 1 && n <= PLIC_SOURCES) this.priority[n] = value & PLIC_PRIORITY_MASK;
      return;
    }
    const ectx = this.enableContext(offset);
    if (ectx >= 0) {
      // Bit 0 is "no interrupt" and bits above the last source do not exist: both stay 0.
      this.enable[ectx] = (value & SOURCE_MASK) >>> 0;
      return;
    }
    const ctx = this.contextOf(offset);
    if (ctx < 0) return; // pending bits are read-only; the rest is unmapped
    const reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
    if (reg === 0) this.threshold[ctx] = value & PLIC_PRIORITY_MASK;
    else if (reg === PLIC_CLAIM) this.complete(ctx, value);
  }

  /** Gateway: forwards a request for `bit` unless one is pending or in service already. */
  private forward(bit: number): void {
    if (((this.pending | this.claimed) & bit) === 0) this.pending = (this.pending | bit) >>> 0;
  }

  /** Contract: the id claim(ctx) would return (0 if none or ctx is not a context). */
  private best(ctx: number): number {
    if (ctx < 0 || ctx >= PLIC_CONTEXTS) return 0;
    const candidates = this.pending & ~this.claimed & this.enable[ctx];
    if (candidates === 0) return 0;
    let bestId = 0;
    let bestPrio = this.threshold[ctx]; // must be strictly above the threshold
    for (let n = 1; n <= PLIC_SOURCES; n++) {
      // Strictly greater: on equal priority the lower id, found first, wins.
      if ((candidates & (1 << n)) !== 0 && this.priority[n] > bestPrio) {
        bestId = n;
        bestPrio = this.priority[n];
      }
    }
    return bestId;
  }

  /** Drives each context's output where its level changed. */
  private updateOutputs(): void {
    for (let ctx = 0; ctx < PLIC_CONTEXTS; ctx++) {
      const level = this.best(ctx) !== 0;
      if (level !== this.outputLevel[ctx]) {
        this.outputLevel[ctx] = level;
        this.outputs[ctx].set(level);
      }
    }
  }

  /** Drives every output with its current level, changed or not (after reset and restore). */
  private driveAll(): void {
    for (let ctx = 0; ctx < PLIC_CONTEXTS; ctx++) {
      this.outputLevel[ctx] = this.best(ctx) !== 0;
      this.outputs[ctx].set(this.outputLevel[ctx]);
    }
  }

  /** Contract: the context whose enable word 0 is at `offset`, or -1. */
  private enableContext(offset: number): number {
    const rel = offset - PLIC_ENABLE;
    if (rel < 0 || rel % PLIC_ENABLE_STRIDE !== 0) return -1;
    const ctx = rel / PLIC_ENABLE_STRIDE;
    return ctx < PLIC_CONTEXTS ? ctx : -1;
  }

  /** Contract: the context whose threshold/claim block contains `offset`, or -1. */
  private contextOf(offset: number): number {
    const rel = offset - PLIC_CONTEXT;
    if (rel < 0) return -1;
    const ctx = Math.floor(rel / PLIC_CONTEXT_STRIDE);
    return ctx < PLIC_CONTEXTS ? ctx : -1;
  }

  /** Contract: the context if this access is a 32-bit read of a claim register, else -1. */
  private claimContext(offset: number, size: AccessSize): number {
    if (size !== 4) return -1;
    const ctx = this.contextOf(offset);
    return ctx >= 0 && (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE === PLIC_CLAIM ? ctx : -1;
  }
}
