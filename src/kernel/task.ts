// Tasks: a protection domain with its capability table, Sv32 page tables, address space
// (root region map), threads and RAM quota. A component is one task.

import { CapTable } from './captable';
import type { Dataspace } from './dataspace';
import type { PageTable } from './pagetable';
import type { RegionMap } from './regionmap';
import type { SignalReceiver } from './signal';
import type { Thread } from './thread';

/** Per-component counters for --stats. */
export interface ComponentStats {
  instructions: number;
  pageFaults: number;
  syscalls: number;
  contextSwitches: number;
  irqs: number;
}

/** How a component ended. */
export type TaskEnd = { kind: 'exit'; code: number } | { kind: 'fault'; reason: string };

/** Initial capability slots (docs/abi.md). */
export const SLOT_PARENT = 1;
export const SLOT_PD = 2;
export const SLOT_CPU = 3;
export const SLOT_RAM = 4;
export const SLOT_RM = 5;
export const SLOT_SIGNALS = 6;
export const SLOT_MAIN_THREAD = 7;

/** The 4 MiB regions (vpn[1]) that `regions` reach, plus one extra range if given. */
export function coveredMegapages(regions: readonly { base: number; size: number }[], extra?: { base: number; size: number }): Set<number> {
  const set = new Set<number>();
  for (const r of extra === undefined ? regions : [...regions, extra]) {
    for (let m = Math.floor(r.base / 0x400000); m <= Math.floor((r.base + r.size - 1) / 0x400000); m++) set.add(m);
  }
  return set;
}

export class Task {
  readonly caps = new CapTable();
  readonly threads: Thread[] = [];
  readonly dataspaces = new Set<Dataspace>();
  /** Bytes of dataspaces (what RAM QUOTA reports as used). */
  ramUsed = 0;
  end: TaskEnd | undefined;
  readonly stats: ComponentStats = { instructions: 0, pageFaults: 0, syscalls: 0, contextSwitches: 0, irqs: 0 };

  constructor(readonly id: number, readonly label: string, readonly pt: PageTable, readonly as: RegionMap,
    readonly signals: SignalReceiver, readonly ramQuota: number, readonly maxPriority: number) {}

  /**
   * Page-table frames charged to the quota: the root table and one level-0 table per 4 MiB of
   * address space that attached regions reach. Charged by layout, not by what was touched, so
   * the figure is the same after a restore and no task can starve another of RAM.
   */
  get pageTableFrames(): number {
    return 1 + coveredMegapages(this.as.regions).size;
  }

  /** Everything charged to the quota: dataspaces and page tables (what RAM QUOTA reports). */
  get ramCharged(): number {
    return this.ramUsed + this.pageTableFrames * 4096;
  }

  get alive(): boolean {
    return this.end === undefined;
  }
}
