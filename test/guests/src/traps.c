/* Traps and delegation: ecall from U/S/M, breakpoint, illegal instructions, mepc/mcause/mtval,
   mstatus stacking on trap and on mret/sret (MPRV, least-privileged MPP), TSR, medeleg/mideleg,
   interrupt enables across privilege levels. */
#include "rt.h"

/* a7 = 0: not the runtime's "back to M" request */
#define ECALL_AT(pc) asm volatile("li a7, 0\n 1: ecall\n la %0, 1b" : "=r"(pc) :: "a7", "memory")
#define ECALL() asm volatile("li a7, 0\n ecall" ::: "a7", "memory")

static volatile uint32_t r[8];

static int m_clear_swi(struct trap_frame *f) {
  if (f->cause == (MCAUSE_INT | IRQ_MSI)) {
    MMIO32(CLINT_MSIP) = 0;
    return 1;
  }
  if (f->cause == (MCAUSE_INT | IRQ_SSI)) {
    csr_clear(mip, 1u << IRQ_SSI);
    return 1;
  }
  return 0;
}

static int s_clear_ssi(struct trap_frame *f) {
  if (f->cause == (MCAUSE_INT | IRQ_SSI)) {
    csr_clear(sip, 1u << IRQ_SSI);
    return 1;
  }
  return 0;
}

static void ecalls(void) {
  uint32_t pc;
  csr_set(mstatus, MSTATUS_MIE); /* no interrupt enabled in mie: nothing can be taken */
  trap_reset();
  ECALL_AT(pc);
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("ecall from M: mcause 11", mtrap.cause, CAUSE_MACHINE_ECALL);
  check_eq("ecall from M: mepc = the ecall", mtrap.epc, pc);
  check_eq("ecall from M: mtval = 0", mtrap.tval, 0);
  check_eq("trap from M: MPP = M", (mtrap.status >> 11) & 3, PRV_M);
  check_eq("trap: MPIE = previous MIE (1)", mtrap.status & MSTATUS_MPIE, MSTATUS_MPIE);
  check_eq("trap: MIE = 0 in the handler", mtrap.status & MSTATUS_MIE, 0);

  enter_mode(PRV_S);
  trap_reset();
  ECALL_AT(pc);
  r[0] = pc;
  to_mmode();
  check_eq("ecall from S: mcause 9", mtrap.cause, CAUSE_SUPERVISOR_ECALL);
  check_eq("ecall from S: mepc = the ecall", mtrap.epc, r[0]);
  check_eq("trap from S: MPP = S", (mtrap.status >> 11) & 3, PRV_S);

  enter_mode(PRV_U);
  trap_reset();
  ECALL_AT(pc);
  r[0] = pc;
  to_mmode();
  check_eq("ecall from U: mcause 8", mtrap.cause, CAUSE_USER_ECALL);
  check_eq("ecall from U: mepc = the ecall", mtrap.epc, r[0]);
  check_eq("trap from U: MPP = U", (mtrap.status >> 11) & 3, PRV_U);
}

