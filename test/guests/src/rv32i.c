/* RV32I: ALU (register and immediate forms), shifts, compares, LUI/AUIPC, JAL/JALR links,
   every branch with signed/unsigned operands, loads/stores with sign and zero extension, x0. */
#include "rt.h"

#define RR(op) static uint32_t op##_(uint32_t a, uint32_t b) { uint32_t d; \
  asm volatile(#op " %0, %1, %2" : "=r"(d) : "r"(a), "r"(b)); return d; }
RR(add) RR(sub) RR(sll) RR(slt) RR(sltu) RR(xor) RR(srl) RR(sra) RR(or) RR(and)

#define RI(op, imm) ({ uint32_t d; asm volatile(#op " %0, %1, " #imm : "=r"(d) : "r"(x)); d; })

/* 1 if branch `op` is taken for (a, b). */
#define BR(op) static int op##_(uint32_t a, uint32_t b) { int t; \
  asm volatile(#op " %1, %2, 1f\n li %0, 0\n j 2f\n1: li %0, 1\n2:" : "=&r"(t) : "r"(a), "r"(b)); return t; }
BR(beq) BR(bne) BR(blt) BR(bge) BR(bltu) BR(bgeu)

static volatile uint32_t words[4] = {0x80a1b2f3u, 0x7f01ff80u, 0, 0};

static void alu(void) {
  check_eq("add", add_(0x7fffffffu, 1), 0x80000000u);
  check_eq("add wraps", add_(0xffffffffu, 2), 1);
  check_eq("sub", sub_(0, 1), 0xffffffffu);
  check_eq("sub INT_MIN-1", sub_(0x80000000u, 1), 0x7fffffffu);
  check_eq("sll uses rs2[4:0]", sll_(1, 33), 2);
  check_eq("sll 31", sll_(3, 31), 0x80000000u);
  check_eq("srl", srl_(0x80000000u, 31), 1);
  check_eq("srl uses rs2[4:0]", srl_(0x80000000u, 0xffffffe4u), 0x08000000u);
  check_eq("sra", sra_(0x80000000u, 31), 0xffffffffu);
  check_eq("sra positive", sra_(0x40000000u, 30), 1);
  check_eq("slt -1 < 1", slt_(0xffffffffu, 1), 1);
  check_eq("slt 1 < -1", slt_(1, 0xffffffffu), 0);
  check_eq("sltu -1 < 1", sltu_(0xffffffffu, 1), 0);
  check_eq("sltu 1 < -1", sltu_(1, 0xffffffffu), 1);
  check_eq("slt equal", slt_(5, 5), 0);
  check_eq("xor", xor_(0xff00ff00u, 0x0ff00ff0u), 0xf0f0f0f0u);
  check_eq("or", or_(0xff00ff00u, 0x0ff00ff0u), 0xfff0fff0u);
  check_eq("and", and_(0xff00ff00u, 0x0ff00ff0u), 0x0f000f00u);

  volatile uint32_t vx = 0x12345678u;
  uint32_t x = vx;
  check_eq("addi -1", RI(addi, -1), 0x12345677u);
  check_eq("addi 2047", RI(addi, 2047), 0x12345e77u);
  check_eq("addi -2048", RI(addi, -2048), 0x12344e78u);
  check_eq("xori -1 (not)", RI(xori, -1), 0xedcba987u);
  check_eq("ori sign-extended", RI(ori, -2048), 0xfffffe78u);
  check_eq("andi sign-extended", RI(andi, -16), 0x12345670u);
  check_eq("andi 0x7ff", RI(andi, 0x7ff), 0x678u);
  check_eq("slli", RI(slli, 4), 0x23456780u);
  check_eq("srli", RI(srli, 28), 1);
  check_eq("slti 0x12345678 < -1", RI(slti, -1), 0);
  check_eq("sltiu 0x12345678 < -1 (unsigned)", RI(sltiu, -1), 1);
  x = 0xfedcba98u;
  check_eq("srai", RI(srai, 4), 0xffedcba9u);
  check_eq("srli negative", RI(srli, 4), 0x0fedcba9u);
  check_eq("slti -x < 0", RI(slti, 0), 1);
  x = 0;
  check_eq("sltiu 0 < 1 (seqz)", RI(sltiu, 1), 1);

  uint32_t d;
  asm volatile("lui %0, 0xfffff" : "=r"(d));
  check_eq("lui", d, 0xfffff000u);
  asm volatile("lui %0, 0x80000\n addi %0, %0, -1" : "=r"(d));
  check_eq("lui+addi", d, 0x7fffffffu);
  uint32_t here;
  asm volatile("1: auipc %0, 0\n la %1, 1b" : "=r"(d), "=r"(here));
  check_eq("auipc 0 == pc", d, here);
  asm volatile("1: auipc %0, 1\n la %1, 1b" : "=r"(d), "=r"(here));
  check_eq("auipc 1 == pc + 4096", d, here + 4096);
}

static void x0_writes(void) {
  uint32_t d;
  asm volatile("li t0, 1234\n addi x0, t0, 1\n add x0, t0, t0\n lui x0, 0x12345\n lw x0, 0(%1)\n mv %0, x0"
               : "=r"(d) : "r"(words) : "t0");
  check_eq("writes to x0 are discarded", d, 0);
  asm volatile("csrr x0, mscratch\n mv %0, zero" : "=r"(d));
  check_eq("csrr x0 leaves x0 zero", d, 0);
}

static void jumps(void) {
  uint32_t link, target;
  asm volatile("jal %0, 1f\n 2: nop\n 1: la %1, 2b" : "=r"(link), "=r"(target));
  check_eq("jal link = pc + 4", link, target);
  asm volatile("la t0, 1f\n jalr %0, 0(t0)\n 2: nop\n 1: la %1, 2b" : "=r"(link), "=r"(target) :: "t0");
  check_eq("jalr link = pc + 4", link, target);
  /* jalr clears bit 0 of the target; rd == rs1 uses the old rs1. */
  asm volatile("la %0, 1f\n addi %0, %0, 1\n jalr %0, 0(%0)\n 2: li %0, 0\n 1: la %1, 2b" : "=&r"(link), "=r"(target));
  check_eq("jalr odd target, rd == rs1", link, target);
  asm volatile("la t0, 1f - 8\n jalr %0, 8(t0)\n 2: nop\n 1: la %1, 2b" : "=r"(link), "=r"(target) :: "t0");
  check_eq("jalr with offset", link, target);
}

static void branches(void) {
  const uint32_t m1 = 0xffffffffu, one = 1, big = 0x80000000u;
  check_eq("beq equal", beq_(7, 7), 1);
  check_eq("beq differ", beq_(7, 8), 0);
  check_eq("bne equal", bne_(7, 7), 0);
  check_eq("bne differ", bne_(7, 8), 1);
  check_eq("blt -1 < 1", blt_(m1, one), 1);
  check_eq("blt 1 < -1", blt_(one, m1), 0);
  check_eq("blt equal", blt_(one, one), 0);
  check_eq("bge 1 >= -1", bge_(one, m1), 1);
  check_eq("bge equal", bge_(m1, m1), 1);
  check_eq("bge INT_MIN >= 1", bge_(big, one), 0);
  check_eq("bltu 1 < 0xffffffff", bltu_(one, m1), 1);
  check_eq("bltu 0xffffffff < 1", bltu_(m1, one), 0);
  check_eq("bgeu 0x80000000 >= 1", bgeu_(big, one), 1);
  check_eq("bgeu equal", bgeu_(big, big), 1);
  check_eq("bgeu 1 >= 0x80000000", bgeu_(one, big), 0);
  int back = 0;
  asm volatile("li t0, 3\n 1: addi %0, %0, 1\n addi t0, t0, -1\n bnez t0, 1b" : "+r"(back) :: "t0");
  check_eq("backward branch loop", back, 3);
}

static void loads_stores(void) {
  volatile uint8_t *b = (volatile uint8_t *)words;
  volatile uint16_t *h = (volatile uint16_t *)words;
  uint32_t d;
  asm volatile("lb %0, 0(%1)" : "=r"(d) : "r"(b));
  check_eq("lb 0xf3 sign-extends", d, 0xf3 - 0x100);
  asm volatile("lb %0, 3(%1)" : "=r"(d) : "r"(b));
  check_eq("lb 0x80 sign-extends", d, 0xffffff80u);
  asm volatile("lbu %0, 3(%1)" : "=r"(d) : "r"(b));
  check_eq("lbu 0x80 zero-extends", d, 0x80);
  asm volatile("lb %0, 4(%1)" : "=r"(d) : "r"(b));
  check_eq("lb 0x80 at +4", d, 0xffffff80u);
  asm volatile("lb %0, 7(%1)" : "=r"(d) : "r"(b));
  check_eq("lb 0x7f", d, 0x7f);
  asm volatile("lh %0, 2(%1)" : "=r"(d) : "r"(h));
  check_eq("lh sign-extends", d, 0xffff80a1u);
  asm volatile("lhu %0, 2(%1)" : "=r"(d) : "r"(h));
  check_eq("lhu zero-extends", d, 0x80a1);
  asm volatile("lh %0, 6(%1)" : "=r"(d) : "r"(h));
  check_eq("lh positive", d, 0x7f01);
  asm volatile("lw %0, -4(%1)" : "=r"(d) : "r"(b + 8));
  check_eq("lw negative offset", d, 0x7f01ff80u);

  words[2] = 0x11223344u;
  asm volatile("sb %0, 9(%1)" :: "r"(0xaabbccddu), "r"(b) : "memory");
  check_eq("sb stores the low byte", words[2], 0x1122dd44u);
  asm volatile("sh %0, 10(%1)" :: "r"(0xaabbccddu), "r"(b) : "memory");
  check_eq("sh stores the low half", words[2], 0xccdddd44u);
  asm volatile("sw %0, 2044(%1)" :: "r"(0x01020304u), "r"((uintptr_t)b + 12 - 2044) : "memory");
  check_eq("sw with +2044 offset", words[3], 0x01020304u);
  asm volatile("sw %0, -2048(%1)" :: "r"(0x05060708u), "r"((uintptr_t)b + 12 + 2048) : "memory");
  check_eq("sw with -2048 offset", words[3], 0x05060708u);
  asm volatile("fence\n fence.i\n fence rw, rw" ::: "memory");
  check("fence, fence.i execute", 1);
}

int main(void) {
  puts("rv32i: base integer instructions\n");
  alu();
  x0_writes();
  jumps();
  branches();
  loads_stores();
  return failures();
}
