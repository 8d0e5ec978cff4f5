// The checkpointer: with the target's threads stopped (the kernel is between slices), record
// its components (capability tables, threads and their registers), every object they can reach
// through their sessions (dataspaces and their contents, region maps, signal receivers and
// contexts, timers, IRQ sessions), the scheduler and the devices they observe.

import { Dataspace } from '../kernel/dataspace';
import type { Init } from '../kernel/init';
import { unwrap, type KObject } from '../kernel/object';
import { ManagedDataspace, RegionMap } from '../kernel/regionmap';
import { CpuSession } from '../kernel/services/cpu';
import { ParentCap } from '../kernel/services/parent';
import { PdSession } from '../kernel/services/pd';
import { RamSession } from '../kernel/services/ram';
import { IoMemSession, IrqSession, LogSession, RmSession, TimerSession } from '../kernel/services/sessions';
import { shmRegistry, ShmSession } from '../kernel/services/shm';
import { SignalContext, SignalReceiver } from '../kernel/signal';
import type { Task } from '../kernel/task';
import { Thread } from '../kernel/thread';
import { PAGE, type Checkpoint, type ComponentRecord, type MemoryRecord, type ObjectRecord } from './model';
import type { Tracker } from './tracking';

export interface CheckpointOptions {
  /** Dirty tracking, if the child is tracked. */
  tracker?: Tracker;
  /** Copy only what tracking marked (tracked dataspaces), instead of everything. */
  incremental?: boolean;
  /** A dataspace's identity across the checkpoints of a chain. */
  serialOf: (ds: Dataspace) => number;
}

/** Figures of one checkpoint, as the issue asks to report them. */
export interface CheckpointFigures {
  bytesCopied: number;
  dataspacesCopied: number;
  dataspacesSkipped: number;
}

