/* Misaligned jump and branch targets (IALIGN = 32, no C): a taken jump/branch to an address
   that is not 4-byte aligned raises instruction-address-misaligned (cause 0) at the jump, with
   mtval = the target and rd not written; a not-taken branch does not trap; jalr clears bit 0. */
#include "rt.h"

/* Hand-encoded, since the assembler refuses misaligned targets:
   jal t2, .+6 / jal t2, .+2 / beq x0, x0, .+6 / bne x0, x0, .+6 / blt x0, t1, .+2 (t1 > 0) */
#define JAL_T2_6 "0x006003ef"
#define JAL_T2_2 "0x002003ef"
#define BEQ_6 "0x00000363"
#define BNE_6 "0x00001363"
#define BLT_T1_2 "0x00604163"

struct jr { uint32_t pc, rd; };

#define SENTINEL 0x5a5a5a5au

static struct jr run_jal(int which) {
  struct jr r;
  if (which == 6)
    asm volatile("li t2, %2\n 1: .4byte " JAL_T2_6 "\n la %0, 1b\n mv %1, t2" : "=r"(r.pc), "=r"(r.rd) : "i"(SENTINEL) : "t2");
  else
    asm volatile("li t2, %2\n 1: .4byte " JAL_T2_2 "\n la %0, 1b\n mv %1, t2" : "=r"(r.pc), "=r"(r.rd) : "i"(SENTINEL) : "t2");
  return r;
}

int main(void) {
  puts("jumps: misaligned jump targets\n");
  struct jr r;

  trap_reset();
  r = run_jal(6);
  check_eq("jal to pc+6 traps", mtrap.count, 1);
  check_eq("jal to pc+6: mcause 0", mtrap.cause, CAUSE_MISALIGNED_FETCH);
  check_eq("jal to pc+6: mepc = the jal", mtrap.epc, r.pc);
  check_eq("jal to pc+6: mtval = target", mtrap.tval, r.pc + 6);
  check_eq("jal to pc+6: rd not written", r.rd, SENTINEL);

  trap_reset();
  r = run_jal(2);
  check_eq("jal to pc+2: mcause 0", mtrap.cause, CAUSE_MISALIGNED_FETCH);
  check_eq("jal to pc+2: mtval = target", mtrap.tval, r.pc + 2);
  check_eq("jal to pc+2: rd not written", r.rd, SENTINEL);

  uint32_t pc, t2, base;
  trap_reset();
  asm volatile("li t2, %3\n la t1, 2f\n 1: jalr t2, 2(t1)\n nop\n 2: nop\n la %0, 1b\n mv %1, t2\n mv %2, t1"
               : "=r"(pc), "=r"(t2), "=r"(base) : "i"(SENTINEL) : "t1", "t2");
  check_eq("jalr to +2 traps", mtrap.count, 1);
  check_eq("jalr to +2: mcause 0", mtrap.cause, CAUSE_MISALIGNED_FETCH);
  check_eq("jalr to +2: mepc = the jalr", mtrap.epc, pc);
  check_eq("jalr to +2: mtval = target", mtrap.tval, base + 2);
  check_eq("jalr to +2: rd not written", t2, SENTINEL);

  trap_reset();
  asm volatile("la t1, 2f\n jalr t2, 3(t1)\n nop\n 2: nop\n mv %0, t1" : "=r"(base) :: "t1", "t2");
  check_eq("jalr to +3: mtval = target with bit 0 cleared", mtrap.tval, base + 2);

  trap_reset();
  asm volatile("la t1, 1f\n jalr t2, 1(t1)\n 1: nop" ::: "t1", "t2");
  check_eq("jalr to an odd address clears bit 0, no trap", mtrap.count, 0);

  trap_reset();
  asm volatile("1: .4byte " BEQ_6 "\n la %0, 1b" : "=r"(pc));
  check_eq("taken beq to pc+6 traps", mtrap.count, 1);
  check_eq("taken beq to pc+6: mcause 0", mtrap.cause, CAUSE_MISALIGNED_FETCH);
  check_eq("taken beq to pc+6: mepc = the branch", mtrap.epc, pc);
  check_eq("taken beq to pc+6: mtval = target", mtrap.tval, pc + 6);

  trap_reset();
  asm volatile("li t1, 5\n 1: .4byte " BLT_T1_2 "\n la %0, 1b" : "=r"(pc) :: "t1");
  check_eq("taken blt to pc+2: mtval = target", mtrap.tval, pc + 2);

  trap_reset();
  asm volatile(".4byte " BNE_6 "\n nop\n nop");
  check_eq("not-taken bne to pc+6 does not trap", mtrap.count, 0);
  return failures();
}
