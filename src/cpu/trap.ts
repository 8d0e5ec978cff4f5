// Traps: exception and interrupt causes, trap entry with delegation, xRET, and the choice of
// which pending interrupt to take (privileged spec, sections 3.1.6-3.1.9 and 3.3.2).

import { Priv } from '../mmu/mmu';
import type { Hart } from './hart';

export const enum Cause {
  InsnMisaligned = 0,
  InsnAccessFault = 1,
  IllegalInsn = 2,
  Breakpoint = 3,
  LoadMisaligned = 4,
  LoadAccessFault = 5,
  StoreMisaligned = 6,
  StoreAccessFault = 7,
  EcallU = 8,
  EcallS = 9,
  EcallM = 11,
  InsnPageFault = 12,
  LoadPageFault = 13,
  StorePageFault = 15,
}

/** Interrupt numbers = their mip/mie bit positions. */
export const enum Irq {
  SSI = 1,
  MSI = 3,
  STI = 5,
  MTI = 7,
  SEI = 9,
  MEI = 11,
}

export const CAUSE_NAMES: Readonly<Record<number, string>> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction',
  3: 'breakpoint', 4: 'load address misaligned', 5: 'load access fault',
  6: 'store/AMO address misaligned', 7: 'store/AMO access fault', 8: 'environment call from U-mode',
  9: 'environment call from S-mode', 11: 'environment call from M-mode',
  12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};

// mstatus fields
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;

/** Interrupts in the order the spec takes them when several are pending: MEI MSI MTI SEI SSI STI. */
const IRQ_PRIORITY = [Irq.MEI, Irq.MSI, Irq.MTI, Irq.SEI, Irq.SSI, Irq.STI];

/**
 * Takes a trap at the current pc: picks M or S by delegation (a trap never goes to a less
 * privileged mode than the current one), saves pc/cause/tval and the interrupt-enable stack,
 * and jumps to the vector. The caller has stored the trapping pc in h.pc.
 */
export function enterTrap(h: Hart, cause: number, tval: number, interrupt: boolean): void {
  const deleg = interrupt ? h.mideleg : h.medeleg;
  const code = cause | (interrupt ? 0x80000000 : 0);
  const s = h.mstatus;
  if (h.priv !== Priv.M && ((deleg >>> cause) & 1) !== 0) {
    h.scause = code | 0;
    h.sepc = h.pc;
    h.stval = tval | 0;
    h.mstatus = (s & ~(MSTATUS_SPIE | MSTATUS_SIE | MSTATUS_SPP)) |
      ((s & MSTATUS_SIE) !== 0 ? MSTATUS_SPIE : 0) | (h.priv === Priv.S ? MSTATUS_SPP : 0);
    h.priv = Priv.S;
    h.pc = vector(h.stvec, cause, interrupt);
  } else {
    h.mcause = code | 0;
    h.mepc = h.pc;
    h.mtval = tval | 0;
    h.mstatus = (s & ~(MSTATUS_MPIE | MSTATUS_MIE | MSTATUS_MPP)) |
      ((s & MSTATUS_MIE) !== 0 ? MSTATUS_MPIE : 0) | (h.priv << MSTATUS_MPP_SHIFT);
    h.priv = Priv.M;
    h.pc = vector(h.mtvec, cause, interrupt);
  }
}

/** The trap target: BASE, or BASE + 4*cause for interrupts in vectored mode (MODE = 1). */
function vector(tvec: number, cause: number, interrupt: boolean): number {
  const base = tvec & ~3;
  return (interrupt && (tvec & 3) === 1 ? base + 4 * cause : base) | 0;
}

/**
 * MRET: privilege from MPP, MIE from MPIE, MPIE = 1, MPP = U; MPRV cleared when leaving M.
 */
export function mret(h: Hart): void {
  const s = h.mstatus;
  const mpp = (s & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT;
  let next = (s & ~(MSTATUS_MIE | MSTATUS_MPP)) | MSTATUS_MPIE | ((s & MSTATUS_MPIE) !== 0 ? MSTATUS_MIE : 0);
  if (mpp !== Priv.M) next &= ~MSTATUS_MPRV;
  h.mstatus = next;
  h.priv = mpp;
  h.pc = h.mepc;
}

/** SRET: privilege from SPP, SIE from SPIE, SPIE = 1, SPP = U; MPRV cleared. */
export function sret(h: Hart): void {
  const s = h.mstatus;
  const spp = (s & MSTATUS_SPP) !== 0 ? Priv.S : Priv.U;
  h.mstatus = (s & ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV)) | MSTATUS_SPIE |
    ((s & MSTATUS_SPIE) !== 0 ? MSTATUS_SIE : 0);
  h.priv = spp;
  h.pc = h.sepc;
}

/**
 * The interrupt to take now, or -1. An interrupt not delegated (mideleg bit clear) goes to
 * M-mode: taken if priv < M, or in M with MIE set. A delegated one goes to S-mode: taken if
 * priv = U, or in S with SIE set; never while in M. Interrupts for M-mode come before those for
 * S-mode; within each, the order is MEI MSI MTI SEI SSI STI.
 */
export function pendingInterrupt(h: Hart): number {
  const pending = h.mip() & h.mie;
  if (pending === 0) return -1;
  const mEnabled = h.priv !== Priv.M || (h.mstatus & MSTATUS_MIE) !== 0;
  const sEnabled = h.priv === Priv.U || (h.priv === Priv.S && (h.mstatus & MSTATUS_SIE) !== 0);
  const toM = mEnabled ? pending & ~h.mideleg : 0;
  const toS = sEnabled ? pending & h.mideleg : 0;
  for (const set of [toM, toS]) {
    if (set === 0) continue;
    for (const irq of IRQ_PRIORITY) if (((set >>> irq) & 1) !== 0) return irq;
  }
  return -1;
}
