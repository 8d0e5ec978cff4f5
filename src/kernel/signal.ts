// Signals: a receiver collects signal contexts; a submit counts on a context and queues it on
// its receiver; WAIT delivers one context (its imprint and count) to a waiting thread.

import { isLive, type Capability } from './captable';
import { err, ok, type Result } from './errors';
import type { Kernel } from './kernel';
import { ObjType, type KObject } from './object';
import type { Task } from './task';
import type { Thread } from './thread';

export class SignalContext implements KObject {
  readonly type = ObjType.SignalContext;
  /** Signals submitted since the last delivery. */
  count = 0;
  /** Whether the context is queued on its receiver. */
  queued = false;
  freed = false;

  constructor(readonly receiver: SignalReceiver, readonly imprint: number) {}

  /** Counts `n` signals and wakes a waiter of the receiver if there is one. */
  submit(n: number): void {
    if (this.freed) return;
    this.count += n;
    if (!this.queued) {
      this.queued = true;
      this.receiver.pending.push(this);
    }
    this.receiver.deliver();
  }
}

/** Called with (imprint, count) when a blocked waiter gets a signal. */
export type WakeFn = (thread: Thread, imprint: number, count: number) => void;

export class SignalReceiver implements KObject {
  readonly type = ObjType.SignalReceiver;
  readonly pending: SignalContext[] = [];
  readonly waiters: Thread[] = [];

  constructor(private readonly wake: WakeFn) {}

  /** Takes the first pending context, if any: returns [imprint, count] and clears its count. */
  take(): [number, number] | undefined {
    const ctx = this.pending.shift();
    if (ctx === undefined) return undefined;
    ctx.queued = false;
    const count = ctx.count;
    ctx.count = 0;
    return [ctx.imprint, count];
  }

  /**
   * A handler in the host (a native server such as Rtcr's fault handler) instead of waiting
   * threads: it gets every signal at once, in kernel context, taking no virtual time.
   */
  native: ((imprint: number, count: number) => void) | undefined;

  /** Hands pending signals to waiting threads (or the native handler), first come first served. */
  deliver(): void {
    if (this.native !== undefined) {
      for (let got = this.take(); got !== undefined; got = this.take()) this.native(got[0], got[1]);
      return;
    }
    while (this.waiters.length > 0 && this.pending.length > 0) {
      const t = this.waiters.shift()!;
      const [imprint, count] = this.take()!;
      this.wake(t, imprint, count);
    }
  }

  /** Removes a thread from the waiters (it was killed or its component ended). */
  forget(t: Thread): void {
    const i = this.waiters.indexOf(t);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  /** Unqueues a freed context. */
  drop(ctx: SignalContext): void {
    ctx.freed = true;
    const i = this.pending.indexOf(ctx);
    if (i >= 0) this.pending.splice(i, 1);
  }
}

/**
 * The signal context in `slot` of `task`, delegated to core (revoking the caller's capability
 * revokes core's too), replacing `old`. An error for an empty slot or another object.
 */
export function contextArg(k: Kernel, task: Task, slot: number, old: Capability | undefined): Result<Capability> {
  const cap = task.caps.get(slot);
  if (cap === undefined) return err('BAD_SLOT');
  if (!(cap.obj instanceof SignalContext)) return err('BAD_ARG');
  const mine = k.delegateToCore(task, slot);
  if (mine === undefined) return err('QUOTA');
  k.releaseCore(old);
  return ok(mine);
}

/** Submits `n` signals to a delegated context while the delegation lives. */
export function signal(cap: Capability | undefined, n: number): void {
  if (cap !== undefined && isLive(cap)) (cap.obj as SignalContext).submit(n);
}
