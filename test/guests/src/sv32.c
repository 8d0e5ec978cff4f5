/* Sv32: 4 KiB pages and 4 MiB megapages, misaligned megapages, page faults 12/13/15 with
   mtval, A/D bits set by hardware, SUM, MXR, MPRV, U/S page permissions, sfence.vma. */
#include "rt.h"

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u
#define LEAF(pa, fl) ((((uint32_t)(pa) >> 12) << 10) | (fl) | PTE_V)
#define SATP(root) (0x80000000u | ((uint32_t)(root) >> 12))

static uint32_t root_s[1024] __attribute__((aligned(4096)));
static uint32_t root_u[1024] __attribute__((aligned(4096)));
static uint32_t l0[1024] __attribute__((aligned(4096)));
static uint32_t pages[14][1024] __attribute__((aligned(4096)));

#define VA(i) (0x40000000u + (uint32_t)(i) * 4096u)
#define MEGA_PA 0x80400000u
#define MEGA_VA 0xc0000000u
#define BADMEGA_VA 0xc0400000u

enum { P_RW, P_RO, P_XO, P_AD, P_INVALID, P_USER, P_WONLY, P_CODE, P_NONLEAF, P_SWITCH, P_UCODE, P_RW2, P_GAP, P_AMOD, P_XA };

static volatile uint32_t r[8];

static uint32_t ld(uint32_t va) { uint32_t v; asm volatile("lw %0, 0(%1)" : "=r"(v) : "r"(va) : "memory"); return v; }
static void st(uint32_t va, uint32_t v) { asm volatile("sw %0, 0(%1)" :: "r"(v), "r"(va) : "memory"); }
static uint32_t call(uint32_t va) {
  uint32_t v;
  asm volatile("li a0, 0\n jalr ra, 0(%1)\n mv %0, a0" : "=r"(v) : "r"(va) : "a0", "ra", "memory");
  return v;
}

static void setup(void) {
  for (int i = 0; i < 14; i++)
    for (int k = 0; k < 1024; k++) pages[i][k] = 0x1000u * (uint32_t)i + (uint32_t)k;
  /* P_XA uses frame 13 (frame 12 is unused: VA page 12 stays unmapped) */
  pages[13][0] = 0x02a00513u;
  pages[13][1] = 0x00008067u;
  /* li a0, 42; ret */
  pages[P_CODE][0] = 0x02a00513u;
  pages[P_CODE][1] = 0x00008067u;
  pages[P_UCODE][0] = 0x02a00513u;
  pages[P_UCODE][1] = 0x00008067u;
  pages[P_XO][0] = 0x02a00513u;
  pages[P_XO][1] = 0x00008067u;
  asm volatile("fence.i" ::: "memory");

  const uint32_t RWXAD = PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
  root_s[0x200] = LEAF(0x80000000u, RWXAD);
  root_u[0x200] = LEAF(0x80000000u, RWXAD | PTE_U);
  root_s[0x100] = root_u[0x100] = (((uint32_t)l0 >> 12) << 10) | PTE_V;
  root_s[MEGA_VA >> 22] = root_u[MEGA_VA >> 22] = LEAF(MEGA_PA, PTE_R | PTE_W | PTE_A | PTE_D | PTE_U);
  root_s[BADMEGA_VA >> 22] = LEAF(MEGA_PA + 4096, RWXAD); /* PPN[0] != 0: misaligned megapage */

  l0[P_RW] = LEAF(pages[P_RW], PTE_R | PTE_W | PTE_A | PTE_D);
  l0[P_RO] = LEAF(pages[P_RO], PTE_R | PTE_A | PTE_U);
  l0[P_XO] = LEAF(pages[P_XO], PTE_X | PTE_A);
  l0[P_AD] = LEAF(pages[P_AD], PTE_R | PTE_W);
  l0[P_INVALID] = 0;
  l0[P_USER] = LEAF(pages[P_USER], PTE_R | PTE_W | PTE_A | PTE_D | PTE_U);
  l0[P_WONLY] = LEAF(pages[P_WONLY], PTE_W | PTE_A | PTE_D);
  l0[P_CODE] = LEAF(pages[P_CODE], PTE_R | PTE_X | PTE_A);
  l0[P_NONLEAF] = (((uint32_t)pages[P_NONLEAF] >> 12) << 10) | PTE_V;
  l0[P_SWITCH] = LEAF(pages[P_RW], PTE_R | PTE_W | PTE_A | PTE_D);
  l0[P_UCODE] = LEAF(pages[P_UCODE], PTE_R | PTE_X | PTE_A | PTE_U);
  l0[P_RW2] = LEAF(pages[P_RW2], PTE_R | PTE_W | PTE_A | PTE_D);
  l0[P_AMOD] = LEAF(pages[P_GAP], PTE_R | PTE_W);
  l0[P_XA] = LEAF(pages[13], PTE_R | PTE_X);
  /* pages[P_NONLEAF] is read as a level-0 table by the walker only if it were level 1; at level 0
     a non-leaf PTE is a fault, whatever it points to */
}

