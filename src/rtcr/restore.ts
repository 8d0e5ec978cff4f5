// The restorer: on a fresh kernel, recreate the child's components without sessions, recreate
// every object the checkpoint names (new objects on this node), restore their state, install
// the capabilities in the same slots, restore memory, registers and the scheduler, and hand back
// an init that runs on from the checkpoint's virtual time.
//
// A checkpoint is input from elsewhere: validate() checks every reference and bound first, so a
// crafted image gets no capability to anything its own records do not create, no memory beyond
// its quota, no region outside its region maps, and nothing is created for a refused one.

import { Dataspace } from '../kernel/dataspace';
import { irqsrcWiringOk } from '../dev/memlayout';
import { Init, type Interposition, type LogLine, type Platform, type ServiceName } from '../kernel/init';
import { irqWiringMoved, remapIrqs, type IrqMap } from './irqmap';
import { ANY_FROM, ANY_TO, USER_TOP, type Kernel } from '../kernel/kernel';
import type { KObject } from '../kernel/object';
import { RegionMap } from '../kernel/regionmap';
import { CpuSession } from '../kernel/services/cpu';
import { ParentCap } from '../kernel/services/parent';
import { PdSession } from '../kernel/services/pd';
import { RamSession } from '../kernel/services/ram';
import { ioMemAllowed, IoMemSession, IrqSession, LogSession, RmSession, TimerSession } from '../kernel/services/sessions';
import { shmCreate, shmRegistry, ShmSession } from '../kernel/services/shm';
import { SignalContext, SignalReceiver } from '../kernel/signal';
import { coveredMegapages, SLOT_RM, type Task } from '../kernel/task';
import { Thread, ThreadState } from '../kernel/thread';
import type { Capability } from '../kernel/captable';
import { PAGE, type Checkpoint, type ObjectRecord } from './model';

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

// ---- validation ----

/** What must hold before a board can even be built for `cp`. */
function validateBoard(cp: Checkpoint, board: Platform['board']): string | undefined {
  const first = board?.irqsrcFirstSource;
  if (first !== undefined && !irqsrcWiringOk(first)) {
    return `board: the IRQ source device cannot start at PLIC source ${first}`;
  }
  const { insnsPerSecond, mtimeHz } = cp.time;
  if (insnsPerSecond % mtimeHz !== 0) return `time: insnsPerSecond ${insnsPerSecond} is not a multiple of mtimeHz ${mtimeHz}`;
  const quotas = cp.components.reduce((n, c) => n + c.ramQuota, 0);
  if (quotas > cp.ramMiB * 1024 * 1024) return `components: RAM quotas of ${quotas} bytes exceed the board's ${cp.ramMiB} MiB`;
  return undefined;
}

