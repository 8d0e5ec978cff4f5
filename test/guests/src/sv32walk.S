/* A short Sv32 walk for the golden trace (no runtime, no UART): M builds a root table (a 4 MiB
   identity megapage for the code, S only) and a level-0 table for VA 0x40000000 (page 0: RW with
   A = D = 0, page 1: read-only, page 2: unmapped), enters S; S loads and stores through page 0
   (the hardware sets A, then D), stores to page 1 and loads from page 2 (page faults 15 and 13,
   taken in M), changes nothing and returns to M with an ecall; M reads the PTE back. Exits with
   0x5555 if the A/D bits and the trap causes are as the spec says, else status 1. */
  .section .text.init, "ax"
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  li s1, 0                      /* sum of trap causes */
  li s2, 0                      /* traps */

  la s3, root
  la s4, l0
  la s5, frames
  /* root[0x200] = identity megapage at 0x80000000: V R W X A D */
  li t0, (0x80000000 >> 12) << 10 | 0xcf
  li t1, 0x200 * 4
  add t1, s3, t1
  sw t0, 0(t1)
  /* root[0x100] = pointer to l0 */
  srli t0, s4, 12
  slli t0, t0, 10
  ori t0, t0, 1
  sw t0, (0x100 * 4)(s3)
  /* l0[0] = frame 0, V R W (A = D = 0) */
  srli t0, s5, 12
  slli t0, t0, 10
  ori t1, t0, 0x07
  sw t1, 0(s4)
  /* l0[1] = frame 1, V R A */
  li t2, 1 << 10
  add t1, t0, t2
  ori t1, t1, 0x43
  sw t1, 4(s4)
  /* frame 0 word 0 = 0x1234 */
  li t0, 0x1234
  sw t0, 0(s5)

  srli t0, s3, 12
  li t1, 0x80000000
  or t0, t0, t1
  csrw satp, t0
  sfence.vma

  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800                 /* MPP = S */
  csrs mstatus, t0
  la t0, in_s
  csrw mepc, t0
  mret

in_s:
  li a0, 0x40000000
  lw a1, 0(a0)                  /* sets A */
  addi a1, a1, 1
  sw a1, 4(a0)                  /* sets D */
  lw a2, 4(a0)
  li a3, 0x40001000
  lw a4, 0(a3)                  /* read-only page: fine */
  sw a4, 0(a3)                  /* store page fault: 15 */
  li a3, 0x40002000
  lw a4, 0(a3)                  /* unmapped: load page fault: 13 */
  sfence.vma a0, zero
  lw a5, 0(a0)
  ecall                         /* 9: back in M through the handler, which stays in M */

in_m:
  csrw satp, zero
  lw t3, 0(s4)                  /* l0[0] with A and D */
  andi t3, t3, 0xc0
  li t0, 0xc0
  bne t3, t0, bad
  lw t3, 4(s4)                  /* l0[1]: A only (its store faulted) */
  andi t3, t3, 0xc0
  li t0, 0x40
  bne t3, t0, bad
  li t0, 15 + 13 + 9
  bne s1, t0, bad
  li t0, 0x1235
  bne a2, t0, bad
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
bad:
  li t0, 0x100000
  li t1, 0x13333
  sw t1, 0(t0)
2: j 2b

  .balign 4
mtrap:
  csrr t6, mcause
  add s1, s1, t6
  addi s2, s2, 1
  csrr t5, mtval
  li t4, 9
  beq t6, t4, 1f
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret
1: /* ecall from S: continue at in_m, in M */
  la t5, in_m
  csrw mepc, t5
  li t5, 0x1800
  csrs mstatus, t5
  mret

  .bss
  .balign 4096
root: .space 4096
l0: .space 4096
frames: .space 8192