#define FAULT(name, cause_, va_, body) do { \
  trap_reset(); body; \
  check_eq(name ": cause", mtrap.cause, cause_); \
  check_eq(name ": mtval = address", mtrap.tval, va_); \
} while (0)

static void s_mode_tests(void) {
  MMIO32(MEGA_PA + 16) = 0x600df00du;
  csr_write(satp, SATP(root_s));
  asm volatile("sfence.vma" ::: "memory");

  enter_mode(PRV_S);
  trap_reset();
  r[0] = ld(VA(P_RW) + 8);
  st(VA(P_RW) + 12, 0xabcdef01u);
  r[2] = call(VA(P_CODE));
  r[3] = mtrap.count;
  to_mmode();
  check_eq("S load through a 4 KiB page", r[0], 2);
  check_eq("S store through a 4 KiB page lands in its frame", pages[P_RW][3], 0xabcdef01u);
  check_eq("S executes from a 4 KiB X page", r[2], 42);
  check_eq("S accesses through 4 KiB pages took no trap", r[3], 0);
  /* the data megapage is a U page: S reaches it with SUM = 1 */
  csr_set(mstatus, MSTATUS_SUM);
  enter_mode(PRV_S);
  trap_reset();
  r[1] = ld(MEGA_VA + 16);
  st(MEGA_VA + 20, 0x12121212u);
  r[3] = mtrap.count;
  to_mmode();
  csr_clear(mstatus, MSTATUS_SUM);
  check_eq("S load through a 4 MiB megapage", r[1], 0x600df00du);
  check_eq("S store through a 4 MiB megapage", MMIO32(MEGA_PA + 20), 0x12121212u);
  check_eq("megapage accesses with SUM took no trap", r[3], 0);

  /* faults */
  uint32_t pc;
  FAULT("S store to a read-only page", CAUSE_STORE_PAGE_FAULT, VA(P_RO) + 4,
        enter_mode(PRV_S); asm volatile("1: sw zero, 0(%1)\n la %0, 1b" : "=r"(pc) : "r"(VA(P_RO) + 4) : "memory"); to_mmode());
  check_eq("S store to a read-only page: mepc = the store", mtrap.epc, pc);
  FAULT("S load from an invalid PTE", CAUSE_LOAD_PAGE_FAULT, VA(P_INVALID) + 0x10, enter_mode(PRV_S); ld(VA(P_INVALID) + 0x10); to_mmode());
  FAULT("S store to an invalid PTE", CAUSE_STORE_PAGE_FAULT, VA(P_INVALID) + 0x14, enter_mode(PRV_S); st(VA(P_INVALID) + 0x14, 0); to_mmode());
  FAULT("S fetch from an invalid PTE", CAUSE_FETCH_PAGE_FAULT, VA(P_INVALID), enter_mode(PRV_S); call(VA(P_INVALID)); to_mmode());
  FAULT("S fetch from a non-X page", CAUSE_FETCH_PAGE_FAULT, VA(P_RW), enter_mode(PRV_S); call(VA(P_RW)); to_mmode());
  FAULT("S load from a W-only PTE (reserved)", CAUSE_LOAD_PAGE_FAULT, VA(P_WONLY), enter_mode(PRV_S); ld(VA(P_WONLY)); to_mmode());
  FAULT("S load through a level-0 non-leaf PTE", CAUSE_LOAD_PAGE_FAULT, VA(P_NONLEAF) + 8, enter_mode(PRV_S); ld(VA(P_NONLEAF) + 8); to_mmode());
  FAULT("S load from a misaligned megapage", CAUSE_LOAD_PAGE_FAULT, BADMEGA_VA + 4, enter_mode(PRV_S); ld(BADMEGA_VA + 4); to_mmode());
  FAULT("S store to a misaligned megapage", CAUSE_STORE_PAGE_FAULT, BADMEGA_VA + 8, enter_mode(PRV_S); st(BADMEGA_VA + 8, 0); to_mmode());
  FAULT("S fetch from a misaligned megapage", CAUSE_FETCH_PAGE_FAULT, BADMEGA_VA, enter_mode(PRV_S); call(BADMEGA_VA); to_mmode());
  FAULT("S load from unmapped VA 0", CAUSE_LOAD_PAGE_FAULT, 0, enter_mode(PRV_S); ld(0); to_mmode());
  FAULT("S amoadd to a read-only page", CAUSE_STORE_PAGE_FAULT, VA(P_RO),
        enter_mode(PRV_S); asm volatile("amoadd.w zero, zero, (%0)" :: "r"(VA(P_RO)) : "memory"); to_mmode());
  FAULT("S lr.w from an invalid PTE", CAUSE_LOAD_PAGE_FAULT, VA(P_INVALID),
        enter_mode(PRV_S); asm volatile("lr.w t0, (%0)" :: "r"(VA(P_INVALID)) : "t0", "memory"); to_mmode());
  FAULT("misaligned S load whose second half is unmapped", CAUSE_LOAD_PAGE_FAULT, VA(P_RW2 + 1),
        enter_mode(PRV_S); ld(VA(P_RW2 + 1) - 2); to_mmode());
  FAULT("misaligned S store whose second half is unmapped", CAUSE_STORE_PAGE_FAULT, VA(P_RW2 + 1),
        enter_mode(PRV_S); st(VA(P_RW2 + 1) - 1, 0); to_mmode());

  /* code rewritten by M through the physical address, fence.i: S sees the new instruction */
  pages[P_CODE][0] = 0x02b00513u; /* li a0, 43 */
  asm volatile("fence.i" ::: "memory");
  enter_mode(PRV_S);
  asm volatile("fence.i" ::: "memory");
  r[0] = call(VA(P_CODE));
  to_mmode();
  check_eq("S runs code rewritten through its frame after fence.i", r[0], 43);
  pages[P_CODE][0] = 0x02a00513u;
  asm volatile("fence.i" ::: "memory");

  /* A/D bits */
  check_eq("A/D clear before any access", l0[P_AD] & (PTE_A | PTE_D), 0);
  enter_mode(PRV_S);
  trap_reset();
  r[0] = ld(VA(P_AD));
  to_mmode();
  r[1] = l0[P_AD];
  enter_mode(PRV_S);
  st(VA(P_AD) + 4, 77);
  r[2] = mtrap.count;
  to_mmode();
  check_eq("load through an A = 0 PTE succeeds", r[0], 0x1000u * P_AD);
  check_eq("load sets A, leaves D", r[1] & (PTE_A | PTE_D), PTE_A);
  check_eq("store sets D", l0[P_AD] & (PTE_A | PTE_D), PTE_A | PTE_D);
  check_eq("A/D updates took no trap", r[2], 0);

  /* an AMO sets A and D; a fetch sets A */
  enter_mode(PRV_S);
  trap_reset();
  asm volatile("amoadd.w zero, %1, (%0)" :: "r"(VA(P_AMOD)), "r"(1u) : "memory");
  r[0] = call(VA(P_XA));
  r[1] = mtrap.count;
  to_mmode();
  check_eq("amoadd through an A = D = 0 PTE sets A and D", l0[P_AMOD] & (PTE_A | PTE_D), PTE_A | PTE_D);
  check_eq("amoadd through an A = D = 0 PTE stored", pages[P_GAP][0], 0x1000u * P_GAP + 1);
  check_eq("fetch through an A = 0 PTE runs", r[0], 42);
  check_eq("fetch sets A, leaves D", l0[P_XA] & (PTE_A | PTE_D), PTE_A);
  check_eq("AMO and fetch A/D updates took no trap", r[1], 0);

  /* SUM: S access to U pages */
  FAULT("S load from a U page with SUM = 0", CAUSE_LOAD_PAGE_FAULT, VA(P_USER), enter_mode(PRV_S); ld(VA(P_USER)); to_mmode());
  FAULT("S load from a U megapage with SUM = 0", CAUSE_LOAD_PAGE_FAULT, MEGA_VA + 16, enter_mode(PRV_S); ld(MEGA_VA + 16); to_mmode());
  csr_set(mstatus, MSTATUS_SUM);
  enter_mode(PRV_S);
  trap_reset();
  r[0] = ld(VA(P_USER) + 4);
  st(VA(P_USER) + 8, 5);
  r[1] = mtrap.count;
  to_mmode();
  check_eq("S load from a U page with SUM = 1", r[0], 0x1000u * P_USER + 1);
  check_eq("S access to a U page with SUM = 1: no trap", r[1], 0);
  FAULT("S fetch from a U page even with SUM = 1", CAUSE_FETCH_PAGE_FAULT, VA(P_UCODE),
        enter_mode(PRV_S); call(VA(P_UCODE)); to_mmode());
  csr_clear(mstatus, MSTATUS_SUM);

  /* MXR: loads from execute-only pages */
  FAULT("S load from an X-only page with MXR = 0", CAUSE_LOAD_PAGE_FAULT, VA(P_XO), enter_mode(PRV_S); ld(VA(P_XO)); to_mmode());
  csr_set(mstatus, MSTATUS_MXR);
  enter_mode(PRV_S);
  trap_reset();
  r[0] = ld(VA(P_XO));
  r[1] = mtrap.count;
  r[2] = call(VA(P_XO));
  to_mmode();
  check_eq("S load from an X-only page with MXR = 1", r[0], 0x02a00513u);
  check_eq("MXR load: no trap", r[1], 0);
  check_eq("S executes from an X-only page", r[2], 42);
  FAULT("MXR does not make stores to X-only pages legal", CAUSE_STORE_PAGE_FAULT, VA(P_XO),
        enter_mode(PRV_S); st(VA(P_XO), 0); to_mmode());
  csr_clear(mstatus, MSTATUS_MXR);

  /* sfence.vma: after changing a PTE and fencing, the new mapping is used */
  enter_mode(PRV_S);
  r[0] = ld(VA(P_SWITCH) + 0x20);
  to_mmode();
  l0[P_SWITCH] = LEAF(pages[P_RW2], PTE_R | PTE_W | PTE_A | PTE_D);
  enter_mode(PRV_S);
  asm volatile("sfence.vma %0, zero" :: "r"(VA(P_SWITCH)) : "memory");
  r[1] = ld(VA(P_SWITCH) + 0x20);
  to_mmode();
  l0[P_SWITCH] = LEAF(pages[P_RW], PTE_R | PTE_W | PTE_A | PTE_D);
  enter_mode(PRV_S);
  asm volatile("sfence.vma zero, zero" ::: "memory");
  r[2] = ld(VA(P_SWITCH) + 0x20);
  to_mmode();
  l0[P_SWITCH] = 0;
  FAULT("after unmapping and sfence.vma: load faults", CAUSE_LOAD_PAGE_FAULT, VA(P_SWITCH) + 0x20,
        enter_mode(PRV_S); asm volatile("sfence.vma zero, zero" ::: "memory"); ld(VA(P_SWITCH) + 0x20); to_mmode());
  check_eq("sfence: old mapping", r[0], 0x1000u * P_RW + 8);
  check_eq("sfence.vma va: new mapping", r[1], 0x1000u * P_RW2 + 8);
  check_eq("sfence.vma all: mapping back", r[2], 0x1000u * P_RW + 8);
  csr_write(satp, 0);
}