/** The first thing wrong with `cp`, or undefined. Creates nothing. */
export function validate(cp: Checkpoint, init: Init): string | undefined {
  const objs = cp.objects;
  const kindOf = (id: number | undefined): ObjectRecord['kind'] | undefined => (id === undefined ? undefined : objs[id]?.kind);
  const need = (id: number | undefined, kinds: ObjectRecord['kind'][], what: string): string | undefined =>
    id === undefined || !kinds.includes(kindOf(id)!) ? `${what}: object ${id} is not a ${kinds.join(' or ')}` : undefined;
  const threadOk = ([c, t]: [number, number]) => cp.components[c]?.threads[t] !== undefined;
  if (cp.quantum !== init.kernel.quantum) return `quantum ${cp.quantum} differs from this kernel's ${init.kernel.quantum}`;
  for (const [i, o] of objs.entries()) {
    if (o.id !== i) return `objects[${i}]: id ${o.id} out of order`;
    const at = `objects[${i}] (${o.kind})`;
    let p: string | undefined;
    switch (o.kind) {
      case 'dataspace':
        if (o.size % PAGE !== 0 || o.size === 0) return `${at}: size ${o.size} is not a positive multiple of 4 KiB`;
        if (cp.components[o.owner] === undefined) return `${at}: owner ${o.owner} is no component`;
        break;
      case 'iomem':
        if (!ioMemAllowed(init.machine, o.base, o.size)) return `${at}: 0x${o.base.toString(16)}+0x${o.size.toString(16)} is not device memory a component may map`;
        break;
      case 'regionmap':
        if (o.size % PAGE !== 0 || o.size === 0 || o.size > USER_TOP) return `${at}: bad size`;
        p = need(o.faultHandler ?? undefined, ['context'], at);
        if (o.faultHandler !== undefined && p !== undefined) return p;
        if (!o.faultWaiters.every(threadOk)) return `${at}: a fault waiter is no thread`;
        p = validateRegions(o, objs, at);
        if (p !== undefined) return p;
        break;
      case 'managed': p = need(o.rm, ['regionmap'], at); if (p) return p; break;
      case 'slice':
        p = need(o.of, ['dataspace'], at);
        if (p) return p;
        if (o.offset % PAGE !== 0 || o.size % PAGE !== 0 || o.size === 0 || o.offset + o.size > (objs[o.of] as { size: number }).size) {
          return `${at}: slice +0x${o.offset.toString(16)} of ${o.size} bytes lies outside dataspace ${o.of}`;
        }
        break;
      case 'receiver':
        for (const c of o.pending) { p = need(c, ['context'], at); if (p) return p; }
        if (!o.waiters.every(threadOk)) return `${at}: a waiter is no thread`;
        break;
      case 'context': p = need(o.receiver, ['receiver'], at); if (p) return p; break;
      case 'thread': if (!threadOk([o.component, o.index])) return `${at}: no such thread`; break;
      case 'session':
        if (cp.components[o.component] === undefined) return `${at}: component ${o.component} does not exist`;
        if (o.timer?.context !== undefined) { p = need(o.timer.context, ['context'], at); if (p) return p; }
        if (o.irq?.context !== undefined) { p = need(o.irq.context, ['context'], at); if (p) return p; }
        for (const r of o.regionMaps ?? []) { p = need(r, ['regionmap'], at); if (p) return p; }
        if (o.service === 'IO_MEM') { p = need(o.iomem, ['iomem'], at); if (p) return p; }
        if (o.service === 'Timer' && o.timer === undefined) return `${at}: Timer without timer state`;
        if (o.service === 'IRQ' && o.irq === undefined) return `${at}: IRQ without irq state`;
        break;
    }
  }
  // Device state is checked by loading it into the fresh board's devices (restore loads it again
  // after binding interrupt sources).
  const m = init.machine;
  const plic = guarded(() => m.plic.loadState(cp.devices.plic as Parameters<typeof m.plic.loadState>[0]));
  if (!plic.ok) return `devices.plic: ${plic.error}`;
  const uart = guarded(() => m.uart.loadState(cp.devices.uart as Parameters<typeof m.uart.loadState>[0]));
  if (!uart.ok) return `devices.uart: ${uart.error}`;
  const irqsrc = guarded(() => m.irqsrc.loadState(cp.devices.irqsrc as Parameters<typeof m.irqsrc.loadState>[0]));
  if (!irqsrc.ok) return `devices.irqsrc: ${irqsrc.error}`;
  const names = new Set<string>();
  for (const [i, r] of cp.shm.entries()) {
    if (names.has(r.name)) return `shm[${i}]: the name ${r.name} twice`;
    names.add(r.name);
    const p = need(r.dataspace, ['dataspace'], `shm[${i}]`);
    if (p !== undefined) return p;
    if (cp.components[r.charged] === undefined) return `shm[${i}]: charged to no component`;
  }
  for (const o of objs) {
    if (o.kind === 'session' && o.service === 'SHM' && (o.shm === undefined || !names.has(o.shm))) {
      return `objects[${o.id}]: an SHM session for a region the image does not have`;
    }
  }
  const seqs = objs.flatMap((o) => (o.kind === 'session' && o.timer !== undefined ? [o.timer.seq] : []));
  if (new Set(seqs).size !== seqs.length) return 'two Timer sessions with one creation number';
  const irqOwner = new Map<number, number>();
  for (const o of objs) {
    if (o.kind !== 'session' || o.irq === undefined) continue;
    const first = irqOwner.get(o.irq.irq);
    if (first !== undefined) return `objects[${o.id}]: a second IRQ session for irq ${o.irq.irq} (the first is objects[${first}])`;
    irqOwner.set(o.irq.irq, o.id);
  }
  const spaceIds = new Set(cp.components.map((c) => c.addressSpace));
  for (const o of objs) {
    if (o.kind !== 'regionmap') continue;
    for (const r of o.regions) {
      if (spaceIds.has(r.target)) return `objects[${o.id}]: an address space (objects[${r.target}]) attached as a region`;
    }
    if (reaches(objs, o.id, o.id, new Set())) return `objects[${o.id}]: region map nested inside itself`;
  }
  for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
    const rm = objs[t.rm];
    const g = cp.tracking!.granularity * PAGE;
    if (rm?.kind !== 'regionmap') continue;
    for (const d of t.designated) {
      const ds = objs[d.ds];
      if ((ds?.kind !== 'dataspace' && ds?.kind !== 'slice') || d.offset % g !== 0 || d.offset + ds.size > rm.size || ds.size > g) {
        return `tracking.managed[${i}]: designated dataspace ${d.ds} at +0x${d.offset.toString(16)} lies outside its granule or managed dataspace`;
      }
    }
  }
  const spaces = new Set<number>();
  for (const [ci, c] of cp.components.entries()) {
    const at = `components[${ci}] (${c.name})`;
    const as = objs[c.addressSpace];
    if (as?.kind !== 'regionmap' || as.size !== USER_TOP || as.anyFrom !== ANY_FROM || as.anyTo !== ANY_TO) {
      return `${at}: address space is not a user address-space region map`;
    }
    if (spaces.has(c.addressSpace)) return `${at}: shares its address space`;
    spaces.add(c.addressSpace);
    const slots = new Set<number>();
    for (const cap of c.caps) {
      if (slots.has(cap.slot)) return `${at}: slot ${cap.slot} twice`;
      slots.add(cap.slot);
      if (objs[cap.object] === undefined) return `${at}: slot ${cap.slot} names no object`;
      if (cap.derivedFrom !== undefined && !c.caps.some((x) => x.slot === cap.derivedFrom)) return `${at}: slot ${cap.slot} derived from an empty slot`;
    }
    if (!c.threads.every((t, i) => t.index === i)) return `${at}: thread indices out of order`;
    const sharedIds = new Set(cp.shm.map((r) => r.dataspace));
    const owned = objs.reduce((n, o) => n + (o.kind === 'dataspace' && o.owner === ci && !sharedIds.has(o.id) ? o.size : 0), 0) +
      cp.shm.reduce((n, r) => n + (r.charged === ci && objs[r.dataspace]?.kind === 'dataspace' ? (objs[r.dataspace] as { size: number }).size : 0), 0);
    const tables = (1 + coveredMegapages(as.regions).size) * PAGE;
    if (owned + tables > c.ramQuota) return `${at}: dataspaces of ${owned} bytes and page tables of ${tables} exceed the RAM quota of ${c.ramQuota}`;
  }
  for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
    const p = need(t.rm, ['regionmap'], `tracking.managed[${i}]`);
    if (p !== undefined) return p;
    if (cp.components[t.owner] === undefined) return `tracking.managed[${i}]: owner ${t.owner} is no component`;
    if (t.over !== undefined) {
      const q = need(t.over, ['dataspace'], `tracking.managed[${i}]`);
      if (q !== undefined) return q;
    }
    for (const d of t.designated) {
      const q = need(d.ds, t.over === undefined ? ['dataspace'] : ['slice'], `tracking.managed[${i}]`);
      if (q !== undefined) return q;
      const sl = objs[d.ds];
      if (sl?.kind === 'slice' && (sl.of !== t.over || sl.offset !== d.offset)) return `tracking.managed[${i}]: slice ${d.ds} is not the granule at +0x${d.offset.toString(16)}`;
    }
  }
  for (const [i, m] of cp.memory.entries()) {
    const ds = objs[m.dataspace];
    if (ds?.kind !== 'dataspace') return `memory[${i}]: object ${m.dataspace} is not a dataspace`;
    if (m.data.length !== m.pages.length * PAGE) return `memory[${i}]: ${m.data.length} bytes for ${m.pages.length} pages`;
    for (let j = 0; j < m.pages.length; j++) {
      if (m.pages[j] * PAGE >= ds.size || (j > 0 && m.pages[j] <= m.pages[j - 1])) return `memory[${i}]: page ${m.pages[j]} out of order or outside the dataspace`;
    }
  }
  for (const ref of [...cp.scheduler.order, ...(cp.scheduler.current ? [cp.scheduler.current] : [])]) {
    if (!threadOk(ref)) return `scheduler: thread [${ref.join(', ')}] does not exist`;
  }
  return undefined;
}

