/* FENCE.I: code written to RAM as data, then run; rewritten and run again (a decoded-instruction
   cache must notice). The Sv32 variant (code rewritten through its frame) is in sv32. */
#include "rt.h"

static uint32_t code[4] __attribute__((aligned(16)));

static uint32_t call_code(void) {
  uint32_t v;
  asm volatile("jalr ra, 0(%1)\n mv %0, a0" : "=r"(v) : "r"(code) : "a0", "ra", "memory");
  return v;
}

static void self_modifying(void) {
  code[0] = 0x00100513u; /* li a0, 1 */
  code[1] = 0x00008067u; /* ret */
  asm volatile("fence.i" ::: "memory");
  check_eq("code written to RAM runs after fence.i", call_code(), 1);
  code[0] = 0x00200513u; /* li a0, 2 */
  asm volatile("fence.i" ::: "memory");
  check_eq("rewritten code runs after fence.i", call_code(), 2);
  code[0] = 0x00300513u; /* li a0, 3 */
  asm volatile("fence.i" ::: "memory");
  check_eq("rewritten again", call_code(), 3);
}

int main(void) {
  puts("fencei: self-modifying code\n");
  self_modifying();
  return failures();
}
