// The restorer: on a fresh kernel, recreate the child's components without sessions, recreate
// every object the checkpoint names (new objects on this node), restore their state, install
// the capabilities in the same slots, restore memory, registers and the scheduler, and hand back
// an init that runs on from the checkpoint's virtual time.
//
// A checkpoint is input from elsewhere, and the restore is a transaction: validate() checks the
// whole image before anything is created, and either the image is refused naming its record or
// everything is built. The checks are one file per concern: references and bounds
// (references.ts), authority re-derived from the components' sessions and routes instead of
// trusted (authority.ts), and the records' consistency with each other (consistency.ts).

import { Dataspace } from '../kernel/dataspace';
import { Init, type Interposition, type LogLine, type Platform, type ServiceName } from '../kernel/init';
import { irqWiringMoved, remapIrqs, type IrqMap } from './irqmap';
import type { Kernel } from '../kernel/kernel';
import type { KObject } from '../kernel/object';
import { RegionMap } from '../kernel/regionmap';
import { CpuSession } from '../kernel/services/cpu';
import { ParentCap } from '../kernel/services/parent';
import { PdSession } from '../kernel/services/pd';
import { RamSession } from '../kernel/services/ram';
import { IoMemSession, IrqSession, LogSession, RmSession, TimerSession } from '../kernel/services/sessions';
import { shmCreate, shmRegistry, ShmSession } from '../kernel/services/shm';
import { SignalContext, SignalReceiver } from '../kernel/signal';
import { SLOT_RM, type Task } from '../kernel/task';
import { Thread, ThreadState } from '../kernel/thread';
import type { Capability } from '../kernel/captable';
import { safeText } from '../kernel/sanitize';
import { checkAuthority } from './authority';
import { checkConsistency } from './consistency';
import { PAGE, type Checkpoint, type ObjectRecord } from './model';
import { checkReferences, validateBoard } from './references';

export type RestoreResult = { ok: true; init: Init; objects: readonly (KObject | undefined)[] } | { ok: false; error: string };

/** Restores `cp` on a fresh board and kernel. */
export interface RestoreOptions {
  onLog?: (l: LogLine) => void;
  interpose?: Interposition;
  /** The board here, if wired differently from the default. */
  board?: Platform['board'];
  /** Interrupt sources that moved on this board: old PLIC source -> new. */
  irqMap?: IrqMap;
}

export function restore(original: Checkpoint, opts: RestoreOptions = {}): RestoreResult {
  let cp = original;
  if (opts.irqMap !== undefined && opts.irqMap.size > 0) {
    const moved = remapIrqs(cp, opts.irqMap);
    if (!moved.ok) return moved;
    cp = moved.checkpoint;
  }
  const board = validateBoard(cp, opts.board) ??
    // Without a map, sources that moved would never fire again: refuse rather than spin.
    (cp === original ? irqWiringMoved(cp, opts.board?.irqsrcFirstSource) : undefined);
  if (board !== undefined) return { ok: false, error: board };
  const init = Init.empty({ ramMiB: cp.ramMiB, clock: { insnsPerSecond: cp.time.insnsPerSecond, mtimeHz: cp.time.mtimeHz }, board: opts.board },
    opts.onLog, opts.interpose);
  const problem = validate(cp, init);
  if (problem !== undefined) return { ok: false, error: problem };
  const r = new Restorer(cp, init);
  r.run();
  return { ok: true, init, objects: r.objects };
}

/**
 * The first thing wrong with `cp`, or undefined. Creates nothing. References are checked first,
 * so the later checks may follow ids without looking.
 */
export function validate(cp: Checkpoint, init: Init): string | undefined {
  const problem = checkReferences(cp, init) ?? checkAuthority(cp) ?? checkConsistency(cp);
  return problem === undefined ? undefined : safeText(problem); // it quotes names from the image
}

// ---- building ----

class Restorer {
  private readonly k: Kernel;
  private readonly tasks: Task[] = [];
  private readonly objs: (KObject | undefined)[] = [];

  /** The restored object of each checkpoint id. */
  get objects(): readonly (KObject | undefined)[] {
    return this.objs;
  }

  constructor(private readonly cp: Checkpoint, private readonly init: Init) {
    this.k = init.kernel;
  }

