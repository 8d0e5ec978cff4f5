// Region maps: an address range into which dataspaces (or other region maps, as managed
// dataspaces) are attached. A task's address space is a region map; the kernel resolves page
// faults through it. A region map attached inside another one is a managed dataspace: a fault
// where nothing is attached in it blocks the thread and signals the region map's fault handler.

import { err, ok, type Result } from './errors';
import { Dataspace } from './dataspace';
import {
  fail, ObjType, reply, RIGHT_DELEGATE, RIGHT_INVOKE, RIGHT_WRITE, type Invocation, type KObject, type Reply,
} from './object';
import type { Capability } from './captable';
import { contextArg } from './signal';
import type { Task } from './task';
import type { Thread } from './thread';

const PAGE = 4096;

export interface Region {
  readonly base: number;
  readonly size: number;
  readonly offset: number;
  readonly target: Dataspace | RegionMap;
  readonly writable: boolean;
  readonly executable: boolean;
}

/** What a virtual address resolves to. */
export type Resolution =
  | { kind: 'mapped'; pa: number; writable: boolean; executable: boolean; io: boolean;
      /** The innermost region map holding the region, and the address within it. */
      rm: RegionMap; addr: number }
  | { kind: 'hole'; rm: RegionMap; addr: number }
  | { kind: 'none' };

export const enum FaultType {
  None = 0,
  Read = 1,
  Write = 2,
  Exec = 3,
}

/** Unmaps [va, va+len) of a task's page table and flushes the TLB. */
export type UnmapFn = (task: Task, va: number, len: number) => void;

export interface AttachAttr {
  target: Dataspace | RegionMap;
  /** -1: the lowest free address in the "any" window. */
  addr: number;
  offset: number;
  /** 0: the target's size minus offset. */
  size: number;
  writable: boolean;
  executable: boolean;
}

/** Below this address a task's address space maps nothing (the null guard, docs/abi.md). */
export const NULL_GUARD = 0x10000;

/**
 * Whether a region [base, base+size) at `offset` into a target of `targetSize` bytes may be
 * attached in a region map of `mapSize` bytes whose lowest attachable address is `floor`: the
 * kernel's own rule (attach() uses it), and a restore checks an image's regions with it.
 * Overlap with other regions is checked separately.
 */
export function regionFits(mapSize: number, floor: number, r: { base: number; size: number; offset: number }, targetSize: number):
  'BAD_ARG' | 'REGION_CONFLICT' | undefined {
  if (r.offset % PAGE !== 0 || r.size % PAGE !== 0 || r.base % PAGE !== 0 || r.offset < 0 || r.base < 0 || r.size <= 0) return 'BAD_ARG';
  if (r.offset + r.size > targetSize) return 'BAD_ARG';
  if (r.base < floor || r.base + r.size > mapSize) return 'REGION_CONFLICT';
  return undefined;
}

/** Device memory is never executable, whatever the attach asked for (docs/abi.md, IO_MEM). */
export function executableOver(target: Dataspace | RegionMap, executable: boolean): boolean {
  return executable && !(target instanceof Dataspace && target.io);
}

/** The managed dataspace of a region map: what DATASPACE hands out to attach elsewhere. */
export class ManagedDataspace implements KObject {
  readonly type = ObjType.Dataspace;
  constructor(readonly rm: RegionMap) {}
  invoke(call: Invocation): Reply {
    return call.op === 0 ? reply(this.rm.size) : fail('BAD_OPCODE');
  }
}

/**
 * A host-side pager of a region map's holes (Rtcr's dirty tracking): what the kernel asks when
 * it must reach memory behind a hole itself (a system call's buffer, the state hash).
 */
export interface HolePager {
  /** Makes `addr` resolvable for the access (attaching what belongs there); false if it cannot. */
  fault(addr: number, write: boolean): boolean;
  /** The physical address that backs `addr` once faulted in, without changing anything. */
  peek(addr: number): number | undefined;
}

export class RegionMap implements KObject {
  readonly type = ObjType.RegionMap;
  readonly regions: Region[] = [];
  /** Where this region map is attached as a managed dataspace. */
  readonly attachedIn: { rm: RegionMap; region: Region }[] = [];
  /** The task whose address space this is, for the root region map. */
  owner: Task | undefined;
  /** The fault handler's signal context, delegated to core. */
  faultHandler: Capability | undefined;
  faultType: FaultType = FaultType.None;
  faultAddr = 0;
  /** Threads blocked in a fault inside this region map. */
  readonly faultWaiters: Thread[] = [];
  readonly managed: ManagedDataspace = new ManagedDataspace(this);
  /** Set when a host-side pager fills this map's holes on demand. */
  pager: HolePager | undefined;
  /** The lowest address an attach may use (an address space's null guard). */
  floor = 0;
  /** Asked before an attach (the address space's owner pays for page tables); false: QUOTA. */
  admit: ((base: number, size: number) => boolean) | undefined;

  /**
   * @param size bytes the map spans, from 0
   * @param anyFrom, anyTo the window for attaches at "any address"
   */
  constructor(readonly size: number, private readonly unmap: UnmapFn, readonly anyFrom = 0,
    readonly anyTo = size) {}

