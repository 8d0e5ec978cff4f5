// The parent interface a component holds in slot 1: it asks for sessions by service name and
// closes them. The parent (init, later Rtcr) decides through its Router where a request goes.

import type { Result } from '../errors';
import { fail, ObjType, reply, RIGHTS_ALL, type Invocation, type KObject, type Reply } from '../object';
import type { Task } from '../task';

const MAX_NAME = 64;
const MAX_ARGS = 1024;

/** The parent's routing decision for one session request. */
export interface Router {
  session(child: Task, service: string, args: string): Result<KObject>;
  close?(child: Task, session: KObject): void;
}

export class ParentCap implements KObject {
  readonly type = ObjType.Parent;
  constructor(readonly child: Task, private readonly router: Router) {}

  invoke(call: Invocation): Reply {
    const k = call.kernel;
    const [a0, a1, a2, a3] = call.args;
    switch (call.op) {
      case 0: { // SESSION(name, len, args, len)
        if (a1 < 0 || a1 > MAX_NAME || a3 < 0 || a3 > MAX_ARGS) return fail('BAD_ARG');
        const name = k.readUser(this.child, a0 >>> 0, a1);
        if (!name.ok) return fail(name.error);
        const args = k.readUser(this.child, a2 >>> 0, a3);
        if (!args.ok) return fail(args.error);
        const s = this.router.session(this.child, latin1(name.value), latin1(args.value));
        if (!s.ok) return fail(s.error);
        const slot = this.child.caps.insert(s.value, RIGHTS_ALL);
        return slot < 0 ? fail('QUOTA') : reply(slot);
      }
      case 1: { // CLOSE(session)
        const cap = this.child.caps.get(a0);
        if (cap === undefined) return fail('BAD_SLOT');
        this.router.close?.(this.child, cap.obj);
        this.child.caps.remove(a0);
        return reply();
      }
      default:
        return fail('BAD_OPCODE');
    }
  }
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);
