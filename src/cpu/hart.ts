// The hart: RV32IMA + Zicsr + Zifencei with M, S and U modes.
//
// Hot state lives in typed arrays and plain number fields; the interpreter loop in run() decodes
// through the table-derived DECODE_TABLE and switches on Op. Loads, stores and fetches hit the
// software TLB (src/mmu/mmu.ts) inline; everything else (misses, MMIO, misaligned accesses, CSRs,
// atomics, traps) leaves the fast path through a method call.
//
// Traps are taken one of two ways:
// - bare: architecturally, through mtvec/stvec and delegation (enterTrap);
// - hosted: the hart stops and reports (exitCause, exitTval, pc) to a TypeScript kernel, like a
//   VM exit, with all state intact and pc at the trapping instruction.
//
// Time: `cycles` is the virtual clock; each executed instruction advances it by one (in bare
// mode a trapping one too; in hosted mode traps are the kernel's, which take no virtual time),
// and idle time (WFI) jumps it forward. `instret` counts retired instructions exactly.

import type { Bus } from '../mmu/bus';
import { Access, Mmu, Priv, TLB_MASK } from '../mmu/mmu';
import { CSR } from './csrnames';
import { csrAccessible, csrRead, csrWrite } from './csr';
import { DECODE_TABLE, SCAN, scanDecode } from './decode';
import { Op } from './isa';
import { BLOCK_MASK, Jit } from './jit';
import { mulh, mulhsu, mulhu } from './mulh';
import {
  Cause, enterTrap, mret, MSTATUS_MPP, MSTATUS_MPP_SHIFT, MSTATUS_MPRV, MSTATUS_MXR,
  MSTATUS_SUM, MSTATUS_TSR, MSTATUS_TVM, MSTATUS_TW, pendingInterrupt, sret,
} from './trap';

/** Why run() returned. */
export const enum StopReason {
  Budget = 0, // the instruction budget ran out
  Break = 1, // an external request (requestBreak), e.g. a device wants attention
  Wfi = 2, // the hart waits for an interrupt
  HostedTrap = 3, // hosted mode: a trap for the kernel (exitCause, exitTval)
}

/** A source of mtime for the `time` CSR. */
export interface TimeSource {
  mtime(): number;
}

export class Hart {
  readonly x = new Int32Array(32);
  pc = 0;
  priv: Priv = Priv.M;

  // Machine and supervisor CSR state.
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** Software-writable pending bits (SSIP, STIP, SEIP). */
  mipSw = 0;
  /** Pending bits driven by devices (MSIP, MTIP, MEIP, and the PLIC's SEIP line). */
  mipHw = 0;
  mtvec = 0;
  stvec = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  mscratch = 0;
  sscratch = 0;
  mcounteren = 0;
  scounteren = 0;
  mcountinhibit = 0;
  satp = 0;

  /** Virtual time in cycles, and retired instructions; both exact integers. */
  cycles = 0;
  instret = 0;
  /** Counter CSR = internal count + offset, or the frozen value while inhibited. */
  private cycleOffset = 0;
  private instretOffset = 0;
  private cycleFrozen = 0;
  private instretFrozen = 0;

  /** Set by raise(): the instruction in progress trapped. Cleared by each slow-path entry. */
  faulted = false;
  /** The LR reservation: a physical address, or -1. */
  reservation = -1;
  /** The virtual address LR reserved (meaningful while reservation !== -1), for checkpoints. */
  reservationVa = 0;
  /** True while stopped in WFI. */
  waiting = false;
  /** Hosted mode: traps stop run() instead of vectoring. */
  hosted = false;
  exitCause = 0;
  exitTval = 0;
  /** Exceptions taken since reset (for traces and statistics). */
  exceptions = 0;
  interrupts = 0;

  readonly bus: Bus;
  readonly mmu: Mmu;
  /** The block compiler (the fast path); blocks run only while jitEnabled. */
  readonly jit: Jit;
  jitEnabled = true;
  time: TimeSource = { mtime: () => Math.floor(this.cycles / 10) };

