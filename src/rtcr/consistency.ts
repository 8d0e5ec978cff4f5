// Cross-record consistency: the image's records must agree with each other the way the kernel's
// objects always do at run time - names and labels, thread states against the signal receivers
// and region maps they wait in, the scheduler's order, a component's end, signal queues, timers
// against the clock, and tracking records against the region maps they describe. Every check
// mirrors an invariant the kernel keeps (cited at each), so a real checkpoint always passes.

import { CAP_SLOTS } from '../kernel/captable';
import { USER_TOP, UTCB_BASE } from '../kernel/kernel';
import { COMPONENT_NAME, componentLabel } from '../kernel/sanitize';
import { MAX_INSNS_PER_SECOND } from '../kernel/scenario';
import { ThreadState } from '../kernel/thread';
import { PAGE, type Checkpoint, type ObjectRecord } from './model';

/** Threads a component can have: one UTCB page each between UTCB_BASE and the top of user space. */
export const MAX_THREADS = (USER_TOP - UTCB_BASE) / PAGE;

/** Capability slots of a component (slot 0 is never used). */
export const MAX_CAPS = CAP_SLOTS - 1;

/** What must hold of the clock before a board is built with it. */
export function clockProblem(time: Checkpoint['time']): string | undefined {
  const { insnsPerSecond, mtimeHz, cycles } = time;
  if (insnsPerSecond > MAX_INSNS_PER_SECOND) return `time: insnsPerSecond ${insnsPerSecond} exceeds ${MAX_INSNS_PER_SECOND}`;
  if (mtimeHz > insnsPerSecond) return `time: mtimeHz ${mtimeHz} exceeds insnsPerSecond ${insnsPerSecond}`;
  if (insnsPerSecond % mtimeHz !== 0) return `time: insnsPerSecond ${insnsPerSecond} is not a multiple of mtimeHz ${mtimeHz}`;
  if (cycles > Number.MAX_SAFE_INTEGER - maxTimerCycles(insnsPerSecond) * 2) return `time: ${cycles} cycles leave no room for a timer`;
  return undefined;
}

/** The furthest a Timer can be set: TRIGGER_* take a 32-bit count of microseconds. */
function maxTimerCycles(insnsPerSecond: number): number {
  return Math.round(0xffffffff * (insnsPerSecond / 1e6));
}

/** The first record that contradicts another, or undefined. References are already checked. */
export function checkConsistency(cp: Checkpoint): string | undefined {
  return names(cp) ?? counts(cp) ?? threads(cp) ?? scheduler(cp) ?? signals(cp) ?? timers(cp) ?? tracking(cp);
}

/** Component names unique; labels the ones init gives (LOG sessions carry their component's). */
function names(cp: Checkpoint): string | undefined {
  const seen = new Map<string, number>();
  for (const [ci, c] of cp.components.entries()) {
    if (!COMPONENT_NAME.test(c.name)) return `components[${ci}]: ${JSON.stringify(c.name)} is no component name (letters, digits, _ . -)`;
    const first = seen.get(c.name);
    if (first !== undefined) return `components[${ci}]: the name ${c.name} is components[${first}]'s too`;
    seen.set(c.name, ci);
    if (c.label !== componentLabel(c.name)) return `components[${ci}] (${c.name}): label ${JSON.stringify(c.label)} is not "${componentLabel(c.name)}"`;
  }
  for (const o of cp.objects) {
    if (o.kind !== 'session') continue;
    const want = o.service === 'LOG' ? cp.components[o.component].label : '';
    if (o.label !== want) return `objects[${o.id}] (${o.service} session): label ${JSON.stringify(o.label)} is not ${JSON.stringify(want)}`;
  }
  return undefined;
}

