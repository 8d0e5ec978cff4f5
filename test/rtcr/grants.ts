// An oracle for crafted-image tests, independent of the restorer's own checks: it walks what each
// restored component can reach on the live kernel (capability slots, its address space and the
// region maps inside it, signal contexts and receivers, the receivers and region maps its threads
// wait in) and lists everything no session of that component could have given it.
import { Dataspace } from '../../src/kernel/dataspace';
import type { Component, Init } from '../../src/kernel/init';
import { RIGHT_WRITE, RIGHT_DELEGATE, unwrap, type KObject } from '../../src/kernel/object';
import { ManagedDataspace, NULL_GUARD, RegionMap } from '../../src/kernel/regionmap';
import { hasControl } from '../../src/kernel/sanitize';
import { CpuSession } from '../../src/kernel/services/cpu';
import { ParentCap } from '../../src/kernel/services/parent';
import { PdSession } from '../../src/kernel/services/pd';
import { RamSession } from '../../src/kernel/services/ram';
import { IoMemSession, IrqSession, LogSession, RmSession, TimerSession } from '../../src/kernel/services/sessions';
import { shmRegistry, ShmSession } from '../../src/kernel/services/shm';
import { SignalContext, SignalReceiver } from '../../src/kernel/signal';
import type { Task } from '../../src/kernel/task';
import { Thread } from '../../src/kernel/thread';
import type { Tracker } from '../../src/rtcr/tracking';

/** The service a session object belongs to, and the task it was made for. */
function sessionOf(o: KObject): { service: string; task: Task } | undefined {
  if (o instanceof ParentCap) return { service: 'Parent', task: o.child };
  const table: [abstract new (...a: never[]) => { task: Task }, string][] = [
    [PdSession, 'PD'], [CpuSession, 'CPU'], [RamSession, 'RAM'], [RmSession, 'RM'], [LogSession, 'LOG'],
    [TimerSession, 'Timer'], [IrqSession, 'IRQ'], [IoMemSession, 'IO_MEM'], [ShmSession, 'SHM'],
  ];
  for (const [cls, service] of table) if (o instanceof cls) return { service, task: (o as { task: Task }).task };
  return undefined;
}

/** Everything restored that exceeds what the components' sessions grant (empty: nothing). */
export function grantViolations(init: Init, tracker: Tracker | undefined): string[] {
  const k = init.kernel;
  const shm = new Map([...shmRegistry(k).values()].map((r) => [r.dataspace, r]));
  const comps = [...init.components.values()];
  const out: string[] = [];
  for (const r of shm.values()) {
    const c = comps.find((x) => x.task === r.charged);
    if (c !== undefined && c.routes !== undefined && !c.routes.includes('SHM')) out.push(`${c.name}: charged for shared memory ${r.name}`);
  }
  const firstReacher = new Map<object, string>();
  for (const c of comps) out.push(...reachable(c, comps, shm, tracker, firstReacher));
  return out;
}

function reachable(c: Component, comps: Component[], shm: Map<Dataspace, unknown>, tracker: Tracker | undefined,
  firstReacher: Map<object, string>): string[] {
  const T = c.task;
  const allows = (s: string) => c.routes === undefined || c.routes.includes(s);
  const out: string[] = [];
  const seen = new Set<object>();
  const stack: object[] = [T.as];
  const baseDs = (d: Dataspace) => d.sliceOf?.ds ?? d;
  const sharedRm = (rm: RegionMap) => { const o = tracker?.find(rm)?.over; return o !== undefined && shm.has(o); };
  const shared = (o: object) => (o instanceof Dataspace && shm.has(baseDs(o))) || (o instanceof RegionMap && sharedRm(o))
    || (o instanceof ManagedDataspace && sharedRm(o.rm));
  for (const cap of T.caps.entries()) {
    const o = unwrap(cap.obj);
    stack.push(o);
    if ((o instanceof Dataspace && (o.io || shared(o))) || (o instanceof ManagedDataspace && shared(o))) {
      if ((cap.rights & RIGHT_DELEGATE) !== 0) out.push(`${c.name} slot ${cap.slot}: DELEGATE on device or shared memory`);
    }
    if (o instanceof Dataspace && o.io && (cap.rights & ~(RIGHT_WRITE | 1)) !== 0) out.push(`${c.name} slot ${cap.slot}: rights ${cap.rights} on device memory`);
  }
  for (const t of T.threads) {
    if (t.waitingOn !== undefined) stack.push(t.waitingOn);
    if (t.faultIn !== undefined) stack.push(t.faultIn);
  }
  while (stack.length > 0) {
    const o = stack.pop()!;
    if (seen.has(o)) continue;
    seen.add(o);
    if (shared(o)) {
      if (!allows('SHM')) out.push(`${c.name}: reaches shared memory without an SHM route`);
      if (o instanceof RegionMap) for (const r of o.regions) stack.push(r.target);
      continue;
    }
    const first = firstReacher.get(o);
    if (first !== undefined && first !== c.name) out.push(`${c.name}: reaches ${o.constructor.name} of ${first}`);
    firstReacher.set(o, c.name);
    const problem = grantOf(o, c, comps, tracker, allows);
    if (problem !== undefined) out.push(`${c.name}: ${problem}`);
    stack.push(...children(o));
  }
  return out;
}

