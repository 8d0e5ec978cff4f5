// Restore-side checks of references and bounds: every id names an object of the right kind,
// regions lie inside their region maps and dataspaces, memory inside its dataspaces, quotas
// (with page tables) hold, device ranges and IRQ sources are ones a component may have, device
// state loads. Creates nothing; the first problem is returned as one line naming the record.

import { irqsrcWiringOk } from '../dev/memlayout';
import type { Init, Platform } from '../kernel/init';
import { ANY_FROM, ANY_TO, USER_TOP } from '../kernel/kernel';
import { NULL_GUARD, regionFits } from '../kernel/regionmap';
import { ioMemAllowed } from '../kernel/services/sessions';
import { coveredMegapages } from '../kernel/task';
import { clockProblem } from './consistency';
import { PAGE, type Checkpoint, type ObjectRecord } from './model';

/** What must hold before a board can even be built for `cp`. */
export function validateBoard(cp: Checkpoint, board: Platform['board']): string | undefined {
  const first = board?.irqsrcFirstSource;
  if (first !== undefined && !irqsrcWiringOk(first)) {
    return `board: the IRQ source device cannot start at PLIC source ${first}`;
  }
  const clock = clockProblem(cp.time);
  if (clock !== undefined) return clock;
  const quotas = cp.components.reduce((n, c) => n + c.ramQuota, 0);
  if (quotas > cp.ramMiB * 1024 * 1024) return `components: RAM quotas of ${quotas} bytes exceed the board's ${cp.ramMiB} MiB`;
  return undefined;
}

/** Lookups the reference checks share. */
interface Refs {
  cp: Checkpoint;
  objs: ObjectRecord[];
  /** An error unless `id` names an object of one of `kinds`. */
  need: (id: number | undefined, kinds: ObjectRecord['kind'][], what: string) => string | undefined;
  threadOk: (ref: [number, number]) => boolean;
}

/** The first thing wrong with `cp`'s references and bounds, or undefined. Creates nothing. */
export function checkReferences(cp: Checkpoint, init: Init): string | undefined {
  const objs = cp.objects;
  const kindOf = (id: number | undefined): ObjectRecord['kind'] | undefined => (id === undefined ? undefined : objs[id]?.kind);
  const r: Refs = {
    cp, objs,
    need: (id, kinds, what) => (id === undefined || !kinds.includes(kindOf(id)!) ? `${what}: object ${id} is not a ${kinds.join(' or ')}` : undefined),
    threadOk: ([c, t]) => cp.components[c]?.threads[t] !== undefined,
  };
  if (cp.quantum !== init.kernel.quantum) return `quantum ${cp.quantum} differs from this kernel's ${init.kernel.quantum}`;
  for (const [i, o] of objs.entries()) {
    if (o.id !== i) return `objects[${i}]: id ${o.id} out of order`;
    const p = objectRefs(r, o, init);
    if (p !== undefined) return p;
  }
  return deviceState(cp, init) ?? sharedRefs(r) ?? sessionsUnique(objs) ?? regionMapRefs(cp) ?? designatedBounds(cp)
    ?? componentRefs(r) ?? trackingRefs(r) ?? memoryRefs(cp) ?? schedulerRefs(r);
}

/** One object record's references and bounds. */
function objectRefs(r: Refs, o: ObjectRecord, init: Init): string | undefined {
  const { cp, objs, need, threadOk } = r;
  const at = `objects[${o.id}] (${o.kind})`;
  switch (o.kind) {
    case 'dataspace':
      if (o.size % PAGE !== 0 || o.size === 0) return `${at}: size ${o.size} is not a positive multiple of 4 KiB`;
      return cp.components[o.owner] === undefined ? `${at}: owner ${o.owner} is no component` : undefined;
    case 'iomem':
      return ioMemAllowed(init.machine, o.base, o.size) ? undefined : `${at}: 0x${o.base.toString(16)}+0x${o.size.toString(16)} is not device memory a component may map`;
    case 'regionmap':
      if (o.size % PAGE !== 0 || o.size === 0 || o.size > USER_TOP) return `${at}: bad size`;
      if (o.faultHandler !== undefined && need(o.faultHandler, ['context'], at) !== undefined) return need(o.faultHandler, ['context'], at);
      if (!o.faultWaiters.every(threadOk)) return `${at}: a fault waiter is no thread`;
      return validateRegions(o, objs, at);
    case 'managed': return need(o.rm, ['regionmap'], at);
    case 'slice':
      if (need(o.of, ['dataspace'], at) !== undefined) return need(o.of, ['dataspace'], at);
      if (o.offset % PAGE !== 0 || o.size % PAGE !== 0 || o.size === 0 || o.offset + o.size > (objs[o.of] as { size: number }).size) {
        return `${at}: slice +0x${o.offset.toString(16)} of ${o.size} bytes lies outside dataspace ${o.of}`;
      }
      return undefined;
    case 'receiver':
      for (const c of o.pending) { const p = need(c, ['context'], at); if (p) return p; }
      return o.waiters.every(threadOk) ? undefined : `${at}: a waiter is no thread`;
    case 'context': return need(o.receiver, ['receiver'], at);
    case 'thread': return threadOk([o.component, o.index]) ? undefined : `${at}: no such thread`;
    case 'session': return sessionRefs(r, o, at);
  }
}

