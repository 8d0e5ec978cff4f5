// System calls (docs/abi.md): a7 selects; a0.. carry arguments; a0 returns the status.

import { ERROR_CODES, type KernelError } from './errors';
import type { Kernel } from './kernel';
import { ObjType, RIGHT_INVOKE, type Invocation, type Reply } from './object';
import type { SignalReceiver } from './signal';
import { ThreadState, type Thread } from './thread';

export const SYS_INVOKE = 0;
export const SYS_WAIT = 1;
export const SYS_POLL = 2;
export const SYS_YIELD = 3;
export const SYS_EXIT = 4;

const A0 = 10;

/** Handles the ecall of `t` (registers already saved in t.regs). Advances pc past the ecall. */
export function handleSyscall(k: Kernel, t: Thread): void {
  const r = t.regs;
  t.pc = (t.pc + 4) | 0;
  switch (r[17]) {
    case SYS_INVOKE: return answer(t, invoke(k, t));
    case SYS_WAIT: return wait(t, true);
    case SYS_POLL: return wait(t, false);
    case SYS_YIELD:
      r[A0] = 0;
      k.rotate(t);
      return;
    case SYS_EXIT:
      k.endTask(t.task, { kind: 'exit', code: r[A0] });
      return;
    default:
      r[A0] = ERROR_CODES.BAD_SYSCALL;
  }
}

function invoke(k: Kernel, t: Thread): Reply {
  const r = t.regs;
  const cap = t.task.caps.get(r[A0]);
  if (cap === undefined) return { kind: 'error', error: 'BAD_SLOT' };
  if ((cap.rights & RIGHT_INVOKE) === 0) return { kind: 'error', error: 'RIGHTS' };
  if (cap.obj.invoke === undefined) return { kind: 'error', error: 'BAD_OPCODE' };
  const call: Invocation = {
    kernel: k, task: t.task, thread: t, op: r[11], args: [r[12], r[13], r[14], r[15], r[16]], rights: cap.rights,
  };
  return cap.obj.invoke(call);
}

/** Writes a reply into a0..a3 (a blocked caller is answered when it wakes). */
function answer(t: Thread, reply: Reply): void {
  const r = t.regs;
  if (reply.kind === 'block') return;
  if (reply.kind === 'error') {
    r[A0] = ERROR_CODES[reply.error as KernelError];
    return;
  }
  r[A0] = 0;
  reply.values.forEach((v, i) => { if (i < 3) r[A0 + 1 + i] = v | 0; });
}

function wait(t: Thread, block: boolean): void {
  const r = t.regs;
  const cap = t.task.caps.get(r[A0]);
  if (cap === undefined) { r[A0] = ERROR_CODES.BAD_SLOT; return; }
  if (cap.obj.type !== ObjType.SignalReceiver) { r[A0] = ERROR_CODES.BAD_ARG; return; }
  const rx = cap.obj as SignalReceiver;
  const got = rx.take();
  if (got !== undefined) {
    r[A0] = 0;
    r[11] = got[0];
    r[12] = got[1];
    return;
  }
  if (!block) { r[A0] = ERROR_CODES.WOULD_BLOCK; return; }
  t.state = ThreadState.Waiting;
  t.waitingOn = rx;
  rx.waiters.push(t);
}