  run(): void {
    const { cp, k } = this;
    k.hart.cycles = cp.time.cycles;
    this.init.logBase = cp.logCount;
    for (const c of cp.components) {
      const created = k.createTask(c.label, c.ramQuota, c.priority, { bare: true });
      if (!created.ok) throw new Error(`restore: no memory for task ${c.label}`);
      const task = created.value;
      this.tasks.push(task);
      this.init.adopt(c.name, task, c.routes);
      for (const t of c.threads) k.createThread(task, t.name, t.priority, { noUtcb: true });
      this.objs[c.addressSpace] = task.as;
    }
    for (const kind of ['dataspace', 'slice', 'iomem', 'regionmap', 'managed', 'receiver', 'context', 'thread', 'session'] as const) {
      for (const o of cp.objects) if (o.kind === kind) this.objs[o.id] = this.create(o);
    }
    // Timers due at the same cycle fire in creation order: register them in it.
    const timers = cp.objects.filter((o) => o.kind === 'session' && o.service === 'Timer') as Extract<ObjectRecord, { kind: 'session' }>[];
    for (const o of timers.sort((a, b) => a.timer!.seq - b.timer!.seq)) k.events.add(this.obj<TimerSession>(o.id));
    this.restoreMemory();
    for (const o of cp.objects) if (o.kind === 'regionmap') this.restoreRegionMap(o);
    for (const o of cp.objects) if (o.kind === 'receiver') this.restoreReceiver(o);
    cp.components.forEach((_, i) => this.restoreCaps(i));
    cp.components.forEach((_, i) => this.restoreThreads(i));
    for (const o of cp.objects) if (o.kind === 'session') this.restoreSession(o);
    this.restoreDevices();
    cp.components.forEach((c, i) => { if (c.end !== undefined) this.tasks[i].end = c.end; });
    const sched = cp.scheduler;
    const t = (ref: [number, number]) => this.tasks[ref[0]].threads[ref[1]];
    k.restoreScheduler(sched.order.map(t), sched.current && t(sched.current), sched.reservation);
  }

  private obj<T extends KObject>(id: number): T {
    return this.objs[id] as T;
  }

  private create(o: ObjectRecord): KObject {
    const k = this.k;
    switch (o.kind) {
      case 'dataspace': {
        const shm = this.cp.shm.find((r) => r.dataspace === o.id);
        if (shm !== undefined) return this.createShared(shm.name, o.size, this.tasks[shm.charged]);
        const ds = k.allocDataspace(this.tasks[o.owner], o.size);
        if (!ds.ok) throw new Error(`restore: cannot allocate ${o.size} bytes (${ds.error})`);
        return ds.value;
      }
      case 'iomem': return new Dataspace(o.base, o.size, true);
      case 'slice': return this.obj<Dataspace>(o.of).slice(o.offset, o.size);
      case 'regionmap': {
        if (this.objs[o.id] !== undefined) return this.objs[o.id]!; // an address space
        const rm = new RegionMap(o.size, (t, va, len) => k.unmap(t, va, len), o.anyFrom, o.anyTo);
        rm.onChange = (r) => k.retryFaultsIn(r);
        return rm;
      }
      case 'managed': return this.obj<RegionMap>(o.rm).managed;
      case 'receiver': return k.newReceiver();
      case 'context': {
        const ctx = new SignalContext(this.obj<SignalReceiver>(o.receiver), o.imprint);
        ctx.count = o.count;
        ctx.freed = o.freed;
        return ctx;
      }
      case 'thread': return this.tasks[o.component].threads[o.index];
      case 'session': return this.createSession(o);
    }
  }

  /** A named shared region: the SHM service's dataspace, charged to `charged`, registered by name. */
  private createShared(name: string, size: number, charged: Task): Dataspace {
    const r = shmCreate(this.k, charged, name, size);
    if (!r.ok) throw new Error(`restore: shared region ${name}: ${r.error}`);
    return r.value.dataspace;
  }

  private createSession(o: Extract<ObjectRecord, { kind: 'session' }>): KObject {
    const task = this.tasks[o.component];
    const k = this.k;
    switch (o.service) {
      case 'Parent': return new ParentCap(task, this.init);
      case 'PD': return new PdSession(task);
      case 'CPU': return new CpuSession(task);
      case 'RAM': return new RamSession(task);
      case 'LOG': return new LogSession(task, o.label);
      case 'Timer': // created in creation order by createTimers(), after the others
        return new TimerSession(task, k, o.timer!.seq);
      case 'IRQ': {
        const s = new IrqSession(task, o.irq!.irq, k);
        k.bindIrq(o.irq!.irq, s);
        return s;
      }
      case 'RM': return new RmSession(task);
      case 'IO_MEM': return new IoMemSession(task, this.obj<Dataspace>(o.iomem!));
      case 'SHM': return new ShmSession(task, shmRegistry(k).get(o.shm!)!);
    }
  }

  private restoreMemory(): void {
    const bus = this.init.machine.bus;
    for (const m of this.cp.memory) {
      const ds = this.obj<Dataspace>(m.dataspace);
      m.pages.forEach((p, j) => bus.ram.set(m.data.subarray(j * PAGE, (j + 1) * PAGE), ds.phys - bus.ramBase + p * PAGE));
    }
  }