/** Records everything restore needs. Contract: call only between kernel runs. */
export function takeCheckpoint(init: Init, opts: CheckpointOptions): { checkpoint: Checkpoint; figures: CheckpointFigures } {
  const k = init.kernel;
  const components = [...init.components.values()];
  const taskIndex = new Map<Task, number>(components.map((c, i) => [c.task, i]));
  const ids = new Map<object, number>();
  const queue: object[] = [];
  const idOf = (obj: object): number => {
    const real = unwrap(obj as KObject);
    let id = ids.get(real);
    if (id === undefined) {
      id = ids.size;
      ids.set(real, id);
      queue.push(real);
    }
    return id;
  };
  const threadRef = (t: Thread): [number, number] => [taskIndex.get(t.task) ?? 0, t.index];

  const records: ComponentRecord[] = components.map((c) => ({
    name: c.name,
    label: c.task.label,
    ramQuota: c.task.ramQuota,
    priority: c.task.maxPriority,
    routes: c.routes === undefined ? undefined : [...c.routes] as NonNullable<ComponentRecord['routes']>,
    end: c.task.end,
    addressSpace: idOf(c.task.as),
    caps: c.task.caps.entries().map((cap) => ({
      slot: cap.slot, object: idOf(cap.obj), rights: cap.rights, badge: cap.badge,
      derivedFrom: cap.parent !== undefined && cap.parent.table === c.task.caps ? cap.parent.slot : undefined,
    })),
    threads: c.task.threads.map((t) => {
      if (t.waitingOn !== undefined) idOf(t.waitingOn);
      if (t.faultIn !== undefined) idOf(t.faultIn);
      return {
        index: t.index, name: t.name, priority: t.priority, regs: [...t.regs], pc: t.pc, state: t.state,
        paused: t.paused, started: t.started, singleStep: t.singleStep, quantumUsed: t.quantumUsed,
      };
    }),
  }));

  // Named shared memory: every region of the SHM service, reachable from a session or not.
  const shm = [...shmRegistry(k).values()].map((r) => ({ name: r.name, dataspace: idOf(r.dataspace), charged: taskIndex.get(r.charged) ?? 0 }));
  const shmCharged = new Map(shmRegistry(k).size === 0 ? [] : [...shmRegistry(k).values()].map((r) => [r.dataspace, r.charged] as const));
  const tracker = opts.tracker;
  const tracking = tracker === undefined ? undefined : {
    granularity: tracker.granularity,
    mode: tracker.mode,
    managed: tracker.tracked.map((td) => ({
      rm: idOf(td.rm), owner: taskIndex.get(td.owner) ?? 0,
      over: td.over === undefined ? undefined : idOf(td.over),
      designated: td.granules.map((g) => ({ ds: idOf(g.ds), offset: g.offset })),
    })),
  };
  const objects: ObjectRecord[] = [];
  const ownHandler = (rm: RegionMap) => tracker?.find(rm) !== undefined; // Rtcr's, not the child's
  for (let i = 0; i < queue.length; i++) {
    objects.push(describe(queue[i], i, { idOf, threadRef, taskIndex, now: k.now(), serialOf: opts.serialOf, ownHandler, shmCharged }));
  }

  const figures: CheckpointFigures = { bytesCopied: 0, dataspacesCopied: 0, dataspacesSkipped: 0 };
  const memory: MemoryRecord[] = [];
  const ram = init.machine.bus.ram;
  const ramBase = init.machine.bus.ramBase;
  for (const [obj, id] of ids) {
    if (!(obj instanceof Dataspace) || obj.io || obj.sliceOf !== undefined) continue; // a slice's memory is its parent's
    const pages = pagesToCopy(obj, opts.incremental === true ? tracker : undefined);
    if (pages.length === 0) { figures.dataspacesSkipped++; continue; }
    const off = obj.phys - ramBase;
    let data: Uint8Array<ArrayBuffer>;
    if (pages.length * PAGE === obj.size) {
      data = ram.slice(off, off + obj.size); // physically contiguous: one piece
    } else {
      data = new Uint8Array(pages.length * PAGE);
      pages.forEach((p, j) => data.set(ram.subarray(off + p * PAGE, off + (p + 1) * PAGE), j * PAGE));
    }
    memory.push({ dataspace: id, pages, data });
    figures.bytesCopied += data.length;
    figures.dataspacesCopied++;
  }

  const sched = k.schedulerState();
  const inTarget = (t: Thread) => taskIndex.has(t.task);
  const m = init.machine;
  const checkpoint: Checkpoint = {
    time: { cycles: k.now(), insnsPerSecond: m.insnsPerSecond, mtimeHz: m.insnsPerSecond / m.cyclesPerTick },
    ramMiB: m.bus.ramSize / (1024 * 1024),
    board: init.scenario.board?.irqsrcFirstSource === undefined ? undefined : { irqsrcFirstSource: init.scenario.board.irqsrcFirstSource },
    quantum: k.quantum,
    components: records,
    objects,
    memory,
    scheduler: {
      order: sched.order.filter(inTarget).map(threadRef),
      current: sched.current !== undefined && inTarget(sched.current) ? threadRef(sched.current) : undefined,
      reservation: sched.current !== undefined && inTarget(sched.current) ? sched.reservationVa : undefined,
    },
    devices: {
      plic: m.plic.saveState(),
      uart: m.uart.saveState(),
      irqsrc: m.irqsrc.saveState(),
      uartInput: init.uartInput === undefined || init.uartInput.due === Infinity ? undefined
        : { bytes: [...init.uartInput.bytes], remaining: Math.max(0, init.uartInput.due - k.now()) },
    },
    tracking,
    shm,
    logCount: init.logBase + init.log.length,
  };
  return { checkpoint, figures };
}

/**
 * The pages of `ds` a checkpoint copies: all of it, or with tracking (incremental) those of its
 * marked granules — a designated dataspace's own, or a shared dataspace's marked slices.
 */
function pagesToCopy(ds: Dataspace, tracker: Tracker | undefined): number[] {
  const all = () => Array.from({ length: ds.size / PAGE }, (_, p) => p);
  if (tracker === undefined) return all();
  const slices = tracker.slicesOver(ds);
  if (slices !== undefined) {
    return slices.filter((g) => g.dirty).flatMap((g) => Array.from({ length: g.ds.size / PAGE }, (_, k) => g.offset / PAGE + k));
  }
  const granule = tracker.granuleOf(ds);
  return granule !== undefined && !granule.dirty ? [] : all();
}

/** The record of one object; references to other objects become ids. */
interface DescribeContext {
  idOf: (o: object) => number;
  threadRef: (t: Thread) => [number, number];
  taskIndex: Map<Task, number>;
  now: number;
  serialOf: (ds: Dataspace) => number;
  /** Region maps whose fault handler is Rtcr's own tracking (not recorded: restore re-arms it). */
  ownHandler: (rm: RegionMap) => boolean;
  /** Shared-memory dataspaces and the task their quota is charged to. */
  shmCharged: ReadonlyMap<Dataspace, Task>;
}