  // Run-loop bookkeeping.
  private irqCheck = true;
  /** The run loop must stop after this instruction (read by compiled blocks too). */
  breakRequested = false;
  private stopReason: StopReason = StopReason.Budget;
  /** Budget left at the last counter sync, and exceptions since then, for exact counters. */
  private syncedLeft = 0;
  private trapsSinceSync = 0;

  constructor(bus: Bus) {
    this.bus = bus;
    this.mmu = new Mmu(bus);
    this.jit = new Jit(this, bus, this.mmu);
  }

  /** Resets to M-mode at `pc` with the CSRs in their reset state. */
  reset(pc: number): void {
    this.x.fill(0);
    this.pc = pc | 0;
    this.priv = Priv.M;
    this.mstatus = this.medeleg = this.mideleg = this.mie = this.mipSw = 0;
    this.mcause = this.mtval = this.mcountinhibit = this.satp = 0;
    this.reservation = -1;
    this.waiting = false;
    this.contextChanged();
  }

  // ---- interrupts ----

  /** The effective mip: device lines ORed with the software-writable bits. */
  mip(): number {
    return this.mipHw | this.mipSw;
  }

  /** Drives a device interrupt line (MSIP 3, MTIP 7, SEIP 9, MEIP 11). */
  setIrqLine(bit: number, level: boolean): void {
    const next = level ? this.mipHw | (1 << bit) : this.mipHw & ~(1 << bit);
    if (next === this.mipHw) return;
    this.mipHw = next;
    this.irqCheck = true;
    if (level) this.breakRequested = true; // make a running loop look at it now
  }

  /** Asks a running run() to return after the current instruction. */
  requestBreak(): void {
    this.breakRequested = true;
  }

  /** True if WFI would wake: some interrupt is pending and enabled in mie (global enables aside). */
  wakeable(): boolean {
    return (this.mip() & this.mie) !== 0;
  }

  // ---- counters ----

  mcycle(): number {
    return (this.mcountinhibit & 1) !== 0 ? this.cycleFrozen : this.cycles + this.cycleOffset;
  }

  minstret(): number {
    return (this.mcountinhibit & 4) !== 0 ? this.instretFrozen : this.instret + this.instretOffset;
  }

  mtime(): number {
    return this.time.mtime();
  }

  /** A CSR write to mcycle: the next instruction reads `v`. */
  setMcycle(v: number): void {
    if ((this.mcountinhibit & 1) !== 0) this.cycleFrozen = v;
    else this.cycleOffset = v - (this.cycles + 1);
  }

  /** A CSR write to minstret: the writing instruction's own retirement is not counted on top. */
  setMinstret(v: number): void {
    if ((this.mcountinhibit & 4) !== 0) this.instretFrozen = v;
    else this.instretOffset = v - (this.instret + 1);
  }

  setCountInhibit(v: number): void {
    const was = this.mcountinhibit;
    // Freeze at the value including this instruction; on release resume from the frozen value.
    if ((v & 1) !== 0 && (was & 1) === 0) this.cycleFrozen = this.cycles + 1 + this.cycleOffset;
    if ((v & 1) === 0 && (was & 1) !== 0) this.cycleOffset = this.cycleFrozen - (this.cycles + 1);
    if ((v & 4) !== 0 && (was & 4) === 0) this.instretFrozen = this.instret + 1 + this.instretOffset;
    if ((v & 4) === 0 && (was & 4) !== 0) this.instretOffset = this.instretFrozen - (this.instret + 1);
    this.mcountinhibit = v;
  }

  /** Accounts instructions executed since the last sync, given the budget `left` now. */
  private syncCounters(left: number): void {
    const executed = this.syncedLeft - left;
    // Bare: a trapping instruction takes a cycle. Hosted: what traps to the kernel (a system call,
    // a page fault) is kernel work, which takes no virtual time, so that paging and tracking at
    // any granularity leave the guest's timing alone.
    this.cycles += this.hosted ? executed - this.trapsSinceSync : executed;
    this.instret += executed - this.trapsSinceSync;
    this.trapsSinceSync = 0;
    this.syncedLeft = left;
  }

