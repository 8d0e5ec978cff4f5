/* CSRs: misa and ids, mstatus/sstatus views, WARL fields, mtvec direct and vectored, mie/mip/sie
   views, delegation registers, counters (instret exactness, writes, counteren), time, mscratch,
   mepc alignment, and illegal CSR accesses (missing, read-only, privilege, TVM). */
#include "rt.h"

#define SENT 0x5a5a5a5au

/* Run `insn` (which writes t0), report whether it trapped with illegal instruction, that t0 was
   left alone, and that mtval is 0 or the instruction bits. */
#define EXPECT_ILLEGAL(name, insn) EXPECT_ILLEGAL2(name, "", insn)
#define EXPECT_ILLEGAL2(name, pre, insn) do { \
  uint32_t t0v, pc; trap_reset(); \
  asm volatile("li t0, %2\n " pre "\n 1: " insn "\n mv %0, t0\n la %1, 1b" : "=r"(t0v), "=r"(pc) : "i"(SENT) : "t0", "t1", "memory"); \
  check_eq(name ": illegal instruction", mtrap.cause, CAUSE_ILLEGAL_INSTRUCTION); \
  check_eq(name ": mepc", mtrap.epc, pc); \
  check_eq(name ": rd not written", t0v, SENT); \
  check(name ": mtval is 0 or the instruction", mtrap.tval == 0 || mtrap.tval == *(volatile uint32_t *)pc); \
} while (0)

#define EXPECT_OK(name, insn) do { \
  trap_reset(); \
  asm volatile(insn ::: "t0", "t1", "memory"); \
  check_eq(name ": no trap", mtrap.count, 0); \
} while (0)

/* ---- mtvec vectored mode ---- */
volatile uint32_t vec_msi_hits, vec_wrong_hits;
void vec_table(void);
asm(
  "  .text\n"
  "  .balign 256\n"
  "vec_table:\n"
  "  j mtrap_entry\n"          /* 0: exceptions */
  "  j vec_wrong\n"            /* 1 */
  "  j vec_wrong\n"            /* 2 */
  "  j vec_msi\n"              /* 3: machine software interrupt */
  "  j vec_wrong\n  j vec_wrong\n  j vec_wrong\n  j vec_wrong\n" /* 4-7 */
  "  j vec_wrong\n  j vec_wrong\n  j vec_wrong\n  j vec_wrong\n" /* 8-11 */
  "vec_msi:\n"
  "  csrrw sp, mscratch, sp\n"
  "  addi sp, sp, -16\n"
  "  sw t0, 0(sp)\n"
  "  sw t1, 4(sp)\n"
  "  li t0, 0x02000000\n"
  "  sw zero, 0(t0)\n"         /* clear msip */
  "  la t0, vec_msi_hits\n"
  "  lw t1, 0(t0)\n"
  "  addi t1, t1, 1\n"
  "  sw t1, 0(t0)\n"
  "  lw t0, 0(sp)\n"
  "  lw t1, 4(sp)\n"
  "  addi sp, sp, 16\n"
  "  csrrw sp, mscratch, sp\n"
  "  mret\n"
  "vec_wrong:\n"
  "  csrrw sp, mscratch, sp\n"
  "  addi sp, sp, -16\n"
  "  sw t0, 0(sp)\n"
  "  sw t1, 4(sp)\n"
  "  csrw mie, zero\n"         /* whatever it was, stop it */
  "  la t0, vec_wrong_hits\n"
  "  lw t1, 0(t0)\n"
  "  addi t1, t1, 1\n"
  "  sw t1, 0(t0)\n"
  "  lw t0, 0(sp)\n"
  "  lw t1, 4(sp)\n"
  "  addi sp, sp, 16\n"
  "  csrrw sp, mscratch, sp\n"
  "  mret\n");

