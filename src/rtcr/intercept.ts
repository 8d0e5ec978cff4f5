// Intercepting session components: Rtcr hands its child these instead of core's sessions. Each
// forwards every call to the real session and records the state-changing ones (creation,
// signal handlers, attached regions, threads, timer triggers, IRQ acknowledgements) with the
// virtual time, like Genode's Rtcr. The checkpointer reads the state of the real objects behind
// them; the record is what `rtcr inspect` shows of a child's history.

import type { Init, Interposition, ServiceName } from '../kernel/init';
import type { Kernel } from '../kernel/kernel';
import { fail, reply, RIGHT_INVOKE, RIGHT_WRITE, RIGHTS_ALL, type Invocation, type Interposer, type KObject, type Reply } from '../kernel/object';
import { ShmSession } from '../kernel/services/shm';
import type { Result } from '../kernel/errors';
import { ManagedDataspace, type RegionMap } from '../kernel/regionmap';
import type { Task } from '../kernel/task';
import { Tracker, type TrackMode } from './tracking';

/** Opcodes that change state, per service (docs/abi.md); the rest only read. */
const STATE_CHANGING: Readonly<Record<ServiceName, readonly number[]>> = {
  Parent: [0, 1],
  PD: [0, 1, 2, 3, 4, 5, 6],
  CPU: [0, 1, 2, 3, 5, 6, 7],
  RAM: [0, 1],
  RM: [0, 1, 2, 4],
  LOG: [],
  Timer: [0, 1, 2],
  IRQ: [0, 1],
  IO_MEM: [0],
  SHM: [0],
};

export interface RecordedCall {
  cycles: number;
  op: number;
  args: readonly number[];
  /** The reply: results, or the error's name. */
  result: readonly number[] | string;
}

/** How many calls an interceptor keeps (older ones are only counted). */
const KEEP = 1024;

export class Interceptor implements Interposer {
  readonly type: KObject['type'];
  readonly calls: RecordedCall[] = [];
  dropped = 0;

  constructor(readonly inner: KObject, readonly service: ServiceName, readonly task: Task) {
    this.type = inner.type;
  }

  invoke(call: Invocation): Reply {
    const r = this.inner.invoke === undefined ? fail('BAD_OPCODE') : this.inner.invoke(call);
    return this.record(call, r);
  }

  /** Keeps a state-changing call in the record; returns its reply. */
  protected record(call: Invocation, r: Reply): Reply {
    if (STATE_CHANGING[this.service].includes(call.op)) {
      if (this.calls.length >= KEEP) { this.calls.shift(); this.dropped++; }
      this.calls.push({
        cycles: call.kernel.now(), op: call.op, args: [...call.args],
        result: r.kind === 'ok' ? [...r.values] : r.kind === 'error' ? r.error : 'blocked',
      });
    }
    return r;
  }
}

/**
 * The RAM session under tracking: ALLOC answers with a managed dataspace of designated
 * dataspaces (tracking.ts); FREE of one frees its designated dataspaces and detaches it.
 */
export class TrackingRamInterceptor extends Interceptor {
  constructor(inner: KObject, task: Task, private readonly tracker: Tracker) {
    super(inner, 'RAM', task);
  }

  override invoke(call: Invocation): Reply {
    if (call.op === 0) return this.record(call, this.alloc(call));
    if (call.op === 1) {
      const cap = this.task.caps.get(call.args[0]);
      const td = cap !== undefined && cap.obj instanceof ManagedDataspace ? this.tracker.find(cap.obj.rm) : undefined;
      if (cap !== undefined && cap.obj instanceof ManagedDataspace && td !== undefined && td.over === undefined) {
        return this.record(call, this.free(call.kernel, cap.obj.rm, call.args[0]));
      }
    }
    return super.invoke(call);
  }

  private alloc(call: Invocation): Reply {
    const size = call.args[0] >>> 0;
    const md = this.tracker.create(this.task, size);
    if (!md.ok) return fail(md.error);
    const slot = this.task.caps.insert(md.value, RIGHTS_ALL);
    if (slot < 0) {
      this.free(call.kernel, md.value.rm, -1);
      return fail('QUOTA');
    }
    return reply(slot);
  }

  private free(k: Kernel, rm: RegionMap, slot: number): Reply {
    const td = this.tracker.forget(rm);
    for (const { rm: parent, region } of [...rm.attachedIn]) parent.detach(region.base);
    for (const g of td?.granules ?? []) k.freeDataspace(this.task, g.ds);
    if (slot > 0) this.task.caps.remove(slot);
    return reply();
  }
}

/**
 * An SHM session under tracking: DATASPACE answers with the managed dataspace Rtcr keeps over the
 * shared dataspace (one for all members), so writes through every mapping are tracked.
 */
export class TrackingShmInterceptor extends Interceptor {
  constructor(inner: KObject, task: Task, private readonly tracker: Tracker) {
    super(inner, 'SHM', task);
  }

  override invoke(call: Invocation): Reply {
    const real = this.inner;
    if (call.op !== 0 || !(real instanceof ShmSession)) return super.invoke(call);
    const md = this.tracker.over(real.dataspace, real.shm.charged);
    const slot = this.task.caps.insert(md, RIGHT_INVOKE | RIGHT_WRITE);
    return this.record(call, slot < 0 ? fail('QUOTA') : reply(slot));
  }
}

/** The interposition Rtcr gives init: every session of the child goes through an Interceptor. */
export class RtcrInterposition implements Interposition {
  readonly interceptors: Interceptor[] = [];
  /** Dirty tracking for RAM sessions (none at granularity 0), made once the kernel exists. */
  tracker: Tracker | undefined;

  constructor(private readonly granularity: number, private readonly mode: TrackMode) {}

  attach(init: Init): void {
    if (this.granularity > 0) this.tracker = new Tracker(init.kernel, this.granularity, this.mode);
  }

  /** With tracking, a child's stack is a tracked managed dataspace like its RAM allocations. */
  allocStack(task: Task, size: number): Result<ManagedDataspace> | undefined {
    return this.tracker === undefined ? undefined : this.tracker.create(task, size);
  }

  wrap(task: Task, service: ServiceName, obj: KObject): KObject {
    const i = service === 'RAM' && this.tracker !== undefined ? new TrackingRamInterceptor(obj, task, this.tracker)
      : service === 'SHM' && this.tracker !== undefined ? new TrackingShmInterceptor(obj, task, this.tracker)
      : new Interceptor(obj, service, task);
    this.interceptors.push(i);
    return i;
  }
}