  private restoreRegionMap(o: Extract<ObjectRecord, { kind: 'regionmap' }>): void {
    const rm = this.obj<RegionMap>(o.id);
    for (const r of [...o.regions].sort((a, b) => a.base - b.base)) {
      const target = this.objs[r.target] as Dataspace | RegionMap;
      const at = rm.attach({ target, addr: r.base, offset: r.offset, size: r.size, writable: r.writable, executable: r.executable });
      if (!at.ok) throw new Error(`restore: region at 0x${r.base.toString(16)}: ${at.error}`);
    }
    rm.faultType = o.faultType;
    rm.faultAddr = o.faultAddr;
    if (o.faultHandler !== undefined) rm.faultHandler = this.coreRef(this.obj(o.faultHandler));
    for (const [c, t] of o.faultWaiters) {
      const th = this.tasks[c].threads[t];
      rm.faultWaiters.push(th);
      th.faultIn = rm;
    }
  }

  private restoreReceiver(o: Extract<ObjectRecord, { kind: 'receiver' }>): void {
    const rx = this.obj<SignalReceiver>(o.id);
    for (const id of o.pending) {
      const ctx = this.obj<SignalContext>(id);
      ctx.queued = true;
      rx.pending.push(ctx);
    }
    for (const [c, t] of o.waiters) {
      const th = this.tasks[c].threads[t];
      rx.waiters.push(th);
      th.waitingOn = rx;
    }
  }

  /** Installs the component's capabilities in their slots (parents of derived ones first). */
  private restoreCaps(ci: number): void {
    const c = this.cp.components[ci];
    const task = this.tasks[ci];
    const pending = [...c.caps];
    while (pending.length > 0) {
      const i = pending.findIndex((cap) => cap.derivedFrom === undefined || task.caps.get(cap.derivedFrom) !== undefined);
      const [cap] = pending.splice(i < 0 ? 0 : i, 1);
      const rec = this.cp.objects[cap.object];
      let obj = this.obj<KObject>(cap.object);
      const service: ServiceName | undefined = rec.kind === 'session' ? rec.service
        : cap.slot === SLOT_RM && cap.object === c.addressSpace ? 'RM' : undefined;
      if (service !== undefined) obj = this.init.wrap(task, service, obj);
      const parent = cap.derivedFrom === undefined ? undefined : task.caps.get(cap.derivedFrom);
      task.caps.insert(obj, cap.rights, cap.badge, parent, cap.slot);
    }
  }

  private restoreThreads(ci: number): void {
    const task = this.tasks[ci];
    for (const r of this.cp.components[ci].threads) {
      const t: Thread = task.threads[r.index];
      t.regs.set(r.regs);
      t.regs[0] = 0;
      t.pc = r.pc;
      t.priority = r.priority;
      t.paused = r.paused;
      t.started = r.started;
      t.singleStep = r.singleStep;
      t.quantumUsed = r.quantumUsed;
      if (r.state === ThreadState.Dead) this.k.killThread(t);
      t.state = r.state;
    }
  }

  private restoreSession(o: Extract<ObjectRecord, { kind: 'session' }>): void {
    const s = this.obj<KObject>(o.id);
    if (s instanceof TimerSession && o.timer !== undefined) {
      s.context = o.timer.context === undefined ? undefined : this.coreRef(this.obj(o.timer.context));
      s.deadline = o.timer.remaining < 0 ? Infinity : this.k.now() + o.timer.remaining;
      s.period = o.timer.period;
    } else if (s instanceof IrqSession && o.irq !== undefined) {
      s.context = o.irq.context === undefined ? undefined : this.coreRef(this.obj(o.irq.context));
      s.claimed = o.irq.claimed;
    } else if (s instanceof RmSession) {
      for (const id of o.regionMaps ?? []) s.regionMaps.push(this.obj<RegionMap>(id));
    }
  }

  /**
   * Core's reference to a signal context a service holds: derived from a capability of the child
   * that names it (so revocation still reaches it), or an original if no child slot names it.
   */
  private coreRef(ctx: KObject): Capability {
    const core = this.k.coreCaps;
    let parent: Capability | undefined;
    for (const task of this.tasks) {
      parent = task.caps.entries().find((cap) => cap.obj === ctx);
      if (parent !== undefined) break;
    }
    const slot = core.insert(ctx, parent?.rights ?? 7, parent?.badge ?? 0, parent);
    return core.get(slot)!;
  }

  private restoreDevices(): void {
    const m = this.init.machine;
    const d = this.cp.devices;
    const plic = m.plic.loadState(d.plic as Parameters<typeof m.plic.loadState>[0]);
    if (!plic.ok) throw new Error(`restore: PLIC state: ${plic.error}`);
    const uart = m.uart.loadState(d.uart as Parameters<typeof m.uart.loadState>[0]);
    if (!uart.ok) throw new Error(`restore: UART state: ${uart.error}`);
    const irqsrc = m.irqsrc.loadState(d.irqsrc as Parameters<typeof m.irqsrc.loadState>[0]);
    if (!irqsrc.ok) throw new Error(`restore: IRQ source state: ${irqsrc.error}`);
    if (d.uartInput !== undefined) this.init.scheduleUartBytes(Uint8Array.from(d.uartInput.bytes), this.k.now() + d.uartInput.remaining);
  }
}

