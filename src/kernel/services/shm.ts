// The SHM service: shared memory by name. Every session for the same name (in one kernel) hands
// out the same RAM dataspace, so components that agree on a name share its memory.
//
// Rules (docs/abi.md, "SHM session"):
// - arguments `name=<id>` (1-64 of A-Z a-z 0-9 _ . -) and `size=<bytes>` (rounded up to 4 KiB);
// - the first session for a name creates the dataspace, zeroed, and charges its size to the RAM
//   quota of the component that asked (QUOTA if it does not fit); a first session without a size
//   is refused with NOT_FOUND, so a component can open a region only if it already exists;
// - a later session for the name gets the same dataspace; a size, if given, must match the
//   dataspace's (after rounding), else BAD_ARG;
// - the dataspace belongs to the service, not to a RAM session: RAM FREE refuses it, and it
//   stays (charged to its creator) for the kernel's lifetime, after CLOSE of every session and
//   after its components ended. A later session for the name finds it again, contents and all.
//
// The registry of names is per kernel (a WeakMap, so the Kernel needs no field for it).

import type { Kernel } from '../kernel';
import { Dataspace } from '../dataspace';
import { err, ok, type Result } from '../errors';
import { fail, ObjType, reply, RIGHT_INVOKE, RIGHT_WRITE, type Invocation, type KObject, type Reply } from '../object';
import type { Task } from '../task';
import type { SessionArgs } from './sessions';

/** One named shared-memory region. */
export interface SharedMemory {
  readonly name: string;
  readonly dataspace: Dataspace;
  /** The component whose RAM quota pays for it (the first to ask for the name). */
  readonly charged: Task;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const registries = new WeakMap<Kernel, Map<string, SharedMemory>>();

/** The named regions of a kernel, in creation order. */
export function shmRegistry(k: Kernel): ReadonlyMap<string, SharedMemory> {
  return registryOf(k);
}

function registryOf(k: Kernel): Map<string, SharedMemory> {
  let r = registries.get(k);
  if (r === undefined) {
    r = new Map();
    registries.set(k, r);
  }
  return r;
}

/**
 * Creates the region `name` of `size` bytes (rounded up to 4 KiB), zeroed and charged to
 * `charged`'s quota, as the first session for a name does; a restore calls it to recreate a
 * recorded region (then fills its contents). BAD_ARG for a bad or taken name or a bad size,
 * QUOTA when it does not fit.
 */
export function shmCreate(k: Kernel, charged: Task, name: string, size: number): Result<SharedMemory> {
  const reg = registryOf(k);
  if (!NAME.test(name) || reg.has(name)) return err('BAD_ARG');
  if (!Number.isInteger(size) || size <= 0 || size > 0x8000_0000) return err('BAD_ARG');
  const bytes = Math.ceil(size / 4096) * 4096;
  // Charged like a RAM ALLOC, but not entered in the task's dataspaces: RAM FREE cannot take
  // it away from the other components.
  if (charged.ramCharged + bytes > charged.ramQuota) return err('QUOTA');
  const pa = k.frames.alloc(bytes / 4096);
  if (pa < 0) return err('QUOTA');
  charged.ramUsed += bytes;
  const shm: SharedMemory = { name, dataspace: new Dataspace(pa, bytes), charged };
  reg.set(name, shm);
  return ok(shm);
}

/** A session of the SHM service: op 0 DATASPACE. */
export class ShmSession implements KObject {
  readonly type = ObjType.ShmSession;
  constructor(readonly task: Task, readonly shm: SharedMemory) {}

  get name(): string {
    return this.shm.name;
  }

  get dataspace(): Dataspace {
    return this.shm.dataspace;
  }

  invoke(call: Invocation): Reply {
    if (call.op !== 0) return fail('BAD_OPCODE');
    const slot = this.task.caps.insert(this.shm.dataspace, RIGHT_INVOKE | RIGHT_WRITE);
    return slot < 0 ? fail('QUOTA') : reply(slot);
  }
}

/** The SHM entry of core's service table: opens (or creates) the region `name`. */
export function shmSession(k: Kernel, task: Task, _label: string, args: SessionArgs): Result<KObject> {
  const name = args.get('name');
  if (name === undefined || !NAME.test(name)) return err('BAD_ARG');
  const sizeText = args.get('size');
  let bytes: number | undefined;
  if (sizeText !== undefined) {
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(sizeText)) return err('BAD_ARG');
    const size = Number(sizeText);
    if (size === 0 || size > 0x8000_0000) return err('BAD_ARG');
    bytes = Math.ceil(size / 4096) * 4096;
  }
  const reg = registryOf(k);
  const known = reg.get(name);
  if (known !== undefined) {
    if (bytes !== undefined && bytes !== known.dataspace.size) return err('BAD_ARG');
    return ok(new ShmSession(task, known));
  }
  if (bytes === undefined) return err('NOT_FOUND');
  const shm = shmCreate(k, task, name, bytes);
  if (!shm.ok) return shm;
  return ok(new ShmSession(task, shm.value));
}
