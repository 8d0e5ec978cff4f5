// Sv32 page tables built from TypeScript into guest RAM, for MMU and hosted-mode tests.

import type { Bus } from '../../src/mmu/bus';

export const PTE = { V: 1, R: 2, W: 4, X: 8, U: 16, G: 32, A: 64, D: 128 } as const;
/** Valid, accessed and dirty: a PTE the hardware need not update. */
export const VAD = PTE.V | PTE.A | PTE.D;

/** Physical layout used by the tests (1 MiB RAM at 0x80000000). */
export const ROOT = 0x80080000;
export const TABLES = 0x80081000;

export class PageTables {
  private next: number;

  constructor(readonly bus: Bus, readonly root = ROOT, tables = TABLES) {
    this.next = tables;
  }

  read(pa: number): number {
    return this.bus.readRam(pa - this.bus.ramBase, 4);
  }

  write(pa: number, v: number): void {
    this.bus.writeRam(pa - this.bus.ramBase, 4, v);
  }

  /** satp for this root: MODE = Sv32, the given ASID. */
  satp(asid = 0): number {
    return (0x80000000 | (asid << 22) | (this.root >>> 12)) >>> 0;
  }

  /** A raw level-1 entry (for megapages, pointers, or deliberately bad entries). */
  setL1(va: number, pte: number): number {
    const addr = this.root + 4 * (va >>> 22);
    this.write(addr, pte);
    return addr;
  }

  /** Maps the 4 MiB megapage at `va` to `pa` with `flags` (V included by the caller). */
  mapMega(va: number, pa: number, flags: number): number {
    return this.setL1(va, (((pa / 4096) << 10) | flags) >>> 0);
  }

  /** The level-0 table for `va`, allocated and linked on first use. */
  private l0(va: number): number {
    const l1 = this.root + 4 * (va >>> 22);
    const e = this.read(l1);
    if ((e & PTE.V) !== 0 && (e & (PTE.R | PTE.X)) === 0) return (e >>> 10) * 4096;
    const t = this.next;
    this.next += 4096;
    for (let i = 0; i < 1024; i++) this.write(t + 4 * i, 0);
    this.write(l1, ((t >>> 12) << 10) | PTE.V);
    return t;
  }

  /** Maps the 4 KiB page at `va` to `pa` with `flags`; returns the PTE's physical address. */
  map(va: number, pa: number, flags: number): number {
    const addr = this.l0(va) + 4 * ((va >>> 12) & 0x3ff);
    this.write(addr, (((pa / 4096) << 10) | flags) >>> 0);
    return addr;
  }

  /** The address of the level-0 PTE of `va` (which must have a level-0 table). */
  pteAddr(va: number): number {
    return this.l0(va) + 4 * ((va >>> 12) & 0x3ff);
  }
}
