/* WFI: wakes on a locally enabled pending interrupt even with MIE = 0 (no trap), takes the trap
   with mepc after the WFI when enabled, wakes for a delegated interrupt, TW, and WFI below M
   with nothing that could ever wake it (illegal instruction). */
#include "rt.h"

static volatile uint32_t ticks;
static volatile uint32_t r[4];

static int m_hook(struct trap_frame *f) {
  if (f->cause == (MCAUSE_INT | IRQ_MTI)) {
    ticks++;
    set_mtimecmp(~0ull);
    return 1;
  }
  return 0;
}

int main(void) {
  puts("wfi: wait for interrupt\n");
  mtrap_hook = m_hook;

  /* MIE = 0, MTIE = 1: WFI returns once the timer is pending; no trap */
  trap_reset();
  csr_write(mie, 1u << IRQ_MTI);
  set_mtimecmp(mtime64() + 50);
  asm volatile("wfi");
  int pending = 0;
  for (int i = 0; i < 1000000 && !pending; i++) pending = (csr_read(mip) >> IRQ_MTI) & 1;
  check("after wfi with MIE = 0: MTIP pending", pending);
  check_eq("after wfi with MIE = 0: no trap", mtrap.count, 0);
  set_mtimecmp(~0ull);

  /* MIE = 1: the interrupt is taken, mepc = the instruction after the WFI */
  uint32_t after;
  trap_reset();
  set_mtimecmp(mtime64() + 50);
  asm volatile("csrs mstatus, %1\n wfi\n 1: csrc mstatus, %1\n la %0, 1b" : "=r"(after) : "r"(MSTATUS_MIE) : "memory");
  for (int i = 0; i < 1000000 && ticks == 0; i++) {
  }
  check_eq("wfi with MIE = 1: timer taken once", ticks, 1);
  check_eq("wfi with MIE = 1: mcause", mtrap.cause, MCAUSE_INT | IRQ_MTI);
  check_eq("wfi with MIE = 1: mepc = pc of wfi + 4", mtrap.epc, after);
  csr_write(mie, 0);

  /* a delegated, locally enabled pending interrupt wakes WFI in M (mideleg does not matter) */
  csr_write(mideleg, 1u << IRQ_STI);
  csr_write(mie, 1u << IRQ_STI);
  csr_set(mip, 1u << IRQ_STI);
  trap_reset();
  asm volatile("wfi");
  check_eq("wfi in M wakes for a pending delegated STI", mtrap.count, 0);
  csr_clear(mip, 1u << IRQ_STI);
  csr_write(mie, 0);
  csr_write(mideleg, 0);

  /* WFI in S with TW = 0: waits for the (M) timer, which is taken in M */
  ticks = 0;
  csr_write(mie, 1u << IRQ_MTI);
  set_mtimecmp(mtime64() + 50);
  trap_reset();
  enter_mode(PRV_S);
  asm volatile("wfi");
  for (int i = 0; i < 1000000 && ticks == 0; i++) {
  }
  r[0] = ticks;
  r[1] = mtrap.cause;
  to_mmode();
  check_eq("wfi in S, TW = 0: timer taken in M", r[0], 1);
  check_eq("wfi in S, TW = 0: mcause", r[1], MCAUSE_INT | IRQ_MTI);
  csr_write(mie, 0);

  /* nothing can wake the hart: with TW = 1, WFI in S must raise illegal instruction */
  csr_write(mstatus, MSTATUS_TW);
  trap_reset();
  enter_mode(PRV_S);
  asm volatile("1: wfi\n la %0, 1b" : "=r"(after));
  r[0] = mtrap.cause;
  r[1] = mtrap.epc;
  r[2] = after;
  to_mmode();
  csr_write(mstatus, 0);
  check_eq("wfi in S with TW = 1: illegal instruction", r[0], CAUSE_ILLEGAL_INSTRUCTION);
  check_eq("wfi in S with TW = 1: mepc = the wfi", r[1], r[2]);

  /* with S-mode present, WFI in U that can never complete is illegal (TW = 0) */
  trap_reset();
  enter_mode(PRV_U);
  asm volatile("wfi");
  r[0] = mtrap.cause;
  to_mmode();
  check_eq("wfi in U with nothing to wake it: illegal instruction", r[0], CAUSE_ILLEGAL_INSTRUCTION);
  return failures();
}
