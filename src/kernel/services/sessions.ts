// Core's session services that components reach through their parent: RM, LOG, Timer, IRQ and
// IO_MEM. Each session is a kernel object whose invoke() decodes docs/abi.md's opcodes.

import type { Machine } from '../../dev/machine';
import type { Kernel, IrqTarget, TimedEvent } from '../kernel';
import { Dataspace } from '../dataspace';
import { err, ok, type Result } from '../errors';
import {
  fail, ObjType, reply, RIGHT_INVOKE, RIGHT_WRITE, RIGHTS_ALL, type Invocation, type KObject, type Reply,
} from '../object';
import { RegionMap } from '../regionmap';
import type { Capability } from '../captable';
import { contextArg, signal } from '../signal';
import { shmSession } from './shm';
import type { Task } from '../task';

/** Parsed session arguments: `key=value, key=value`. */
export type SessionArgs = ReadonlyMap<string, string>;

export function parseSessionArgs(s: string): Result<SessionArgs> {
  const m = new Map<string, string>();
  for (const part of s.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return err('BAD_ARG');
    m.set(p.slice(0, eq).trim(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return ok(m);
}

/** A number argument (decimal or 0x hex), or undefined if absent or malformed. */
export function numberArg(args: SessionArgs, key: string): number | undefined {
  const v = args.get(key);
  if (v === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(v)) return undefined;
  return Number(v);
}

// ---- RM ----

export class RmSession implements KObject {
  readonly type = ObjType.RmSession;
  readonly regionMaps: RegionMap[] = [];
  constructor(readonly task: Task) {}

  invoke(call: Invocation): Reply {
    if (call.op !== 0) return fail('BAD_OPCODE');
    const size = call.args[0] >>> 0;
    if (size === 0 || size % 4096 !== 0 || size > 0x4000_0000) return fail('BAD_ARG');
    const k = call.kernel;
    const rm = new RegionMap(size, (t, va, len) => k.unmap(t, va, len));
    rm.onChange = (r) => k.retryFaultsIn(r);
    this.regionMaps.push(rm);
    const slot = this.task.caps.insert(rm, RIGHTS_ALL);
    return slot < 0 ? fail('QUOTA') : reply(slot);
  }
}

// ---- LOG ----

export class LogSession implements KObject {
  readonly type = ObjType.LogSession;
  constructor(readonly task: Task, readonly label: string) {}

  invoke(call: Invocation): Reply {
    if (call.op !== 0) return fail('BAD_OPCODE');
    const [ptr, len] = call.args;
    if (len < 0 || len > 4096) return fail('BAD_ARG');
    const bytes = call.kernel.readUser(this.task, ptr >>> 0, len);
    if (!bytes.ok) return fail(bytes.error);
    const text = String.fromCharCode(...bytes.value).replace(/\n$/, '');
    for (const line of text.split('\n')) call.kernel.log(this.label, line);
    return reply();
  }
}

// ---- Timer ----

export class TimerSession implements KObject, TimedEvent {
  readonly type = ObjType.TimerSession;
  context: Capability | undefined;
  deadline = Infinity;
  period = 0;
  /**
   * Creation order among the kernel's timers: timers due at the same cycle fire in this order
   * (their signals queue in it), so a restore recreates them in it.
   */
  readonly seq: number;
  constructor(readonly task: Task, private readonly kernel: Kernel, seq?: number) {
    this.seq = seq ?? kernel.nextTimerSeq++;
    kernel.nextTimerSeq = Math.max(kernel.nextTimerSeq, this.seq + 1);
  }

  due(): number {
    return this.task.alive ? this.deadline : Infinity;
  }

  fire(now: number): void {
    let n = 0;
    while (this.deadline <= now) {
      n++;
      this.deadline = this.period > 0 ? this.deadline + this.period : Infinity;
    }
    if (n > 0) signal(this.context, n);
  }

  invoke(call: Invocation): Reply {
    const k = this.kernel;
    const [a0] = call.args;
    switch (call.op) {
      case 0: { // SIGH(ctx)
        const c = contextArg(k, this.task, a0, this.context);
        if (!c.ok) return fail(c.error);
        this.context = c.value;
        return reply();
      }
      case 1: // TRIGGER_ONCE(us)
        this.period = 0;
        // Whole cycles: virtual time never becomes a fraction.
        this.deadline = k.now() + Math.max(1, Math.round((a0 >>> 0) * k.cyclesPerUs));
        return reply();
      case 2: // TRIGGER_PERIODIC(us)
        this.period = Math.round((a0 >>> 0) * k.cyclesPerUs);
        this.deadline = this.period > 0 ? k.now() + this.period : Infinity;
        return reply();
      case 3: { // ELAPSED_MS
        const ms = Math.floor(k.now() / (k.cyclesPerUs * 1000));
        return reply(ms % 4294967296, Math.floor(ms / 4294967296));
      }
      case 4: { // ELAPSED_US
        const us = Math.floor(k.now() / k.cyclesPerUs);
        return reply(us % 4294967296, Math.floor(us / 4294967296));
      }
      default:
        return fail('BAD_OPCODE');
    }
  }
}

// ---- IRQ ----

export class IrqSession implements KObject, IrqTarget {
  readonly type = ObjType.IrqSession;
  context: Capability | undefined;
  /** The PLIC claimed the source for us and we have not acknowledged yet. */
  claimed = false;
  constructor(readonly task: Task, readonly irq: number, private readonly kernel: Kernel) {}

  deliver(): void {
    this.claimed = true;
    signal(this.context, 1);
  }

  invoke(call: Invocation): Reply {
    switch (call.op) {
      case 0: { // SIGH(ctx)
        const c = contextArg(this.kernel, this.task, call.args[0], this.context);
        if (!c.ok) return fail(c.error);
        this.context = c.value;
        return reply();
      }
      case 1: // ACK
        if (this.claimed) {
          this.claimed = false;
          this.kernel.completeIrq(this.irq);
        }
        return reply();
      default:
        return fail('BAD_OPCODE');
    }
  }
}

// ---- IO_MEM ----

export class IoMemSession implements KObject {
  readonly type = ObjType.IoMemSession;
  constructor(readonly task: Task, readonly dataspace: Dataspace) {}

  invoke(call: Invocation): Reply {
    if (call.op !== 0) return fail('BAD_OPCODE');
    const slot = this.task.caps.insert(this.dataspace, RIGHT_INVOKE | RIGHT_WRITE);
    return slot < 0 ? fail('QUOTA') : reply(slot);
  }
}

/**
 * Whether a component may map [base, base+size) as device memory: the range starts at a device,
 * touches no RAM (bytes past the device's registers fault as access faults when touched), and
 * reaches neither the interrupt controller nor the timer, which are the kernel's (a component
 * driving them could silence another component's interrupts).
 */
export function ioMemAllowed(m: Machine, base: number, size: number): boolean {
  const bus = m.bus;
  if (base % 4096 !== 0 || size % 4096 !== 0 || size === 0) return false;
  const overlapsRam = base < bus.ramBase + bus.ramSize && bus.ramBase < base + size;
  const kernels = bus.devicesIn(base, base + size).some((d) => d === m.plic || d === m.clint);
  return bus.deviceAt(base) !== undefined && !overlapsRam && !kernels;
}

// ---- the core service table ----

/** Creates a session of a core service for `task`, or refuses (DENIED, BAD_ARG). */
export type SessionFactory = (k: Kernel, task: Task, label: string, args: SessionArgs) => Result<KObject>;

export const CORE_SERVICES: ReadonlyMap<string, SessionFactory> = new Map<string, SessionFactory>([
  ['LOG', (_k, task, label) => ok(new LogSession(task, label))],
  ['RM', (_k, task) => ok(new RmSession(task))],
  ['Timer', (k, task) => {
    const t = new TimerSession(task, k);
    k.events.add(t);
    return ok(t);
  }],
  ['IRQ', (k, task, _label, args) => {
    const irq = numberArg(args, 'irq');
    if (irq === undefined || irq < 1 || irq > 31) return err('BAD_ARG');
    if (k.irqTargets.has(irq)) return err('DENIED');
    const s = new IrqSession(task, irq, k);
    k.bindIrq(irq, s);
    return ok(s);
  }],
  ['IO_MEM', (k, task, _label, args) => {
    const base = numberArg(args, 'base');
    const size = numberArg(args, 'size') ?? 4096;
    if (base === undefined || base % 4096 !== 0 || size % 4096 !== 0 || size === 0) return err('BAD_ARG');
    if (!ioMemAllowed(k.machine, base, size)) return err('DENIED');
    return ok(new IoMemSession(task, new Dataspace(base, size, true)));
  }],
  ['SHM', shmSession],
]);