/* satp pointing at physical memory that does not exist: the walk's PTE read fails, which is an
   access fault of the original access type. M reaches it through MPRV (S could not even fetch). */
static void walk_access_faults(void) {
  csr_write(satp, 0x80000000u | (0x01000000u >> 12));
  asm volatile("sfence.vma" ::: "memory");
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint32_t)PRV_S << 11);
  trap_reset();
  asm volatile("csrs mstatus, %1\n lw zero, 0(%0)\n csrc mstatus, %1" :: "r"(VA(P_RW) + 4), "r"(MSTATUS_MPRV) : "memory");
  check_eq("load whose page-table walk reads unmapped memory: load access fault", mtrap.cause, CAUSE_LOAD_ACCESS);
  check_eq("load whose page-table walk reads unmapped memory: mtval = address", mtrap.tval, VA(P_RW) + 4);
  csr_set(mstatus, (uint32_t)PRV_S << 11);
  trap_reset();
  asm volatile("csrs mstatus, %1\n sw zero, 0(%0)\n csrc mstatus, %1" :: "r"(VA(P_RW) + 8), "r"(MSTATUS_MPRV) : "memory");
  check_eq("store whose page-table walk reads unmapped memory: store access fault", mtrap.cause, CAUSE_STORE_ACCESS);
  csr_write(mstatus, 0);
  csr_write(satp, 0);
  asm volatile("sfence.vma" ::: "memory");
}