function describe(obj: object, id: number, c: DescribeContext): ObjectRecord {
  const { idOf, threadRef, taskIndex, now, serialOf } = c;
  const owner = (t: Task) => taskIndex.get(t) ?? 0;
  if (obj instanceof Dataspace) {
    if (obj.io) return { kind: 'iomem', id, base: obj.phys, size: obj.size };
    if (obj.sliceOf !== undefined) return { kind: 'slice', id, of: idOf(obj.sliceOf.ds), offset: obj.sliceOf.offset, size: obj.size };
    const holder = c.shmCharged.get(obj) ?? [...taskIndex.keys()].find((t) => t.dataspaces.has(obj));
    return { kind: 'dataspace', id, size: obj.size, owner: holder === undefined ? 0 : owner(holder), serial: serialOf(obj) };
  }
  if (obj instanceof RegionMap) {
    return {
      kind: 'regionmap', id, size: obj.size, anyFrom: obj.anyFrom, anyTo: obj.anyTo,
      regions: obj.regions.map((r) => ({ base: r.base, size: r.size, offset: r.offset, target: idOf(r.target),
        writable: r.writable, executable: r.executable })),
      faultHandler: obj.faultHandler === undefined || c.ownHandler(obj) ? undefined : idOf(obj.faultHandler.obj),
      faultType: obj.faultType, faultAddr: obj.faultAddr,
      faultWaiters: obj.faultWaiters.map(threadRef),
    };
  }
  if (obj instanceof ManagedDataspace) return { kind: 'managed', id, rm: idOf(obj.rm) };
  if (obj instanceof SignalReceiver) {
    return { kind: 'receiver', id, pending: obj.pending.map((c) => idOf(c)), waiters: obj.waiters.map(threadRef) };
  }
  if (obj instanceof SignalContext) {
    return { kind: 'context', id, receiver: idOf(obj.receiver), imprint: obj.imprint, count: obj.count, freed: obj.freed };
  }
  if (obj instanceof Thread) return { kind: 'thread', id, component: owner(obj.task), index: obj.index };
  return describeSession(obj, id, idOf, owner, now);
}

function describeSession(obj: object, id: number, idOf: (o: object) => number, owner: (t: Task) => number, now: number): ObjectRecord {
  const base = { kind: 'session' as const, id };
  if (obj instanceof ParentCap) return { ...base, service: 'Parent', component: owner(obj.child), label: '' };
  if (obj instanceof PdSession) return { ...base, service: 'PD', component: owner(obj.task), label: '' };
  if (obj instanceof CpuSession) return { ...base, service: 'CPU', component: owner(obj.task), label: '' };
  if (obj instanceof RamSession) return { ...base, service: 'RAM', component: owner(obj.task), label: '' };
  if (obj instanceof LogSession) return { ...base, service: 'LOG', component: owner(obj.task), label: obj.label };
  if (obj instanceof TimerSession) {
    return {
      ...base, service: 'Timer', component: owner(obj.task), label: '',
      timer: {
        context: obj.context === undefined ? undefined : idOf(obj.context.obj),
        remaining: obj.deadline === Infinity ? -1 : obj.deadline - now, period: obj.period, seq: obj.seq,
      },
    };
  }
  if (obj instanceof IrqSession) {
    return {
      ...base, service: 'IRQ', component: owner(obj.task), label: '',
      irq: { irq: obj.irq, context: obj.context === undefined ? undefined : idOf(obj.context.obj), claimed: obj.claimed },
    };
  }
  if (obj instanceof RmSession) {
    return { ...base, service: 'RM', component: owner(obj.task), label: '', regionMaps: obj.regionMaps.map((r) => idOf(r)) };
  }
  if (obj instanceof ShmSession) {
    idOf(obj.dataspace);
    return { ...base, service: 'SHM', component: owner(obj.task), label: '', shm: obj.name };
  }
  if (obj instanceof IoMemSession) {
    return { ...base, service: 'IO_MEM', component: owner(obj.task), label: '', iomem: idOf(obj.dataspace) };
  }
  throw new Error(`checkpoint: an object of an unknown kind (${obj.constructor.name})`);
}