/** The counts the kernel bounds at run time. */
function counts(cp: Checkpoint): string | undefined {
  for (const [ci, c] of cp.components.entries()) {
    if (c.threads.length > MAX_THREADS) return `components[${ci}] (${c.name}): ${c.threads.length} threads, more than ${MAX_THREADS}`;
    if (c.caps.length > MAX_CAPS) return `components[${ci}] (${c.name}): ${c.caps.length} capabilities, more than ${MAX_CAPS} slots`;
  }
  return undefined;
}

/** Where each thread waits: "c:t" -> the receivers and region maps listing it. */
function waits(cp: Checkpoint): { rx: Map<string, number[]>; fault: Map<string, number[]> } {
  const rx = new Map<string, number[]>();
  const fault = new Map<string, number[]>();
  const add = (m: Map<string, number[]>, [c, t]: [number, number], id: number) => {
    const k = `${c}:${t}`;
    m.set(k, [...(m.get(k) ?? []), id]);
  };
  for (const o of cp.objects) {
    if (o.kind === 'receiver') o.waiters.forEach((w) => add(rx, w, o.id));
    if (o.kind === 'regionmap') o.faultWaiters.forEach((w) => add(fault, w, o.id));
  }
  return { rx, fault };
}

/**
 * Thread states (kernel.ts, syscall.ts): a never-started thread is Paused and paused; a started
 * one never Paused again; Waiting means listed in exactly one receiver's waiters and Faulted in
 * one region map's fault waiters, and no other state is listed anywhere; an ended component's
 * threads are all Dead; a thread's priority is at most its component's.
 */
function threads(cp: Checkpoint): string | undefined {
  const { rx, fault } = waits(cp);
  for (const [ci, c] of cp.components.entries()) {
    for (const t of c.threads) {
      const at = `components[${ci}] (${c.name}) thread ${t.index}`;
      const inRx = rx.get(`${ci}:${t.index}`) ?? [];
      const inFault = fault.get(`${ci}:${t.index}`) ?? [];
      if (c.end !== undefined && t.state !== ThreadState.Dead) return `${at}: state ${t.state} in a component that ended (its threads are dead)`;
      if (t.priority > c.priority) return `${at}: priority ${t.priority} above its component's ${c.priority}`;
      if (!t.started && (!t.paused || (t.state !== ThreadState.Paused && t.state !== ThreadState.Dead))) return `${at}: never started, yet not paused`;
      if (t.started && t.state === ThreadState.Paused) return `${at}: started, yet in the not-started state`;
      if (inRx.length !== (t.state === ThreadState.Waiting ? 1 : 0)) return `${at}: state ${t.state} but waits in ${inRx.length} signal receiver(s)`;
      if (inFault.length !== (t.state === ThreadState.Faulted ? 1 : 0)) return `${at}: state ${t.state} but blocked in ${inFault.length} region map fault(s)`;
    }
  }
  return undefined;
}

/** The round-robin order holds every live thread once and no dead one (kernel.ts rr). */
function scheduler(cp: Checkpoint): string | undefined {
  const seen = new Set<string>();
  for (const [c, t] of cp.scheduler.order) {
    const k = `${c}:${t}`;
    if (seen.has(k)) return `scheduler: thread ${k} twice in the order`;
    seen.add(k);
    if (cp.components[c].threads[t].state === ThreadState.Dead) return `scheduler: thread ${k} is dead but in the order`;
  }
  for (const [ci, c] of cp.components.entries()) {
    for (const t of c.threads) {
      if (t.state !== ThreadState.Dead && !seen.has(`${ci}:${t.index}`)) return `scheduler: live thread ${ci}:${t.index} missing from the order`;
    }
  }
  if (cp.scheduler.reservation !== undefined && cp.scheduler.current === undefined) return 'scheduler: an LR reservation without a thread on the hart';
  return undefined;
}

/**
 * Signal queues (signal.ts): a pending context is its receiver's, not freed, counts signals, and
 * is queued once; a receiver never has both pending signals and waiting threads (delivery hands
 * one to the other); a thread waits in a receiver once.
 */