function sessionRefs(r: Refs, o: Extract<ObjectRecord, { kind: 'session' }>, at: string): string | undefined {
  const { cp, need } = r;
  if (cp.components[o.component] === undefined) return `${at}: component ${o.component} does not exist`;
  const refs: [number | undefined, ObjectRecord['kind']][] = [
    ...(o.timer?.context !== undefined ? [[o.timer.context, 'context'] as [number, ObjectRecord['kind']]] : []),
    ...(o.irq?.context !== undefined ? [[o.irq.context, 'context'] as [number, ObjectRecord['kind']]] : []),
    ...(o.regionMaps ?? []).map((id): [number, ObjectRecord['kind']] => [id, 'regionmap']),
    ...(o.service === 'IO_MEM' ? [[o.iomem, 'iomem'] as [number | undefined, ObjectRecord['kind']]] : []),
  ];
  for (const [id, kind] of refs) { const p = need(id, [kind], at); if (p) return p; }
  if (o.service === 'Timer' && o.timer === undefined) return `${at}: Timer without timer state`;
  if (o.service === 'IRQ' && o.irq === undefined) return `${at}: IRQ without irq state`;
  return undefined;
}

/** Device state is checked by loading it into the fresh board's devices (restore loads it again after binding interrupt sources). */
function deviceState(cp: Checkpoint, init: Init): string | undefined {
  const m = init.machine;
  const plic = guarded(() => m.plic.loadState(cp.devices.plic as Parameters<typeof m.plic.loadState>[0]));
  if (!plic.ok) return `devices.plic: ${plic.error}`;
  const uart = guarded(() => m.uart.loadState(cp.devices.uart as Parameters<typeof m.uart.loadState>[0]));
  if (!uart.ok) return `devices.uart: ${uart.error}`;
  const irqsrc = guarded(() => m.irqsrc.loadState(cp.devices.irqsrc as Parameters<typeof m.irqsrc.loadState>[0]));
  return irqsrc.ok ? undefined : `devices.irqsrc: ${irqsrc.error}`;
}

/** Shared-memory records: names once, of dataspaces, charged to components; SHM sessions name them. */
function sharedRefs(r: Refs): string | undefined {
  const { cp, need } = r;
  const names = new Set<string>();
  for (const [i, s] of cp.shm.entries()) {
    if (names.has(s.name)) return `shm[${i}]: the name ${s.name} twice`;
    names.add(s.name);
    const p = need(s.dataspace, ['dataspace'], `shm[${i}]`);
    if (p !== undefined) return p;
    if (cp.components[s.charged] === undefined) return `shm[${i}]: charged to no component`;
  }
  for (const o of cp.objects) {
    if (o.kind === 'session' && o.service === 'SHM' && (o.shm === undefined || !names.has(o.shm))) {
      return `objects[${o.id}]: an SHM session for a region the image does not have`;
    }
  }
  return undefined;
}

/** Timer creation numbers and IRQ sources are each one session's. */
function sessionsUnique(objs: readonly ObjectRecord[]): string | undefined {
  const seqs = objs.flatMap((o) => (o.kind === 'session' && o.timer !== undefined ? [o.timer.seq] : []));
  if (new Set(seqs).size !== seqs.length) return 'two Timer sessions with one creation number';
  const irqOwner = new Map<number, number>();
  for (const o of objs) {
    if (o.kind !== 'session' || o.irq === undefined) continue;
    const first = irqOwner.get(o.irq.irq);
    if (first !== undefined) return `objects[${o.id}]: a second IRQ session for irq ${o.irq.irq} (the first is objects[${first}])`;
    irqOwner.set(o.irq.irq, o.id);
  }
  return undefined;
}

