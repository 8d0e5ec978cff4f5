// Authority re-derived, not trusted: a restored component may reach only what a run of it could
// have reached. At run time capabilities never move between components (there is no IPC
// delegation); a component gets objects only from its own sessions: its core sessions (Parent,
// PD, CPU, RAM, its address space), sessions its routes allow (LOG, Timer, RM, IRQ, IO_MEM,
// SHM), and what those create for it (threads, dataspaces, region maps, signal receivers and
// contexts, device memory). The one exception is named shared memory: every component that may
// open an SHM session for a name gets the same dataspace.
//
// So every object of an image has exactly one owner, derived here from the records that create
// objects (session records, thread records, dataspace records, RM sessions' region maps, IO_MEM
// sessions' device memory, tracking records) or, for objects no record creates (signal receivers
// and contexts, a region map or device memory whose session was closed), from the one component
// that reaches it, whose routes must then allow the service that creates it. Then every
// reference a component makes - a capability slot, a region of a region map it owns, a signal
// context a session or region map of it uses, a thread of it waiting somewhere - must name an
// object of its own, or shared memory it may open. Capability rights may not exceed what the
// creating session hands out, a derived capability has a subset of its parent's rights, and no
// capability has a badge (no session or derivation makes one).

import { RIGHT_DELEGATE, RIGHT_INVOKE, RIGHT_WRITE, RIGHTS_ALL } from '../kernel/object';
import type { Checkpoint, ComponentRecord, ObjectRecord } from './model';

/** A component's index, or the name of a shared-memory region (every member's). */
type Owner = number | string;

/** Sessions init creates for every component, one each; the others come through routes. */
const CORE_SESSIONS = new Set(['Parent', 'PD', 'CPU', 'RAM']);

/** Whether a component's routes let it ask for `service` (no routes: all of core's). */
export function routeAllows(c: ComponentRecord, service: string): boolean {
  return c.routes === undefined || (c.routes as readonly string[]).includes(service);
}

/** The first object or reference of `cp` that no run of its components could have had, or undefined. */
export function checkAuthority(cp: Checkpoint): string | undefined {
  const a = new Authority(cp);
  return a.recordedOwners() ?? a.caps() ?? a.propagate();
}

class Authority {
  private readonly objs: readonly ObjectRecord[];
  /** The owner of each object (managed dataspaces and slices: see base()). */
  private readonly owner: (Owner | undefined)[];
  /** Which record created a region map or device memory (each has one creator). */
  private readonly creator = new Map<number, string>();
  /** SHM names each component has a session for. */
  private readonly shmSessions = new Map<number, Set<string>>();
  private readonly shmName = new Map<number, string>();
  private readonly queue: number[] = [];
  /** The core session of each component and service met so far ("component:service" -> id). */
  private readonly coreSessions = new Map<string, number>();

  constructor(private readonly cp: Checkpoint) {
    this.objs = cp.objects;
    this.owner = new Array<Owner | undefined>(cp.objects.length);
    for (const r of cp.shm) this.shmName.set(r.dataspace, r.name);
  }

