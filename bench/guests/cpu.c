/* The CPU benchmark guest: integer ALU, branches, byte/half/word loads and stores over a 256 KiB
   working set, multiply, divide and remainder. Built twice (test/guests/build.sh):
     cpu_bare.elf  the workload in M-mode, no translation;
     cpu_sv32.elf  M-mode sets up Sv32 with 4 KiB pages for code, data and stack, and runs the
                   same workload in U-mode (every fetch and access goes through the TLB).
   Prints a checksum (the same on every correct machine) and the instructions retired (minstret,
   meaningful where counters are exact), then exits through the finisher. */
#include "rt.h"

#ifndef ITERS
#define ITERS 9000000u
#endif
#define N (64u * 1024u) /* words */

static uint32_t a[N];
static volatile uint32_t result;
/* In .data so that bench/cpu.ts --iters can patch it in the ELF image. */
volatile uint32_t iterations = ITERS;

static uint32_t __attribute__((noinline)) work(uint32_t iters) {
  uint32_t x = 0x12345678u, sum = 0;
  uint8_t *bytes = (uint8_t *)a;
  uint16_t *halves = (uint16_t *)a;
  for (uint32_t i = 0; i < N; i++) a[i] = i * 2654435761u;
  for (uint32_t it = 0; it < iters; it++) {
    x = x * 1664525u + 1013904223u;
    uint32_t j = (x >> 13) & (N - 1);
    uint32_t v = a[j];
    if (v & 1)
      v = (v >> 1) ^ 0xedb88320u;
    else
      v = (v << 1) + (x >> 27);
    if ((it & 7) == 0) sum += v / ((x >> 20) | 1) + v % 10007u;
    a[j] = v;
    sum += v ^ j;
    bytes[(x >> 5) & (4 * N - 1)] ^= (uint8_t)sum;
    sum += halves[(x >> 7) & (2 * N - 1)];
    if ((int32_t)sum < 0) sum = (sum << 3) | (sum >> 29);
  }
  return sum;
}

#ifdef SV32
#define PTE_V 0x01u
#define PTE_RWX 0x0eu
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u
extern char _end[];
static uint32_t root[1024] __attribute__((aligned(4096)));
static uint32_t l0[1024] __attribute__((aligned(4096)));

static void map_image(void) {
  /* 0x80000000 .. _end, identity, 4 KiB U pages (code, data, bss, stacks) */
  for (uint32_t pa = 0x80000000u; pa < (uint32_t)_end; pa += 4096)
    l0[(pa >> 12) & 1023] = ((pa >> 12) << 10) | PTE_RWX | PTE_U | PTE_A | PTE_D | PTE_V;
  root[0x200] = (((uint32_t)l0 >> 12) << 10) | PTE_V;
  csr_write(satp, 0x80000000u | ((uint32_t)root >> 12));
  asm volatile("sfence.vma" ::: "memory");
}
#endif

int main(void) {
  uint32_t start = csr_read(minstret);
#ifdef SV32
  puts("cpu: Sv32, U-mode, 4 KiB pages\n");
  map_image();
  enter_mode(PRV_U);
  result = work(iterations);
  to_mmode();
  csr_write(satp, 0);
#else
  puts("cpu: bare, M-mode\n");
  result = work(iterations);
#endif
  uint32_t end = csr_read(minstret);
  printf("checksum: 0x%08x\n", result);
  printf("retired: %u\n", end - start);
  return 0;
}