  // ---- privilege and translation context ----

  /** Recomputes the MMU context after priv, mstatus or satp may have changed. */
  contextChanged(): void {
    const s = this.mstatus;
    const dataPriv = this.priv === Priv.M && (s & MSTATUS_MPRV) !== 0
      ? ((s & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) as Priv
      : this.priv;
    this.mmu.setContext(this.priv, dataPriv, this.satp, (s & MSTATUS_SUM) !== 0, (s & MSTATUS_MXR) !== 0);
    this.irqCheck = true;
  }

  // ---- traps ----

  /**
   * Raises a synchronous exception for the instruction at this.pc. Bare: vectors; hosted: stops
   * the loop with the cause. Either way the instruction does not retire.
   */
  raise(cause: number, tval: number): void {
    this.faulted = true;
    this.exceptions++;
    this.trapsSinceSync++;
    this.reservation = -1;
    if (this.hosted) {
      this.exitCause = cause;
      this.exitTval = tval | 0;
      this.stopReason = StopReason.HostedTrap;
      this.breakRequested = true;
      return;
    }
    enterTrap(this, cause, tval, false);
    this.contextChanged();
  }

  /** Takes a pending enabled interrupt now, if one is due (for single-stepping callers). */
  pollInterrupts(): void {
    if (this.irqCheck) this.takeInterrupt();
  }

  /** Takes the highest-priority enabled pending interrupt, if any (bare mode). */
  private takeInterrupt(): boolean {
    this.irqCheck = false;
    if (this.hosted) return false;
    const irq = pendingInterrupt(this);
    if (irq < 0) return false;
    this.interrupts++;
    this.waiting = false;
    this.reservation = -1;
    enterTrap(this, irq, 0, true);
    this.contextChanged();
    return true;
  }

  // ---- the interpreter ----

  /**
   * Executes at most `budget` instructions (budget >= 1). Returns why it stopped; this.cycles and
   * this.instret are exact on return. Interrupts are taken between instructions as soon as they
   * are pending and enabled.
   */
  run(budget: number): StopReason {
    const x = this.x;
    const m8 = this.bus.ram;
    const m16 = this.bus.ram16;
    const m32 = this.bus.ram32;
    const { rTag, rAdd, wTag, wAdd, xTag, xAdd } = this.mmu;
    const dec = DECODE_TABLE;
    const mmu = this.mmu;
    const jit = this.jit;
    const blocks = jit.blocks;
    const heat = jit.heat;
    const useJit = this.jitEnabled;
    const hot = jit.hotThreshold;
    let flushes = mmu.flushes;
    let pc = this.pc | 0;
    let n = budget;
    let fpage = -1; // the virtual page of pc whose translation fadd holds
    let fadd = 0;
    this.syncedLeft = budget;
    this.trapsSinceSync = 0;
    this.stopReason = StopReason.Budget;
    this.breakRequested = false;

    while (n > 0) {
      if (this.irqCheck) {
        this.pc = pc;
        if (this.takeInterrupt()) {
          pc = this.pc;
          fpage = -1;
        }
      }
      if (this.waiting) {
        if (!this.wakeable()) { this.stopReason = StopReason.Wfi; break; }
        this.waiting = false;
      }
      // Fetch through the cached translation of pc's page.
      const vpn = pc >>> 12;
      if (vpn !== fpage) {
        const ti = vpn & TLB_MASK;
        if (xTag[ti] !== vpn) {
          this.pc = pc;
          if (this.mmu.translate(pc, Access.Fetch) < 0 || xTag[ti] !== vpn) {
            n--; // a fetch fault is an executed (trapping) instruction
            this.fetchFault(pc);
            if (this.hosted) break;
            pc = this.pc;
            fpage = -1;
            continue;
          }
        }
        fpage = vpn;
        fadd = xAdd[ti];
      }
      if (useJit) {
        // The fast path: run a compiled block if there is one for this pc, compile it once hot.
        const slot = ((pc + fadd) >>> 2) & BLOCK_MASK; // by RAM offset: tasks sharing VAs do not collide
        let b = blocks[slot];
        if (b === undefined || b.vpc !== pc || b.fadd !== fadd) {
          b = heat[slot]++ >= hot ? jit.compile(pc, fadd) : undefined;
          if (b !== undefined) heat[slot] = 0;
        }
        if (b !== undefined && b.len <= n) {
          n -= b.fn(this, n);
          pc = this.pc;
          if (mmu.flushes !== flushes) { flushes = mmu.flushes; fpage = -1; }
          if (this.breakRequested) {
            if (this.stopReason === StopReason.Budget) this.stopReason = this.waiting ? StopReason.Wfi : StopReason.Break;
            break;
          }
          continue;
        }
      }
      n--;
      const w = m32[(pc + fadd) >>> 2];
      const rd = (w >>> 7) & 31;
      const rs1 = (w >>> 15) & 31;
      const rs2 = (w >>> 20) & 31;
      let op = dec[(w & 0x7f) | ((w >>> 5) & 0x380) | ((w >>> 15) & 0x1fc00)];
      if (op === SCAN) op = scanDecode(w);
      switch (op) {
        // ---- RV32I: upper immediates and jumps ----
        case Op.LUI: x[rd] = w & 0xfffff000; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.AUIPC: x[rd] = (pc + (w & 0xfffff000)) | 0; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.JAL: {
          const t = (pc + (((w >> 31) << 20) | (((w >>> 12) & 255) << 12) | (((w >>> 20) & 1) << 11) |
            (((w >>> 21) & 1023) << 1))) | 0;
          if ((t & 3) !== 0) { this.pc = pc; this.raise(Cause.InsnMisaligned, t); pc = this.pc; break; }
          x[rd] = pc + 4; x[0] = 0; pc = t; break;
        }
        case Op.JALR: {
          // The target is computed before rd is written (rd may equal rs1).
          const t = ((x[rs1] + (w >> 20)) & ~1) | 0;
          if ((t & 3) !== 0) { this.pc = pc; this.raise(Cause.InsnMisaligned, t); pc = this.pc; break; }
          x[rd] = pc + 4; x[0] = 0; pc = t; break;
        }
        // ---- branches: a taken branch to a misaligned target traps ----
        case Op.BEQ: case Op.BNE: case Op.BLT: case Op.BGE: case Op.BLTU: case Op.BGEU: {
          const a = x[rs1], b = x[rs2];
          let taken: boolean;
          switch (op) {
            case Op.BEQ: taken = a === b; break;
            case Op.BNE: taken = a !== b; break;
            case Op.BLT: taken = a < b; break;
            case Op.BGE: taken = a >= b; break;
            case Op.BLTU: taken = (a >>> 0) < (b >>> 0); break;
            default: taken = (a >>> 0) >= (b >>> 0); break;
          }
          if (!taken) { pc = (pc + 4) | 0; break; }
          const t = (pc + (((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 63) << 5) |
            (((w >>> 8) & 15) << 1))) | 0;
          if ((t & 3) !== 0) { this.pc = pc; this.raise(Cause.InsnMisaligned, t); pc = this.pc; break; }
          pc = t; break;
        }
        // ---- loads: TLB hit inline, anything else through load() ----
        case Op.LW: {
          const va = (x[rs1] + (w >> 20)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          if (rTag[i] === va >>> 12 && (va & 3) === 0) x[rd] = m32[(va + rAdd[i]) >>> 2];
          else { this.pc = pc; const v = this.load(va, 4, n); if (this.faulted) { pc = this.pc; fpage = -1; break; } x[rd] = v; }
          x[0] = 0; pc = (pc + 4) | 0; break;
        }
        case Op.LH: case Op.LHU: {
          const va = (x[rs1] + (w >> 20)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          let v: number;
          if (rTag[i] === va >>> 12 && (va & 1) === 0) v = m16[(va + rAdd[i]) >>> 1];
          else { this.pc = pc; v = this.load(va, 2, n); if (this.faulted) { pc = this.pc; fpage = -1; break; } }
          x[rd] = op === Op.LH ? (v << 16) >> 16 : v & 0xffff; x[0] = 0; pc = (pc + 4) | 0; break;
        }
        case Op.LB: case Op.LBU: {
          const va = (x[rs1] + (w >> 20)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          let v: number;
          if (rTag[i] === va >>> 12) v = m8[(va + rAdd[i]) >>> 0];
          else { this.pc = pc; v = this.load(va, 1, n); if (this.faulted) { pc = this.pc; fpage = -1; break; } }
          x[rd] = op === Op.LB ? (v << 24) >> 24 : v & 0xff; x[0] = 0; pc = (pc + 4) | 0; break;
        }
        // ---- stores ----
        case Op.SW: {
          const va = (x[rs1] + (((w >> 25) << 5) | rd)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          if (wTag[i] === va >>> 12 && (va & 3) === 0) m32[(va + wAdd[i]) >>> 2] = x[rs2];
          else { this.pc = pc; this.store(va, 4, x[rs2], n); if (this.faulted) { pc = this.pc; fpage = -1; break; } }
          pc = (pc + 4) | 0; break;
        }
        case Op.SH: {
          const va = (x[rs1] + (((w >> 25) << 5) | rd)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          if (wTag[i] === va >>> 12 && (va & 1) === 0) m16[(va + wAdd[i]) >>> 1] = x[rs2];
          else { this.pc = pc; this.store(va, 2, x[rs2], n); if (this.faulted) { pc = this.pc; fpage = -1; break; } }
          pc = (pc + 4) | 0; break;
        }
        case Op.SB: {
          const va = (x[rs1] + (((w >> 25) << 5) | rd)) | 0;
          const i = (va >>> 12) & TLB_MASK;
          if (wTag[i] === va >>> 12) m8[(va + wAdd[i]) >>> 0] = x[rs2];
          else { this.pc = pc; this.store(va, 1, x[rs2], n); if (this.faulted) { pc = this.pc; fpage = -1; break; } }
          pc = (pc + 4) | 0; break;
        }
        // ---- register-immediate ----
        case Op.ADDI: x[rd] = x[rs1] + (w >> 20); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLTI: x[rd] = x[rs1] < (w >> 20) ? 1 : 0; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLTIU: x[rd] = (x[rs1] >>> 0) < ((w >> 20) >>> 0) ? 1 : 0; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.XORI: x[rd] = x[rs1] ^ (w >> 20); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.ORI: x[rd] = x[rs1] | (w >> 20); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.ANDI: x[rd] = x[rs1] & (w >> 20); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLLI: x[rd] = x[rs1] << rs2; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SRLI: x[rd] = x[rs1] >>> rs2; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SRAI: x[rd] = x[rs1] >> rs2; x[0] = 0; pc = (pc + 4) | 0; break;
        // ---- register-register ----
        case Op.ADD: x[rd] = x[rs1] + x[rs2]; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SUB: x[rd] = x[rs1] - x[rs2]; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLL: x[rd] = x[rs1] << (x[rs2] & 31); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLT: x[rd] = x[rs1] < x[rs2] ? 1 : 0; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SLTU: x[rd] = (x[rs1] >>> 0) < (x[rs2] >>> 0) ? 1 : 0; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.XOR: x[rd] = x[rs1] ^ x[rs2]; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SRL: x[rd] = x[rs1] >>> (x[rs2] & 31); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.SRA: x[rd] = x[rs1] >> (x[rs2] & 31); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.OR: x[rd] = x[rs1] | x[rs2]; x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.AND: x[rd] = x[rs1] & x[rs2]; x[0] = 0; pc = (pc + 4) | 0; break;
        // ---- M extension ----
        case Op.MUL: x[rd] = Math.imul(x[rs1], x[rs2]); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.MULH: x[rd] = mulh(x[rs1], x[rs2]); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.MULHSU: x[rd] = mulhsu(x[rs1], x[rs2]); x[0] = 0; pc = (pc + 4) | 0; break;
        case Op.MULHU: x[rd] = mulhu(x[rs1], x[rs2]); x[0] = 0; pc = (pc + 4) | 0; break;
        // Division edge cases (spec table 13.1):
        //   condition          DIV    DIVU      REM   REMU
        //   divisor = 0        -1     2^32-1    x     x
        //   -2^31 / -1         -2^31  -         0     -
        case Op.DIV: {
          const a = x[rs1], b = x[rs2];
          x[rd] = b === 0 ? -1 : (a === -0x80000000 && b === -1) ? a : (a / b) | 0;
          x[0] = 0; pc = (pc + 4) | 0; break;
        }
        case Op.DIVU: {
          const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
          x[rd] = b === 0 ? -1 : (a / b) >>> 0;
          x[0] = 0; pc = (pc + 4) | 0; break;
        }
        case Op.REM: {
          const a = x[rs1], b = x[rs2];
          x[rd] = b === 0 ? a : (a === -0x80000000 && b === -1) ? 0 : a % b;
          x[0] = 0; pc = (pc + 4) | 0; break;
        }
        case Op.REMU: {
          const a = x[rs1] >>> 0, b = x[rs2] >>> 0;
          x[rd] = b === 0 ? a : a % b;
          x[0] = 0; pc = (pc + 4) | 0; break;
        }
        // ---- fences: no caches or reordering to order; fence.i needs nothing since every fetch
        // reads RAM as it is now ----
        case Op.FENCE: case Op.FENCE_I: pc = (pc + 4) | 0; break;
        // ---- everything else leaves the fast path ----
        default:
          this.pc = pc;
          this.execSlow(op, w, n);
          pc = this.pc;
          fpage = -1;
          break;
      }
      if (this.breakRequested) {
        // A hosted trap, WFI, an MMIO access or a device asks the caller to look now.
        if (this.stopReason === StopReason.Budget) this.stopReason = this.waiting ? StopReason.Wfi : StopReason.Break;
        break;
      }
    }
    this.pc = pc;
    this.syncCounters(n);
    this.breakRequested = false;
    return this.stopReason;
  }

  /** A fetch that missed the TLB and failed to translate (or hit non-RAM): raise its fault. */
  private fetchFault(pc: number): void {
    const pa = this.mmu.peekTranslate(pc, Access.Fetch);
    // Translated but not RAM (MMIO or nothing): instructions cannot be fetched from there.
    this.raise(pa < 0 ? this.mmu.faultCause : Cause.InsnAccessFault, pc);
  }

  // ---- slow-path memory access ----

  /**
   * A load the fast path could not do: TLB miss, MMIO, or misaligned (done in hardware, a byte at
   * a time, after both pages translate). Returns the zero-extended value; on a fault raises it
   * (this.pc then differs from the faulting pc in bare mode, or stopReason is HostedTrap).
   */
  load(va: number, size: 1 | 2 | 4, left: number): number {
    this.faulted = false;
    const pa = this.mmu.translate(va, Access.Load);
    if (pa < 0) { this.raise(this.mmu.faultCause, va); return 0; }
    if ((va & (size - 1)) !== 0) return this.loadMisaligned(va, pa, size);
    const bus = this.bus;
    if (!bus.isRam(pa, size)) this.syncCounters(left + 1); // a device may read the clock
    const v = bus.read(pa, size);
    return this.busResult(v, Cause.LoadAccessFault, va);
  }

  private loadMisaligned(va: number, pa: number, size: 1 | 2 | 4): number {
    const lastVa = (va + size - 1) | 0;
    let paLast = pa + size - 1;
    if ((lastVa >>> 12) !== (va >>> 12)) {
      const p2 = this.mmu.translate(lastVa, Access.Load);
      // tval: the first address of the portion that faulted (the second page).
      if (p2 < 0) { this.raise(this.mmu.faultCause, lastVa & ~0xfff); return 0; }
      paLast = p2;
    }
    let v = 0;
    for (let k = 0; k < size; k++) {
      const a = (((va + k) >>> 12) === (va >>> 12)) ? pa + k : paLast - (size - 1 - k);
      v |= this.bus.read(a, 1) << (8 * k);
      if (this.bus.fault) return this.busResult(0, Cause.LoadAccessFault, (va + k) | 0);
    }
    return v >>> 0;
  }

  /** A store the fast path could not do; see load(). */
  store(va: number, size: 1 | 2 | 4, value: number, left: number): void {
    this.faulted = false;
    const pa = this.mmu.translate(va, Access.Store);
    if (pa < 0) { this.raise(this.mmu.faultCause, va); return; }
    const bus = this.bus;
    if ((va & (size - 1)) !== 0) { this.storeMisaligned(va, pa, size, value); return; }
    if (!bus.isRam(pa, size)) this.syncCounters(left + 1);
    bus.write(pa, size, value);
    this.busResult(0, Cause.StoreAccessFault, va);
  }

  private storeMisaligned(va: number, pa: number, size: 1 | 2 | 4, value: number): void {
    const lastVa = (va + size - 1) | 0;
    let paLast = pa + size - 1;
    if ((lastVa >>> 12) !== (va >>> 12)) {
      const p2 = this.mmu.translate(lastVa, Access.Store);
      if (p2 < 0) { this.raise(this.mmu.faultCause, lastVa & ~0xfff); return; }
      paLast = p2;
    }
    // Both halves translated: check every byte is backed before writing any (no partial store).
    for (let k = 0; k < size; k++) {
      const a = (((va + k) >>> 12) === (va >>> 12)) ? pa + k : paLast - (size - 1 - k);
      if (this.bus.peek(a, 1) === undefined) { this.raise(Cause.StoreAccessFault, (va + k) | 0); return; }
    }
    for (let k = 0; k < size; k++) {
      const a = (((va + k) >>> 12) === (va >>> 12)) ? pa + k : paLast - (size - 1 - k);
      this.bus.write(a, 1, value >>> (8 * k));
    }
    this.busResult(0, Cause.StoreAccessFault, va);
  }

  /** After a bus access: raise an access fault if nothing answered; stop the batch after MMIO. */
  private busResult(v: number, cause: number, va: number): number {
    const bus = this.bus;
    if (bus.touchedMmio) {
      bus.touchedMmio = false;
      this.breakRequested = true; // devices may have changed interrupt lines or want service
      this.irqCheck = true;
    }
    if (bus.fault) {
      bus.fault = false;
      this.raise(cause, va);
      return 0;
    }
    return v;
  }

  // ---- slow instructions: system, CSRs, atomics ----

  /** Executes an instruction outside the fast path; this.pc is its address and is updated. */
  private execSlow(op: number, w: number, left: number): void {
    this.faulted = false;
    const rd = (w >>> 7) & 31;
    const rs1 = (w >>> 15) & 31;
    switch (op) {
      case Op.ECALL:
        this.raise(this.priv === Priv.U ? Cause.EcallU : this.priv === Priv.S ? Cause.EcallS : Cause.EcallM, 0);
        return;
      case Op.EBREAK: this.raise(Cause.Breakpoint, this.pc); return;
      case Op.CSRRW: case Op.CSRRS: case Op.CSRRC: case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
        this.execCsr(op, w, left);
        return;
      case Op.MRET:
        if (this.priv !== Priv.M) break;
        mret(this);
        this.afterXret();
        return;
      case Op.SRET:
        if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TSR) !== 0)) break;
        sret(this);
        this.afterXret();
        return;
      case Op.WFI:
        if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TW) !== 0)) break;
        this.pc = (this.pc + 4) | 0;
        if (!this.wakeable()) { this.waiting = true; this.breakRequested = true; }
        return;
      case Op.SFENCE_VMA:
        if (this.priv === Priv.U || (this.priv === Priv.S && (this.mstatus & MSTATUS_TVM) !== 0)) break;
        if (rs1 === 0) this.mmu.flush();
        else this.mmu.flushRegion(this.x[rs1]);
        this.pc = (this.pc + 4) | 0;
        return;
      case Op.ILLEGAL:
        break;
      default:
        this.execAtomic(op, w, rd, rs1);
        return;
    }
    this.raise(Cause.IllegalInsn, w);
  }

