// The checkpoint: what Rtcr records of its target child and restores on a fresh kernel. It is a
// plain value (numbers, strings, byte arrays) so the image format can encode it as CBOR, and
// every field is validated against this schema when an image is loaded.
//
// Objects are numbered (id) in the order the checkpointer meets them; capability slots, regions,
// signal queues and threads refer to objects by id, never by physical address.

import { z } from 'zod';
import { COMPONENT_NAME, hasControl } from '../kernel/sanitize';

/** Text that is printed (names, labels, fault reasons): no control characters (sanitize.ts). */
const printable = (max: number) => z.string().max(max).refine((s) => !hasControl(s), { message: 'contains a control character' });
const u32 = z.number().int().min(0).max(0xffffffff);
const i32 = z.number().int().min(-0x80000000).max(0x7fffffff);
const id = z.number().int().min(0).max(1_000_000);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const cycles = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER);
/** A thread reference: [component index, thread index]. */
const threadRef = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(4095)]);

export const PAGE = 4096;

const Region = z.strictObject({
  base: u32, size: u32, offset: u32, target: id, writable: z.boolean(), executable: z.boolean(),
});

export const ObjectRecord = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('dataspace'), id, size: u32, owner: z.number().int().min(0).max(255),
    /** Identity across the checkpoints of one chain (ids are per checkpoint). */
    serial: count,
  }),
  z.strictObject({ kind: z.literal('iomem'), id, base: u32, size: u32 }),
  /** A part of another dataspace (same memory): Rtcr tracks shared dataspaces through slices. */
  z.strictObject({ kind: z.literal('slice'), id, of: id, offset: u32, size: u32 }),
  z.strictObject({
    kind: z.literal('regionmap'), id, size: u32, anyFrom: u32, anyTo: u32,
    regions: z.array(Region).max(4096),
    faultHandler: id.optional(), faultType: z.number().int().min(0).max(3), faultAddr: u32,
    faultWaiters: z.array(threadRef).max(4096),
  }),
  z.strictObject({ kind: z.literal('managed'), id, rm: id }),
  z.strictObject({ kind: z.literal('receiver'), id, pending: z.array(id).max(100_000), waiters: z.array(threadRef).max(4096) }),
  z.strictObject({ kind: z.literal('context'), id, receiver: id, imprint: i32, count, freed: z.boolean() }),
  z.strictObject({ kind: z.literal('thread'), id, component: z.number().int().min(0).max(255), index: z.number().int().min(0).max(4095) }),
  z.strictObject({
    kind: z.literal('session'), id, component: z.number().int().min(0).max(255),
    service: z.enum(['Parent', 'PD', 'CPU', 'RAM', 'LOG', 'Timer', 'IRQ', 'RM', 'IO_MEM', 'SHM']),
    label: printable(256),
    /** Timer: context, cycles until the deadline (-1: none), period in cycles. */
    timer: z.strictObject({ context: id.optional(), remaining: cycles, period: count, seq: count }).optional(),
    /** IRQ: source, context, claimed and not yet acknowledged. */
    irq: z.strictObject({ irq: z.number().int().min(1).max(31), context: id.optional(), claimed: z.boolean() }).optional(),
    /** RM session: the region maps it created. */
    regionMaps: z.array(id).max(4096).optional(),
    /** IO_MEM: the device dataspace. */
    iomem: id.optional(),
    /** SHM: the name of the shared region the session opens. */
    shm: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  }),
]);
export type ObjectRecord = z.infer<typeof ObjectRecord>;

const Cap = z.strictObject({
  slot: z.number().int().min(1).max(255), object: id, rights: z.number().int().min(0).max(7), badge: i32,
  /** The slot of the same component's capability this one was derived from (CAP_DERIVE). */
  derivedFrom: z.number().int().min(1).max(255).optional(),
});

