// Rtcr: the parent that starts a scenario's components as its target child under intercepting
// sessions, checkpoints them (fully, or incrementally with dirty tracking) into images, and
// restores an image chain on a fresh kernel.

import { Dataspace } from '../kernel/dataspace';
import { Init, type InitOptions, type LogLine } from '../kernel/init';
import { RegionMap } from '../kernel/regionmap';
import { mergeChain } from './chain';
import { takeCheckpoint, type CheckpointFigures } from './checkpoint';
import { encodeImage, imageIdentity, type Image } from './image';
import type { Checkpoint } from './model';
import { RtcrInterposition } from './intercept';
import { restore, type RestoreOptions } from './restore';
import type { TrackMode } from './tracking';

export interface RtcrOptions {
  /** G: designated dataspaces of G x 4 KiB; 0 turns tracking off. */
  granularity: number;
  mode: TrackMode;
}

export interface CapturedCheckpoint {
  checkpoint: Checkpoint;
  kind: 'full' | 'incremental';
  sequence: number;
  figures: CheckpointFigures & { faults: number };
}

export interface CheckpointResult {
  bytes: Uint8Array;
  kind: 'full' | 'incremental';
  figures: CheckpointFigures & { faults: number };
}

export class Rtcr {
  private sequence = 0;
  private parentHash: string | undefined;
  private readonly serials = new WeakMap<Dataspace, number>();
  private nextSerial = 0;

  private constructor(readonly init: Init, readonly interposition: RtcrInterposition, readonly options: RtcrOptions) {}

  /** Boots a scenario with every component under Rtcr. */
  static boot(opts: Omit<InitOptions, 'interpose'>, rtcr: RtcrOptions = { granularity: 0, mode: 'access' }):
    { ok: true; rtcr: Rtcr } | { ok: false; message: string } {
    const ip = new RtcrInterposition(rtcr.granularity, rtcr.mode);
    const created = Init.create({ ...opts, interpose: ip });
    if (!created.ok) return created;
    return { ok: true, rtcr: new Rtcr(created.init, ip, rtcr) };
  }

  /**
   * Restores the last image of `chain` (root first) on a fresh kernel, under Rtcr again with the
   * chain's tracking, so it can be checkpointed on.
   */
  static restore(chain: readonly Image[], onLog?: (l: LogLine) => void, where: Pick<RestoreOptions, 'board' | 'irqMap'> = {}):
    { ok: true; rtcr: Rtcr } | { ok: false; error: string } {
    const merged = mergeChain(chain);
    if (!merged.ok) return merged;
    const cp = merged.checkpoint;
    const opts: RtcrOptions = cp.tracking === undefined ? { granularity: 0, mode: 'access' }
      : { granularity: cp.tracking.granularity, mode: cp.tracking.mode };
    const ip = new RtcrInterposition(opts.granularity, opts.mode);
    const r = restore(cp, { onLog, interpose: ip, ...where });
    if (!r.ok) return r;
    const rtcr = new Rtcr(r.init, ip, opts);
    for (const o of cp.objects) {
      const obj = r.objects[o.id];
      if (o.kind === 'dataspace' && obj instanceof Dataspace) rtcr.serials.set(obj, o.serial);
      if (o.kind === 'dataspace') rtcr.nextSerial = Math.max(rtcr.nextSerial, o.serial + 1);
    }
    for (const t of cp.tracking?.managed ?? []) {
      const rm = r.objects[t.rm];
      if (!(rm instanceof RegionMap) || ip.tracker === undefined) continue;
      const over = t.over === undefined ? undefined : r.objects[t.over] as Dataspace;
      ip.tracker.adopt(r.init.kernel.tasks[t.owner], rm, t.designated.map((d) => ({ ds: r.objects[d.ds] as Dataspace, offset: d.offset })), over);
    }
    const last = chain[chain.length - 1];
    rtcr.sequence = last.head.sequence + 1;
    rtcr.parentHash = last.hash;
    return { ok: true, rtcr };
  }

  /** Faults tracking handled since the last checkpoint. */
  get trackingFaults(): number {
    return this.interposition.tracker?.faults ?? 0;
  }

  /**
   * Takes a checkpoint now: the first (and every one without tracking) is full; with tracking,
   * later ones copy only what was marked and name their parent. Returns the image's bytes.
   */
  checkpoint(): CheckpointResult {
    const c = this.capture();
    const bytes = this.encode(c);
    return { bytes, kind: c.kind, figures: c.figures };
  }

  /**
   * The part of a checkpoint during which the child must stay stopped: record its state and copy
   * its (marked) memory, then re-arm tracking. encode() can follow while the child runs on.
   * Contract: each capture is encoded before the next capture.
   */
  capture(): CapturedCheckpoint {
    if (this.parentHash === 'pending') throw new Error('Rtcr.capture: encode the previous capture first');
    const tracker = this.interposition.tracker;
    const incremental = tracker !== undefined && this.parentHash !== undefined;
    const faults = tracker?.faults ?? 0;
    const { checkpoint, figures } = takeCheckpoint(this.init, { tracker, incremental, serialOf: (ds) => this.serialOf(ds) });
    tracker?.rearm();
    const kind: 'full' | 'incremental' = incremental ? 'incremental' : 'full';
    // The chain goes on from this checkpoint even before it is encoded.
    this.parentHash ??= 'pending';
    return { checkpoint, kind, sequence: this.sequence++, figures: { ...figures, faults } };
  }

  /** The image of a captured checkpoint; it becomes the parent of the next one. */
  encode(c: CapturedCheckpoint): Uint8Array {
    const parent = c.kind === 'incremental' ? this.parentHash : undefined;
    const bytes = encodeImage({ kind: c.kind, sequence: c.sequence, parent }, c.checkpoint);
    this.parentHash = imageIdentity(bytes);
    return bytes;
  }

  private serialOf(ds: Dataspace): number {
    let s = this.serials.get(ds);
    if (s === undefined) this.serials.set(ds, (s = this.nextSerial++));
    return s;
  }
}
