// Threads: a register file, a pc and a scheduling state. The thread that runs is loaded into
// the hart; every other thread's registers live here.

import { ObjType, type KObject } from './object';
import type { RegionMap } from './regionmap';
import type { SignalReceiver } from './signal';
import type { Task } from './task';

export const enum ThreadState {
  Ready = 0,
  Waiting = 1, // in WAIT on a signal receiver
  Faulted = 2, // blocked in a page fault inside a managed dataspace
  Paused = 3, // not started, or paused by its CPU session (reported when not blocked)
  Dead = 4,
}

export class Thread implements KObject {
  readonly type = ObjType.Thread;
  readonly regs = new Int32Array(32);
  pc = 0;
  state: ThreadState = ThreadState.Paused;
  /** Paused by the CPU session (independent of blocking: a paused waiter stays a waiter). */
  paused = true;
  started = false;
  singleStep = false;
  waitingOn: SignalReceiver | undefined;
  faultIn: RegionMap | undefined;
  /** Virtual time the thread has used of its current quantum. */
  quantumUsed = 0;

  constructor(readonly task: Task, readonly index: number, readonly name: string, public priority: number,
    readonly utcb: number) {}

  /** Runnable: not blocked, not paused, alive. */
  get runnable(): boolean {
    return this.state === ThreadState.Ready && !this.paused;
  }

  /** The state word THREAD_STATE_GET reports. */
  get stateWord(): number {
    if (this.state === ThreadState.Dead) return ThreadState.Dead;
    if (this.state === ThreadState.Ready && this.paused) return ThreadState.Paused;
    return this.state;
  }
}