const ThreadRecord = z.strictObject({
  index: z.number().int().min(0).max(4095),
  name: printable(64),
  priority: z.number().int().min(0).max(255),
  /** x0..x31 as 32 signed words. */
  regs: z.array(i32).length(32),
  pc: i32,
  state: z.number().int().min(0).max(4),
  paused: z.boolean(),
  started: z.boolean(),
  singleStep: z.boolean(),
  quantumUsed: count,
});

const ComponentRecord = z.strictObject({
  name: z.string().regex(COMPONENT_NAME, 'letters, digits, _ . - (at most 48, not only dots)'),
  label: printable(256),
  ramQuota: count,
  priority: z.number().int().min(0).max(255),
  /** Services the component may ask for (undefined: all of core's). */
  routes: z.array(z.enum(['LOG', 'Timer', 'RM', 'IRQ', 'IO_MEM', 'SHM'])).max(6).optional(),
  end: z.union([
    z.strictObject({ kind: z.literal('exit'), code: i32 }),
    z.strictObject({ kind: z.literal('fault'), reason: printable(1024) }),
  ]).optional(),
  addressSpace: id,
  caps: z.array(Cap).max(255),
  threads: z.array(ThreadRecord).max(4096),
});
export type ComponentRecord = z.infer<typeof ComponentRecord>;

/** Memory of one dataspace: whole (full image) or the pages written since the parent image. */
const MemoryRecord = z.strictObject({
  dataspace: id,
  /** Page indices within the dataspace, ascending, and their bytes (PAGE each, concatenated). */
  pages: z.array(z.number().int().min(0).max(1 << 20)).max(1 << 20),
  data: z.instanceof(Uint8Array),
});
export type MemoryRecord = z.infer<typeof MemoryRecord>;

export const CheckpointSchema = z.strictObject({
  /** Virtual time of the checkpoint, and the clock it runs at. */
  time: z.strictObject({ cycles: count, insnsPerSecond: z.number().int().positive(), mtimeHz: z.number().int().positive() }),
  ramMiB: z.number().int().min(1).max(2047),
  /** Board wiring that differed from the default where the checkpoint was taken (a restore compares it). */
  board: z.strictObject({ irqsrcFirstSource: z.number().int().min(1).max(31) }).optional(),
  quantum: count,
  components: z.array(ComponentRecord).min(1).max(255),
  objects: z.array(ObjectRecord).max(1_000_000),
  memory: z.array(MemoryRecord).max(1_000_000),
  scheduler: z.strictObject({
    /** Round-robin order of every live thread. */
    order: z.array(threadRef).max(100_000),
    current: threadRef.optional(),
    /** An LR reservation held by the current thread (virtual address). */
    reservation: u32.optional(),
  }),
  /** Device state the components can observe (PLIC, UART), as their own plain objects. */
  devices: z.strictObject({
    plic: z.unknown(),
    uart: z.unknown(),
    irqsrc: z.unknown(),
    /** Scenario UART input not delivered yet: its bytes and the cycles until it arrives. */
    uartInput: z.strictObject({ bytes: z.array(z.number().int().min(0).max(255)).max(1 << 20), remaining: count }).optional(),
  }),
  /** Dirty tracking: the managed dataspaces Rtcr's RAM sessions made, and their designated dataspaces. */
  tracking: z.strictObject({
    granularity: z.number().int().min(1).max(65536),
    mode: z.enum(['access', 'write']),
    managed: z.array(z.strictObject({
      rm: id,
      owner: z.number().int().min(0).max(255),
      /** A shared dataspace tracked through slices of it (SHM), instead of designated ones of its own. */
      over: id.optional(),
      designated: z.array(z.strictObject({ ds: id, offset: u32 })).max(1 << 20),
    })).max(4096),
  }).optional(),
  /**
   * Named shared memory (the SHM service): each region once, with the component whose quota pays
   * for it; restored as one dataspace that every member's session and attachment shows.
   */
  shm: z.array(z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    dataspace: id,
    charged: z.number().int().min(0).max(255),
  })).max(4096),
  /** Log lines written before the checkpoint (so a restored run can print the whole story). */
  logCount: count,
});
export type Checkpoint = z.infer<typeof CheckpointSchema>;
