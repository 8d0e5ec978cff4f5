// Rtcr: the parent that starts a scenario's components as its target child under intercepting
// sessions, checkpoints them into images and restores images on a fresh kernel.

import { Init, type InitOptions, type LogLine } from '../kernel/init';
import { takeCheckpoint, type CheckpointFigures } from './checkpoint';
import { decodeImage, encodeImage, type Image } from './image';
import { RtcrInterposition } from './intercept';
import { restore } from './restore';

export class Rtcr {
  private sequence = 0;

  private constructor(readonly init: Init, readonly interposition: RtcrInterposition) {}

  /** Boots a scenario with every component under Rtcr. */
  static boot(opts: Omit<InitOptions, 'interpose'>): { ok: true; rtcr: Rtcr } | { ok: false; message: string } {
    const interposition = new RtcrInterposition();
    const created = Init.create({ ...opts, interpose: interposition });
    return created.ok ? { ok: true, rtcr: new Rtcr(created.init, interposition) } : created;
  }

  /** Restores an image (its bytes) on a fresh kernel, again under Rtcr. */
  static restore(bytes: Uint8Array, onLog?: (l: LogLine) => void): { ok: true; rtcr: Rtcr; image: Image } | { ok: false; error: string } {
    const decoded = decodeImage(bytes);
    if (!decoded.ok) return decoded;
    const interposition = new RtcrInterposition();
    const r = restore(decoded.image.checkpoint, { onLog, interpose: interposition });
    if (!r.ok) return r;
    const rtcr = new Rtcr(r.init, interposition);
    rtcr.sequence = decoded.image.head.sequence + 1;
    return { ok: true, rtcr, image: decoded.image };
  }

  /** Takes a full checkpoint now and returns its image. */
  checkpoint(): { bytes: Uint8Array; figures: CheckpointFigures } {
    const { checkpoint, figures } = takeCheckpoint(this.init);
    const bytes = encodeImage({ kind: 'full', sequence: this.sequence++ }, checkpoint);
    return { bytes, figures };
  }
}
