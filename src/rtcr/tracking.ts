// Incremental checkpointing: dirty tracking with genuine page faults.
//
// With granularity G > 0, Rtcr's RAM session answers ALLOC with a managed dataspace (a region
// map) filled with designated dataspaces of G x 4 KiB. A designated dataspace that is not
// attached is a hole: the child's next access to it is a real Sv32 page fault, which the kernel
// resolves to the hole and reports to the region map's fault handler — here a native signal
// handler of Rtcr's, which attaches the designated dataspace and marks it dirty. After a
// checkpoint has copied the marked ones, they are detached again (unmapped in every task).
//
// Modes: 'access' (as the original: any access attaches writable and marks); 'write' (a read
// attaches read-only and does not mark; the first write faults again, re-attaches writable and
// marks), so read-mostly children checkpoint less.

import type { Dataspace } from '../kernel/dataspace';
import { err, ok, type Result } from '../kernel/errors';
import type { Kernel } from '../kernel/kernel';
import { FaultType, RegionMap, type ManagedDataspace } from '../kernel/regionmap';
import { SignalContext } from '../kernel/signal';
import type { Task } from '../kernel/task';

export type TrackMode = 'access' | 'write';

export interface Granule {
  readonly ds: Dataspace;
  readonly offset: number;
  attached: boolean;
  writable: boolean;
  /** Written (write mode) or touched (access mode) since the last checkpoint. */
  dirty: boolean;
}

export interface TrackedDataspace {
  readonly rm: RegionMap;
  readonly owner: Task;
  /** For a shared dataspace (SHM) tracked through slices of it: that dataspace. */
  readonly over: Dataspace | undefined;
  readonly granuleSize: number;
  readonly granules: Granule[];
}

export class Tracker {
  /** Tracked managed dataspaces by the imprint of their fault handler's context. */
  private readonly byImprint = new Map<number, TrackedDataspace>();
  private nextImprint = 0;
  /** Tracking faults handled since the last checkpoint. */
  faults = 0;
  private readonly receiver;

  /** @param granularity G: designated dataspaces of G x 4 KiB (G >= 1) */
  constructor(private readonly kernel: Kernel, readonly granularity: number, readonly mode: TrackMode) {
    this.receiver = kernel.newReceiver();
    this.receiver.native = (imprint) => this.onFaultSignal(imprint);
  }

  /** A managed dataspace of `size` bytes for `task`, filled with designated dataspaces. */
  create(task: Task, size: number): Result<ManagedDataspace> {
    if (!Number.isInteger(size) || size <= 0) return err('BAD_ARG');
    const total = Math.ceil(size / 4096) * 4096;
    const gsize = this.granularity * 4096;
    const parts: Dataspace[] = [];
    for (let off = 0; off < total; off += gsize) {
      const ds = this.kernel.allocDataspace(task, Math.min(gsize, total - off));
      if (!ds.ok) {
        for (const p of parts) this.kernel.freeDataspace(task, p);
        return err('QUOTA');
      }
      parts.push(ds.value);
    }
    const td = this.adopt(task, this.newRegionMap(total), parts.map((ds, i) => ({ ds, offset: i * gsize })));
    return ok(td.rm.managed);
  }

  /**
   * A managed dataspace over an existing (shared) dataspace: its designated dataspaces are
   * slices of it, so every component that attaches the managed dataspace sees the same memory,
   * and writes through any of the mappings mark the same granules. One per dataspace.
   */
  over(ds: Dataspace, owner: Task): ManagedDataspace {
    const known = this.tracked.find((t) => t.over === ds);
    if (known !== undefined) return known.rm.managed;
    const gsize = this.granularity * 4096;
    const parts: { ds: Dataspace; offset: number }[] = [];
    for (let off = 0; off < ds.size; off += gsize) parts.push({ ds: ds.slice(off, Math.min(gsize, ds.size - off)), offset: off });
    return this.adopt(owner, this.newRegionMap(ds.size), parts, ds).rm.managed;
  }

