/* c/rtcr.h: the kernel ABI (docs/abi.md) for a C component: system calls, the opcodes and slots
   it needs, and a few helpers. Header only; no libc. The constants are lib/abi.s's (a test
   compares them). */
#ifndef RTCR_H
#define RTCR_H

#define SYS_INVOKE 0
#define SYS_WAIT 1
#define SYS_EXIT 4

#define SLOT_PARENT 1
#define SLOT_PD 2
#define SLOT_SIGNALS 6

#define PARENT_SESSION 0
#define PD_ALLOC_CONTEXT 0
#define LOG_WRITE 0
#define TIMER_SIGH 0
#define TIMER_TRIGGER_PERIODIC 2

/* What a system call returns: a0 (0 or a negative E_* code) and the results in a1-a3. */
struct rtcr_reply { int status; unsigned r1, r2, r3; };

/* One system call: a7 = number, a0-a6 = arguments. */
static inline struct rtcr_reply rtcr_syscall(unsigned nr, unsigned a0, unsigned a1, unsigned a2,
                                             unsigned a3, unsigned a4, unsigned a5, unsigned a6) {
  register unsigned x10 __asm__("a0") = a0, x11 __asm__("a1") = a1, x12 __asm__("a2") = a2,
      x13 __asm__("a3") = a3, x14 __asm__("a4") = a4, x15 __asm__("a5") = a5,
      x16 __asm__("a6") = a6, x17 __asm__("a7") = nr;
  __asm__ volatile("ecall" : "+r"(x10), "+r"(x11), "+r"(x12), "+r"(x13)
                   : "r"(x14), "r"(x15), "r"(x16), "r"(x17) : "memory");
  struct rtcr_reply r = { (int)x10, x11, x12, x13 };
  return r;
}

/* INVOKE: operation `op` on the object in `slot` with up to three arguments. */
static inline struct rtcr_reply rtcr_invoke(unsigned slot, unsigned op, unsigned a, unsigned b, unsigned c) {
  return rtcr_syscall(SYS_INVOKE, slot, op, a, b, c, 0, 0);
}

static inline unsigned rtcr_strlen(const char *s) {
  unsigned n = 0;
  while (s[n] != '\0') n++;
  return n;
}

/* A session of `service` from the parent (args: "key=value, ..." or ""): its slot, or < 0. */
static inline int rtcr_session(const char *service, const char *args) {
  struct rtcr_reply r = rtcr_syscall(SYS_INVOKE, SLOT_PARENT, PARENT_SESSION, (unsigned)service,
                                     rtcr_strlen(service), (unsigned)args, rtcr_strlen(args), 0);
  return r.status < 0 ? r.status : (int)r.r1;
}

/* Writes one line to a LOG session: status. */
static inline int rtcr_log(int log, const char *line) {
  return rtcr_invoke((unsigned)log, LOG_WRITE, (unsigned)line, rtcr_strlen(line), 0).status;
}

/* A signal context on the default receiver that reports `imprint`: its slot, or < 0. */
static inline int rtcr_signal_context(unsigned imprint) {
  struct rtcr_reply r = rtcr_invoke(SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, imprint, 0);
  return r.status < 0 ? r.status : (int)r.r1;
}

/* Waits for a signal on the default receiver: its context's imprint, or < 0. */
static inline int rtcr_wait(void) {
  struct rtcr_reply r = rtcr_syscall(SYS_WAIT, SLOT_SIGNALS, 0, 0, 0, 0, 0, 0);
  return r.status < 0 ? r.status : (int)r.r1;
}

/* Ends the component with `code` as its exit status. */
static inline __attribute__((noreturn)) void rtcr_exit(int code) {
  rtcr_syscall(SYS_EXIT, (unsigned)code, 0, 0, 0, 0, 0, 0);
  for (;;) {}
}

/* Writes `v` in decimal at `p`; returns the end (not terminated). */
static inline char *rtcr_utoa(char *p, unsigned v) {
  char tmp[10];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v != 0);
  while (n > 0) *p++ = tmp[--n];
  return p;
}

#endif
