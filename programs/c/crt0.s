# c/crt0.s: start-up code for a bare-metal C program (link with c/link.ld). Sets the stack,
# clears .bss, calls main() and ends the run through the SiFive test finisher: main's return
# value is the exit status (0 passes; 1-65535 fail with that code).

.equ FINISHER, 0x00100000
.equ FINISHER_PASS, 0x5555
.equ FINISHER_FAIL, 0x3333

.section .text.init, "ax"
.globl _start
_start:
    la sp, __stack_top
    la t0, __bss_start          # C expects .bss to read zero
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call main
    li t0, FINISHER
    li t1, FINISHER_PASS
    beqz a0, 3f
    slli t1, a0, 16             # status << 16 | FAIL
    li t2, FINISHER_FAIL
    or t1, t1, t2
3:  sw t1, 0(t0)                # ends the run
4:  j 4b
