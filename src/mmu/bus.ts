// The physical bus: one RAM region plus memory-mapped devices.
//
// The hart's fast path reads RAM through the typed-array views below directly (after a TLB hit);
// everything else (MMIO, misaligned, watched RAM) goes through read()/write(). A physical
// address is an unsigned number (Sv32 physical addresses have 34 bits, so it may exceed 2^32).

/** A device on the bus. Offsets are relative to the device's base; sizes are 1, 2 or 4. */
export interface MmioDevice {
  readonly name: string;
  /** Bytes of address space the device decodes. */
  readonly size: number;
  /** A guest read: may have side effects (clearing a status, claiming an interrupt). Unsigned. */
  read(offset: number, size: AccessSize): number;
  /** A guest write of the low `size` bytes of `value`. */
  write(offset: number, size: AccessSize, value: number): void;
  /** The value read() would return, without any side effect; for debuggers and traces. */
  peek(offset: number, size: AccessSize): number;
}

export type AccessSize = 1 | 2 | 4;

/** Called after a guest store lands in a watched RAM range (HTIF tohost, for one). */
export type WatchHandler = (pa: number, size: AccessSize) => void;

interface Region {
  base: number;
  end: number;
  device: MmioDevice;
}

interface Watch {
  base: number;
  end: number;
  handler: WatchHandler;
}

export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;

export class Bus {
  readonly ramBase: number;
  readonly ramSize: number;
  /** RAM views over one buffer; index = physical address - ramBase (scaled for wider views). */
  readonly ram: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  /** Per RAM page: 1 if a watch covers it, so stores there must take the slow path. */
  readonly watchedPages: Uint8Array;
  /** Per RAM page: 1 if compiled code was made from it (see cpu/jit.ts); stores take the slow path. */
  readonly codePages: Uint8Array;
  /** Called after a guest store into a code page. */
  onCodeWrite: ((pa: number, size: AccessSize) => void) | undefined;
  /**
   * Bumped whenever a page becomes watched, so that caches of write permission (the TLB) know
   * to drop entries for it.
   */
  watchEpoch = 0;
  /** Set by read()/write() when no RAM or device answers the address; cleared by the caller. */
  fault = false;
  /** Set by every MMIO access: devices may have changed interrupt lines. Cleared by the caller. */
  touchedMmio = false;

  private readonly regions: Region[] = [];
  private readonly watches: Watch[] = [];

  /** Contract: ramBase and ramSize are multiples of 4 KiB and the RAM lies below 2^32. */
  constructor(ramBase: number, ramSize: number) {
    if (ramBase % PAGE_SIZE !== 0 || ramSize % PAGE_SIZE !== 0 || ramSize <= 0) {
      throw new Error(`RAM base and size must be positive multiples of 4 KiB`);
    }
    if (ramBase + ramSize > 2 ** 32) throw new Error('RAM must lie below 4 GiB');
    this.ramBase = ramBase;
    this.ramSize = ramSize;
    const buf = new ArrayBuffer(ramSize);
    this.ram = new Uint8Array(buf);
    this.ram16 = new Uint16Array(buf);
    this.ram32 = new Int32Array(buf);
    this.watchedPages = new Uint8Array(ramSize >>> PAGE_SHIFT);
    this.codePages = new Uint8Array(ramSize >>> PAGE_SHIFT);
  }

  /** Maps a device at `base`. Throws (a host bug) if it overlaps RAM or another device. */
  map(base: number, device: MmioDevice): void {
    const end = base + device.size;
    const overlaps = (b: number, e: number) => base < e && b < end;
    if (overlaps(this.ramBase, this.ramBase + this.ramSize)) {
      throw new Error(`device ${device.name} at 0x${base.toString(16)} overlaps RAM`);
    }
    for (const r of this.regions) {
      if (overlaps(r.base, r.end)) throw new Error(`device ${device.name} overlaps ${r.device.name}`);
    }
    this.regions.push({ base, end, device });
  }

