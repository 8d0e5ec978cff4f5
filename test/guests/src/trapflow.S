/* A short, straight-line privilege and trap walk for the golden trace (no runtime, no UART):
   M ecall, illegal, ebreak, access fault, mret to S, S ecall, sret to U, U ecall delegated to S,
   U illegal to M, back to M. The handlers add each cause to s1 and count traps in s2; the
   program exits through the finisher with 0x5555 if the sums are right, else with status 1. */
  .section .text.init, "ax"
  .globl _start
_start:
  la t0, mtrap
  csrw mtvec, t0
  la t0, strap
  csrw stvec, t0
  li s1, 0
  li s2, 0
  li s3, 0

  ecall                       /* M: cause 11 */
  .4byte 0                    /* M: cause 2 */
  ebreak                      /* M: cause 3 */
  li t1, 0x1000000
  lw t2, 0(t1)                /* nothing there: load access fault, cause 5 */
  li t1, 0x5a5a
  csrrw t2, mscratch, t1
  csrr t3, mscratch

  li t0, 1 << 8               /* delegate ecall from U to S */
  csrw medeleg, t0
  li t0, 0x1800
  csrc mstatus, t0
  li t0, 0x0800               /* MPP = S */
  csrs mstatus, t0
  la t0, in_s
  csrw mepc, t0
  mret

in_s:
  ecall                       /* S: cause 9, to M */
  csrr s3, sscratch
  addi s3, s3, 1
  csrw sscratch, s3
  li t0, 0x100
  csrc sstatus, t0            /* SPP = U */
  la t0, in_u
  csrw sepc, t0
  sret

in_u:
  ecall                       /* U: cause 8, delegated to S */
  .4byte 0xffffffff           /* U: cause 2, to M */
  li t0, 7
  li t1, 6
  mul t2, t0, t1
  li t1, 0x80000000           /* U may not read mstatus: cause 2 */
  csrr t3, mstatus

  /* check: causes 11 + 2 + 3 + 5 + 9 + 8 + 2 + 2 = 42 over 8 traps */
  li t0, 42
  bne s1, t0, bad
  li t0, 8
  bne s2, t0, bad
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)                /* U may reach the finisher: bare, no PMP */
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
  csrr t5, mepc
  addi t5, t5, 4
  csrw mepc, t5
  mret

  .balign 4
strap:
  csrr t6, scause
  add s1, s1, t6
  addi s2, s2, 1
  csrr t5, sepc
  addi t5, t5, 4
  csrw sepc, t5
  sret
