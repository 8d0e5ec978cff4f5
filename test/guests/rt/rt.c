/* The guest runtime: UART 16550 output, printf-lite, checks, finisher exit, default trap handlers. */
#include "rt.h"
#include <stdarg.h>

#define UART_THR 0
#define UART_LSR 5
#define LSR_THRE 0x20

trap_hook_t mtrap_hook, strap_hook;
struct trap_record mtrap, strap;
static int nfail;

void *memset(void *d, int c, size_t n) {
  uint8_t *p = d;
  while (n--) *p++ = (uint8_t)c;
  return d;
}

void *memcpy(void *d, const void *s, size_t n) {
  uint8_t *p = d;
  const uint8_t *q = s;
  while (n--) *p++ = *q++;
  return d;
}

void putc(int c) {
  while ((MMIO8(UART_BASE + UART_LSR) & LSR_THRE) == 0) {
  }
  MMIO8(UART_BASE + UART_THR) = (uint8_t)c;
}

void puts(const char *s) {
  while (*s) putc(*s++);
}

static void put_num(uint32_t v, int base, int width, char pad, int neg) {
  char buf[12];
  int n = 0;
  do {
    uint32_t d = v % (uint32_t)base;
    buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= (uint32_t)base;
  } while (v);
  if (neg) {
    if (pad == '0') {
      putc('-');
      width--;
    } else {
      buf[n++] = '-';
    }
  }
  while (width-- > n) putc(pad);
  while (n) putc(buf[--n]);
}

/* %d %u %x %s %c %%, with an optional 0 flag and width. */
void printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      putc(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0;
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    switch (*fmt) {
      case 'd': {
        int32_t v = va_arg(ap, int32_t);
        put_num(v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v, 10, width, pad, v < 0);
        break;
      }
      case 'u': put_num(va_arg(ap, uint32_t), 10, width, pad, 0); break;
      case 'x': put_num(va_arg(ap, uint32_t), 16, width, pad, 0); break;
      case 's': puts(va_arg(ap, const char *)); break;
      case 'c': putc(va_arg(ap, int)); break;
      case '%': putc('%'); break;
      case 0: fmt--; break;
      default: putc('%'); putc(*fmt); break;
    }
  }
  va_end(ap);
}

void exit(int code) {
  /* SiFive test finisher: 0x5555 = pass, (code << 16) | 0x3333 = fail with code. */
  if (code == 0)
    MMIO32(FINISHER_BASE) = 0x5555;
  else
    MMIO32(FINISHER_BASE) = ((uint32_t)code << 16) | 0x3333;
  for (;;) {
  }
}

void check(const char *name, int ok) {
  if (ok) {
    printf("ok   %s\n", name);
  } else {
    printf("FAIL %s\n", name);
    nfail++;
  }
}

void check_eq(const char *name, uint32_t got, uint32_t want) {
  if (got == want) {
    printf("ok   %s\n", name);
  } else {
    printf("FAIL %s: got 0x%x want 0x%x\n", name, got, want);
    nfail++;
  }
}

int failures(void) { return nfail > 100 ? 100 : nfail; }

void trap_reset(void) {
  mtrap.count = strap.count = 0;
  mtrap.cause = mtrap.epc = mtrap.tval = mtrap.status = 0xdeadbeef;
  strap.cause = strap.epc = strap.tval = strap.status = 0xdeadbeef;
}

static int is_ecall(uint32_t cause) {
  return cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL || cause == CAUSE_MACHINE_ECALL;
}

/* Where the default handlers resume: after the trapping instruction, or, for a fault on the
   fetch of a jump target (whose epc is the target), at the return address of the call. */
static uint32_t resume_pc(struct trap_frame *f) {
  if (f->cause == CAUSE_FETCH_ACCESS || f->cause == CAUSE_FETCH_PAGE_FAULT) return f->r[1];
  return f->epc + 4;
}

void mtrap_c(struct trap_frame *f) {
  /* "back to M": an ecall (or, where ecalls are delegated, an ebreak) with a7 = ECALL_MAGIC */
  if (!(f->cause & MCAUSE_INT) && (is_ecall(f->cause) || f->cause == CAUSE_BREAKPOINT) && f->r[17] == ECALL_MAGIC) {
    f->status |= MSTATUS_MPP;
    f->epc += 4;
    return;
  }
  if (f->cause == CAUSE_SUPERVISOR_ECALL && f->r[17] == ECALL_MAGIC_FWD) {
    f->status |= MSTATUS_MPP;
    f->epc = csr_read(sepc) + 4;
    return;
  }
  mtrap.count++;
  mtrap.cause = f->cause;
  mtrap.epc = f->epc;
  mtrap.tval = f->tval;
  mtrap.status = f->status;
  if (mtrap_hook && mtrap_hook(f)) return;
  if (f->cause & MCAUSE_INT) {
    printf("FAIL unexpected interrupt in M: mcause=0x%x mepc=0x%x\n", f->cause, f->epc);
    exit(99);
  }
  if (mtrap.count > 1000) {
    printf("FAIL trap storm in M: mcause=0x%x mepc=0x%x\n", f->cause, f->epc);
    exit(98);
  }
  f->epc = resume_pc(f);
}

void strap_c(struct trap_frame *f) {
  if (!(f->cause & MCAUSE_INT) && (f->cause == CAUSE_USER_ECALL || f->cause == CAUSE_SUPERVISOR_ECALL) &&
      f->r[17] == ECALL_MAGIC) {
    f->fwd = 1;
    return;
  }
  strap.count++;
  strap.cause = f->cause;
  strap.epc = f->epc;
  strap.tval = f->tval;
  strap.status = f->status;
  if (strap_hook && strap_hook(f)) return;
  if (f->cause & MCAUSE_INT) {
    /* S cannot print safely under translation; hand the failure to M. */
    f->fwd = 1;
    return;
  }
  f->epc = resume_pc(f);
}