  /** Every device whose registers overlap [pa, end). */
  devicesIn(pa: number, end: number): MmioDevice[] {
    return this.regions.filter((r) => pa < r.end && r.base < end).map((r) => r.device);
  }

  /** The device mapped at `base`, if any. */
  deviceAt(pa: number): MmioDevice | undefined {
    return this.findRegion(pa)?.device;
  }

  /** Calls `handler` after every guest store into [pa, pa+len) of RAM. */
  watch(pa: number, len: number, handler: WatchHandler): void {
    if (!this.isRam(pa, len)) throw new Error(`watched range 0x${pa.toString(16)} is not RAM`);
    this.watches.push({ base: pa, end: pa + len, handler });
    const first = (pa - this.ramBase) >>> PAGE_SHIFT;
    const last = (pa + len - 1 - this.ramBase) >>> PAGE_SHIFT;
    for (let p = first; p <= last; p++) this.watchedPages[p] = 1;
    this.watchEpoch++;
  }

  /** True if [pa, pa+len) lies entirely in RAM. */
  isRam(pa: number, len = 1): boolean {
    return pa >= this.ramBase && pa + len <= this.ramBase + this.ramSize;
  }

  /** A guest load. Sets `fault` and returns 0 if nothing answers. */
  read(pa: number, size: AccessSize): number {
    if (this.isRam(pa, size)) return this.readRam(pa - this.ramBase, size);
    const r = this.findRegion(pa);
    if (r === undefined || pa + size > r.end) {
      this.fault = true;
      return 0;
    }
    this.touchedMmio = true;
    return r.device.read(pa - r.base, size) >>> 0;
  }

  /** A guest store. Sets `fault` if nothing answers. */
  write(pa: number, size: AccessSize, value: number): void {
    if (this.isRam(pa, size)) {
      const page = (pa - this.ramBase) >>> PAGE_SHIFT;
      this.writeRam(pa - this.ramBase, size, value);
      if (this.watchedPages[page] !== 0) this.notifyWatches(pa, size);
      if (this.codePages[page] !== 0) this.onCodeWrite?.(pa, size);
      return;
    }
    const r = this.findRegion(pa);
    if (r === undefined || pa + size > r.end) {
      this.fault = true;
      return;
    }
    this.touchedMmio = true;
    r.device.write(pa - r.base, size, value);
  }

  /** Side-effect-free read for debuggers and traces; undefined if nothing answers. */
  peek(pa: number, size: AccessSize): number | undefined {
    if (this.isRam(pa, size)) return this.readRam(pa - this.ramBase, size);
    const r = this.findRegion(pa);
    if (r === undefined || pa + size > r.end) return undefined;
    return r.device.peek(pa - r.base, size) >>> 0;
  }

  /** Little-endian RAM read at a RAM offset (any alignment). */
  readRam(off: number, size: AccessSize): number {
    const m = this.ram;
    if (size === 1) return m[off];
    if (size === 2) return m[off] | (m[off + 1] << 8);
    return (m[off] | (m[off + 1] << 8) | (m[off + 2] << 16) | (m[off + 3] << 24)) >>> 0;
  }

  /** Little-endian RAM write at a RAM offset (any alignment). */
  writeRam(off: number, size: AccessSize, value: number): void {
    const m = this.ram;
    m[off] = value;
    if (size === 1) return;
    m[off + 1] = value >>> 8;
    if (size === 2) return;
    m[off + 2] = value >>> 16;
    m[off + 3] = value >>> 24;
  }

  private notifyWatches(pa: number, size: AccessSize): void {
    for (const w of this.watches) {
      if (pa < w.end && w.base < pa + size) w.handler(pa, size);
    }
  }

  private findRegion(pa: number): Region | undefined {
    for (const r of this.regions) {
      if (pa >= r.base && pa < r.end) return r;
    }
    return undefined;
  }
}
