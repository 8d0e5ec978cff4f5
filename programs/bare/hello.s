# bare/hello.s: a bare-metal program for the board itself, no kernel: it writes one line to the
# UART and ends the run through the SiFive test finisher with exit status 0. hello.elf beside it
# is this file assembled (a test keeps the two the same):
#
#   rtcr asm programs/bare/hello.s -o hello.elf
#   rtcr run hello.elf

.equ UART_BASE, 0x10000000      # UART 16550 (QEMU virt)
.equ UART_LSR, 5                # line status register
.equ LSR_THR_EMPTY, 0x20        # the transmitter takes a byte
.equ FINISHER, 0x00100000       # SiFive test finisher
.equ FINISHER_PASS, 0x5555      # exit status 0

.text
.globl _start
_start:
    la a0, message
    li t0, UART_BASE
1:  lbu t1, 0(a0)               # next byte; NUL ends the message
    beqz t1, 3f
2:  lbu t2, UART_LSR(t0)        # wait until the UART takes it
    andi t2, t2, LSR_THR_EMPTY
    beqz t2, 2b
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
3:  li t0, FINISHER
    li t1, FINISHER_PASS
    sw t1, 0(t0)                # ends the run
4:  j 4b

.section .rodata
message: .asciz "Hello from bare metal!\n"
