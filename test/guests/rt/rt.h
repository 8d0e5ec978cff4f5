/* The guest runtime: UART output, checks, exit, CSR access, privilege switches, trap records. */
#ifndef RT_H
#define RT_H

typedef unsigned int uint32_t;
typedef int int32_t;
typedef unsigned short uint16_t;
typedef short int16_t;
typedef unsigned char uint8_t;
typedef signed char int8_t;
typedef unsigned long long uint64_t;
typedef long long int64_t;
typedef unsigned int uintptr_t;
typedef unsigned int size_t;

#define UART_BASE 0x10000000u
#define FINISHER_BASE 0x00100000u
#define CLINT_BASE 0x02000000u
#define CLINT_MSIP (CLINT_BASE + 0x0)
#define CLINT_MTIMECMP (CLINT_BASE + 0x4000)
#define CLINT_MTIME (CLINT_BASE + 0xbff8)
#define PLIC_BASE 0x0c000000u

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO8(a) (*(volatile uint8_t *)(uintptr_t)(a))

/* Privilege modes */
#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

/* mstatus bits */
#define MSTATUS_SIE (1u << 1)
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_SPIE (1u << 5)
#define MSTATUS_UBE (1u << 6)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_SPP (1u << 8)
#define MSTATUS_MPP (3u << 11)
#define MSTATUS_MPRV (1u << 17)
#define MSTATUS_SUM (1u << 18)
#define MSTATUS_MXR (1u << 19)
#define MSTATUS_TVM (1u << 20)
#define MSTATUS_TW (1u << 21)
#define MSTATUS_TSR (1u << 22)

/* Interrupt bits (mip/mie) */
#define IRQ_SSI 1
#define IRQ_MSI 3
#define IRQ_STI 5
#define IRQ_MTI 7
#define IRQ_SEI 9
#define IRQ_MEI 11
#define MCAUSE_INT 0x80000000u

/* Exception causes */
#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT 3
#define CAUSE_MISALIGNED_LOAD 4
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS 7
#define CAUSE_USER_ECALL 8
#define CAUSE_SUPERVISOR_ECALL 9
#define CAUSE_MACHINE_ECALL 11
#define CAUSE_FETCH_PAGE_FAULT 12
#define CAUSE_LOAD_PAGE_FAULT 13
#define CAUSE_STORE_PAGE_FAULT 15

#define STR_(x) #x
#define STR(x) STR_(x)
#define csr_read(csr) ({ uint32_t __v; asm volatile("csrr %0, " STR(csr) : "=r"(__v) :: "memory"); __v; })
#define csr_write(csr, val) asm volatile("csrw " STR(csr) ", %0" :: "r"((uint32_t)(val)) : "memory")
#define csr_set(csr, val) asm volatile("csrs " STR(csr) ", %0" :: "r"((uint32_t)(val)) : "memory")
#define csr_clear(csr, val) asm volatile("csrc " STR(csr) ", %0" :: "r"((uint32_t)(val)) : "memory")
#define csr_swap(csr, val) ({ uint32_t __v; asm volatile("csrrw %0, " STR(csr) ", %1" : "=r"(__v) : "r"((uint32_t)(val)) : "memory"); __v; })

/* Trap frame, as laid out by mtrap_entry / strap_entry in start.S. */
struct trap_frame {
  uint32_t r[32]; /* r[2] is the interrupted sp */
  uint32_t epc, cause, tval, status;
  uint32_t fwd; /* S handler: nonzero = forward a "back to M" request to M */
};

/* A trap hook returns nonzero when it has dealt with the trap (the default action is skipped). */
typedef int (*trap_hook_t)(struct trap_frame *f);
extern trap_hook_t mtrap_hook, strap_hook;

/* What the last trap taken in M (resp. S) was; count counts them. Magic ecalls are not recorded. */
struct trap_record {
  volatile uint32_t count, cause, epc, tval, status;
};
extern struct trap_record mtrap, strap;
void trap_reset(void);

/* Privilege switches (start.S): enter_mode drops from M to `mode` and returns there; to_mmode
   raises back to M (an ecall the M handler recognises, forwarded by the S handler if delegated). */
void enter_mode(int mode);
void to_mmode(void);
void set_strap_vector(void); /* stvec = strap_entry, sscratch = S trap stack */
#define ECALL_MAGIC 0x4d4d4d4du
#define ECALL_MAGIC_FWD 0x46574446u

/* Output */
void putc(int c);
void puts(const char *s);
void printf(const char *fmt, ...);
void exit(int code) __attribute__((noreturn));

/* Checks: "ok   name" or "FAIL name: ..."; main returns failures() and start.S exits with it. */
void check(const char *name, int ok);
void check_eq(const char *name, uint32_t got, uint32_t want);
int failures(void);

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

static inline uint32_t mtime_lo(void) { return MMIO32(CLINT_MTIME); }
static inline uint64_t mtime64(void) {
  uint32_t hi, lo;
  do { hi = MMIO32(CLINT_MTIME + 4); lo = MMIO32(CLINT_MTIME); } while (hi != MMIO32(CLINT_MTIME + 4));
  return ((uint64_t)hi << 32) | lo;
}
static inline void set_mtimecmp(uint64_t t) {
  MMIO32(CLINT_MTIMECMP + 4) = 0xffffffffu; /* no spurious interrupt while the halves disagree */
  MMIO32(CLINT_MTIMECMP) = (uint32_t)t;
  MMIO32(CLINT_MTIMECMP + 4) = (uint32_t)(t >> 32);
}

#endif