  private afterXret(): void {
    this.reservation = -1;
    this.contextChanged();
  }

  /** Zicsr: read the old value into rd, write the new one, with the spec's x0 rules. */
  private execCsr(op: number, w: number, left: number): void {
    const rd = (w >>> 7) & 31;
    const rs1 = (w >>> 15) & 31;
    const num = w >>> 20;
    const imm = op === Op.CSRRWI || op === Op.CSRRSI || op === Op.CSRRCI;
    const src = imm ? rs1 : this.x[rs1];
    const isWrite = op === Op.CSRRW || op === Op.CSRRWI;
    // CSRRW with rd = x0 does not read; CSRRS/C with rs1 = x0 (or uimm 0) do not write.
    const writes = isWrite || rs1 !== 0;
    if (!csrAccessible(this, num, writes)) { this.raise(Cause.IllegalInsn, w); return; }
    this.syncCounters(left + 1); // counters read exactly the instructions before this one
    let old = 0;
    if (!isWrite || rd !== 0) old = csrRead(this, num);
    if (writes) {
      const base = isWrite ? 0 : csrRead(this, num, true);
      const next = isWrite ? src : (op === Op.CSRRS || op === Op.CSRRSI) ? base | src : base & ~src;
      csrWrite(this, num, next);
      if (num === CSR.satp) this.mmu.flush();
      this.contextChanged();
    }
    this.x[rd] = old;
    this.x[0] = 0;
    this.pc = (this.pc + 4) | 0;
  }