static void u_mode_tests(void) {
  csr_write(satp, SATP(root_u));
  asm volatile("sfence.vma" ::: "memory");
  enter_mode(PRV_U);
  trap_reset();
  r[0] = ld(VA(P_USER) + 12);
  st(VA(P_USER) + 16, 9);
  r[1] = call(VA(P_UCODE));
  r[2] = ld(VA(P_RO) + 4);
  r[3] = mtrap.count;
  to_mmode();
  check_eq("U load from a U page", r[0], 0x1000u * P_USER + 3);
  check_eq("U executes from a U X page", r[1], 42);
  check_eq("U load from a U read-only page", r[2], 0x1000u * P_RO + 1);
  check_eq("U accesses to U pages: no trap", r[3], 0);
  FAULT("U load from an S page", CAUSE_LOAD_PAGE_FAULT, VA(P_RW), enter_mode(PRV_U); ld(VA(P_RW)); to_mmode());
  FAULT("U store to an S page", CAUSE_STORE_PAGE_FAULT, VA(P_RW) + 4, enter_mode(PRV_U); st(VA(P_RW) + 4, 0); to_mmode());
  FAULT("U fetch from an S page", CAUSE_FETCH_PAGE_FAULT, VA(P_CODE), enter_mode(PRV_U); call(VA(P_CODE)); to_mmode());
  FAULT("U store to a U read-only page", CAUSE_STORE_PAGE_FAULT, VA(P_RO) + 8, enter_mode(PRV_U); st(VA(P_RO) + 8, 0); to_mmode());
  csr_write(satp, 0);
}

