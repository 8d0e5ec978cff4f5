/* A extension: LR/SC success and failure, every AMO (old value to rd, new value in memory),
   aq/rl forms, and misaligned LR/SC/AMO (address-misaligned traps). */
#include "rt.h"

static volatile uint32_t mem[4] __attribute__((aligned(16)));

#define AMO(op) static uint32_t op##_(volatile uint32_t *p, uint32_t v) { uint32_t d; \
  asm volatile(#op ".w %0, %2, (%1)" : "=r"(d) : "r"(p), "r"(v) : "memory"); return d; }
AMO(amoswap) AMO(amoadd) AMO(amoxor) AMO(amoand) AMO(amoor)
AMO(amomin) AMO(amomax) AMO(amominu) AMO(amomaxu)

#define CHECK_AMO(name, op, init, operand, newval) do { \
  mem[0] = (init); \
  uint32_t old = op(mem, (operand)); \
  check_eq(name " returns the old value", old, (init)); \
  check_eq(name " stores", mem[0], (newval)); \
} while (0)

static uint32_t lr(volatile uint32_t *p) {
  uint32_t d;
  asm volatile("lr.w %0, (%1)" : "=r"(d) : "r"(p) : "memory");
  return d;
}
static uint32_t sc(volatile uint32_t *p, uint32_t v) {
  uint32_t d;
  asm volatile("sc.w %0, %2, (%1)" : "=r"(d) : "r"(p), "r"(v) : "memory");
  return d;
}

int main(void) {
  puts("amo: LR/SC and atomic memory operations\n");
  uint32_t r, d;

  mem[0] = 5;
  r = lr(mem);
  check_eq("lr.w loads", r, 5);
  d = sc(mem, 6);
  check_eq("sc.w after lr.w succeeds (rd = 0)", d, 0);
  check_eq("sc.w success stores", mem[0], 6);
  d = sc(mem, 7);
  check("second sc.w fails (rd != 0)", d != 0);
  check_eq("failed sc.w does not store", mem[0], 6);
  r = lr(&mem[0]);
  d = sc(&mem[1], 9);
  check("sc.w to another word than lr.w fails", d != 0);
  check_eq("failed sc.w to another word does not store", mem[1], 0);
  /* lr.w, then sc.w fails: the failed sc.w also ends the reservation */
  r = lr(mem);
  d = sc(mem, 10);
  check_eq("lr.w / sc.w again succeeds", d, 0);
  asm volatile("lr.w.aq %0, (%2)\n sc.w.rl %1, %3, (%2)" : "=&r"(r), "=&r"(d) : "r"(mem), "r"(11u) : "memory");
  check_eq("lr.w.aq / sc.w.rl succeeds", d, 0);
  check_eq("sc.w.rl stored", mem[0], 11);
  asm volatile("lr.w.aqrl %0, (%2)\n sc.w.aqrl %1, %3, (%2)" : "=&r"(r), "=&r"(d) : "r"(mem), "r"(12u) : "memory");
  check_eq("lr.w.aqrl / sc.w.aqrl succeeds", d, 0);
  /* a LR/SC retry loop: atomic increment */
  mem[0] = 41;
  asm volatile("1: lr.w %0, (%1)\n addi %0, %0, 1\n sc.w %0, %0, (%1)\n bnez %0, 1b" : "=&r"(d) : "r"(mem) : "memory");
  check_eq("lr/sc increment loop", mem[0], 42);

  CHECK_AMO("amoswap.w", amoswap_, 0x11111111u, 0x22222222u, 0x22222222u);
  CHECK_AMO("amoadd.w", amoadd_, 0xfffffffeu, 3, 1);
  CHECK_AMO("amoxor.w", amoxor_, 0xff00ff00u, 0x0ff00ff0u, 0xf0f0f0f0u);
  CHECK_AMO("amoand.w", amoand_, 0xff00ff00u, 0x0ff00ff0u, 0x0f000f00u);
  CHECK_AMO("amoor.w", amoor_, 0xff00ff00u, 0x0ff00ff0u, 0xfff0fff0u);
  CHECK_AMO("amomin.w", amomin_, 1, 0xffffffffu, 0xffffffffu);
  CHECK_AMO("amomin.w keeps smaller", amomin_, 0x80000000u, 5, 0x80000000u);
  CHECK_AMO("amomax.w", amomax_, 0xffffffffu, 1, 1);
  CHECK_AMO("amomax.w keeps larger", amomax_, 7, 0x80000000u, 7);
  CHECK_AMO("amominu.w", amominu_, 1, 0xffffffffu, 1);
  CHECK_AMO("amominu.w takes smaller", amominu_, 0x80000000u, 5, 5);
  CHECK_AMO("amomaxu.w", amomaxu_, 1, 0xffffffffu, 0xffffffffu);
  CHECK_AMO("amomaxu.w keeps larger", amomaxu_, 0x80000000u, 5, 0x80000000u);

  mem[0] = 100;
  asm volatile("amoadd.w zero, %1, (%0)" :: "r"(mem), "r"(5u) : "memory");
  check_eq("amoadd.w with rd = x0 still stores", mem[0], 105);
  asm volatile("amoadd.w.aqrl %0, %2, (%1)" : "=r"(d) : "r"(mem), "r"(1u) : "memory");
  check_eq("amoadd.w.aqrl", mem[0], 106);
  /* rd == rs2: the old value goes to rd, the operand is the register's value before */
  d = 3;
  asm volatile("amoswap.w %0, %0, (%1)" : "+r"(d) : "r"(mem) : "memory");
  check_eq("amoswap.w rd == rs2: rd = old", d, 106);
  check_eq("amoswap.w rd == rs2: mem = operand", mem[0], 3);

  /* Misaligned atomics trap (AMOs and SC: store/AMO address misaligned, LR: load). */
  volatile uint8_t *odd = (volatile uint8_t *)mem + 2;
  trap_reset();
  d = 0x1234;
  asm volatile("amoadd.w %0, %2, (%1)" : "+r"(d) : "r"(odd), "r"(1u) : "memory");
  check_eq("misaligned amoadd.w traps", mtrap.count, 1);
  check_eq("misaligned amoadd.w: mcause 6", mtrap.cause, CAUSE_MISALIGNED_STORE);
  check_eq("misaligned amoadd.w: mtval = address", mtrap.tval, (uint32_t)odd);
  check_eq("misaligned amoadd.w: rd unchanged", d, 0x1234);
  trap_reset();
  asm volatile("lr.w %0, (%1)" : "+r"(d) : "r"(odd) : "memory");
  check_eq("misaligned lr.w: mcause 4", mtrap.cause, CAUSE_MISALIGNED_LOAD);
  check_eq("misaligned lr.w: mtval = address", mtrap.tval, (uint32_t)odd);
  trap_reset();
  asm volatile("sc.w %0, %2, (%1)" : "+r"(d) : "r"(odd), "r"(1u) : "memory");
  check_eq("misaligned sc.w: mcause 6", mtrap.cause, CAUSE_MISALIGNED_STORE);
  check_eq("misaligned sc.w: rd unchanged", d, 0x1234);
  return failures();
}