function signals(cp: Checkpoint): string | undefined {
  const queued = new Set<number>();
  for (const o of cp.objects) {
    if (o.kind !== 'receiver') continue;
    const at = `objects[${o.id}] (receiver)`;
    for (const id of o.pending) {
      const ctx = cp.objects[id] as Extract<ObjectRecord, { kind: 'context' }>;
      if (queued.has(id)) return `${at}: signal context objects[${id}] queued twice`;
      queued.add(id);
      if (ctx.receiver !== o.id) return `${at}: pending signal context objects[${id}] belongs to receiver objects[${ctx.receiver}]`;
      if (ctx.freed || ctx.count === 0) return `${at}: pending signal context objects[${id}] is freed or has no signals`;
    }
    if (o.pending.length > 0 && o.waiters.length > 0) return `${at}: threads wait although signals are pending`;
    if (new Set(o.waiters.map(([c, t]) => `${c}:${t}`)).size !== o.waiters.length) return `${at}: a thread waits twice`;
  }
  for (const o of cp.objects) {
    if (o.kind === 'regionmap' && new Set(o.faultWaiters.map(([c, t]) => `${c}:${t}`)).size !== o.faultWaiters.length) {
      return `objects[${o.id}] (regionmap): a thread is blocked twice`;
    }
  }
  return undefined;
}

/** Timers (sessions.ts TimerSession): deadlines and periods a 32-bit microsecond count can set. */
function timers(cp: Checkpoint): string | undefined {
  const max = maxTimerCycles(cp.time.insnsPerSecond);
  const min = Math.max(1, Math.round(cp.time.insnsPerSecond / 1e6));
  for (const o of cp.objects) {
    if (o.kind !== 'session' || o.timer === undefined) continue;
    const at = `objects[${o.id}] (Timer session)`;
    if (o.timer.remaining > max || o.timer.period > max) return `${at}: a deadline or period beyond ${max} cycles (2^32-1 us)`;
    if (o.timer.period > 0 && o.timer.remaining < 0) return `${at}: periodic without a deadline`;
    // TRIGGER_PERIODIC takes whole microseconds: a shorter period would fire on every few cycles.
    if (o.timer.period > 0 && o.timer.period < min) return `${at}: period of ${o.timer.period} cycles is shorter than 1 us (${min} cycles)`;
  }
  if (cp.devices.uartInput !== undefined && cp.devices.uartInput.remaining > max) return `devices.uartInput: due beyond ${max} cycles`;
  return undefined;
}

/**
 * Tracking records (tracking.ts): one record per region map; each designated dataspace once, at
 * its own offset, the record owner's; the region map shows exactly its designated dataspaces.
 */
function tracking(cp: Checkpoint): string | undefined {
  const rms = new Set<number>();
  const designated = new Set<number>();
  for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
    const at = `tracking.managed[${i}]`;
    if (rms.has(t.rm)) return `${at}: region map objects[${t.rm}] tracked twice`;
    rms.add(t.rm);
    const offsets = new Map<number, number>();
    for (const d of t.designated) {
      if (designated.has(d.ds)) return `${at}: objects[${d.ds}] designated twice`;
      designated.add(d.ds);
      if (offsets.has(d.offset)) return `${at}: two designated dataspaces at +0x${d.offset.toString(16)}`;
      offsets.set(d.offset, d.ds);
      const ds = cp.objects[d.ds];
      if (t.over === undefined && ds.kind === 'dataspace' && ds.owner !== t.owner) return `${at}: designated objects[${d.ds}] is another component's`;
    }
    const rm = cp.objects[t.rm] as Extract<ObjectRecord, { kind: 'regionmap' }>;
    for (const r of rm.regions) {
      if (offsets.get(r.base) !== r.target || r.offset !== 0) return `${at}: region at 0x${r.base.toString(16)} of objects[${t.rm}] is no designated dataspace of it`;
    }
  }
  return undefined;
}
