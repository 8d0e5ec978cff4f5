// Control and status registers: which exist, who may access them, and their WARL behaviour.
//
// Access rules (privileged spec 2.1): bits [11:10] = 3 means read-only, so a write is an illegal
// instruction; bits [9:8] give the lowest privilege that may access the CSR. satp traps in S-mode
// when mstatus.TVM is set; the unprivileged counters need mcounteren (and, from U-mode,
// scounteren) permission. Every CSR not listed here is an illegal instruction.

import { Priv } from '../mmu/mmu';
import { CSR, CSR_NAMES } from './csrnames';
import type { Hart } from './hart';
import {
  MSTATUS_MIE, MSTATUS_MPIE, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MSTATUS_MXR,
  MSTATUS_SIE, MSTATUS_SPIE, MSTATUS_SPP, MSTATUS_SUM, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW,
} from './trap';

/** RV32 (MXL=1) with I, M, A, S, U. */
export const MISA = (1 << 30) | (1 << 0) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

const MSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP |
  MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR;
const SSTATUS_WRITABLE = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
/** medeleg: every exception but ecall from M (bit 11, read-only zero) and reserved 10, 14. */
const MEDELEG_WRITABLE = 0xb3ff;
/** mideleg: the supervisor interrupts SSI, STI, SEI. */
export const MIDELEG_WRITABLE = (1 << 1) | (1 << 5) | (1 << 9);
/** mie: the six standard interrupts. */
const MIE_WRITABLE = 0xaaa;
/** mip bits software may write from M-mode: SSIP, STIP, SEIP. */
export const MIP_SW_WRITABLE = (1 << 1) | (1 << 5) | (1 << 9);
/** mcountinhibit: CY and IR (TM does not exist; hpm counters are hard-wired zero). */
const MCOUNTINHIBIT_WRITABLE = 0b101;

/** 1 for every implemented CSR number. */
const EXISTS = new Uint8Array(4096);
for (const num of CSR_NAMES.keys()) EXISTS[num] = 1;

/**
 * Whether the current privilege may access CSR `num`, writing it if `write`. Contract: false
 * means the instruction raises an illegal-instruction exception.
 */
export function csrAccessible(h: Hart, num: number, write: boolean): boolean {
  if (EXISTS[num] === 0) return false;
  if (write && (num >>> 10) === 3) return false;
  if (h.priv < ((num >>> 8) & 3)) return false;
  if (num === CSR.satp && h.priv === Priv.S && (h.mstatus & MSTATUS_TVM) !== 0) return false;
  if ((num >= 0xc00 && num < 0xc20) || (num >= 0xc80 && num < 0xca0)) {
    const bit = 1 << (num & 31);
    if (h.priv < Priv.M && (h.mcounteren & bit) === 0) return false;
    if (h.priv === Priv.U && (h.scounteren & bit) === 0) return false;
  }
  return true;
}

const lo = (v: number): number => v % 4294967296 | 0;
const hi = (v: number): number => Math.floor(v / 4294967296) | 0;

/**
 * The value of an accessible CSR. `rmw` selects the value a read-modify-write starts from:
 * for mip/sip that is the software-writable SEIP alone, not ORed with the PLIC's line.
 */