  /** Takes over a managed dataspace whose designated dataspaces exist (a restore). All start detached. */
  adopt(owner: Task, rm: RegionMap, parts: { ds: Dataspace; offset: number }[], over?: Dataspace): TrackedDataspace {
    const td: TrackedDataspace = {
      rm, owner, over, granuleSize: this.granularity * 4096,
      granules: parts.map(({ ds, offset }) => ({ ds, offset, attached: false, writable: false, dirty: false })),
    };
    for (const r of [...rm.regions]) rm.detach(r.base);
    const imprint = this.nextImprint++;
    this.byImprint.set(imprint, td);
    const ctx = new SignalContext(this.receiver, imprint);
    const slot = this.kernel.coreCaps.insert(ctx, 7);
    rm.faultHandler = this.kernel.coreCaps.get(slot);
    rm.pager = { fault: (addr, write) => this.handle(td, addr, write), peek: (addr) => this.peek(td, addr) };
    return td;
  }

  /** The tracked managed dataspaces, in creation order. */
  get tracked(): TrackedDataspace[] {
    return [...this.byImprint.values()];
  }

  /** The tracking record of a managed dataspace's region map, if it is tracked. */
  find(rm: RegionMap): TrackedDataspace | undefined {
    return this.tracked.find((t) => t.rm === rm);
  }

  /** Stops tracking a managed dataspace (it is being freed). */
  forget(rm: RegionMap): TrackedDataspace | undefined {
    for (const [imprint, td] of this.byImprint) {
      if (td.rm !== rm) continue;
      this.byImprint.delete(imprint);
      rm.pager = undefined;
      return td;
    }
    return undefined;
  }

  private newRegionMap(size: number): RegionMap {
    const k = this.kernel;
    const rm = new RegionMap(size, (t, va, len) => k.unmap(t, va, len));
    rm.onChange = (r) => k.retryFaultsIn(r);
    return rm;
  }

  /** The fault handler: the region map with index `imprint` reported a fault. */
  private onFaultSignal(imprint: number): void {
    const td = this.byImprint.get(imprint);
    if (td === undefined) return;
    const rm = td.rm;
    if (rm.faultWaiters.length === 0) return;
    this.handle(td, rm.faultAddr, rm.faultType === FaultType.Write);
  }

  /** Attaches the designated dataspace behind `addr` as the mode says; false if none is. */
  private handle(td: TrackedDataspace, addr: number, write: boolean): boolean {
    const g = td.granules[Math.floor(addr / td.granuleSize)];
    if (g === undefined) return false;
    const wantWritable = this.mode === 'access' || write;
    if (g.attached && (g.writable || !wantWritable)) {
      this.kernel.retryFaultsIn(td.rm); // already there (another thread was first)
      return true;
    }
    if (g.attached) td.rm.detach(g.offset); // read-only, and now written
    const at = td.rm.attach({ target: g.ds, addr: g.offset, offset: 0, size: 0, writable: wantWritable, executable: true });
    if (!at.ok) return false;
    g.attached = true;
    g.writable = wantWritable;
    if (wantWritable) g.dirty = true;
    this.faults++;
    return true;
  }

  private peek(td: TrackedDataspace, addr: number): number | undefined {
    const g = td.granules[Math.floor(addr / td.granuleSize)];
    return g === undefined ? undefined : g.ds.phys + (addr - g.offset);
  }

  /** The granules (slices) through which a shared dataspace is tracked, if it is. */
  slicesOver(ds: Dataspace): readonly Granule[] | undefined {
    return this.tracked.find((t) => t.over === ds)?.granules;
  }

  /** Pages of `ds` to copy in an incremental checkpoint: a dirty granule's, or none. */
  granuleOf(ds: Dataspace): Granule | undefined {
    for (const td of this.byImprint.values()) {
      const g = td.granules.find((x) => x.ds === ds);
      if (g !== undefined) return g;
    }
    return undefined;
  }

  /** After a checkpoint: detach the marked designated dataspaces so the next access faults. */
  rearm(): void {
    for (const td of this.byImprint.values()) {
      for (const g of td.granules) {
        if (!g.dirty) continue;
        td.rm.detach(g.offset);
        g.attached = false;
        g.writable = false;
        g.dirty = false;
      }
    }
    this.faults = 0;
  }
}
