// Restoring on a node whose board is wired differently: interrupt sources move. A restore-time
// map (old PLIC source -> new) is applied to the checkpoint before it is validated: IRQ sessions
// are bound to the new sources, and the PLIC's per-source state (priority, enable, pending,
// claimed) moves with them, so an interrupt that was pending or claimed still is, once.

import { IRQSRC_CHANNELS, IRQSRC_IRQ_BASE } from '../dev/memlayout';
import type { Checkpoint } from './model';

export type IrqMap = ReadonlyMap<number, number>;

/** Parses `1=5,2=6` into a map; undefined if malformed. */
export function parseIrqMap(text: string): IrqMap | undefined {
  const m = new Map<number, number>();
  for (const part of text.split(',')) {
    const r = /^\s*(\d+)\s*=\s*(\d+)\s*$/.exec(part);
    if (r === null) return undefined;
    m.set(Number(r[1]), Number(r[2]));
  }
  return m;
}

/**
 * The checkpoint with interrupt sources moved by `map` (completed to a permutation of 1-31: a
 * source that a mapped one moves onto takes the mapped one's old place), or an error.
 */
export function remapIrqs(cp: Checkpoint, map: IrqMap): { ok: true; checkpoint: Checkpoint } | { ok: false; error: string } {
  const perm = new Map<number, number>();
  for (const [a, b] of map) {
    if (!valid(a) || !valid(b)) return { ok: false, error: `irq map ${a}=${b}: sources are 1-31` };
    perm.set(a, b);
  }
  const targets = [...perm.values()];
  if (new Set(targets).size !== targets.length) return { ok: false, error: 'irq map: two sources moved onto one' };
  for (const [a, b] of map) if (!perm.has(b)) perm.set(b, a); // swap
  const to = (n: number) => perm.get(n) ?? n;
  const objects = cp.objects.map((o) => (o.kind === 'session' && o.irq !== undefined ? { ...o, irq: { ...o.irq, irq: to(o.irq.irq) } } : o));
  const plic = cp.devices.plic as { priority?: unknown; pending?: unknown; claimed?: unknown; levels?: unknown; enable?: unknown };
  if (plic === null || typeof plic !== 'object' || !Array.isArray(plic.priority) || !Array.isArray(plic.enable)) {
    return { ok: false, error: 'devices.plic: not a PLIC state' };
  }
  const bits = (v: unknown) => {
    if (typeof v !== 'number') return v;
    let out = 0;
    for (let n = 1; n <= 31; n++) if (((v >>> n) & 1) !== 0) out |= 1 << to(n);
    return out >>> 0;
  };
  const priority = [...plic.priority];
  for (let n = 1; n <= 31; n++) priority[to(n)] = (plic.priority as unknown[])[n];
  const moved = { ...plic, priority, pending: bits(plic.pending), claimed: bits(plic.claimed), levels: bits(plic.levels),
    enable: (plic.enable as unknown[]).map(bits) };
  return { ok: true, checkpoint: { ...cp, objects, devices: { ...cp.devices, plic: moved } } };
}

const valid = (n: number) => Number.isInteger(n) && n >= 1 && n <= 31;

/**
 * Why `cp` cannot be restored on a board whose IRQ source device starts at PLIC source `here`
 * (undefined: the default) without an IRQ map, or undefined if it can: the device's channels
 * drove other sources where the checkpoint was taken, and an IRQ session waits on one of them —
 * nothing would drive it here, and the channel's interrupts would go unclaimed forever.
 */
export function irqWiringMoved(cp: Checkpoint, here: number | undefined): string | undefined {
  const from = cp.board?.irqsrcFirstSource ?? IRQSRC_IRQ_BASE;
  const to = here ?? IRQSRC_IRQ_BASE;
  if (from === to) return undefined;
  const waiting = cp.objects.flatMap((o) => (o.kind === 'session' && o.irq !== undefined &&
    o.irq.irq >= from && o.irq.irq < from + IRQSRC_CHANNELS ? [o.irq.irq] : [])).sort((a, b) => a - b);
  if (waiting.length === 0) return undefined;
  const range = (first: number) => `${first}-${first + IRQSRC_CHANNELS - 1}`;
  const map = waiting.map((s) => `${s}=${s - from + to}`).join(',');
  return `the IRQ source device drove PLIC sources ${range(from)} where the checkpoint was taken and drives ` +
    `${range(to)} on this board, and IRQ sessions wait on ${waiting.join(', ')}: restore with the IRQ map ${map} (--irq-map ${map})`;
}