/** Region maps nest without cycles, not too deep, and never show an address space. */
function regionMapRefs(cp: Checkpoint): string | undefined {
  const nesting = nestingProblem(cp.objects);
  if (nesting !== undefined) return nesting;
  const addressSpaces = new Set(cp.components.map((c) => c.addressSpace));
  for (const o of cp.objects) {
    if (o.kind !== 'regionmap') continue;
    for (const r of o.regions) {
      if (addressSpaces.has(r.target)) return `objects[${o.id}]: an address space (objects[${r.target}]) attached as a region`;
    }
  }
  return undefined;
}

/** Designated dataspaces lie inside their granule and managed dataspace. */
function designatedBounds(cp: Checkpoint): string | undefined {
  for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
    const rm = cp.objects[t.rm];
    const g = cp.tracking!.granularity * PAGE;
    if (rm?.kind !== 'regionmap') continue;
    for (const d of t.designated) {
      const ds = cp.objects[d.ds];
      if ((ds?.kind !== 'dataspace' && ds?.kind !== 'slice') || d.offset % g !== 0 || d.offset + ds.size > rm.size || ds.size > g) {
        return `tracking.managed[${i}]: designated dataspace ${d.ds} at +0x${d.offset.toString(16)} lies outside its granule or managed dataspace`;
      }
    }
  }
  return undefined;
}

/** Each component: its own user address space (no region in the null guard), its slots, threads and quota. */
function componentRefs(r: Refs): string | undefined {
  const { cp, objs } = r;
  const spaces = new Set<number>();
  const sharedIds = new Set(cp.shm.map((s) => s.dataspace));
  for (const [ci, c] of cp.components.entries()) {
    const at = `components[${ci}] (${c.name})`;
    const as = objs[c.addressSpace];
    if (as?.kind !== 'regionmap' || as.size !== USER_TOP || as.anyFrom !== ANY_FROM || as.anyTo !== ANY_TO) {
      return `${at}: address space is not a user address-space region map`;
    }
    if (spaces.has(c.addressSpace)) return `${at}: shares its address space`;
    const low = as.regions.find((x) => regionFits(as.size, NULL_GUARD, x, Infinity) !== undefined);
    if (low !== undefined) return `${at}: region at 0x${low.base.toString(16)} of its address space lies in the null guard below 0x${NULL_GUARD.toString(16)}`;
    spaces.add(c.addressSpace);
    const p = slotRefs(r, ci, at);
    if (p !== undefined) return p;
    if (!c.threads.every((t, i) => t.index === i)) return `${at}: thread indices out of order`;
    const owned = objs.reduce((n, o) => n + (o.kind === 'dataspace' && o.owner === ci && !sharedIds.has(o.id) ? o.size : 0), 0) +
      cp.shm.reduce((n, s) => n + (s.charged === ci && objs[s.dataspace]?.kind === 'dataspace' ? (objs[s.dataspace] as { size: number }).size : 0), 0);
    const tables = (1 + coveredMegapages(as.regions).size) * PAGE;
    if (owned + tables > c.ramQuota) return `${at}: dataspaces of ${owned} bytes and page tables of ${tables} exceed the RAM quota of ${c.ramQuota}`;
  }
  return undefined;
}

function slotRefs(r: Refs, ci: number, at: string): string | undefined {
  const c = r.cp.components[ci];
  const slots = new Set<number>();
  for (const cap of c.caps) {
    if (slots.has(cap.slot)) return `${at}: slot ${cap.slot} twice`;
    slots.add(cap.slot);
    if (r.objs[cap.object] === undefined) return `${at}: slot ${cap.slot} names no object`;
    if (cap.derivedFrom !== undefined && !c.caps.some((x) => x.slot === cap.derivedFrom)) return `${at}: slot ${cap.slot} derived from an empty slot`;
  }
  return undefined;
}

/** Tracking records name a region map, a component, and dataspaces (or slices of the shared one). */
function trackingRefs(r: Refs): string | undefined {
  const { cp, objs, need } = r;
  for (const [i, t] of (cp.tracking?.managed ?? []).entries()) {
    const at = `tracking.managed[${i}]`;
    const p = need(t.rm, ['regionmap'], at) ?? (t.over !== undefined ? need(t.over, ['dataspace'], at) : undefined);
    if (p !== undefined) return p;
    if (cp.components[t.owner] === undefined) return `${at}: owner ${t.owner} is no component`;
    for (const d of t.designated) {
      const q = need(d.ds, t.over === undefined ? ['dataspace'] : ['slice'], at);
      if (q !== undefined) return q;
      const sl = objs[d.ds];
      if (sl?.kind === 'slice' && (sl.of !== t.over || sl.offset !== d.offset)) return `${at}: slice ${d.ds} is not the granule at +0x${d.offset.toString(16)}`;
    }
  }
  return undefined;
}

