# lib/irqsrc.s: the IRQ source device (docs/devices.md, src/dev/irqsrc.ts): its registers and
# irqsrc_open, which sets up the sessions a driver of one channel needs. Include it after
# lib/rt.s:
#
#   .include "lib/rt.s"
#   .include "lib/irqsrc.s"

.equ IRQSRC_BASE, 0x10001000
.equ IRQSRC_SIZE, 0x1000
.equ IRQSRC_IRQ_BASE, 1         # channel n drives PLIC source IRQSRC_IRQ_BASE + n
.equ IRQSRC_CHANNELS, 4
.equ IRQSRC_STRIDE, 0x20        # channel n's registers at IRQSRC_BASE + n * IRQSRC_STRIDE
.equ IRQSRC_CONTROL, 0x00       # bit 0 ENABLE, bit 1 PERIODIC; a write with ENABLE arms
.equ IRQSRC_PERIOD, 0x04        # timebase ticks (mtime's rate)
.equ IRQSRC_COUNT, 0x08         # events fired (read-only)
.equ IRQSRC_STATUS, 0x0c        # bit 0 PENDING, bit 1 ARMED (read-only)
.equ IRQSRC_ACK, 0x10           # write 1: PENDING off, the line drops
.equ IRQSRC_ID, 0x100           # reads IRQSRC_MAGIC
.equ IRQSRC_NCHANNELS, 0x104
.equ IRQSRC_MAGIC, 0x53515249   # "IRQS"
.equ IRQSRC_CTRL_ENABLE, 1
.equ IRQSRC_CTRL_PERIODIC, 2
.equ IRQSRC_STATUS_PENDING, 1
.equ IRQSRC_STATUS_ARMED, 2

.text

# irqsrc_open(channel, imprint) -> registers | err, a1 = IRQ session slot
# Opens an IO_MEM session for the device and attaches its registers (anywhere, writable), checks
# the ID register (E_NOT_FOUND if it is not the device), opens an IRQ session for the channel's
# PLIC source and makes a new signal context of the default receiver with `imprint` its handler.
# Returns the address of the channel's registers. E_BAD_ARG for a channel outside 0..3.
.globl irqsrc_open
irqsrc_open:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s2, 16(sp)
    mv s0, a0                   # channel
    mv s1, a1                   # imprint
    li t0, IRQSRC_CHANNELS
    bltu s0, t0, 1f
    li a0, E_BAD_ARG
    j 9f
1:  la a0, __irqsrc_io_mem
    la a1, __irqsrc_io_mem_args
    call parent_session
    bltz a0, 9f
    call io_mem_dataspace
    bltz a0, 9f
    call ds_attach
    bltz a0, 9f
    mv s2, a0                   # the device's registers
    li t0, IRQSRC_ID
    add t0, t0, s2
    lw t1, 0(t0)
    li t2, IRQSRC_MAGIC
    beq t1, t2, 2f
    li a0, E_NOT_FOUND
    j 9f
2:  li t0, 'i'                  # "irq=N" on the stack, N = IRQSRC_IRQ_BASE + channel (one digit)
    sb t0, 8(sp)
    li t0, 'r'
    sb t0, 9(sp)
    li t0, 'q'
    sb t0, 10(sp)
    li t0, '='
    sb t0, 11(sp)
    addi t0, s0, '0' + IRQSRC_IRQ_BASE
    sb t0, 12(sp)
    la a0, __irqsrc_irq
    li a1, 3
    addi a2, sp, 8
    li a3, 5
    call parent_session_n
    bltz a0, 9f
    sw a0, 4(sp)                # IRQ session
    mv a0, s1
    call signal_context
    bltz a0, 9f
    mv a1, a0
    lw a0, 4(sp)
    call irq_sigh
    bltz a0, 9f
    li t0, IRQSRC_STRIDE
    mul t0, t0, s0
    add a0, s2, t0              # the channel's registers
    lw a1, 4(sp)
9:  lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s2, 16(sp)
    addi sp, sp, 32
    ret

.section .rodata
__irqsrc_io_mem:      .asciz "IO_MEM"
__irqsrc_io_mem_args: .asciz "base=0x10001000, size=0x1000"
__irqsrc_irq:         .ascii "IRQ"