/* ---- stvec vectored mode: SSI (cause 1) at base + 4 ---- */
volatile uint32_t svec_ssi_hits, svec_wrong_hits;
void svec_table(void);
asm(
  "  .text\n"
  "  .balign 256\n"
  "svec_table:\n"
  "  j strap_entry\n"         /* 0: exceptions */
  "  j svec_ssi\n"            /* 1: supervisor software interrupt */
  "  j svec_wrong\n  j svec_wrong\n  j svec_wrong\n  j svec_wrong\n" /* 2-5 */
  "  j svec_wrong\n  j svec_wrong\n  j svec_wrong\n  j svec_wrong\n" /* 6-9 */
  "svec_ssi:\n"
  "  csrrw sp, sscratch, sp\n"
  "  addi sp, sp, -16\n"
  "  sw t0, 0(sp)\n"
  "  sw t1, 4(sp)\n"
  "  csrci sip, 2\n"
  "  la t0, svec_ssi_hits\n"
  "  lw t1, 0(t0)\n"
  "  addi t1, t1, 1\n"
  "  sw t1, 0(t0)\n"
  "  lw t0, 0(sp)\n"
  "  lw t1, 4(sp)\n"
  "  addi sp, sp, 16\n"
  "  csrrw sp, sscratch, sp\n"
  "  sret\n"
  "svec_wrong:\n"
  "  csrrw sp, sscratch, sp\n"
  "  addi sp, sp, -16\n"
  "  sw t0, 0(sp)\n"
  "  sw t1, 4(sp)\n"
  "  csrw sie, zero\n"
  "  la t0, svec_wrong_hits\n"
  "  lw t1, 0(t0)\n"
  "  addi t1, t1, 1\n"
  "  sw t1, 0(t0)\n"
  "  lw t0, 0(sp)\n"
  "  lw t1, 4(sp)\n"
  "  addi sp, sp, 16\n"
  "  csrrw sp, sscratch, sp\n"
  "  sret\n");

static void s_vectored(void) {
  set_strap_vector();
  csr_write(stvec, (uint32_t)svec_table | 1);
  csr_write(mideleg, 1u << IRQ_SSI);
  csr_write(mie, 1u << IRQ_SSI);
  csr_write(mstatus, MSTATUS_SIE);
  svec_ssi_hits = svec_wrong_hits = 0;
  volatile uint32_t hits, wrong;
  enter_mode(PRV_S);
  csr_set(sip, 1u << IRQ_SSI);
  for (int i = 0; i < 10000 && svec_ssi_hits == 0; i++) {
  }
  hits = svec_ssi_hits;
  wrong = svec_wrong_hits;
  to_mmode();
  csr_write(mstatus, 0);
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  check_eq("vectored stvec: SSI taken at base + 4*1", hits, 1);
  check_eq("vectored stvec: no other vector taken", wrong, 0);
  check_eq("vectored stvec: scause = SSI", csr_read(scause), MCAUSE_INT | IRQ_SSI);
  set_strap_vector();
}

static void ids(void) {
  check_eq("misa = RV32 AIMSU", csr_read(misa), 0x40141101u);
  check_eq("mhartid = 0", csr_read(mhartid), 0);
  EXPECT_OK("read mvendorid/marchid/mimpid", "csrr t0, mvendorid\n csrr t0, marchid\n csrr t0, mimpid");
}