/** Memory records: of dataspaces, pages ascending inside them, bytes matching. */
function memoryRefs(cp: Checkpoint): string | undefined {
  for (const [i, m] of cp.memory.entries()) {
    const ds = cp.objects[m.dataspace];
    if (ds?.kind !== 'dataspace') return `memory[${i}]: object ${m.dataspace} is not a dataspace`;
    if (m.data.length !== m.pages.length * PAGE) return `memory[${i}]: ${m.data.length} bytes for ${m.pages.length} pages`;
    for (let j = 0; j < m.pages.length; j++) {
      if (m.pages[j] * PAGE >= ds.size || (j > 0 && m.pages[j] <= m.pages[j - 1])) return `memory[${i}]: page ${m.pages[j]} out of order or outside the dataspace`;
    }
  }
  return undefined;
}

function schedulerRefs(r: Refs): string | undefined {
  const s = r.cp.scheduler;
  for (const ref of [...s.order, ...(s.current ? [s.current] : [])]) {
    if (!r.threadOk(ref)) return `scheduler: thread [${ref.join(', ')}] does not exist`;
  }
  return undefined;
}

/** The regions of one region map: over dataspaces, inside both, by the kernel's own attach rule. */
function validateRegions(o: Extract<ObjectRecord, { kind: 'regionmap' }>, objs: ObjectRecord[], at: string): string | undefined {
  const sorted = [...o.regions].sort((a, b) => a.base - b.base);
  for (const [i, r] of sorted.entries()) {
    const where = `${at}: region at 0x${r.base.toString(16)}`;
    const t = objs[r.target];
    const tsize = t?.kind === 'dataspace' || t?.kind === 'slice' || t?.kind === 'iomem' || t?.kind === 'regionmap' ? t.size : undefined;
    if (tsize === undefined || t!.id === o.id) return `${where} shows no dataspace`;
    if (r.base % PAGE !== 0 || r.size % PAGE !== 0 || r.offset % PAGE !== 0 || r.size === 0) return `${where} is not page aligned`;
    if (regionFits(o.size, 0, r, tsize) !== undefined) return `${where} leaves its region map or dataspace`;
    if (i > 0 && sorted[i - 1].base + sorted[i - 1].size > r.base) return `${at}: regions overlap at 0x${r.base.toString(16)}`;
    if (t!.kind === 'iomem' && r.executable) return `${where} maps device memory executable (the kernel never does)`;
  }
  return undefined;
}

/**
 * How deep region maps nest inside region maps (through regions and managed dataspaces), the
 * deepest chain first; a map nested inside itself is an error. Iterative: an image's nesting
 * must not be able to exhaust the host's stack.
 */
export const MAX_RM_NESTING = 64;

function nestingProblem(objs: readonly ObjectRecord[]): string | undefined {
  const children = (o: ObjectRecord | undefined): number[] =>
    o?.kind === 'regionmap' ? o.regions.map((r) => r.target) : o?.kind === 'managed' ? [o.rm] : [];
  const depth = new Map<number, number>(); // finished: nesting depth below
  const onPath = new Set<number>();
  for (const root of objs) {
    if (root.kind !== 'regionmap' || depth.has(root.id)) continue;
    const stack: { id: number; next: number }[] = [{ id: root.id, next: 0 }];
    onPath.add(root.id);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const kids = children(objs[top.id]);
      if (top.next < kids.length) {
        const c = kids[top.next++];
        if (onPath.has(c)) return `objects[${c}]: region map nested inside itself`;
        if (depth.has(c) || children(objs[c]).length === 0) continue;
        if (stack.length >= MAX_RM_NESTING * 2) return `objects[${root.id}]: region maps nest more than ${MAX_RM_NESTING} deep`;
        onPath.add(c);
        stack.push({ id: c, next: 0 });
      } else {
        depth.set(top.id, 1 + Math.max(0, ...kids.map((c) => depth.get(c) ?? 0)));
        onPath.delete(top.id);
        stack.pop();
      }
    }
  }
  return undefined;
}

/** Runs a device's state loader, turning a throw on malformed input into an error value. */
function guarded(load: () => { ok: true } | { ok: false; error: string }): { ok: true } | { ok: false; error: string } {
  try {
    return load();
  } catch (e) {
    return { ok: false, error: `malformed (${(e as Error).message})` };
  }
}
