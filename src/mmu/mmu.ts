// Address translation: Sv32 page-table walks and the software TLB in front of them.
//
// The TLB is three direct-mapped arrays of TLB_SIZE entries, one per access kind (read, write,
// execute). An entry caches, for one 4 KiB virtual page that maps to RAM, the value to add to a
// virtual address to get its RAM offset (modulo 2^32). A hit therefore costs one compare and one
// add in the hart's fast path. Only RAM pages are cached: MMIO, watched pages (for stores) and
// faults always take the walk. Entries are filled only after the walk has checked permissions
// for the current translation context and set A (and D for writes), so a hit needs no checks.
//
// The context (privilege for data and fetch, SUM, MXR, satp) is set by the hart; any change to it
// flushes the whole TLB, as do satp writes and sfence.vma (by address: the 4 MiB region around
// it, so that a megapage's 4 KiB pieces all go).

import { Bus, PAGE_SHIFT } from './bus';

export const TLB_BITS = 8;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

/** Access kinds; their values are also the exception-cause triples below. */
export const enum Access {
  Fetch = 0,
  Load = 1,
  Store = 2,
}

/** Privilege levels as encoded in mstatus.MPP. */
export const enum Priv {
  U = 0,
  S = 1,
  M = 3,
}

// Exception causes by access kind.
const PAGE_FAULT = [12, 13, 15];
const ACCESS_FAULT = [1, 5, 7];

// PTE bits.
const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

export class Mmu {
  readonly bus: Bus;
  readonly rTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly rAdd = new Int32Array(TLB_SIZE);
  readonly wTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly wAdd = new Int32Array(TLB_SIZE);
  readonly xTag = new Int32Array(TLB_SIZE).fill(-1);
  readonly xAdd = new Int32Array(TLB_SIZE);

  // Translation context.
  private satp = 0;
  private dataPriv: Priv = Priv.M;
  private fetchPriv: Priv = Priv.M;
  private sum = false;
  private mxr = false;
  private watchEpoch = 0;

  /** Cause of the last failed translate(); meaningful only after it returned -1. */
  faultCause = 0;
  /** Counters, for statistics. */
  walks = 0;
  flushes = 0;

  constructor(bus: Bus) {
    this.bus = bus;
  }

  /**
   * Sets the translation context. Flushes the TLB if anything changed. `dataPriv` is the
   * effective privilege of loads and stores (MPP when MPRV is set in M-mode).
   */
  setContext(fetchPriv: Priv, dataPriv: Priv, satp: number, sum: boolean, mxr: boolean): void {
    satp |= 0;
    if (fetchPriv === this.fetchPriv && dataPriv === this.dataPriv && satp === this.satp &&
        sum === this.sum && mxr === this.mxr) return;
    this.fetchPriv = fetchPriv;
    this.dataPriv = dataPriv;
    this.satp = satp;
    this.sum = sum;
    this.mxr = mxr;
    this.flush();
  }

  /** Drops every TLB entry. */
  flush(): void {
    this.rTag.fill(-1);
    this.wTag.fill(-1);
    this.xTag.fill(-1);
    this.flushes++;
  }

  /** Drops the entries of the 4 MiB region containing `va` (sfence.vma with rs1 != x0). */
  flushRegion(va: number): void {
    const region = va >>> 22;
    for (const tags of [this.rTag, this.wTag, this.xTag]) {
      for (let i = 0; i < TLB_SIZE; i++) if (tags[i] >>> 10 === region && tags[i] !== -1) tags[i] = -1;
    }
    this.flushes++;
  }

  /**
   * Translates `va` for `access` in the current context, setting A/D bits as hardware does and
   * filling the TLB for RAM pages. Returns the physical address, or -1 with `faultCause` set
   * (a page fault, or an access fault when a PTE lies outside RAM).
   */
  translate(va: number, access: Access): number {
    va >>>= 0;
    if (this.bus.watchEpoch !== this.watchEpoch) {
      this.watchEpoch = this.bus.watchEpoch;
      this.flush();
    }
    const priv = access === Access.Fetch ? this.fetchPriv : this.dataPriv;
    let pa: number;
    if (priv === Priv.M || this.satp >= 0) {
      pa = va; // bare: satp.MODE (bit 31) clear, or M-mode
    } else {
      pa = this.walk(va, access, priv, true);
      if (pa < 0) return -1;
    }
    this.fill(va, pa, access);
    return pa;
  }

