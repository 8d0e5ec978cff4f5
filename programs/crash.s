# crash: logs a line, then stores to an unmapped address (default 0, the null guard). The kernel
# ends the component with a page fault and tells init; nothing else is touched. crash.json runs
# it beside sheep_counter, which keeps counting.
# Config: `addr=A` the address to store to (default 0); `delay=T` virtual time to wait first on
# a one-shot timer (e.g. 1500ms; default 0: no Timer session at all).

.include "lib/rt.s"

.text
.globl main
main:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s2, 16(sp)
    sw s3, 12(sp)
    mv s0, a0                   # config
    mv s1, a1
    la a2, delay_key
    li a3, 0
    call cfg_uint
    beqz a0, 1f
    mv s2, a0                   # delay in microseconds
    la a0, timer_name
    li a1, 0
    call parent_session
    check timer_name
    mv s3, a0                   # Timer session
    li a0, 1
    call signal_context
    check delay_text
    mv a1, a0
    mv a0, s3
    call timer_sigh
    check delay_text
    mv a0, s3
    mv a1, s2
    call timer_trigger_once
    check delay_text
    li a0, SLOT_SIGNALS
    call sys_wait
    check delay_text
1:  mv a0, s0
    mv a1, s1
    la a2, addr_key
    li a3, 0
    call cfg_uint
    mv s2, a0                   # the address
    call line_reset
    la a0, about
    call line_str
    mv a0, s2
    call line_hex8
    call line_log
    li t0, 0x5eed
    sw t0, 0(s2)                # faults: the component ends here
    la a0, survived
    call log_str
    li a0, 2
    lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s2, 16(sp)
    lw s3, 12(sp)
    addi sp, sp, 32
    ret

.section .rodata
delay_key:  .asciz "delay"
addr_key:   .asciz "addr"
timer_name: .asciz "Timer"
delay_text: .asciz "delay timer"
about:      .asciz "about to store to 0x"
survived:   .asciz "still alive after the store?"
