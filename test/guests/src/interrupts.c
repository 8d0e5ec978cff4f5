/* Interrupts: CLINT timer (MTIP from mtimecmp), software interrupt (MSIP), PLIC + UART THRE
   interrupt in M and S contexts (claim/complete, threshold), and the S-mode timer delegated as
   STIP set by M (the SBI pattern). Output never depends on how fast time runs. */
#include "rt.h"

#define PLIC_PRIORITY(n) (PLIC_BASE + 4 * (n))
#define PLIC_PENDING (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx) (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define UART_IRQ 10
#define UART_IER (UART_BASE + 1)
#define UART_IIR (UART_BASE + 2)
#define SBI_CLEAR_STIP 0x54494d45u
#define SPIN 1000000

static volatile uint32_t m_tick, m_soft, m_ext, s_tick, s_ext, claimed, iir, claimed_again;
static volatile uint32_t order[4], norder;

static int m_hook(struct trap_frame *f) {
  if ((f->cause & MCAUSE_INT) && norder < 4) order[norder++] = f->cause & 0xff;
  switch (f->cause) {
    case MCAUSE_INT | IRQ_SSI:
      csr_clear(mip, 1u << IRQ_SSI);
      return 1;
    case MCAUSE_INT | IRQ_MTI:
      m_tick++;
      set_mtimecmp(~0ull);
      if (csr_read(mideleg) & (1u << IRQ_STI)) csr_set(mip, 1u << IRQ_STI); /* hand it to S */
      return 1;
    case MCAUSE_INT | IRQ_MSI:
      m_soft++;
      MMIO32(CLINT_MSIP) = 0;
      return 1;
    case MCAUSE_INT | IRQ_MEI:
      m_ext++;
      claimed = MMIO32(PLIC_CLAIM(0));
      iir = MMIO8(UART_IIR) & 0x0f;
      MMIO8(UART_IER) = 0;
      MMIO32(PLIC_CLAIM(0)) = claimed;
      claimed_again = MMIO32(PLIC_CLAIM(0));
      return 1;
    case CAUSE_SUPERVISOR_ECALL:
      if (f->r[17] == SBI_CLEAR_STIP) {
        csr_clear(mip, 1u << IRQ_STI);
        f->epc += 4;
        return 1;
      }
      return 0;
    default:
      return 0;
  }
}

static int s_hook(struct trap_frame *f) {
  switch (f->cause) {
    case MCAUSE_INT | IRQ_STI:
      s_tick++;
      asm volatile("mv a7, %0\n ecall" :: "r"(SBI_CLEAR_STIP) : "a7", "memory");
      return 1;
    case MCAUSE_INT | IRQ_SEI:
      s_ext++;
      claimed = MMIO32(PLIC_CLAIM(1));
      iir = MMIO8(UART_IIR) & 0x0f;
      MMIO8(UART_IER) = 0;
      MMIO32(PLIC_CLAIM(1)) = claimed;
      return 1;
    default:
      return 0;
  }
}

