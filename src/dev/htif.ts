// HTIF (host-target interface) as riscv-tests, their benchmark runtime and pk use it.
//
// `tohost` and `fromhost` are 64-bit RAM words at the addresses of the ELF symbols of those
// names. A command in tohost is device (bits 63..56), command (55..48), payload (47..0):
//
//   device 0, command 0, payload bit 0 set    exit with code payload >> 1 (0 = pass)
//   device 0, command 0, payload bit 0 clear  payload = physical address of a syscall block
//                                             (uint64 which, arg0, arg1, arg2, ...)
//   device 1, command 1                        putchar(payload & 0xff)
//
// On RV32 a command is two 32-bit stores, low word first. Like QEMU's htif, the command is taken
// when the store that writes the high word lands (this.onToHostWrite, the board's bus.watch
// handler); poll() takes whatever non-zero value tohost holds, for boards that prefer to poll
// like Spike. Handling clears tohost, then answers in fromhost (if the ELF has one):
// syscalls set it to 1 after writing their return value into the block's first word; putchar sets
// it to (1 << 56) | (1 << 48) | 0x100 | char, as Spike and QEMU do. Other devices and commands are
// consumed without an answer.

import type { AccessSize, Bus } from '../mmu/bus';

export const HTIF_SYS_WRITE = 64;
export const HTIF_SYS_EXIT = 93;
const ENOSYS = 38;
const EBADF = 9;
const EFAULT = 14;
/** The syscall block's first four uint64 words: which, arg0, arg1, arg2. */
const SYSCALL_BLOCK_BYTES = 32;

/** Where the HTIF words are: physical addresses of the ELF symbols. */
export interface HtifAddresses {
  readonly tohost: number;
  /** Absent if the program has no `fromhost` symbol: then nothing is answered. */
  readonly fromhost?: number;
}

export interface HtifHandlers {
  /** The program asked to exit: code 0 means pass. */
  exit(code: number): void;
  /** Bytes the program wrote; fd 1 for putchar and stdout writes, 2 for stderr. */
  output(bytes: Uint8Array, fd: number): void;
}

/** What one handled command was, for traces and tests. */
export type HtifAction = 'none' | 'exit' | 'putchar' | 'syscall' | 'ignored';

/** A 64-bit value as two uint32 halves. */
interface U64 {
  lo: number;
  hi: number;
}

export class Htif {
  private readonly addrs: HtifAddresses;
  private readonly handlers: HtifHandlers;

  /** Contract: the addresses are those of the symbols; they are checked against RAM on each use. */
  constructor(addrs: HtifAddresses, handlers: HtifHandlers) {
    this.addrs = addrs;
    this.handlers = handlers;
  }

  /**
   * The bus.watch handler for [tohost, tohost + 8): acts once the store that writes the high word
   * (tohost + 4..7) has landed and tohost is non-zero; a store to the low word alone waits.
   */
  onToHostWrite(bus: Bus, pa: number, size: AccessSize): HtifAction {
    const hiWord = this.addrs.tohost + 4;
    if (pa + size <= hiWord || pa >= hiWord + 4) return 'none';
    return this.poll(bus);
  }

  /** Handles the command in tohost if it is non-zero (and lies in RAM); clears tohost first. */
  poll(bus: Bus): HtifAction {
    if (!bus.isRam(this.addrs.tohost, 8)) return 'none';
    const v = readU64(bus, this.addrs.tohost);
    if (v.lo === 0 && v.hi === 0) return 'none';
    writeU64(bus, this.addrs.tohost, { lo: 0, hi: 0 });
    const device = v.hi >>> 24;
    const cmd = (v.hi >>> 16) & 0xff;
    if (device === 0 && cmd === 0) return this.deviceZero(bus, v.lo, v.hi & 0xffff);
    if (device === 1 && cmd === 1) {
      const ch = v.lo & 0xff;
      this.answer(bus, { lo: 0x100 | ch, hi: 0x0101_0000 });
      this.handlers.output(Uint8Array.of(ch), 1);
      return 'putchar';
    }
    return 'ignored';
  }

  /** Device 0 command 0: exit (bit 0 set) or a syscall block at the payload address. */
  private deviceZero(bus: Bus, lo: number, payloadHi: number): HtifAction {
    if ((lo & 1) !== 0) {
      // payload >> 1 of a 48-bit payload, exactly.
      this.handlers.exit(payloadHi * 2 ** 31 + (lo >>> 1));
      return 'exit';
    }
    // A block above 4 GiB cannot be in RAM; the syscall is dropped without an answer.
    if (payloadHi !== 0 || !bus.isRam(lo, SYSCALL_BLOCK_BYTES)) return 'ignored';
    this.syscall(bus, lo);
    return 'syscall';
  }

  /** Runs the syscall in the block at `block` (in RAM), writes its result and answers. */
  private syscall(bus: Bus, block: number): void {
    const which = readU64(bus, block);
    const arg0 = readU64(bus, block + 8);
    const arg1 = readU64(bus, block + 16);
    const arg2 = readU64(bus, block + 24);
    let ret: number;
    let exitCode: number | undefined;
    if (which.hi === 0 && which.lo === HTIF_SYS_WRITE) {
      ret = this.sysWrite(bus, arg0, arg1, arg2);
    } else if (which.hi === 0 && which.lo === HTIF_SYS_EXIT) {
      ret = 0;
      exitCode = arg0.lo | 0; // exit(int): the low word, signed
    } else {
      ret = -ENOSYS;
    }
    writeU64(bus, block, { lo: ret >>> 0, hi: ret < 0 ? 0xffff_ffff : 0 });
    this.answer(bus, { lo: 1, hi: 0 });
    if (exitCode !== undefined) this.handlers.exit(exitCode);
  }

  /** write(fd, buf, len) for fd 1 and 2: returns len, or -EBADF / -EFAULT. */
  private sysWrite(bus: Bus, fd: U64, buf: U64, len: U64): number {
    if (fd.hi !== 0 || (fd.lo !== 1 && fd.lo !== 2)) return -EBADF;
    if (buf.hi !== 0 || len.hi !== 0 || !bus.isRam(buf.lo, len.lo)) return -EFAULT;
    if (len.lo === 0) return 0;
    const off = buf.lo - bus.ramBase;
    this.handlers.output(bus.ram.slice(off, off + len.lo), fd.lo);
    return len.lo;
  }

  /** Writes `v` to fromhost, if the program has one in RAM. */
  private answer(bus: Bus, v: U64): void {
    if (this.addrs.fromhost !== undefined) writeU64(bus, this.addrs.fromhost, v);
  }
}

/** Contract: [pa, pa + 8) is RAM; returns the little-endian uint64 there. */
function readU64(bus: Bus, pa: number): U64 {
  const off = pa - bus.ramBase;
  return { lo: bus.readRam(off, 4), hi: bus.readRam(off + 4, 4) };
}

/** Contract: stores `v` at physical `pa` if all 8 bytes are RAM (without triggering watches). */
function writeU64(bus: Bus, pa: number, v: U64): void {
  if (!bus.isRam(pa, 8)) return;
  const off = pa - bus.ramBase;
  bus.writeRam(off, 4, v.lo);
  bus.writeRam(off + 4, 4, v.hi);
}