function validateRegions(o: Extract<ObjectRecord, { kind: 'regionmap' }>, objs: ObjectRecord[], at: string): string | undefined {
  const sorted = [...o.regions].sort((a, b) => a.base - b.base);
  for (const [i, r] of sorted.entries()) {
    const t = objs[r.target];
    const tsize = t?.kind === 'dataspace' || t?.kind === 'slice' || t?.kind === 'iomem' || t?.kind === 'regionmap' ? t.size : undefined;
    if (tsize === undefined || t!.id === o.id) return `${at}: region at 0x${r.base.toString(16)} shows no dataspace`;
    if (r.base % PAGE !== 0 || r.size % PAGE !== 0 || r.offset % PAGE !== 0 || r.size === 0) return `${at}: region at 0x${r.base.toString(16)} is not page aligned`;
    if (r.base + r.size > o.size || r.offset + r.size > tsize) return `${at}: region at 0x${r.base.toString(16)} leaves its region map or dataspace`;
    if (i > 0 && sorted[i - 1].base + sorted[i - 1].size > r.base) return `${at}: regions overlap at 0x${r.base.toString(16)}`;
  }
  return undefined;
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

/** Whether region map `id` reaches `target` through the targets of its regions. */
function reaches(objs: readonly ObjectRecord[], id: number, target: number, seen: Set<number>): boolean {
  const o = objs[id];
  if (o === undefined || seen.has(id)) return false;
  seen.add(id);
  const children = o.kind === 'regionmap' ? o.regions.map((r) => r.target) : o.kind === 'managed' ? [o.rm] : [];
  return children.some((c) => c === target || reaches(objs, c, target, seen));
}

/** Runs a device's state loader, turning a throw on malformed input into an error value. */
function guarded(load: () => { ok: true } | { ok: false; error: string }): { ok: true } | { ok: false; error: string } {
  try {
    return load();
  } catch (e) {
    return { ok: false, error: `malformed (${(e as Error).message})` };
  }
}
