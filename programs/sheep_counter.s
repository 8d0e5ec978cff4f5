# sheep_counter: Genode's sheep counter. A Timer session with a periodic trigger of 1 s
# (virtual), a RAM dataspace holding the counter; logs "N sheeps. zzZ" for N = 1, 2, ... :
# the first line at once, then one per timer signal (every virtual second), forever.
# Config: none.

.include "lib/rt.s"

.text
.globl main
main:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw s2, 0(sp)
    la a0, timer_name
    li a1, 0
    call parent_session
    check timer_name
    mv s0, a0                   # Timer session
    li a0, 1
    call signal_context
    check ctx_text
    mv s1, a0                   # its signal context (imprint 1) on the default receiver
    mv a0, s0
    mv a1, s1
    call timer_sigh
    check sigh_text
    li a0, PAGE_SIZE            # the counter lives in a RAM dataspace
    call ram_alloc_attach
    check ram_text
    mv s2, a0                   # address of the counter
    li t0, 1
    sw t0, 0(s2)
    mv a0, s0
    li a1, 1000000              # every second
    call timer_trigger_periodic
    check trigger_text
1:  call line_reset
    lw a0, 0(s2)
    call line_dec
    la a0, sheeps
    call line_str
    call line_log
    li a0, SLOT_SIGNALS
    call sys_wait
    check wait_text
    lw t0, 0(s2)
    addi t0, t0, 1
    sw t0, 0(s2)
    j 1b

.section .rodata
timer_name:   .asciz "Timer"
ctx_text:     .asciz "signal context"
sigh_text:    .asciz "Timer SIGH"
ram_text:     .asciz "counter dataspace"
trigger_text: .asciz "Timer TRIGGER_PERIODIC"
wait_text:    .asciz "WAIT"
sheeps:       .asciz " sheeps. zzZ"