  /** Owners given by the records that create objects; conflicting records are refused. */
  recordedOwners(): string | undefined {
    const { cp } = this;
    for (const [ci, c] of cp.components.entries()) {
      const p = this.give(c.addressSpace, ci, `components[${ci}] (${c.name}) address space`);
      if (p !== undefined) return p;
    }
    for (const o of this.objs) {
      const p = this.recordedOwner(o);
      if (p !== undefined) return p;
    }
    for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
      const at = `tracking.managed[${i}]`;
      if (cp.components.some((c) => c.addressSpace === t.rm)) return `${at}: its region map objects[${t.rm}] is a component's address space`;
      const shared = t.over === undefined ? undefined : this.shmName.get(t.over);
      if (t.over !== undefined && shared === undefined) return `${at}: tracks objects[${t.over}], which is no shared-memory region`;
      const p = this.create(t.rm, shared ?? t.owner, at);
      if (p !== undefined) return p;
    }
    for (const [i, r] of cp.shm.entries()) {
      const c = cp.components[r.charged];
      if (!routeAllows(c, 'SHM')) return `shm[${i}] (${r.name}): charged to component ${r.charged} (${c.name}), whose routes allow no SHM session`;
    }
    return undefined;
  }

  private recordedOwner(o: ObjectRecord): string | undefined {
    const at = `objects[${o.id}] (${o.kind === 'session' ? `${o.service} session` : o.kind})`;
    switch (o.kind) {
      case 'thread': return this.give(o.id, o.component, at);
      case 'dataspace': return this.give(o.id, this.shmName.get(o.id) ?? o.owner, at);
      case 'session': return this.session(o, at);
      default: return undefined;
    }
  }

  /** A session: its component's, routes allowing; and what the record says it created. */
  private session(o: Extract<ObjectRecord, { kind: 'session' }>, at: string): string | undefined {
    const c = this.cp.components[o.component];
    const who = `component ${o.component} (${c.name})`;
    if (CORE_SESSIONS.has(o.service)) {
      const key = `${o.component}:${o.service}`;
      const twin = this.coreSessions.get(key);
      if (twin !== undefined) return `${at}: a second ${o.service} session of ${who} (init creates one; the first is objects[${twin}])`;
      this.coreSessions.set(key, o.id);
    } else if (!routeAllows(c, o.service)) {
      return `${at}: ${who} has no route to ${o.service}`;
    }
    if (o.shm !== undefined) {
      const names = this.shmSessions.get(o.component) ?? new Set<string>();
      names.add(o.shm);
      this.shmSessions.set(o.component, names);
    }
    for (const rm of o.regionMaps ?? []) {
      if (this.cp.components.some((x) => x.addressSpace === rm)) return `${at}: lists objects[${rm}], a component's address space, as a region map it created`;
      const p = this.create(rm, o.component, at);
      if (p !== undefined) return p;
    }
    if (o.iomem !== undefined) {
      const p = this.create(o.iomem, o.component, at);
      if (p !== undefined) return p;
    }
    return this.give(o.id, o.component, at);
  }

  /** `id` was created by record `by` for `owner`: objects have one creator. */
  private create(id: number, owner: Owner, by: string): string | undefined {
    const first = this.creator.get(id);
    if (first !== undefined) return `${by}: objects[${id}] was already created by ${first}`;
    this.creator.set(id, by);
    return this.give(id, owner, by);
  }

  private give(id: number, owner: Owner, by: string): string | undefined {
    const prev = this.owner[id];
    if (prev !== undefined && prev !== owner) return `${by}: objects[${id}] is ${this.ownerName(prev)}'s, not ${this.ownerName(owner)}'s`;
    if (prev === undefined) {
      this.owner[id] = owner;
      this.queue.push(id);
    }
    return undefined;
  }

  /** Every capability: to an object of its component's, with rights its creator hands out. */
  caps(): string | undefined {
    for (const [ci, c] of this.cp.components.entries()) {
      const slots = new Map(c.caps.map((cap) => [cap.slot, cap]));
      for (const cap of c.caps) {
        const at = `components[${ci}] (${c.name}) slot ${cap.slot}`;
        const p = this.claim(ci, cap.object, at);
        if (p !== undefined) return p;
        if (cap.badge !== 0) return `${at}: badge ${cap.badge}, which no session or derivation hands out`;
        const max = this.maxRights(cap.object);
        if ((cap.rights & ~max) !== 0) return `${at}: rights ${cap.rights} exceed the ${max} its session hands out for objects[${cap.object}]`;
        const parent = cap.derivedFrom === undefined ? undefined : slots.get(cap.derivedFrom);
        if (parent !== undefined) {
          if (parent.object !== cap.object || parent.badge !== cap.badge) return `${at}: derived from slot ${parent.slot}, which names another object or badge`;
          if ((cap.rights & ~parent.rights) !== 0 || (parent.rights & RIGHT_DELEGATE) === 0) return `${at}: more rights than slot ${parent.slot} it was derived from can give`;
        }
      }
      const p = derivationCycle(c);
      if (p !== undefined) return `components[${ci}] (${c.name}): ${p}`;
    }
    return undefined;
  }

  /** The rights a capability to `id` can have at most: what the session that creates it hands out. */
  private maxRights(id: number): number {
    const o = this.objs[id];
    if (o.kind === 'iomem') return RIGHT_INVOKE | RIGHT_WRITE; // IO_MEM DATASPACE
    if (typeof this.owner[this.base(id)] === 'string') return RIGHT_INVOKE | RIGHT_WRITE; // SHM DATASPACE
    if (o.kind === 'thread') return RIGHT_INVOKE | RIGHT_DELEGATE; // CPU THREAD_CREATE, slot 7
    return RIGHTS_ALL;
  }

  /**
   * Follows every reference from the objects whose owner is known (and the threads waiting in
   * receivers and region maps), giving owners to objects no record creates; then refuses an
   * object nothing legal reaches.
   */
  propagate(): string | undefined {
    for (const o of this.objs) {
      const waiters = o.kind === 'receiver' ? o.waiters : o.kind === 'regionmap' ? o.faultWaiters : [];
      for (const [c, t] of waiters) {
        const p = this.claim(c, o.id, `objects[${o.id}] (${o.kind}) waiter thread ${c}:${t}`);
        if (p !== undefined) return p;
      }
    }
    for (let i = 0; i < this.queue.length; i++) {
      const p = this.references(this.queue[i]);
      if (p !== undefined) return p;
    }
    for (const o of this.objs) {
      if (this.owner[this.base(o.id)] === undefined) return `objects[${o.id}] (${o.kind}): no component reaches it through a session of its own`;
    }
    return undefined;
  }

  /** The references object `id` makes, claimed for its owner. */
  private references(id: number): string | undefined {
    const o = this.objs[id];
    const w = this.owner[id]!;
    const at = `objects[${id}] (${o.kind === 'session' ? `${o.service} session` : o.kind})`;
    const refs: [number | undefined, string][] = [];
    switch (o.kind) {
      case 'regionmap':
        for (const r of o.regions) refs.push([r.target, `${at} region at 0x${r.base.toString(16)}`]);
        refs.push([o.faultHandler, `${at} fault handler`]);
        break;
      case 'receiver': for (const c of o.pending) refs.push([c, `${at} pending signal`]); break;
      case 'context': refs.push([o.receiver, `${at} receiver`]); break;
      case 'session': refs.push([o.timer?.context, `${at} signal context`], [o.irq?.context, `${at} signal context`]); break;
      default: break;
    }
    for (const [ref, where] of refs) {
      if (ref === undefined) continue;
      const p = this.claim(w, ref, where);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  /** `by` (a component, or shared memory) reaches `id` at `where`: legal, or the error. */
  private claim(by: Owner, id: number, where: string): string | undefined {
    const b = this.base(id);
    const o = this.owner[b];
    const kind = this.objs[b].kind;
    if (o === undefined) {
      if (typeof by === 'string') return `${where}: shared memory ${by} shows objects[${b}] (${kind}), which is no member's`;
      const c = this.cp.components[by];
      if (kind === 'regionmap' && !routeAllows(c, 'RM')) return `${where}: objects[${b}] is a region map no RM session of component ${by} (${c.name}) created, and its routes allow none`;
      if (kind === 'iomem' && !routeAllows(c, 'IO_MEM')) return `${where}: objects[${b}] is device memory no IO_MEM session of component ${by} (${c.name}) created, and its routes allow none`;
      this.owner[b] = by;
      this.queue.push(b);
      return undefined;
    }
    if (o === by) return undefined;
    if (typeof o === 'string' && typeof by === 'number' && this.mayOpen(by, o)) return undefined;
    return `${where}: objects[${b}] (${kind}) is ${this.ownerName(o)}'s, not ${this.ownerName(by)}'s`;
  }

  /** Whether component `c` could have opened the shared region `name`. */
  private mayOpen(c: number, name: string): boolean {
    return this.shmSessions.get(c)?.has(name) === true || routeAllows(this.cp.components[c], 'SHM');
  }

  /** The object that decides who may reach `id`: a managed dataspace's region map, a slice's dataspace. */
  private base(id: number): number {
    const o = this.objs[id];
    return o.kind === 'managed' ? o.rm : o.kind === 'slice' ? o.of : id;
  }

  private ownerName(o: Owner): string {
    return typeof o === 'string' ? `shared memory ${o}` : `component ${o} (${this.cp.components[o].name})`;
  }
}

/** A capability derived (transitively) from itself, or undefined. */
function derivationCycle(c: ComponentRecord): string | undefined {
  const from = new Map(c.caps.map((cap) => [cap.slot, cap.derivedFrom]));
  for (const cap of c.caps) {
    let s: number | undefined = cap.derivedFrom;
    for (let n = 0; s !== undefined && n <= c.caps.length; n++) {
      if (s === cap.slot) return `slot ${cap.slot} is derived from itself`;
      s = from.get(s);
    }
  }
  return undefined;
}
