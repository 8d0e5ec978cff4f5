// Physical frame allocator over the board's RAM: first fit over a bitmap of 4 KiB frames.
// Allocations are contiguous (dataspaces are physically contiguous, which keeps copies simple).
// Freed and newly allocated frames are zeroed, and compiled code made from them is dropped.

import type { Hart } from '../cpu/hart';
import { PAGE_SIZE, type Bus } from '../mmu/bus';

export class FrameAllocator {
  private readonly used: Uint8Array;
  private hint = 0;
  usedFrames = 0;

  constructor(private readonly bus: Bus, private readonly hart: Hart) {
    this.used = new Uint8Array(bus.ramSize / PAGE_SIZE);
  }

  get totalFrames(): number {
    return this.used.length;
  }

  /** Allocates `count` contiguous zeroed frames; returns the physical address, or -1. */
  alloc(count: number): number {
    const n = this.used.length;
    for (let pass = 0; pass < 2; pass++) {
      let run = 0;
      for (let f = pass === 0 ? this.hint : 0; f < n; f++) {
        run = this.used[f] === 0 ? run + 1 : 0;
        if (run === count) {
          const first = f - count + 1;
          this.used.fill(1, first, f + 1);
          this.usedFrames += count;
          this.hint = f + 1;
          const pa = this.bus.ramBase + first * PAGE_SIZE;
          this.zero(pa, count);
          return pa;
        }
      }
    }
    return -1;
  }

  /** Returns frames to the pool. */
  free(pa: number, count: number): void {
    const first = (pa - this.bus.ramBase) / PAGE_SIZE;
    this.used.fill(0, first, first + count);
    this.usedFrames -= count;
    this.zero(pa, count);
  }

  private zero(pa: number, count: number): void {
    const off = pa - this.bus.ramBase;
    this.bus.ram.fill(0, off, off + count * PAGE_SIZE);
    this.hart.jit.invalidateRange(pa, count * PAGE_SIZE);
  }
}
