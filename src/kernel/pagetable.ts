// A task's Sv32 page tables, written by the kernel into guest RAM and walked by the MMU.
//
// The root table and the level-0 tables are frames from the kernel's pool. Leaves are 4 KiB,
// user-accessible, with A set (and D for writable pages) so the hardware never has to update
// them. Unmapping clears leaves; the caller flushes the TLB.

import type { Bus } from '../mmu/bus';
import type { FrameAllocator } from './frames';

export const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

export class PageTable {
  readonly root: number;
  private readonly level0 = new Map<number, number>(); // vpn1 -> table pa
  mappedPages = 0;

  /** `root` is a frame the caller allocated (zeroed) for the level-1 table. */
  constructor(private readonly bus: Bus, private readonly frames: FrameAllocator, root: number) {
    this.root = root;
  }

  /** The satp value that selects this table (Sv32, ASID 0). */
  get satp(): number {
    return (0x80000000 | (this.root >>> 12)) | 0;
  }

  /**
   * Maps the 4 KiB page at `va` to physical `pa` with R and optionally W, X. Returns false if a
   * level-0 table was needed and no frame was left.
   */
  map(va: number, pa: number, writable: boolean, executable: boolean): boolean {
    const vpn1 = va >>> 22;
    let table = this.level0.get(vpn1);
    if (table === undefined) {
      table = this.frames.alloc(1);
      if (table < 0) return false;
      this.level0.set(vpn1, table);
      this.write(this.root + vpn1 * 4, ((table >>> 12) << 10) | PTE_V);
    }
    const slot = table + ((va >>> 12) & 0x3ff) * 4;
    if ((this.read(slot) & PTE_V) === 0) this.mappedPages++;
    const flags = PTE_V | PTE_R | PTE_U | PTE_A | (writable ? PTE_W | PTE_D : 0) | (executable ? PTE_X : 0);
    this.write(slot, (Math.floor(pa / 4096) << 10) | flags);
    return true;
  }

  /** Unmaps every page in [va, va+len); returns how many were mapped. */
  unmap(va: number, len: number): number {
    let count = 0;
    let a = va;
    while (a < va + len) {
      const table = this.level0.get(a >>> 22);
      if (table === undefined) {
        a = (Math.floor(a / 0x400000) + 1) * 0x400000; // no table: skip its 4 MiB
        continue;
      }
      const slot = table + ((a >>> 12) & 0x3ff) * 4;
      if ((this.read(slot) & PTE_V) !== 0) {
        this.write(slot, 0);
        count++;
      }
      a += 4096;
    }
    this.mappedPages -= count;
    return count;
  }

  /** The leaf PTE for `va`, or 0. */
  lookup(va: number): number {
    const table = this.level0.get(va >>> 22);
    return table === undefined ? 0 : this.read(table + ((va >>> 12) & 0x3ff) * 4);
  }

  /** Returns every table frame to the pool. */
  destroy(): void {
    for (const t of this.level0.values()) this.frames.free(t, 1);
    this.level0.clear();
    this.frames.free(this.root, 1);
  }

  private read(pa: number): number {
    return this.bus.readRam(pa - this.bus.ramBase, 4);
  }

  private write(pa: number, v: number): void {
    this.bus.writeRam(pa - this.bus.ramBase, 4, v);
  }
}
