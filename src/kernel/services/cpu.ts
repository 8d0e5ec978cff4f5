// The CPU session: threads of a component (create, start, pause, resume, state, single step).

import { fail, ObjType, reply, RIGHT_INVOKE, type Invocation, type KObject, type Reply } from '../object';
import { sanitizeName } from '../sanitize';
import type { Task } from '../task';
import { Thread, ThreadState } from '../thread';

const MAX_NAME = 64;

export class CpuSession implements KObject {
  readonly type = ObjType.CpuSession;
  constructor(readonly task: Task) {}

  invoke(call: Invocation): Reply {
    const k = call.kernel;
    const [a0, a1, a2, a3] = call.args;
    if (call.op === 0) { // THREAD_CREATE(priority, name, len)
      if (a0 < 0 || a0 > 255 || a2 < 0 || a2 > MAX_NAME) return fail('BAD_ARG');
      const name = k.readUser(this.task, a1 >>> 0, a2);
      if (!name.ok) return fail(name.error);
      const t = k.createThread(this.task, sanitizeName(String.fromCharCode(...name.value)), a0);
      if (!t.ok) return fail(t.error);
      const slot = this.task.caps.insert(t.value, RIGHT_INVOKE | 4);
      return slot < 0 ? fail('QUOTA') : reply(slot);
    }
    if (!Number.isInteger(call.op) || call.op < 1 || call.op > 7) return fail('BAD_OPCODE');
    const cap = this.task.caps.get(a0);
    if (cap === undefined) return fail('BAD_SLOT');
    const t = cap.obj;
    if (!(t instanceof Thread) || t.task !== this.task) return fail('BAD_ARG');
    // A dead thread can still be asked for its state (it reports 4); nothing else.
    if (t.state === ThreadState.Dead && call.op !== 4) return fail('BAD_ARG');
    switch (call.op) {
      case 1: // THREAD_START(thread, ip, sp, a0)
        k.startThread(t, a1, a2, a3);
        return reply();
      case 2: // THREAD_PAUSE
        t.paused = true;
        return reply();
      case 3: // THREAD_RESUME
        if (t.started) t.paused = false;
        return reply();
      case 4: { // THREAD_STATE_GET(thread, buf)
        const words = new Int32Array(33);
        words.set(t.regs.subarray(1), 0);
        words[31] = t.pc;
        words[32] = t.stateWord;
        const w = k.writeUser(this.task, a1 >>> 0, new Uint8Array(words.buffer));
        return w.ok ? reply() : fail(w.error);
      }
      case 5: { // THREAD_STATE_SET(thread, buf)
        if (!t.paused || t === call.thread) return fail('BAD_ARG');
        const r = k.readUser(this.task, a1 >>> 0, 32 * 4);
        if (!r.ok) return fail(r.error);
        const words = new Int32Array(r.value.buffer);
        t.regs.set(words.subarray(0, 31), 1);
        t.pc = words[31] & ~3;
        return reply();
      }
      case 6: // THREAD_SINGLE_STEP(thread, on)
        t.singleStep = a1 !== 0;
        return reply();
      case 7: // THREAD_KILL
        k.killThread(t);
        return reply();
      default:
        return fail('BAD_OPCODE');
    }
  }
}