  /**
   * The physical address `va` maps to for `access`, with no side effect (no A/D update, no TLB
   * fill); -1 if it would fault. For debuggers and traces.
   */
  peekTranslate(va: number, access: Access): number {
    va >>>= 0;
    const priv = access === Access.Fetch ? this.fetchPriv : this.dataPriv;
    if (priv === Priv.M || this.satp >= 0) return va;
    return this.walk(va, access, priv, false);
  }

  /** The Sv32 walk of the privileged spec (section 4.3.2). Returns pa or -1. */
  private walk(va: number, access: Access, priv: Priv, update: boolean): number {
    this.walks++;
    const bus = this.bus;
    let table = (this.satp & 0x3fffff) * 4096;
    for (let level = 1; level >= 0; level--) {
      const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
      const pteAddr = table + vpn * 4;
      if (!bus.isRam(pteAddr, 4)) return this.fault(ACCESS_FAULT[access]);
      const pte = bus.readRam(pteAddr - bus.ramBase, 4);
      if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) {
        return this.fault(PAGE_FAULT[access]);
      }
      if ((pte & (PTE_R | PTE_X)) === 0) {
        table = (pte >>> 10) * 4096; // pointer to the next level
        continue;
      }
      if (!this.permitted(pte, access, priv)) return this.fault(PAGE_FAULT[access]);
      const ppn = pte >>> 10;
      if (level === 1 && (ppn & 0x3ff) !== 0) return this.fault(PAGE_FAULT[access]); // misaligned megapage
      const wantD = access === Access.Store;
      if ((pte & PTE_A) === 0 || (wantD && (pte & PTE_D) === 0)) {
        // Hardware A/D update (Svadu behaviour, as the design asks); a peek leaves the PTE alone.
        if (update) bus.writeRam(pteAddr - bus.ramBase, 4, pte | PTE_A | (wantD ? PTE_D : 0));
      }
      return ppnAddress(ppn, level, va);
    }
    return this.fault(PAGE_FAULT[access]); // a pointer at level 0
  }

  /** Leaf permission check: U bit against privilege (with SUM), then R/W/X (with MXR). */
  private permitted(pte: number, access: Access, priv: Priv): boolean {
    if ((pte & PTE_U) !== 0) {
      if (priv === Priv.S && (access === Access.Fetch || !this.sum)) return false;
    } else if (priv === Priv.U) {
      return false;
    }
    if (access === Access.Fetch) return (pte & PTE_X) !== 0;
    if (access === Access.Store) return (pte & PTE_W) !== 0;
    return (pte & PTE_R) !== 0 || (this.mxr && (pte & PTE_X) !== 0);
  }

  private fault(cause: number): number {
    this.faultCause = cause;
    return -1;
  }

  /** Caches the translation of `va`'s page if it is RAM (and, for stores, not watched). */
  private fill(va: number, pa: number, access: Access): void {
    const bus = this.bus;
    const pageBase = pa - (pa & 0xfff);
    if (!bus.isRam(pageBase, 4096)) return;
    const ramPage = pageBase - bus.ramBase;
    if (access === Access.Store && (bus.watchedPages[ramPage >>> PAGE_SHIFT] | bus.codePages[ramPage >>> PAGE_SHIFT]) !== 0) return;
    const vpn = va >>> PAGE_SHIFT;
    const i = vpn & TLB_MASK;
    const add = (ramPage - ((vpn << PAGE_SHIFT) | 0)) | 0;
    if (access === Access.Load) {
      this.rTag[i] = vpn;
      this.rAdd[i] = add;
    } else if (access === Access.Store) {
      this.wTag[i] = vpn;
      this.wAdd[i] = add;
    } else {
      this.xTag[i] = vpn;
      this.xAdd[i] = add;
    }
  }
}

/** The physical address of `va` through a leaf PTE's ppn at `level` (1 = megapage). */
function ppnAddress(ppn: number, level: number, va: number): number {
  if (level === 1) return (ppn >>> 10) * 0x400000 + (va & 0x3fffff);
  return ppn * 4096 + (va & 0xfff);
}
