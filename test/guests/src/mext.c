/* M extension: MUL/MULH/MULHSU/MULHU and DIV/DIVU/REM/REMU, including division by zero and
   INT_MIN / -1 (no trap; the results the spec's table gives). */
#include "rt.h"

#define RR(op) static uint32_t op##_(uint32_t a, uint32_t b) { uint32_t d; \
  asm volatile(#op " %0, %1, %2" : "=r"(d) : "r"(a), "r"(b)); return d; }
RR(mul) RR(mulh) RR(mulhsu) RR(mulhu) RR(div) RR(divu) RR(rem) RR(remu)

int main(void) {
  puts("mext: multiply and divide\n");
  const uint32_t MIN = 0x80000000u, M1 = 0xffffffffu;
  check_eq("mul", mul_(6, 7), 42);
  check_eq("mul low bits", mul_(0x12345678u, 0x9abcdef0u), 0x242d2080u);
  check_eq("mul -1 * -1", mul_(M1, M1), 1);
  check_eq("mulh -1 * -1", mulh_(M1, M1), 0);
  check_eq("mulh INT_MIN * INT_MIN", mulh_(MIN, MIN), 0x40000000u);
  check_eq("mulh INT_MIN * -1", mulh_(MIN, M1), 0);
  check_eq("mulh -2 * 3", mulh_(0xfffffffeu, 3), M1);
  check_eq("mulhu 0xffffffff^2", mulhu_(M1, M1), 0xfffffffeu);
  check_eq("mulhu 0x12345678 * 0x9abcdef0", mulhu_(0x12345678u, 0x9abcdef0u), 0x0b00ea4eu);
  check_eq("mulhsu -1 * 0xffffffff", mulhsu_(M1, M1), M1);
  check_eq("mulhsu 1 * 0xffffffff", mulhsu_(1, M1), 0);
  check_eq("mulhsu INT_MIN * 0xffffffff", mulhsu_(MIN, M1), 0x80000000u);
  check_eq("mulhsu 2 * 0x80000000", mulhsu_(2, MIN), 1);
  check_eq("div", div_(0xfffffff9u, 2), 0xfffffffdu); /* -7 / 2 = -3 (truncates) */
  check_eq("rem", rem_(0xfffffff9u, 2), M1);         /* -7 % 2 = -1 (sign of dividend) */
  check_eq("rem positive dividend", rem_(7, 0xfffffffeu), 1);
  check_eq("divu", divu_(0xfffffff9u, 2), 0x7ffffffcu);
  check_eq("remu", remu_(0xfffffff9u, 2), 1);
  check_eq("div by zero = -1", div_(1234, 0), M1);
  check_eq("div -5 by zero = -1", div_(0xfffffffbu, 0), M1);
  check_eq("divu by zero = 2^32-1", divu_(1234, 0), M1);
  check_eq("rem by zero = dividend", rem_(0xfffffffbu, 0), 0xfffffffbu);
  check_eq("remu by zero = dividend", remu_(1234, 0), 1234);
  check_eq("div INT_MIN / -1 = INT_MIN", div_(MIN, M1), MIN);
  check_eq("rem INT_MIN % -1 = 0", rem_(MIN, M1), 0);
  check_eq("divu INT_MIN / 0xffffffff", divu_(MIN, M1), 0);
  check_eq("remu INT_MIN % 0xffffffff", remu_(MIN, M1), MIN);
  check_eq("div INT_MIN / 1", div_(MIN, 1), MIN);
  check_eq("div 0 / -1", div_(0, M1), 0);
  uint64_t p = (uint64_t)0xdeadbeefu * 0xcafef00du;
  check_eq("64-bit product via libgcc-free mulhu/mul (hi)", mulhu_(0xdeadbeefu, 0xcafef00du), (uint32_t)(p >> 32));
  check_eq("64-bit product (lo)", mul_(0xdeadbeefu, 0xcafef00du), (uint32_t)p);
  volatile uint64_t n = 0x123456789abcdefull, dd = 0x12345ull;
  check_eq("64-bit division through libgcc", (uint32_t)(n / dd), 0x005b0020u);
  return failures();
}
