// What an image holds, for people (`rtcr inspect`) or as JSON (`--json`), like CRIU's crit.

import { sha256 } from '@noble/hashes/sha2.js';
import { safeText } from '../kernel/sanitize';
import { hex, IMAGE_VERSION, type Image } from './image';
import type { Checkpoint, ObjectRecord } from './model';

const STATES = ['ready', 'waiting', 'fault-blocked', 'paused', 'dead'];
const rights = (r: number) => `${r & 1 ? 'i' : '-'}${r & 2 ? 'w' : '-'}${r & 4 ? 'd' : '-'}`;
const h32 = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** A one-line name of an object record. */
function objectName(o: ObjectRecord | undefined): string {
  if (o === undefined) return '(missing)';
  switch (o.kind) {
    case 'dataspace': return `dataspace #${o.id} (${o.size} bytes)`;
    case 'iomem': return `device memory #${o.id} (${h32(o.base)}, ${o.size} bytes)`;
    case 'slice': return `slice #${o.id} of dataspace #${o.of} (+0x${o.offset.toString(16)}, ${o.size} bytes)`;
    case 'regionmap': return `region map #${o.id} (${o.size} bytes, ${o.regions.length} regions)`;
    case 'managed': return `managed dataspace #${o.id} (region map #${o.rm})`;
    case 'receiver': return `signal receiver #${o.id} (${o.pending.length} pending)`;
    case 'context': return `signal context #${o.id} (imprint ${o.imprint}, ${o.count} pending)`;
    case 'thread': return `thread ${o.component}:${o.index}`;
    case 'session': return `${o.service} session #${o.id}${o.label !== '' ? ` "${o.label}"` : ''}${o.irq ? ` irq ${o.irq.irq}` : ''}`;
  }
}

/** The text (or JSON) `rtcr inspect` prints. */
export function describeImage(img: Image, json: boolean): string {
  const cp = img.checkpoint;
  if (json) return JSON.stringify({ hash: img.hash, version: IMAGE_VERSION, head: img.head, checkpoint: summarize(cp) }, null, 2);
  const out: string[] = [];
  const secs = cp.time.cycles / cp.time.insnsPerSecond;
  out.push(`image ${img.hash}  version ${IMAGE_VERSION}  ${img.head.kind}  sequence ${img.head.sequence}` +
    (img.head.parent !== undefined ? `  parent ${img.head.parent}` : ''));
  out.push(`virtual time ${secs.toFixed(6)} s (${cp.time.cycles} cycles at ${cp.time.insnsPerSecond / 1e6} MHz), board RAM ${cp.ramMiB} MiB` +
    (cp.board === undefined ? '' : `, IRQ source device from PLIC source ${cp.board.irqsrcFirstSource}`));
  if (cp.tracking !== undefined) {
    out.push(`tracking: granularity ${cp.tracking.granularity} (${cp.tracking.granularity * 4} KiB), mode ${cp.tracking.mode}, ` +
      `${cp.tracking.managed.length} managed dataspace(s)`);
  } else {
    out.push('tracking: off');
  }
  cp.components.forEach((c, ci) => {
    const end = c.end === undefined ? 'alive' : c.end.kind === 'exit' ? `exited (${c.end.code})` : `faulted: ${c.end.reason}`;
    out.push(`component ${ci}: ${c.name}  "${c.label}"  quota ${c.ramQuota}  priority ${c.priority}  ${end}`);
    for (const t of c.threads) {
      out.push(`  thread ${t.index} ${t.name}: pc ${h32(t.pc)} ${STATES[t.state] ?? t.state}${t.paused ? ' (paused)' : ''} ` +
        `sp ${h32(t.regs[2])} a0 ${h32(t.regs[10])}`);
    }
    for (const cap of c.caps) out.push(`  slot ${String(cap.slot).padStart(3)} ${rights(cap.rights)} ${objectName(cp.objects[cap.object])}`);
    const as = cp.objects[c.addressSpace];
    if (as?.kind === 'regionmap') {
      for (const r of as.regions) {
        out.push(`  ${h32(r.base)}-${h32(r.base + r.size)} r${r.writable ? 'w' : '-'}${r.executable ? 'x' : '-'} ${objectName(cp.objects[r.target])}`);
      }
    }
  });
  const kinds = new Map<string, number>();
  for (const o of cp.objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  out.push(`objects: ${cp.objects.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);
  const pages = cp.memory.reduce((n, m) => n + m.pages.length, 0);
  out.push(`memory: ${cp.memory.length} dataspace(s), ${pages} page(s), ${pages * 4096} bytes`);
  const s = cp.scheduler;
  out.push(`scheduler: order ${s.order.map(([c, t]) => `${c}:${t}`).join(' ') || '(empty)'}` +
    `${s.current ? `, on the hart ${s.current[0]}:${s.current[1]}` : ''}${s.reservation !== undefined ? `, LR reservation ${h32(s.reservation)}` : ''}`);
  return out.map(safeText).join('\n'); // names and labels come from the image
}

/** The checkpoint with page bytes replaced by their size and hash. */
function summarize(cp: Checkpoint): unknown {
  return { ...cp, memory: cp.memory.map((m) => ({ dataspace: m.dataspace, pages: m.pages, bytes: m.data.length, sha256: hex(sha256(m.data)) })) };
}