  /** Attaches a dataspace or region map; returns the address. */
  attach(a: AttachAttr): Result<number> {
    const targetSize = a.target instanceof Dataspace ? a.target.size : a.target.size;
    if (a.offset % PAGE !== 0 || a.size % PAGE !== 0 || a.offset < 0 || a.size < 0) return err('BAD_ARG');
    const size = a.size === 0 ? targetSize - a.offset : a.size;
    if (size <= 0 || a.offset + size > targetSize) return err('BAD_ARG');
    if (a.target === this || (a.target instanceof RegionMap && a.target.contains(this))) return err('BAD_ARG');
    let base = a.addr;
    if (base === -1) {
      base = this.findFree(size);
      if (base < 0) return err('REGION_CONFLICT');
    }
    const fits = regionFits(this.size, this.floor, { base, size, offset: a.offset }, targetSize);
    if (fits !== undefined) return err(fits);
    if (this.regions.some((r) => base < r.base + r.size && r.base < base + size)) return err('REGION_CONFLICT');
    if (this.admit !== undefined && !this.admit(base, size)) return err('QUOTA');
    const region: Region = { base, size, offset: a.offset, target: a.target, writable: a.writable,
      executable: executableOver(a.target, a.executable) };
    this.regions.push(region);
    this.regions.sort((x, y) => x.base - y.base);
    if (a.target instanceof RegionMap) a.target.attachedIn.push({ rm: this, region });
    else a.target.attachments.add(this);
    this.changed();
    return ok(base);
  }

  /** Detaches the region containing `addr`, unmapping it from every task that maps it. */
  detach(addr: number): Result<Region> {
    const i = this.regions.findIndex((r) => addr >= r.base && addr < r.base + r.size);
    if (i < 0) return err('NOT_FOUND');
    const [region] = this.regions.splice(i, 1);
    if (region.target instanceof RegionMap) {
      const links = region.target.attachedIn;
      links.splice(links.findIndex((l) => l.region === region), 1);
    } else if (!this.regions.some((r) => r.target === region.target)) {
      region.target.attachments.delete(this);
    }
    this.unmapRange(region.base, region.size);
    return ok(region);
  }

  /** Detaches every region showing `ds` (it is being freed). */
  detachAll(ds: Dataspace): void {
    for (const r of this.regions.filter((x) => x.target === ds)) this.detach(r.base);
  }

  /** Unmaps [base, base+size) of this map wherever it is visible: in its owner and up the tree. */
  unmapRange(base: number, size: number): void {
    if (this.owner !== undefined) this.unmap(this.owner, base, size);
    for (const { rm, region } of this.attachedIn) {
      const lo = Math.max(base, region.offset);
      const hi = Math.min(base + size, region.offset + region.size);
      if (lo < hi) rm.unmapRange(region.base + (lo - region.offset), hi - lo);
    }
  }

  /** Resolves `va` through nested region maps down to a physical page, a hole or nothing. */
  resolve(va: number): Resolution {
    const r = this.regions.find((x) => va >= x.base && va < x.base + x.size);
    if (r === undefined) return { kind: 'none' };
    const inner = r.offset + (va - r.base);
    if (r.target instanceof Dataspace) {
      if (r.target.freed) return { kind: 'none' };
      return { kind: 'mapped', pa: r.target.phys + (inner - (inner % PAGE)), writable: r.writable,
        executable: r.executable && !r.target.io, io: r.target.io, rm: this, addr: va };
    }
    const res = r.target.resolve(inner);
    if (res.kind === 'none') return { kind: 'hole', rm: r.target, addr: inner };
    if (res.kind === 'mapped') {
      return { ...res, writable: res.writable && r.writable, executable: res.executable && r.executable };
    }
    return res;
  }

  /** True if `rm` is this map or nested anywhere inside it (attaching it here would loop). */
  contains(rm: RegionMap): boolean {
    return rm === this || this.regions.some((r) => r.target instanceof RegionMap && r.target.contains(rm));
  }

  /** Something was attached: threads blocked in a fault here retry their access. */
  private changed(): void {
    this.onChange?.(this);
  }

  /** Set by the kernel: wakes fault waiters after an attach. */
  onChange: ((rm: RegionMap) => void) | undefined;

  private findFree(size: number): number {
    let candidate = this.anyFrom;
    for (const r of this.regions) {
      if (r.base + r.size <= candidate) continue;
      if (r.base >= candidate + size) break;
      candidate = r.base + r.size;
    }
    return candidate + size <= this.anyTo ? candidate : -1;
  }

  // ---- the ABI ----

  invoke(call: Invocation): Reply {
    const [a0, a1, a2, a3, a4] = call.args;
    const caps = call.task.caps;
    switch (call.op) {
      case 0: { // ATTACH(ds, addr, offset, size, flags)
        const cap = caps.get(a0);
        if (cap === undefined) return fail('BAD_SLOT');
        const target = cap.obj instanceof Dataspace ? cap.obj : cap.obj instanceof ManagedDataspace ? cap.obj.rm : undefined;
        if (target === undefined) return fail('BAD_ARG');
        const r = this.attach({
          target, addr: a1 === -1 ? -1 : a1 >>> 0, offset: a2 >>> 0, size: a3 >>> 0,
          executable: (a4 & 1) !== 0, writable: (a4 & 2) !== 0 && (cap.rights & RIGHT_WRITE) !== 0,
        });
        return r.ok ? reply(r.value) : fail(r.error);
      }
      case 1: { // DETACH(addr)
        const r = this.detach(a0 >>> 0);
        return r.ok ? reply() : fail(r.error);
      }
      case 2: { // FAULT_HANDLER(ctx)
        const c = contextArg(call.kernel, call.task, a0, this.faultHandler);
        if (!c.ok) return fail(c.error);
        this.faultHandler = c.value;
        return reply();
      }
      case 3: // FAULT_STATE
        return reply(this.faultType, this.faultAddr);
      case 4: { // DATASPACE
        const slot = caps.insert(this.managed, RIGHT_INVOKE | RIGHT_WRITE | RIGHT_DELEGATE);
        return slot < 0 ? fail('QUOTA') : reply(slot);
      }
      default:
        return fail('BAD_OPCODE');
    }
  }
}
