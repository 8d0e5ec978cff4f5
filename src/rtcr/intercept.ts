// Intercepting session components: Rtcr hands its child these instead of core's sessions. Each
// forwards every call to the real session and records the state-changing ones (creation,
// signal handlers, attached regions, threads, timer triggers, IRQ acknowledgements) with the
// virtual time, like Genode's Rtcr. The checkpointer reads the state of the real objects behind
// them; the record is what `rtcr inspect` shows of a child's history.

import type { Interposition, ServiceName } from '../kernel/init';
import type { Invocation, Interposer, KObject, Reply } from '../kernel/object';
import type { Task } from '../kernel/task';

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
    const reply = this.inner.invoke === undefined ? { kind: 'error' as const, error: 'BAD_OPCODE' as const } : this.inner.invoke(call);
    if (STATE_CHANGING[this.service].includes(call.op)) {
      if (this.calls.length >= KEEP) { this.calls.shift(); this.dropped++; }
      this.calls.push({
        cycles: call.kernel.now(), op: call.op, args: [...call.args],
        result: reply.kind === 'ok' ? [...reply.values] : reply.kind === 'error' ? reply.error : 'blocked',
      });
    }
    return reply;
  }
}

/** The interposition Rtcr gives init: every session of the child goes through an Interceptor. */
export class RtcrInterposition implements Interposition {
  readonly interceptors: Interceptor[] = [];

  wrap(task: Task, service: ServiceName, obj: KObject): KObject {
    const i = new Interceptor(obj, service, task);
    this.interceptors.push(i);
    return i;
  }
}
