/* Misaligned loads and stores: done in hardware (no trap), little-endian byte order, sign
   extension, across word boundaries; plain loads/stores never trap for alignment here. */
#include "rt.h"

static volatile uint8_t buf[32] __attribute__((aligned(16)));

static uint32_t lw_(uintptr_t a) { uint32_t d; asm volatile("lw %0, 0(%1)" : "=r"(d) : "r"(a) : "memory"); return d; }
static uint32_t lh_(uintptr_t a) { uint32_t d; asm volatile("lh %0, 0(%1)" : "=r"(d) : "r"(a) : "memory"); return d; }
static uint32_t lhu_(uintptr_t a) { uint32_t d; asm volatile("lhu %0, 0(%1)" : "=r"(d) : "r"(a) : "memory"); return d; }
static void sw_(uintptr_t a, uint32_t v) { asm volatile("sw %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }
static void sh_(uintptr_t a, uint32_t v) { asm volatile("sh %0, 0(%1)" :: "r"(v), "r"(a) : "memory"); }

int main(void) {
  puts("misaligned: loads and stores at every offset\n");
  for (int i = 0; i < 32; i++) buf[i] = (uint8_t)(0x10 + i * 7);
  uintptr_t b = (uintptr_t)buf;
  trap_reset();
  char name[48];
  for (int off = 1; off < 4; off++) {
    uint32_t want = 0;
    for (int k = 3; k >= 0; k--) want = (want << 8) | buf[off + k];
    memcpy(name, "lw at +0", 9);
    name[7] = (char)('0' + off);
    check_eq(name, lw_(b + off), want);
  }
  check_eq("lh at +1", lh_(b + 1), 0x1e17);
  check_eq("lh at +3 crosses a word", lh_(b + 3), 0x2c25);
  buf[17] = 0x34;
  buf[18] = 0x92;
  check_eq("lh at +17 sign-extends", lh_(b + 17), 0xffff9234u);
  check_eq("lhu at +17 zero-extends", lhu_(b + 17), 0x9234);
  sw_(b + 5, 0xa1b2c3d4u);
  check_eq("sw at +5: byte 5", buf[5], 0xd4);
  check_eq("sw at +5: byte 8", buf[8], 0xa1);
  check_eq("sw at +5: byte 4 untouched", buf[4], 0x10 + 4 * 7);
  check_eq("sw at +5: byte 9 untouched", buf[9], 0x10 + 9 * 7);
  check_eq("lw reads back the sw at +5", lw_(b + 5), 0xa1b2c3d4u);
  sh_(b + 11, 0xbeef);
  check_eq("sh at +11 crosses a word", lhu_(b + 11), 0xbeef);
  check_eq("sh at +11: byte 12", buf[12], 0xbe);
  /* across a 4 KiB page boundary (bare: plain physical memory) */
  static volatile uint8_t page[8192] __attribute__((aligned(4096)));
  uintptr_t edge = (uintptr_t)page + 4096 - 2;
  sw_(edge, 0x11223344u);
  check_eq("sw across a page boundary reads back", lw_(edge), 0x11223344u);
  check_eq("sw across a page boundary: first byte of next page", page[4096], 0x22);
  check_eq("misaligned loads/stores took no trap", mtrap.count, 0);
  return failures();
}
