// Dataspaces: physically contiguous RAM frames (or a device's MMIO range) that region maps
// attach. A RAM dataspace belongs to the RAM session that allocated it (its quota).

import type { RegionMap } from './regionmap';
import { fail, ObjType, reply, type Invocation, type KObject, type Reply } from './object';

export class Dataspace implements KObject {
  readonly type = ObjType.Dataspace;
  freed = false;
  /** Region maps this dataspace is attached in (so freeing it can detach it everywhere). */
  readonly attachments = new Set<RegionMap>();

  /**
   * @param phys physical base (4 KiB aligned)
   * @param size bytes (a multiple of 4 KiB)
   * @param io true for device memory: never executable, not counted as RAM
   */
  constructor(readonly phys: number, readonly size: number, readonly io = false) {}

  /** For a slice: the dataspace it shows part of, and where. */
  sliceOf: { readonly ds: Dataspace; readonly offset: number } | undefined;

  /**
   * A dataspace showing [offset, offset+size) of this one: the same frames, no memory of its own
   * (Rtcr tracks a shared dataspace through slices of it).
   */
  slice(offset: number, size: number): Dataspace {
    const s = new Dataspace(this.phys + offset, size, this.io);
    s.sliceOf = { ds: this, offset };
    return s;
  }

  invoke(call: Invocation): Reply {
    if (call.op === 0) return reply(this.size);
    return fail('BAD_OPCODE');
  }
}