static void status_views(void) {
  const uint32_t SMASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;
  /* FS, VS (optional with S and no F/V) and SD are left out of the comparisons. */
  const uint32_t IGN = (3u << 13) | (3u << 9) | 0x80000000u;
  uint32_t saved = csr_read(mstatus);
  csr_write(mie, 0);
  csr_clear(mstatus, 0xffffffffu);
  csr_write(sstatus, 0xffffffffu);
  check_eq("sstatus all-ones write sets only S fields", csr_read(sstatus) & ~IGN, SMASK);
  check_eq("mstatus sees the sstatus write", csr_read(mstatus) & ~IGN, SMASK);
  csr_write(sstatus, 0);
  check_eq("sstatus zero write clears them", csr_read(mstatus) & ~IGN, 0);
  csr_write(mstatus, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
  check_eq("sstatus hides M fields", csr_read(sstatus) & ~IGN, 0);
  check_eq("mstatus MIE/MPIE/MPP/MPRV/TVM/TW/TSR writable", csr_read(mstatus) & ~IGN,
           MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
  csr_write(sstatus, 0xffffffffu);
  check_eq("sstatus write leaves M fields", csr_read(mstatus) & ~IGN,
           SMASK | MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR);
  csr_write(sstatus, 0);
  csr_write(mstatus, 0);
  csr_set(mstatus, 1u << 6);
  check_eq("mstatus UBE reads 0 (little-endian only)", csr_read(mstatus) & (1u << 6), 0);
  check_eq("mstatush reads 0 (MBE = SBE = 0)", csr_read(mstatush), 0);
  csr_write(mstatus, 2u << 11);
  check("mstatus MPP = 2 (reserved) is not kept", ((csr_read(mstatus) >> 11) & 3) != 2);
  csr_write(mstatus, 1u << 11);
  check_eq("mstatus MPP = S is kept", (csr_read(mstatus) >> 11) & 3, 1);
  csr_write(mstatus, 0);
  check_eq("mstatus MPP = U is kept", (csr_read(mstatus) >> 11) & 3, 0);
  csr_write(mstatus, saved);
}

static void trap_csrs(void) {
  uint32_t saved = csr_read(mscratch);
  csr_write(mscratch, 0xcafebabeu);
  uint32_t v = csr_swap(mscratch, 0x12345678u);
  check_eq("mscratch holds a value", v, 0xcafebabeu);
  check_eq("mscratch csrrw swaps", csr_read(mscratch), 0x12345678u);
  csr_write(mscratch, saved);
  csr_write(sscratch, 0x55aa55aau);
  check_eq("sscratch holds a value", csr_read(sscratch), 0x55aa55aau);

  csr_write(mepc, 0x80001003u);
  check_eq("mepc[1:0] read 0 (IALIGN = 32)", csr_read(mepc), 0x80001000u);
  csr_write(sepc, 0x80002002u);
  check_eq("sepc[1:0] read 0 (IALIGN = 32)", csr_read(sepc), 0x80002000u);
  csr_write(mtval, 0xdeadbeefu);
  check_eq("mtval is writable", csr_read(mtval), 0xdeadbeefu);
  csr_write(stval, 0xfeedf00du);
  check_eq("stval is writable", csr_read(stval), 0xfeedf00du);
  csr_write(mcause, 0x80000007u);
  check_eq("mcause holds an interrupt cause", csr_read(mcause), 0x80000007u);
  csr_write(mcause, 2);
  check_eq("mcause holds an exception cause", csr_read(mcause), 2);
  csr_write(scause, 0x80000005u);
  check_eq("scause holds an interrupt cause", csr_read(scause), 0x80000005u);

  uint32_t tv = csr_read(mtvec);
  csr_write(mtvec, 0x80004000u);
  check_eq("mtvec direct", csr_read(mtvec), 0x80004000u);
  csr_write(mtvec, 0x80004001u);
  check_eq("mtvec vectored", csr_read(mtvec), 0x80004001u);
  csr_write(mtvec, 0x80004002u);
  check("mtvec mode 2 (reserved) is not kept", (csr_read(mtvec) & 3) != 2);
  csr_write(mtvec, tv);
  csr_write(stvec, 0x80005000u);
  check_eq("stvec direct", csr_read(stvec), 0x80005000u);
  csr_write(stvec, 0x80005001u);
  check_eq("stvec vectored", csr_read(stvec), 0x80005001u);

  csr_write(satp, 0x80000000u | 0x80123u);
  check_eq("satp Sv32 mode and PPN", csr_read(satp), 0x80080123u);
  csr_write(satp, 0);
  check_eq("satp bare", csr_read(satp), 0);
}

static void interrupt_csrs(void) {
  csr_write(mie, 0xffffffffu);
  check_eq("mie writable bits = SSIE|MSIE|STIE|MTIE|SEIE|MEIE", csr_read(mie), 0xaaa);
  csr_write(mideleg, 0xffffffffu);
  check_eq("mideleg writable bits = SSI|STI|SEI", csr_read(mideleg), 0x222);
  check_eq("sie = mie & mideleg", csr_read(sie), 0x222);
  csr_write(sie, 0);
  check_eq("sie write clears the delegated mie bits", csr_read(mie), 0x888);
  csr_write(mideleg, 0);
  csr_write(mie, 0xaaa);
  check_eq("sie reads 0 when nothing is delegated", csr_read(sie), 0);
  csr_write(mie, 0);

  csr_write(mip, 0xffffffffu);
  check_eq("mip: M writes SSIP|STIP|SEIP", csr_read(mip) & ~(1u << IRQ_MTI), 0x222);
  csr_write(mideleg, 0x222);
  check_eq("sip shows delegated pending bits", csr_read(sip), 0x222);
  csr_write(sip, 0);
  check_eq("sip write clears only SSIP", csr_read(mip) & ~(1u << IRQ_MTI), 0x220);
  csr_write(mip, 0);
  check_eq("mip cleared", csr_read(mip) & ~(1u << IRQ_MTI), 0);
  csr_write(mideleg, 0);

  csr_write(medeleg, 0xffffffffu);
  uint32_t md = csr_read(medeleg);
  check_eq("medeleg[11] (ecall from M) reads 0", md & (1u << 11), 0);
  check_eq("medeleg delegates ecall-U, breakpoint, illegal, page faults", md & 0xb10c, 0xb10c);
  csr_write(medeleg, 0);
  check_eq("medeleg cleared", csr_read(medeleg), 0);
}

static void vectored(void) {
  uint32_t tv = csr_read(mtvec);
  vec_msi_hits = vec_wrong_hits = 0;
  csr_write(mtvec, (uint32_t)vec_table | 1);
  csr_write(mie, 1u << IRQ_MSI);
  csr_set(mstatus, MSTATUS_MIE);
  MMIO32(CLINT_MSIP) = 1;
  for (int i = 0; i < 10000 && vec_msi_hits == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  csr_write(mie, 0);
  check_eq("vectored mtvec: MSI taken at base + 4*3", vec_msi_hits, 1);
  check_eq("vectored mtvec: no other vector taken", vec_wrong_hits, 0);
  check_eq("vectored mtvec: mcause = MSI", csr_read(mcause), MCAUSE_INT | IRQ_MSI);
  trap_reset();
  asm volatile("li a7, 0\n ecall" ::: "a7", "memory");
  check_eq("vectored mtvec: exceptions go to base", mtrap.cause, CAUSE_MACHINE_ECALL);
  csr_write(mtvec, tv);
}

/* A bare trap vector: t1 = minstret at the first handler instruction; resume after the trap. */
void retire_vec(void);
asm(
  "  .text\n"
  "  .balign 4\n"
  "retire_vec:\n"
  "  csrr t1, minstret\n"
  "  csrr t2, mepc\n"
  "  addi t2, t2, 4\n"
  "  csrw mepc, t2\n"
  "  mret\n");

/* minstret delta from `csrr t0, minstret` (retires) over `insn` (traps) to the handler's read */
#define TRAP_RETIRE(insn) ({ uint32_t d; \
  asm volatile("csrr t0, minstret\n " insn "\n sub %0, t1, t0" : "=r"(d) :: "t0", "t1", "t2", "a7", "memory"); d; })

static void not_retired(void) {
  uint32_t tv = csr_read(mtvec);
  csr_write(mtvec, (uint32_t)retire_vec);
  uint32_t e = TRAP_RETIRE("li a7, 0\n ecall");
  uint32_t b = TRAP_RETIRE("ebreak");
  uint32_t i = TRAP_RETIRE(".4byte 0");
  uint32_t l = TRAP_RETIRE("lw t2, 0(zero)");
  csr_write(mtvec, tv);
  check_eq("ecall does not retire (minstret +2: csrr, li)", e, 2);
  check_eq("ebreak does not retire (minstret +1: csrr)", b, 1);
  check_eq("illegal instruction does not retire", i, 1);
  check_eq("faulting load does not retire", l, 1);
}

static void counters(void) {
  uint32_t a, b;
  asm volatile("csrr %0, minstret\n nop\n nop\n csrr %1, minstret" : "=r"(a), "=r"(b));
  check_eq("minstret delta == 3 (csrr, nop, nop)", b - a, 3);
  asm volatile("csrr %0, instret\n add x0, x0, x0\n csrr %1, instret" : "=r"(a), "=r"(b));
  check_eq("instret delta == 2", b - a, 2);
  asm volatile("csrr %0, instret\n csrr %1, minstret" : "=r"(a), "=r"(b));
  check_eq("instret shadows minstret", b - a, 1);
  asm volatile("csrr %0, mcycle\n nop\n nop\n nop\n csrr %1, mcycle" : "=r"(a), "=r"(b));
  check("mcycle advances", b - a >= 1);
  asm volatile("csrr %0, cycle\n csrr %1, mcycle" : "=r"(a), "=r"(b));
  check("cycle shadows mcycle", b - a < 1000);
  /* A write to minstret replaces that instruction's increment: the next read sees the value. */
  asm volatile("li t0, 1000\n csrw minstret, t0\n csrr %0, minstret" : "=r"(a) :: "t0");
  check_eq("csrw minstret then csrr reads the written value", a, 1000);
  asm volatile("li t0, 1000\n csrw minstret, t0\n nop\n csrr %0, minstret" : "=r"(a) :: "t0");
  check_eq("csrw minstret, nop, csrr reads value + 1", a, 1001);
  asm volatile("li t0, -2\n csrw minstreth, zero\n csrw minstret, t0\n nop\n nop\n nop\n csrr %0, minstreth\n csrr %1, minstret"
               : "=r"(a), "=r"(b) :: "t0");
  check_eq("minstret carries into minstreth", a, 1);
  check("minstret wrapped", b < 10);
  csr_write(mcycle, 0);
  b = csr_read(mcycleh);
  check_eq("mcycle is writable (mcycleh unchanged by low write)", b, csr_read(mcycleh));
  check_eq("mhpmcounter3 reads 0", csr_read(mhpmcounter3), 0);
  check_eq("hpmcounter3 reads 0", csr_read(hpmcounter3), 0);

  /* time: a read-only shadow of the CLINT's mtime */
  uint32_t t0 = mtime_lo();
  uint32_t t = csr_read(time);
  uint32_t t1 = mtime_lo();
  check("time is between two mtime reads", t0 <= t && t <= t1);
  EXPECT_ILLEGAL("csrw time", "csrw time, zero");
  EXPECT_ILLEGAL("csrw cycle", "csrw cycle, zero");
  EXPECT_ILLEGAL("csrw instret (read-only shadow)", "csrrs t0, instret, t0");

  /* counter-enable: U and S reads depend on mcounteren/scounteren */
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
  volatile uint32_t s_cyc = 0, u_cyc = 0;
  enter_mode(PRV_S);
  trap_reset();
  asm volatile("rdcycle t0" ::: "t0");
  s_cyc = mtrap.cause;
  to_mmode();
  check_eq("S rdcycle with mcounteren.CY = 0: illegal", s_cyc, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(mcounteren, 7);
  check_eq("mcounteren CY|TM|IR writable", csr_read(mcounteren) & 7, 7);
  enter_mode(PRV_S);
  trap_reset();
  asm volatile("rdcycle t0\n rdtime t0\n rdinstret t0" ::: "t0");
  s_cyc = mtrap.count;
  to_mmode();
  check_eq("S rdcycle/rdtime/rdinstret with mcounteren = 7: no trap", s_cyc, 0);
  enter_mode(PRV_U);
  trap_reset();
  asm volatile("rdinstret t0" ::: "t0");
  u_cyc = mtrap.cause;
  to_mmode();
  check_eq("U rdinstret with scounteren.IR = 0: illegal", u_cyc, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(scounteren, 7);
  check_eq("scounteren CY|TM|IR writable", csr_read(scounteren) & 7, 7);
  enter_mode(PRV_U);
  trap_reset();
  asm volatile("rdcycle t0\n rdtime t0\n rdinstret t0" ::: "t0");
  u_cyc = mtrap.count;
  to_mmode();
  check_eq("U counters with both counteren = 7: no trap", u_cyc, 0);
  csr_write(mcounteren, 7 & ~4u);
  enter_mode(PRV_U);
  trap_reset();
  asm volatile("rdinstret t0" ::: "t0");
  u_cyc = mtrap.cause;
  to_mmode();
  check_eq("U rdinstret with mcounteren.IR = 0: illegal", u_cyc, CAUSE_ILLEGAL_INSTRUCTION);
  csr_write(mcounteren, 0);
  csr_write(scounteren, 0);
}

static void illegal(void) {
  EXPECT_ILLEGAL("csrr fcsr (no F)", "csrr t0, fcsr");
  EXPECT_ILLEGAL("csrr 0x7c0 (unimplemented custom)", "csrr t0, 0x7c0");
  EXPECT_ILLEGAL("csrr 0x3ff (unallocated)", "csrr t0, 0x3ff");
  EXPECT_ILLEGAL("csrw mvendorid (read-only)", "csrw mvendorid, zero");
  EXPECT_ILLEGAL("csrrwi mhartid, 0 (read-only, always writes)", "csrrwi t0, mhartid, 0");
  EXPECT_ILLEGAL2("csrrs mhartid with rs1 != x0", "li t1, 1", "csrrs t0, mhartid, t1");
  EXPECT_ILLEGAL("csrrsi mhartid with uimm != 0", "csrrsi t0, mhartid, 1");
  EXPECT_OK("csrrs mhartid with rs1 = x0 only reads", "csrrs t0, mhartid, x0\n csrrsi t0, mimpid, 0\n csrrc t0, marchid, x0");

  /* from S */
  volatile uint32_t r[8];
  enter_mode(PRV_S);
  trap_reset(); asm volatile("li t0, 0\n csrr t0, mstatus" ::: "t0"); r[0] = mtrap.cause;
  trap_reset(); asm volatile("csrw mscratch, zero"); r[1] = mtrap.cause;
  trap_reset(); asm volatile("csrr t0, sstatus\n csrr t0, sscratch\n csrr t0, satp" ::: "t0"); r[2] = mtrap.count;
  trap_reset(); asm volatile("mret"); r[3] = mtrap.cause;
  to_mmode();
  check_eq("S reads mstatus: illegal", r[0], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("S writes mscratch: illegal", r[1], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("S reads sstatus/sscratch/satp: no trap", r[2], 0);
  check_eq("S executes mret: illegal", r[3], CAUSE_ILLEGAL_INSTRUCTION);

  csr_set(mstatus, MSTATUS_TVM);
  enter_mode(PRV_S);
  trap_reset(); asm volatile("csrr t0, satp" ::: "t0"); r[0] = mtrap.cause;
  trap_reset(); asm volatile("sfence.vma"); r[1] = mtrap.cause;
  to_mmode();
  csr_clear(mstatus, MSTATUS_TVM);
  check_eq("S reads satp with TVM = 1: illegal", r[0], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("S sfence.vma with TVM = 1: illegal", r[1], CAUSE_ILLEGAL_INSTRUCTION);
  enter_mode(PRV_S);
  trap_reset(); asm volatile("sfence.vma\n sfence.vma zero, zero"); r[0] = mtrap.count;
  to_mmode();
  check_eq("S sfence.vma with TVM = 0: no trap", r[0], 0);

  /* from U */
  enter_mode(PRV_U);
  trap_reset(); asm volatile("csrr t0, sstatus" ::: "t0"); r[0] = mtrap.cause;
  trap_reset(); asm volatile("csrr t0, satp" ::: "t0"); r[1] = mtrap.cause;
  trap_reset(); asm volatile("csrr t0, mhartid" ::: "t0"); r[2] = mtrap.cause;
  trap_reset(); asm volatile("sret"); r[3] = mtrap.cause;
  trap_reset(); asm volatile("sfence.vma"); r[4] = mtrap.cause;
  to_mmode();
  check_eq("U reads sstatus: illegal", r[0], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("U reads satp: illegal", r[1], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("U reads mhartid: illegal", r[2], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("U executes sret: illegal", r[3], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("U executes sfence.vma: illegal", r[4], CAUSE_ILLEGAL_INSTRUCTION);
}

int main(void) {
  puts("csr: control and status registers\n");
  ids();
  status_views();
  trap_csrs();
  interrupt_csrs();
  vectored();
  s_vectored();
  counters();
  not_retired();
  illegal();
  return failures();
}
