// Chains of checkpoints: a full image, then incremental ones, each naming its parent by hash.
// Restoring from any link, or merging a chain into one full image, puts together each
// dataspace's bytes from the chain's memory records (later links win), by dataspace serial.

import { PAGE, type Checkpoint, type MemoryRecord } from './model';
import type { Image } from './image';

export type ChainResult = { ok: true; checkpoint: Checkpoint } | { ok: false; error: string };

/**
 * The full checkpoint of the last of `images` (root first; from the last full one on). Refuses a
 * chain that starts with an incremental image or whose links do not name their predecessors.
 */
export function mergeChain(images: readonly Image[]): ChainResult {
  if (images.length === 0) return { ok: false, error: 'no image' };
  // A full image restarts the chain: what came before it is not needed.
  let start = images.length - 1;
  while (start > 0 && images[start].head.kind !== 'full') start--;
  const chain = images.slice(start);
  if (chain[0].head.kind !== 'full') return { ok: false, error: `image ${chain[0].hash.slice(0, 12)} is incremental: its parent is missing` };
  for (let i = 1; i < chain.length; i++) {
    if (chain[i].head.parent !== chain[i - 1].hash) {
      return { ok: false, error: `image ${chain[i].hash.slice(0, 12)} names parent ${chain[i].head.parent?.slice(0, 12)}, not ${chain[i - 1].hash.slice(0, 12)}` };
    }
  }
  const bytes = new Map<number, Uint8Array<ArrayBuffer>>(); // serial -> contents
  for (const img of chain) {
    const cp = img.checkpoint;
    for (const m of cp.memory) {
      const rec = cp.objects[m.dataspace];
      if (rec?.kind !== 'dataspace') return { ok: false, error: `image ${img.hash.slice(0, 12)}: memory of a non-dataspace` };
      let buf = bytes.get(rec.serial);
      if (buf === undefined || buf.length !== rec.size) {
        const fresh = new Uint8Array(rec.size);
        if (buf !== undefined) fresh.set(buf.subarray(0, Math.min(buf.length, rec.size)));
        bytes.set(rec.serial, (buf = fresh));
      }
      for (const [j, p] of m.pages.entries()) {
        if ((p + 1) * PAGE > rec.size || (j + 1) * PAGE > m.data.length) {
          return { ok: false, error: `image ${img.hash.slice(0, 12)}: memory of dataspace ${m.dataspace}: page ${p} lies outside it` };
        }
        buf.set(m.data.subarray(j * PAGE, (j + 1) * PAGE), p * PAGE);
      }
    }
  }
  const last = chain[chain.length - 1].checkpoint;
  const memory: MemoryRecord[] = [];
  for (const o of last.objects) {
    if (o.kind !== 'dataspace') continue;
    const data = bytes.get(o.serial) ?? new Uint8Array(o.size);
    memory.push({ dataspace: o.id, pages: Array.from({ length: o.size / PAGE }, (_, p) => p), data });
  }
  return { ok: true, checkpoint: { ...last, memory } };
}