/** Why component `c` could not have `o` (undefined: it could). */
function grantOf(o: object, c: Component, comps: Component[], tracker: Tracker | undefined, allows: (s: string) => boolean): string | undefined {
  const T = c.task;
  const s = sessionOf(o as KObject);
  if (s !== undefined) {
    if (s.task !== T) return `${s.service} session of another task`;
    if (!['Parent', 'PD', 'CPU', 'RAM'].includes(s.service) && !allows(s.service)) return `${s.service} session without a route`;
    if (o instanceof LogSession && hasControl(o.label)) return 'LOG label with control characters';
    return undefined;
  }
  if (o instanceof Thread) return o.task === T ? undefined : 'a thread of another task';
  if (o instanceof Dataspace) {
    if (o.io) return allows('IO_MEM') ? undefined : 'device memory without an IO_MEM route';
    return T.dataspaces.has(o.sliceOf?.ds ?? o) ? undefined : 'a dataspace of another task';
  }
  if (o instanceof RegionMap) {
    if (o === T.as) return undefined;
    if (comps.some((x) => x.task.as === o)) return 'another task\'s address space';
    const td = tracker?.find(o);
    if (td !== undefined) return td.owner === T ? undefined : 'another task\'s tracked memory';
    return allows('RM') ? undefined : 'a region map without an RM route';
  }
  if (o instanceof SignalReceiver) return o.waiters.every((t) => t.task === T) ? undefined : 'a receiver another task waits in';
  return undefined;
}

/** What reaching `o` reaches too (and, for an address space, what its regions may not be). */
function children(o: object): object[] {
  if (o instanceof RegionMap) {
    const kids: object[] = o.regions.map((r) => r.target);
    // A fault handler on a native receiver is Rtcr's own (dirty tracking), not the component's.
    const h = o.faultHandler?.obj;
    if (h instanceof SignalContext && h.receiver.native === undefined) kids.push(h);
    return kids;
  }
  if (o instanceof ManagedDataspace) return [o.rm];
  if (o instanceof SignalContext) return [o.receiver];
  if (o instanceof TimerSession || o instanceof IrqSession) return o.context === undefined ? [] : [o.context.obj];
  if (o instanceof Dataspace && o.sliceOf !== undefined) return [o.sliceOf.ds];
  return [];
}

/** Regions no attach could have made: in the null guard, device memory executable. */
export function regionViolations(init: Init): string[] {
  const out: string[] = [];
  for (const c of init.components.values()) {
    const walk = (rm: RegionMap, depth: number): void => {
      for (const r of rm.regions) {
        if (rm === c.task.as && r.base < NULL_GUARD) out.push(`${c.name}: region at 0x${r.base.toString(16)} in the null guard`);
        if (r.target instanceof Dataspace && r.target.io && r.executable) out.push(`${c.name}: executable device memory`);
        if (r.target instanceof RegionMap && depth < 64) walk(r.target, depth + 1);
      }
    };
    walk(c.task.as, 0);
  }
  return out;
}
