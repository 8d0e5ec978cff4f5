/* crt0 and trap entry points of the guest runtime. */
#define FRAME 148        /* 32 regs + epc, cause, tval, status, fwd */
#define F_EPC 128
#define F_CAUSE 132
#define F_TVAL 136
#define F_STATUS 140
#define F_FWD 144
#define ECALL_MAGIC 0x4d4d4d4d
#define ECALL_MAGIC_FWD 0x46574446

  .section .text.init, "ax"
  .globl _start
_start:
  /* QEMU's reset vector leaves a0, a1, a2, t0 set; start from all-zero registers. */
  li x1, 0
  li x3, 0
  li x4, 0
  li x5, 0
  li x6, 0
  li x7, 0
  li x8, 0
  li x9, 0
  li x10, 0
  li x11, 0
  li x12, 0
  li x13, 0
  li x14, 0
  li x15, 0
  li x16, 0
  li x17, 0
  li x18, 0
  li x19, 0
  li x20, 0
  li x21, 0
  li x22, 0
  li x23, 0
  li x24, 0
  li x25, 0
  li x26, 0
  li x27, 0
  li x28, 0
  li x29, 0
  li x30, 0
  li x31, 0
  la sp, __stack_top
  la t0, __mtrap_stack_top
  csrw mscratch, t0
  la t0, mtrap_entry
  csrw mtvec, t0
  la t0, __bss_start
  la t1, __bss_end
1:
  bgeu t0, t1, 2f
  sw zero, 0(t0)
  addi t0, t0, 4
  j 1b
2:
  call main
  call exit

/* Save all registers and the trap CSRs of one privilege level on its trap stack. */
.macro SAVE xscratch, xepc, xcause, xtval, xstatus
  csrrw sp, \xscratch, sp
  addi sp, sp, -FRAME
  sw x1, 4(sp)
  sw x3, 12(sp)
  sw x4, 16(sp)
  sw x5, 20(sp)
  sw x6, 24(sp)
  sw x7, 28(sp)
  sw x8, 32(sp)
  sw x9, 36(sp)
  sw x10, 40(sp)
  sw x11, 44(sp)
  sw x12, 48(sp)
  sw x13, 52(sp)
  sw x14, 56(sp)
  sw x15, 60(sp)
  sw x16, 64(sp)
  sw x17, 68(sp)
  sw x18, 72(sp)
  sw x19, 76(sp)
  sw x20, 80(sp)
  sw x21, 84(sp)
  sw x22, 88(sp)
  sw x23, 92(sp)
  sw x24, 96(sp)
  sw x25, 100(sp)
  sw x26, 104(sp)
  sw x27, 108(sp)
  sw x28, 112(sp)
  sw x29, 116(sp)
  sw x30, 120(sp)
  sw x31, 124(sp)
  sw zero, 0(sp)
  csrr t0, \xscratch
  sw t0, 8(sp)
  csrr t0, \xepc
  sw t0, F_EPC(sp)
  csrr t0, \xcause
  sw t0, F_CAUSE(sp)
  csrr t0, \xtval
  sw t0, F_TVAL(sp)
  csrr t0, \xstatus
  sw t0, F_STATUS(sp)
  sw zero, F_FWD(sp)
.endm

.macro RESTORE xscratch, xepc, xstatus
  lw t0, F_EPC(sp)
  csrw \xepc, t0
  lw t0, F_STATUS(sp)
  csrw \xstatus, t0
  lw t0, 8(sp)
  csrw \xscratch, t0
  lw x1, 4(sp)
  lw x3, 12(sp)
  lw x4, 16(sp)
  lw x5, 20(sp)
  lw x6, 24(sp)
  lw x7, 28(sp)
  lw x8, 32(sp)
  lw x9, 36(sp)
  lw x10, 40(sp)
  lw x11, 44(sp)
  lw x12, 48(sp)
  lw x13, 52(sp)
  lw x14, 56(sp)
  lw x15, 60(sp)
  lw x16, 64(sp)
  lw x17, 68(sp)
  lw x18, 72(sp)
  lw x19, 76(sp)
  lw x20, 80(sp)
  lw x21, 84(sp)
  lw x22, 88(sp)
  lw x23, 92(sp)
  lw x24, 96(sp)
  lw x25, 100(sp)
  lw x26, 104(sp)
  lw x27, 108(sp)
  lw x28, 112(sp)
  lw x29, 116(sp)
  lw x30, 120(sp)
  lw x31, 124(sp)
  addi sp, sp, FRAME
  csrrw sp, \xscratch, sp
.endm

  .text
  .balign 256
  .globl mtrap_entry
mtrap_entry:
  SAVE mscratch, mepc, mcause, mtval, mstatus
  mv a0, sp
  call mtrap_c
  RESTORE mscratch, mepc, mstatus
  mret

  .balign 256
  .globl strap_entry
strap_entry:
  SAVE sscratch, sepc, scause, stval, sstatus
  mv a0, sp
  call strap_c
  lw t0, F_FWD(sp)
  bnez t0, 1f
  RESTORE sscratch, sepc, sstatus
  sret
1:
  /* Forward a "back to M" request from U: restore U's registers, then ask M from S. */
  RESTORE sscratch, sepc, sstatus
  li a7, ECALL_MAGIC_FWD
  ecall

/* void enter_mode(int mode): continue at the caller in privilege `mode` (from M). */
  .globl enter_mode
enter_mode:
  li t0, 0x1800
  csrc mstatus, t0
  slli a0, a0, 11
  csrs mstatus, a0
  csrw mepc, ra
  mret

/* void to_mmode(void): continue at the caller in M. */
  .globl to_mmode
to_mmode:
  li a7, ECALL_MAGIC
  ecall
  ret

  .globl set_strap_vector
set_strap_vector:
  la t0, strap_entry
  csrw stvec, t0
  la t0, __strap_stack_top
  csrw sscratch, t0
  ret