export function csrRead(h: Hart, num: number, rmw = false): number {
  switch (num) {
    case CSR.mstatus: return h.mstatus;
    case CSR.sstatus: return h.mstatus & SSTATUS_WRITABLE;
    case CSR.misa: return MISA;
    case CSR.medeleg: return h.medeleg;
    case CSR.mideleg: return h.mideleg;
    case CSR.mie: return h.mie;
    case CSR.sie: return h.mie & h.mideleg;
    case CSR.mip: return rmw ? h.mipSw | (h.mipHw & ~(1 << 9)) : h.mip();
    case CSR.sip: return (rmw ? h.mipSw : h.mip()) & h.mideleg;
    case CSR.mtvec: return h.mtvec;
    case CSR.stvec: return h.stvec;
    case CSR.mepc: return h.mepc;
    case CSR.sepc: return h.sepc;
    case CSR.mcause: return h.mcause;
    case CSR.scause: return h.scause;
    case CSR.mtval: return h.mtval;
    case CSR.stval: return h.stval;
    case CSR.mscratch: return h.mscratch;
    case CSR.sscratch: return h.sscratch;
    case CSR.mcounteren: return h.mcounteren;
    case CSR.scounteren: return h.scounteren;
    case CSR.mcountinhibit: return h.mcountinhibit;
    case CSR.satp: return h.satp;
    case CSR.mcycle: case CSR.cycle: return lo(h.mcycle());
    case CSR.mcycleh: case CSR.cycleh: return hi(h.mcycle());
    case CSR.minstret: case CSR.instret: return lo(h.minstret());
    case CSR.minstreth: case CSR.instreth: return hi(h.minstret());
    case CSR.time: return lo(h.mtime());
    case CSR.timeh: return hi(h.mtime());
    default:
      return 0; // ids, envcfg, PMP, hpm counters and events: hard-wired zero
  }
}

/** Writes an accessible CSR, keeping only legal values (WARL). Returns nothing; never traps. */
export function csrWrite(h: Hart, num: number, v: number): void {
  v |= 0;
  switch (num) {
    case CSR.mstatus: h.mstatus = legalMstatus(h.mstatus, (h.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE)); break;
    case CSR.sstatus: h.mstatus = (h.mstatus & ~SSTATUS_WRITABLE) | (v & SSTATUS_WRITABLE); break;
    case CSR.medeleg: h.medeleg = v & MEDELEG_WRITABLE; break;
    case CSR.mideleg: h.mideleg = v & MIDELEG_WRITABLE; break;
    case CSR.mie: h.mie = v & MIE_WRITABLE; break;
    case CSR.sie: h.mie = (h.mie & ~h.mideleg) | (v & h.mideleg); break;
    case CSR.mip: h.mipSw = v & MIP_SW_WRITABLE; break;
    // sip: only SSIP is writable from S-mode, and only when delegated.
    case CSR.sip: { const m = h.mideleg & (1 << 1); h.mipSw = (h.mipSw & ~m) | (v & m); break; }
    case CSR.mtvec: if ((v & 3) < 2) h.mtvec = v; break; // MODE >= 2 reserved: keep the old value
    case CSR.stvec: if ((v & 3) < 2) h.stvec = v; break;
    case CSR.mepc: h.mepc = v & ~3; break; // IALIGN = 32
    case CSR.sepc: h.sepc = v & ~3; break;
    case CSR.mcause: h.mcause = v; break;
    case CSR.scause: h.scause = v; break;
    case CSR.mtval: h.mtval = v; break;
    case CSR.stval: h.stval = v; break;
    case CSR.mscratch: h.mscratch = v; break;
    case CSR.sscratch: h.sscratch = v; break;
    case CSR.mcounteren: h.mcounteren = v; break;
    case CSR.scounteren: h.scounteren = v; break;
    case CSR.mcountinhibit: h.setCountInhibit(v & MCOUNTINHIBIT_WRITABLE); break;
    case CSR.satp: h.satp = v; break;
    case CSR.mcycle: h.setMcycle(hi(h.mcycle()) * 4294967296 + (v >>> 0)); break;
    case CSR.mcycleh: h.setMcycle((v >>> 0) * 4294967296 + (lo(h.mcycle()) >>> 0)); break;
    case CSR.minstret: h.setMinstret(hi(h.minstret()) * 4294967296 + (v >>> 0)); break;
    case CSR.minstreth: h.setMinstret((v >>> 0) * 4294967296 + (lo(h.minstret()) >>> 0)); break;
    default:
      // Everything else is hard-wired zero and writes are ignored. That includes PMP: no PMP
      // entry is implemented (the spec allows zero entries), so S and U accesses need no PMP
      // set-up, and pmpcfg/pmpaddr read back zero as software probing for entries expects.
  }
}

/** MPP is WARL over {U, S, M}: the reserved value 2 keeps the previous MPP. */
function legalMstatus(old: number, next: number): number {
  if (((next & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) === 2) next = (next & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
  return next;
}
