// The PD session: signal contexts and receivers, and capability operations of a component.

import { revokeChildren } from '../captable';
import { fail, ObjType, reply, RIGHT_INVOKE, RIGHTS_ALL, type Invocation, type KObject, type Reply } from '../object';
import { SignalContext, type SignalReceiver } from '../signal';
import type { Task } from '../task';

export class PdSession implements KObject {
  readonly type = ObjType.Pd;
  constructor(readonly task: Task) {}

  invoke(call: Invocation): Reply {
    const caps = this.task.caps;
    const [a0, a1] = call.args;
    switch (call.op) {
      case 0: { // ALLOC_CONTEXT(receiver, imprint)
        const rx = caps.get(a0);
        if (rx === undefined) return fail('BAD_SLOT');
        if (rx.obj.type !== ObjType.SignalReceiver) return fail('BAD_ARG');
        const slot = caps.insert(new SignalContext(rx.obj as SignalReceiver, a1 | 0), RIGHTS_ALL);
        return slot < 0 ? fail('QUOTA') : reply(slot);
      }
      case 1: { // FREE_CONTEXT(ctx)
        const ctx = caps.get(a0);
        if (ctx === undefined) return fail('BAD_SLOT');
        if (!(ctx.obj instanceof SignalContext)) return fail('BAD_ARG');
        ctx.obj.receiver.drop(ctx.obj);
        caps.remove(a0);
        return reply();
      }
      case 2: { // SUBMIT(ctx, count)
        const ctx = caps.get(a0);
        if (ctx === undefined) return fail('BAD_SLOT');
        if (!(ctx.obj instanceof SignalContext) || a1 < 1) return fail('BAD_ARG');
        ctx.obj.submit(a1);
        return reply();
      }
      case 3: { // ALLOC_RECEIVER
        const slot = caps.insert(call.kernel.newReceiver(), RIGHT_INVOKE | 4);
        return slot < 0 ? fail('QUOTA') : reply(slot);
      }
      case 4: { // CAP_DERIVE(slot, mask)
        const cap = caps.get(a0);
        if (cap === undefined) return fail('BAD_SLOT');
        const slot = caps.derive(cap, a1);
        return slot === -2 ? fail('RIGHTS') : slot < 0 ? fail('QUOTA') : reply(slot);
      }
      case 5: { // CAP_REVOKE(slot)
        const cap = caps.get(a0);
        if (cap === undefined) return fail('BAD_SLOT');
        revokeChildren(cap);
        return reply();
      }
      case 6: // CAP_DELETE(slot)
        if (caps.get(a0) === undefined) return fail('BAD_SLOT');
        caps.remove(a0);
        return reply();
      case 7: { // CAP_INFO(slot)
        const cap = caps.get(a0);
        return cap === undefined ? fail('BAD_SLOT') : reply(cap.obj.type, cap.rights, cap.badge);
      }
      default:
        return fail('BAD_OPCODE');
    }
  }
}