static void exceptions(void) {
  uint32_t pc;
  trap_reset();
  asm volatile("li a7, 0\n 1: ebreak\n la %0, 1b" : "=r"(pc) :: "a7");
  check_eq("ebreak: mcause 3", mtrap.cause, CAUSE_BREAKPOINT);
  check_eq("ebreak: mepc = the ebreak", mtrap.epc, pc);
  check("ebreak: mtval is 0 or the pc", mtrap.tval == 0 || mtrap.tval == pc);

  trap_reset();
  asm volatile("1: .4byte 0x00000000\n la %0, 1b" : "=r"(pc));
  check_eq("all-zero word: illegal instruction", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("all-zero word: mepc", mtrap.epc, pc);
  check_eq("all-zero word: mtval = 0 (0 or the bits)", mtrap.tval, 0);
  trap_reset();
  asm volatile("1: .4byte 0xffffffff\n la %0, 1b" : "=r"(pc));
  check_eq("all-ones word: illegal instruction", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  check("all-ones word: mtval is 0 or the bits", mtrap.tval == 0 || mtrap.tval == 0xffffffffu);
  trap_reset();
  asm volatile(".4byte 0x0000007f");
  check_eq("reserved opcode 0x7f: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x00001073"); /* csrrw x0, ustatus(0x000): no N extension */
  check_eq("csrrw of CSR 0 (no N extension): illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x0000a007"); /* flw f0, 0(x1): no F */
  check_eq("flw (no F): illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x02000033 | (1 << 12) | (1 << 25) | (0x3 << 25)"); /* funct7 0x03 add: reserved */
  check_eq("R-type with reserved funct7: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x4000d013 | (1 << 26)"); /* srai with imm[10]... shamt[5] set: reserved on RV32 */
  check_eq("srai with shamt[5] = 1 (RV32): illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x00002063"); /* branch funct3 2: reserved */
  check_eq("branch funct3 = 2: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x00003003"); /* ld (RV64 only) */
  check_eq("ld on RV32: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x0000202f | (0x1d << 27)"); /* AMO funct5 0x1d: reserved */
  check_eq("AMO with reserved funct5: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  trap_reset();
  asm volatile(".4byte 0x1000202f | (1 << 20)"); /* lr.w with rs2 != 0: reserved */
  check_eq("lr.w with rs2 != 0: illegal", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
}

static void access_faults(void) {
  uint32_t pc;
  /* nothing decodes 0x01000000 (between finisher and CLINT) or 0x00000000 */
  trap_reset();
  asm volatile("1: lw zero, 0(%1)\n la %0, 1b" : "=r"(pc) : "r"(0x01000000u) : "memory");
  check_eq("load from unmapped physical memory: access fault (5)", mtrap.cause, CAUSE_LOAD_ACCESS);
  check_eq("load access fault: mepc", mtrap.epc, pc);
  check_eq("load access fault: mtval = address", mtrap.tval, 0x01000000u);
  trap_reset();
  asm volatile("sw zero, 8(%0)" :: "r"(0x01000000u) : "memory");
  check_eq("store to unmapped physical memory: access fault (7)", mtrap.cause, CAUSE_STORE_ACCESS);
  check_eq("store access fault: mtval = address", mtrap.tval, 0x01000008u);
  trap_reset();
  asm volatile("amoswap.w zero, zero, (%0)" :: "r"(0x01000000u) : "memory");
  check_eq("AMO to unmapped physical memory: store/AMO access fault (7)", mtrap.cause, CAUSE_STORE_ACCESS);
  trap_reset();
  asm volatile("li a0, 0\n jalr ra, 0(%0)" :: "r"(0x01000000u) : "a0", "ra", "memory");
  check_eq("fetch from unmapped physical memory: access fault (1)", mtrap.cause, CAUSE_FETCH_ACCESS);
  check_eq("fetch access fault: mepc = mtval = the target", mtrap.epc == 0x01000000u && mtrap.tval == 0x01000000u, 1);
}

static void xret(void) {
  uint32_t st;
  /* mret to M: MIE <- MPIE, MPIE <- 1, MPP <- U (the least-privileged mode) */
  csr_write(mstatus, MSTATUS_MPIE | MSTATUS_MPP);
  asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n 1: csrr %0, mstatus" : "=r"(st) :: "t0");
  check_eq("mret: MIE = old MPIE", st & MSTATUS_MIE, MSTATUS_MIE);
  check_eq("mret: MPIE = 1", st & MSTATUS_MPIE, MSTATUS_MPIE);
  check_eq("mret: MPP = U", (st >> 11) & 3, PRV_U);
  csr_write(mstatus, 0);

  /* mret to M keeps MPRV; mret to S clears it */
  csr_write(mstatus, MSTATUS_MPP | MSTATUS_MPRV);
  asm volatile("la t0, 1f\n csrw mepc, t0\n mret\n 1: csrr %0, mstatus" : "=r"(st) :: "t0");
  check_eq("mret to M keeps MPRV", st & MSTATUS_MPRV, MSTATUS_MPRV);
  csr_write(mstatus, MSTATUS_MPRV);
  enter_mode(PRV_S);
  trap_reset();
  ECALL();
  r[0] = mtrap.status;
  to_mmode();
  check_eq("mret to S clears MPRV", r[0] & MSTATUS_MPRV, 0);

  /* sret from S to U: SIE <- SPIE, SPIE <- 1, SPP <- U; mode becomes U */
  csr_write(mstatus, MSTATUS_SPIE);
  enter_mode(PRV_S);
  asm volatile("la t0, 1f\n csrw sepc, t0\n sret\n 1:" ::: "t0");
  trap_reset();
  ECALL();
  r[0] = mtrap.cause;
  r[1] = mtrap.status;
  to_mmode();
  csr_write(mstatus, 0);
  check_eq("sret with SPP = U lands in U", r[0], CAUSE_USER_ECALL);
  check_eq("sret: SIE = old SPIE", r[1] & MSTATUS_SIE, MSTATUS_SIE);
  check_eq("sret: SPIE = 1", r[1] & MSTATUS_SPIE, MSTATUS_SPIE);
  check_eq("sret: SPP = U", r[1] & MSTATUS_SPP, 0);

  /* sret in M with SPP = S goes to S, and clears MPRV */
  csr_write(mstatus, MSTATUS_SPP | MSTATUS_MPRV);
  asm volatile("la t0, 1f\n csrw sepc, t0\n sret\n 1:" ::: "t0");
  trap_reset();
  ECALL();
  r[0] = mtrap.cause;
  r[1] = mtrap.status;
  to_mmode();
  check_eq("sret from M with SPP = S lands in S", r[0], CAUSE_SUPERVISOR_ECALL);
  check_eq("sret to S clears MPRV", r[1] & MSTATUS_MPRV, 0);
  csr_write(mstatus, 0);

  /* TSR: sret in S is illegal */
  csr_write(mstatus, MSTATUS_TSR);
  enter_mode(PRV_S);
  trap_reset();
  asm volatile("sret");
  r[0] = mtrap.cause;
  to_mmode();
  csr_write(mstatus, 0);
  check_eq("sret in S with TSR = 1: illegal", r[0], CAUSE_ILLEGAL_INSTRUCTION);
}

static void delegation(void) {
  uint32_t pc;
  set_strap_vector();
  csr_write(medeleg, (1u << CAUSE_USER_ECALL) | (1u << CAUSE_ILLEGAL_INSTRUCTION) | (1u << CAUSE_BREAKPOINT));
  csr_write(mstatus, MSTATUS_SIE);
  enter_mode(PRV_U);
  trap_reset();
  ECALL_AT(pc);
  r[0] = pc;
  to_mmode(); /* forwarded by the S handler */
  check_eq("delegated ecall from U: taken in S", strap.count, 1);
  check_eq("delegated ecall from U: not in M", mtrap.count, 0);
  check_eq("delegated ecall from U: scause 8", strap.cause, CAUSE_USER_ECALL);
  check_eq("delegated ecall from U: sepc = the ecall", strap.epc, r[0]);
  check_eq("trap to S from U: SPP = U", strap.status & MSTATUS_SPP, 0);
  check_eq("trap to S: SPIE = old SIE", strap.status & MSTATUS_SPIE, MSTATUS_SPIE);
  check_eq("trap to S: SIE = 0", strap.status & MSTATUS_SIE, 0);

  enter_mode(PRV_U);
  trap_reset();
  asm volatile("1: .4byte 0\n la %0, 1b" : "=r"(pc));
  r[0] = pc;
  to_mmode();
  check_eq("delegated illegal from U: scause 2", strap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("delegated illegal from U: sepc", strap.epc, r[0]);
  check_eq("delegated illegal from U: stval = 0", strap.tval, 0);

  enter_mode(PRV_S);
  trap_reset();
  asm volatile("li a7, 0\n ebreak" ::: "a7");
  ECALL(); /* ecall from S is not delegated */
  r[0] = strap.cause;
  r[1] = strap.status;
  r[2] = mtrap.cause;
  to_mmode();
  check_eq("delegated ebreak from S: scause 3", r[0], CAUSE_BREAKPOINT);
  check_eq("trap to S from S: SPP = S", r[1] & MSTATUS_SPP, MSTATUS_SPP);
  check_eq("undelegated ecall from S goes to M", r[2], CAUSE_SUPERVISOR_ECALL);

  /* ecall from S delegated to S itself */
  csr_write(medeleg, 1u << CAUSE_SUPERVISOR_ECALL);
  enter_mode(PRV_S);
  trap_reset();
  ECALL_AT(pc);
  r[0] = pc;
  r[1] = strap.cause;
  r[2] = strap.epc;
  r[3] = mtrap.count;
  /* to_mmode() would be delegated too: go back with the runtime's ebreak form */
  asm volatile("li a7, %0\n ebreak" :: "i"(ECALL_MAGIC) : "a7", "memory");
  check_eq("delegated ecall from S: scause 9", r[1], CAUSE_SUPERVISOR_ECALL);
  check_eq("delegated ecall from S: sepc = the ecall", r[2], r[0]);
  check_eq("delegated ecall from S: not in M", r[3], 0);
  csr_write(medeleg, (1u << CAUSE_USER_ECALL) | (1u << CAUSE_ILLEGAL_INSTRUCTION) | (1u << CAUSE_BREAKPOINT));

  trap_reset();
  asm volatile(".4byte 0");
  check_eq("exceptions in M are never delegated", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("exceptions in M are never delegated (S untouched)", strap.count, 0);
  csr_write(medeleg, 0);

  /* delegated supervisor software interrupt, raised by S itself through sip */
  strap_hook = s_clear_ssi;
  csr_write(mideleg, 1u << IRQ_SSI);
  csr_write(mie, 1u << IRQ_SSI);
  csr_write(mstatus, MSTATUS_SIE);
  enter_mode(PRV_S);
  trap_reset();
  csr_set(sip, 1u << IRQ_SSI);
  for (int i = 0; i < 100 && strap.count == 0; i++) {
  }
  r[0] = strap.cause;
  r[1] = mtrap.count;
  r[2] = strap.status;
  to_mmode();
  check_eq("delegated SSI taken in S: scause", r[0], MCAUSE_INT | IRQ_SSI);
  check_eq("delegated SSI not taken in M", r[1], 0);
  check_eq("interrupt in S: SPP = S", r[2] & MSTATUS_SPP, MSTATUS_SPP);

  /* in U, S-level interrupts are enabled whatever SIE says */
  csr_write(mstatus, 0);
  csr_set(mip, 1u << IRQ_SSI);
  trap_reset();
  enter_mode(PRV_U);
  for (int i = 0; i < 100 && strap.count == 0; i++) {
  }
  r[0] = strap.cause;
  r[1] = strap.status;
  to_mmode();
  check_eq("pending delegated SSI taken in U with SIE = 0", r[0], MCAUSE_INT | IRQ_SSI);
  check_eq("interrupt in U: SPP = U", r[1] & MSTATUS_SPP, 0);

  /* in S with SIE = 0 it stays pending */
  csr_set(mip, 1u << IRQ_SSI);
  enter_mode(PRV_S);
  trap_reset();
  for (int i = 0; i < 100 && strap.count == 0; i++) {
  }
  r[0] = strap.count;
  r[1] = csr_read(sip);
  csr_clear(sip, 1u << IRQ_SSI);
  to_mmode();
  check_eq("delegated SSI in S with SIE = 0: not taken", r[0], 0);
  check_eq("delegated SSI in S with SIE = 0: pending in sip", r[1] & (1u << IRQ_SSI), 1u << IRQ_SSI);
  strap_hook = 0;

  /* undelegated SSI goes to M even from S with SIE = 1 */
  mtrap_hook = m_clear_swi;
  csr_write(mideleg, 0);
  csr_write(mstatus, MSTATUS_SIE);
  csr_set(mip, 1u << IRQ_SSI);
  trap_reset();
  enter_mode(PRV_S);
  for (int i = 0; i < 100 && mtrap.count == 0; i++) {
  }
  r[0] = mtrap.cause;
  r[1] = strap.count;
  to_mmode();
  check_eq("undelegated SSI from S goes to M", r[0], MCAUSE_INT | IRQ_SSI);
  check_eq("undelegated SSI not taken in S", r[1], 0);

  /* M-level interrupts are always enabled below M, whatever mstatus.MIE says */
  csr_write(mstatus, 0);
  csr_write(mie, 1u << IRQ_MSI);
  enter_mode(PRV_S);
  trap_reset();
  MMIO32(CLINT_MSIP) = 1;
  for (int i = 0; i < 100 && mtrap.count == 0; i++) {
  }
  r[0] = mtrap.cause;
  r[1] = mtrap.status;
  to_mmode();
  check_eq("MSI taken in S with mstatus.MIE = 0", r[0], MCAUSE_INT | IRQ_MSI);
  check_eq("MSI from S: MPP = S", (r[1] >> 11) & 3, PRV_S);
  /* and in M they need MIE */
  trap_reset();
  MMIO32(CLINT_MSIP) = 1;
  for (int i = 0; i < 100; i++) {
  }
  r[0] = mtrap.count;
  r[1] = csr_read(mip) & (1u << IRQ_MSI);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < 100 && mtrap.count == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("MSI in M with MIE = 0: not taken", r[0], 0);
  check_eq("MSI in M with MIE = 0: pending in mip", r[1], 1u << IRQ_MSI);
  check_eq("MSI in M taken once MIE = 1", mtrap.cause, MCAUSE_INT | IRQ_MSI);
  csr_write(mie, 0);
  mtrap_hook = 0;
}

int main(void) {
  puts("traps: exceptions, xRET and delegation\n");
  ecalls();
  exceptions();
  access_faults();
  xret();
  delegation();
  return failures();
}