static void mprv_tests(void) {
  uint32_t v;
  csr_write(satp, SATP(root_s));
  asm volatile("sfence.vma" ::: "memory");
  /* M with MPRV = 1, MPP = S: loads and stores translate as S; fetches do not */
  csr_clear(mstatus, MSTATUS_MPP);
  csr_set(mstatus, (uint32_t)PRV_S << 11);
  asm volatile("csrs mstatus, %2\n lw %0, 0(%1)\n csrc mstatus, %2" : "=&r"(v) : "r"(VA(P_RW) + 4), "r"(MSTATUS_MPRV) : "memory");
  check_eq("M load with MPRV = 1, MPP = S translates", v, 0x1000u * P_RW + 1);
  asm volatile("csrs mstatus, %1\n sw %2, 0(%0)\n csrc mstatus, %1" :: "r"(VA(P_RW) + 24), "r"(MSTATUS_MPRV), "r"(0x5151u) : "memory");
  check_eq("M store with MPRV = 1, MPP = S translates", pages[P_RW][6], 0x5151u);
  /* MPP = U: S pages fault; the handler sees the fault and MPRV is cleared right after */
  csr_clear(mstatus, MSTATUS_MPP);
  trap_reset();
  asm volatile("csrs mstatus, %1\n lw zero, 0(%0)\n csrc mstatus, %1" :: "r"(VA(P_RW)), "r"(MSTATUS_MPRV) : "memory");
  check_eq("M load with MPRV = 1, MPP = U from an S page: cause", mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
  check_eq("M load with MPRV = 1, MPP = U from an S page: mtval", mtrap.tval, VA(P_RW));
  check_eq("M load with MPRV = 1, MPP = U from an S page: MPP in the trap = M", (mtrap.status >> 11) & 3, PRV_M);
  /* MPRV = 1, MPP = S and SUM = 1: U pages are reachable; SUM = 0: they fault */
  csr_set(mstatus, ((uint32_t)PRV_S << 11) | MSTATUS_SUM);
  asm volatile("csrs mstatus, %2\n lw %0, 0(%1)\n csrc mstatus, %2" : "=&r"(v) : "r"(VA(P_USER) + 20), "r"(MSTATUS_MPRV) : "memory");
  check_eq("M load with MPRV = 1, MPP = S, SUM = 1 from a U page", v, 0x1000u * P_USER + 5);
  csr_clear(mstatus, MSTATUS_SUM);
  trap_reset();
  asm volatile("csrs mstatus, %1\n lw zero, 0(%0)\n csrc mstatus, %1" :: "r"(VA(P_USER) + 8), "r"(MSTATUS_MPRV) : "memory");
  check_eq("M load with MPRV = 1, MPP = S, SUM = 0 from a U page: cause", mtrap.cause, CAUSE_LOAD_PAGE_FAULT);
  csr_clear(mstatus, MSTATUS_MPP);
  /* MPRV = 0: M ignores satp */
  check_eq("M load with MPRV = 0 is physical", ld((uint32_t)&pages[P_RW2][2]), 0x1000u * P_RW2 + 2);
  csr_write(mstatus, 0);
  csr_write(satp, 0);
}

int main(void) {
  puts("sv32: page tables, faults and permission bits\n");
  setup();
  s_mode_tests();
  u_mode_tests();
  mprv_tests();
  walk_access_faults();
  return failures();
}
