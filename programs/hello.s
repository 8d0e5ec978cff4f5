# hello: asks the parent for a LOG session, logs one line and exits with 0.
# Config: none.

.include "lib/rt.s"

.text
.globl main
main:
    addi sp, sp, -16
    sw ra, 12(sp)
    call log_open
    bltz a0, 1f
    la a0, greeting
    call log_str
    bltz a0, 1f
    li a0, 0
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
1:  la a1, what
    call fail

.section .rodata
greeting: .asciz "Hello from rtcr-vm!"
what:     .asciz "LOG"