static void timer(void) {
  uint64_t t0 = mtime64();
  for (volatile int i = 0; i < 1000; i++) {
  }
  check("mtime advances", mtime64() > t0);

  /* MTIP follows mtime >= mtimecmp, whatever mie/mstatus say */
  set_mtimecmp(mtime64());
  int seen = 0;
  for (int i = 0; i < SPIN && !seen; i++) seen = (csr_read(mip) >> IRQ_MTI) & 1;
  check("mip.MTIP set once mtime >= mtimecmp", seen);
  set_mtimecmp(~0ull);
  check_eq("mip.MTIP clear after mtimecmp moves to the future", (csr_read(mip) >> IRQ_MTI) & 1, 0);
  check_eq("mtimecmp reads back (low)", MMIO32(CLINT_MTIMECMP), 0xffffffffu);

  set_mtimecmp(mtime64() + 1000000);
  csr_write(mie, 1u << IRQ_MTI);
  csr_set(mstatus, MSTATUS_MIE);
  for (volatile int i = 0; i < 100; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("timer interrupt not taken before mtimecmp", m_tick, 0);
  trap_reset();
  set_mtimecmp(mtime64() + 20);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < SPIN && m_tick == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("timer interrupt taken once", m_tick, 1);
  check_eq("timer interrupt: mcause", mtrap.cause, MCAUSE_INT | IRQ_MTI);
  check_eq("timer interrupt: MPP = M", (mtrap.status >> 11) & 3, PRV_M);
  check_eq("timer interrupt: MPIE = 1", mtrap.status & MSTATUS_MPIE, MSTATUS_MPIE);
  csr_write(mie, 0);
}

static void software(void) {
  MMIO32(CLINT_MSIP) = 1;
  check_eq("msip reads back 1", MMIO32(CLINT_MSIP), 1);
  check_eq("mip.MSIP follows msip", (csr_read(mip) >> IRQ_MSI) & 1, 1);
  trap_reset();
  csr_write(mie, 1u << IRQ_MSI);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < SPIN && m_soft == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("software interrupt taken once", m_soft, 1);
  check_eq("software interrupt: mcause", mtrap.cause, MCAUSE_INT | IRQ_MSI);
  check_eq("msip cleared by the handler", MMIO32(CLINT_MSIP), 0);
  check_eq("mip.MSIP clear", (csr_read(mip) >> IRQ_MSI) & 1, 0);
  csr_write(mie, 0);
}

static void priority(void) {
  /* MSI, MTI and SSI pending and enabled at once: taken in the order MSI, MTI, SSI */
  set_mtimecmp(0);
  MMIO32(CLINT_MSIP) = 1;
  csr_set(mip, 1u << IRQ_SSI);
  int seen = 0;
  for (int i = 0; i < SPIN && !seen; i++) seen = (csr_read(mip) >> IRQ_MTI) & 1;
  csr_clear(mip, 1u << IRQ_MTI);
  check_eq("mip.MTIP is read-only (csrc leaves it set)", (csr_read(mip) >> IRQ_MTI) & 1, 1);
  norder = 0;
  m_tick = m_soft = 0;
  csr_write(mie, (1u << IRQ_MSI) | (1u << IRQ_MTI) | (1u << IRQ_SSI));
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < SPIN && norder < 3; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  csr_write(mie, 0);
  check_eq("three interrupts taken", norder, 3);
  check_eq("priority: machine software first", order[0], IRQ_MSI);
  check_eq("priority: then machine timer", order[1], IRQ_MTI);
  check_eq("priority: then supervisor software", order[2], IRQ_SSI);
  m_tick = m_soft = 0;
}

static void plic_uart(void) {
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
  check_eq("PLIC priority reads back", MMIO32(PLIC_PRIORITY(UART_IRQ)), 1);
  MMIO32(PLIC_ENABLE(0)) = 1u << UART_IRQ;
  MMIO32(PLIC_THRESHOLD(0)) = 1; /* priority 1 does not exceed threshold 1 */
  MMIO8(UART_IER) = 0x02;        /* THR empty interrupt */
  int pend = 0;
  for (int i = 0; i < SPIN && !pend; i++) pend = (MMIO32(PLIC_PENDING) >> UART_IRQ) & 1;
  check("UART THRE interrupt pending in the PLIC", pend);
  check_eq("masked by threshold: no MEIP", (csr_read(mip) >> IRQ_MEI) & 1, 0);
  MMIO32(PLIC_THRESHOLD(0)) = 0;
  int meip = 0;
  for (int i = 0; i < SPIN && !meip; i++) meip = (csr_read(mip) >> IRQ_MEI) & 1;
  check("threshold 0: MEIP set", meip);
  trap_reset();
  csr_write(mie, 1u << IRQ_MEI);
  csr_set(mstatus, MSTATUS_MIE);
  for (int i = 0; i < SPIN && m_ext == 0; i++) {
  }
  csr_clear(mstatus, MSTATUS_MIE);
  check_eq("external interrupt taken once", m_ext, 1);
  check_eq("external interrupt: mcause", mtrap.cause, MCAUSE_INT | IRQ_MEI);
  check_eq("PLIC claim = UART source 10", claimed, UART_IRQ);
  check_eq("UART IIR = THR empty", iir, 0x02);
  check_eq("second claim after complete = 0", claimed_again, 0);
  check_eq("MEIP clear after complete", (csr_read(mip) >> IRQ_MEI) & 1, 0);
  /* priority 0 never interrupts */
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 0;
  MMIO8(UART_IER) = 0x02;
  for (volatile int i = 0; i < 1000; i++) {
  }
  check_eq("source priority 0: no MEIP", (csr_read(mip) >> IRQ_MEI) & 1, 0);
  check_eq("source priority 0: claim = 0", MMIO32(PLIC_CLAIM(0)), 0);
  MMIO8(UART_IER) = 0;
  (void)MMIO8(UART_IIR);
  MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
  uint32_t stale = MMIO32(PLIC_CLAIM(0)); /* the gateway may have latched the request meanwhile */
  if (stale != 0) MMIO32(PLIC_CLAIM(0)) = stale;
  csr_write(mie, 0);
  MMIO32(PLIC_ENABLE(0)) = 0;

  /* the same interrupt through the S context, delegated */
  set_strap_vector();
  strap_hook = s_hook;
  MMIO32(PLIC_ENABLE(1)) = 1u << UART_IRQ;
  MMIO32(PLIC_THRESHOLD(1)) = 0;
  csr_write(mideleg, 1u << IRQ_SEI);
  csr_write(mie, 1u << IRQ_SEI);
  csr_write(mstatus, MSTATUS_SIE);
  claimed = iir = 0;
  trap_reset();
  enter_mode(PRV_S);
  MMIO8(UART_IER) = 0x02;
  for (int i = 0; i < SPIN && s_ext == 0; i++) {
  }
  to_mmode();
  csr_write(mstatus, 0);
  check_eq("S external interrupt taken once", s_ext, 1);
  check_eq("S external interrupt: scause", strap.cause, MCAUSE_INT | IRQ_SEI);
  check_eq("S context claim = 10", claimed, UART_IRQ);
  check_eq("S: UART IIR = THR empty", iir, 0x02);
  check_eq("S external: not taken in M", mtrap.count, 0);
  check_eq("SEIP clear after complete", (csr_read(mip) >> IRQ_SEI) & 1, 0);
  csr_write(mie, 0);
  csr_write(mideleg, 0);
  MMIO32(PLIC_ENABLE(1)) = 0;
}

static void s_timer(void) {
  /* M takes the machine timer, raises STIP for S; S asks M (ecall) to clear it */
  set_strap_vector();
  strap_hook = s_hook;
  m_tick = 0;
  csr_write(mideleg, 1u << IRQ_STI);
  csr_write(mie, (1u << IRQ_MTI) | (1u << IRQ_STI));
  csr_write(mstatus, MSTATUS_SIE);
  trap_reset();
  set_mtimecmp(mtime64() + 20);
  enter_mode(PRV_S);
  for (int i = 0; i < SPIN && s_tick == 0; i++) {
  }
  to_mmode();
  csr_write(mie, 0);
  csr_write(mstatus, 0);
  check_eq("M timer taken from S (MIE ignored below M)", m_tick, 1);
  check_eq("S timer interrupt (STIP from M) taken once", s_tick, 1);
  check_eq("S timer: scause", strap.cause, MCAUSE_INT | IRQ_STI);
  check_eq("S timer: SPP = S", strap.status & MSTATUS_SPP, MSTATUS_SPP);
  check_eq("STIP cleared by M on request", (csr_read(mip) >> IRQ_STI) & 1, 0);
  csr_write(mideleg, 0);
}

static void clint_64bit(void) {
  /* mtimecmp compares all 64 bits: 2^32 ticks ahead is far in the future */
  set_mtimecmp(mtime64() + 0x100000000ull);
  check_eq("mtimecmp 2^32 ticks ahead: MTIP clear", (csr_read(mip) >> IRQ_MTI) & 1, 0);
  check_eq("mtimecmp high word reads back", MMIO32(CLINT_MTIMECMP + 4), (uint32_t)((mtime64() + 0x100000000ull) >> 32));
  /* mtime is writable; a later mtimecmp below it raises MTIP */
  MMIO32(CLINT_MTIME) = 0;
  MMIO32(CLINT_MTIME + 4) = 0x12345;
  check_eq("mtime high word written", MMIO32(CLINT_MTIME + 4), 0x12345);
  set_mtimecmp(0x1234500000000ull - 1);
  int seen = 0;
  for (int i = 0; i < SPIN && !seen; i++) seen = (csr_read(mip) >> IRQ_MTI) & 1;
  check("after mtime jumps past mtimecmp: MTIP set", seen);
  set_mtimecmp(~0ull);
}

int main(void) {
  puts("interrupts: CLINT, PLIC + UART, delegated timer\n");
  mtrap_hook = m_hook;
  timer();
  software();
  priority();
  plic_uart();
  s_timer();
  clint_64bit();
  return failures();
}
