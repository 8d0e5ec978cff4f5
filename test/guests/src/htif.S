/* riscv-tests style: no runtime, no UART. Numbered cases in gp; the result goes to the HTIF
   tohost word (ELF symbol): 1 = pass, (case << 1) | 1 = fail in that case. On QEMU this runs on
   `-machine spike` (virt has no HTIF). */
  .section .text.init, "ax"
  .globl _start
_start:
  la t0, trap_vector
  csrw mtvec, t0
  li gp, 0

  li gp, 2                    /* add / sub */
  li a0, 0x7fffffff
  li a1, 1
  add a2, a0, a1
  li t1, 0x80000000
  bne a2, t1, fail
  sub a2, a2, a1
  bne a2, a0, fail

  li gp, 3                    /* mul / div */
  li a0, -7
  li a1, 2
  div a2, a0, a1
  li t1, -3
  bne a2, t1, fail
  mulh a2, a0, a0
  bnez a2, fail

  li gp, 4                    /* amoadd */
  la a0, scratch
  li a1, 5
  sw a1, 0(a0)
  amoadd.w a2, a1, (a0)
  bne a2, a1, fail
  lw a2, 0(a0)
  li t1, 10
  bne a2, t1, fail

  li gp, 5                    /* ecall from M reaches the trap vector with mcause 11 */
  li s0, 0
  ecall
  li t1, 11
  bne s0, t1, fail

  li gp, 6                    /* ebreak: mcause 3 */
  ebreak
  li t1, 3
  bne s0, t1, fail

pass:
  fence
  li a0, 1
  j write_tohost
fail:
  fence
  slli a0, gp, 1
  ori a0, a0, 1
write_tohost:
  la t5, tohost
  sw a0, 0(t5)
  sw zero, 4(t5)
  j write_tohost

  .balign 4
trap_vector:                  /* records mcause in s0, resumes after the instruction */
  csrr s0, mcause
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret

  .data
scratch: .word 0

  .section .tohost, "aw", @progbits
  .balign 64
  .globl tohost
  .type tohost, @object
  .size tohost, 8
tohost: .dword 0
  .balign 64
  .globl fromhost
  .type fromhost, @object
  .size fromhost, 8
fromhost: .dword 0
