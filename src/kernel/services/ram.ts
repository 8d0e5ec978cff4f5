// The RAM session: dataspaces within the component's quota.

import { Dataspace } from '../dataspace';
import { fail, ObjType, reply, RIGHTS_ALL, type Invocation, type KObject, type Reply } from '../object';
import type { Task } from '../task';

export class RamSession implements KObject {
  readonly type = ObjType.RamSession;
  constructor(readonly task: Task) {}

  invoke(call: Invocation): Reply {
    const k = call.kernel;
    const [a0] = call.args;
    switch (call.op) {
      case 0: { // ALLOC(size)
        const ds = k.allocDataspace(this.task, a0 >>> 0);
        if (!ds.ok) return fail(ds.error);
        const slot = this.task.caps.insert(ds.value, RIGHTS_ALL);
        if (slot < 0) {
          k.freeDataspace(this.task, ds.value);
          return fail('QUOTA');
        }
        return reply(slot);
      }
      case 1: { // FREE(ds)
        const cap = this.task.caps.get(a0);
        if (cap === undefined) return fail('BAD_SLOT');
        if (!(cap.obj instanceof Dataspace) || !this.task.dataspaces.has(cap.obj)) return fail('BAD_ARG');
        k.freeDataspace(this.task, cap.obj);
        this.task.caps.remove(a0);
        return reply();
      }
      case 2: // QUOTA
        return reply(this.task.ramQuota, this.task.ramCharged);
      default:
        return fail('BAD_OPCODE');
    }
  }
}