  /** The A extension: LR/SC with a reservation on the physical address, and the AMOs. */
  private execAtomic(op: number, w: number, rd: number, rs1: number): void {
    const va = this.x[rs1];
    const rs2v = this.x[(w >>> 20) & 31];
    const isLr = op === Op.LR_W;
    if ((va & 3) !== 0) { this.raise(isLr ? Cause.LoadMisaligned : Cause.StoreMisaligned, va); return; }
    // AMOs and SC need write permission (they fault as stores); LR is a load.
    const pa = this.mmu.translate(va, isLr ? Access.Load : Access.Store);
    if (pa < 0) { this.raise(this.mmu.faultCause, va); return; }
    const bus = this.bus;
    const faultCause = isLr ? Cause.LoadAccessFault : Cause.StoreAccessFault;
    if (op === Op.SC_W) {
      const ok = this.reservation === pa;
      this.reservation = -1;
      if (ok) {
        bus.write(pa, 4, rs2v);
        this.busResult(0, faultCause, va);
        if (this.faulted) return;
      }
      this.x[rd] = ok ? 0 : 1;
    } else {
      const old = bus.read(pa, 4) | 0;
      this.busResult(0, faultCause, va);
      if (this.faulted) return;
      if (isLr) {
        this.reservation = pa;
        this.reservationVa = va;
      } else {
        bus.write(pa, 4, amo(op, old, rs2v));
        this.busResult(0, faultCause, va);
        if (this.faulted) return;
      }
      this.x[rd] = old;
    }
    this.x[0] = 0;
    this.pc = (this.pc + 4) | 0;
  }
}

/** The new memory value of an AMO. */
function amo(op: number, a: number, b: number): number {
  switch (op) {
    case Op.AMOSWAP_W: return b;
    case Op.AMOADD_W: return (a + b) | 0;
    case Op.AMOXOR_W: return a ^ b;
    case Op.AMOAND_W: return a & b;
    case Op.AMOOR_W: return a | b;
    case Op.AMOMIN_W: return a < b ? a : b;
    case Op.AMOMAX_W: return a > b ? a : b;
    case Op.AMOMINU_W: return (a >>> 0) < (b >>> 0) ? a : b;
    default: return (a >>> 0) > (b >>> 0) ? a : b; // AMOMAXU_W
  }
}
