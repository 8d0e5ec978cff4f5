# irq_lazy: leaves each interrupt of the IRQ source unacknowledged for a while. Like irq_counter
# it opens the device and an IRQ session for one channel (lib/irqsrc.s: irqsrc_open, imprint 1
# on the default receiver) and programs the channel periodic; it also has a Timer with a
# context on a receiver of its own. For each IRQ signal (round R) it reads COUNT and STATUS and
# logs `round R: signal at count C, status S`, then waits `delay` on a one-shot Timer without
# acknowledging anything: the device's line stays high and the PLIC source stays claimed (in
# service), so no further signal can come while the channel keeps firing. After the delay it
# reads again, polls its default receiver (a signal there would be a second delivery of the
# claimed interrupt) and logs `round R: after D us unacknowledged: count C, status S, signals
# meanwhile M`. Then it acknowledges the device and the IRQ session. After `rounds` rounds it
# disables the channel, logs `done` and returns 0. A bad value ends it with
# `<key> failed: error -4`, exit 1.
# Config: `channel=N` (0-3, default 1), `period=T` (default 10ms), `delay=T` (default 25ms),
# `rounds=N` (default 3), `ticks_per_us=N` (the board's timebase, default 10 = 10 MHz).

.include "lib/rt.s"
.include "lib/irqsrc.s"

.text
.globl main
main:
    addi sp, sp, -64
    sw ra, 60(sp)
    sw s0, 56(sp)
    sw s1, 52(sp)
    sw s2, 48(sp)
    sw s3, 44(sp)
    sw s4, 40(sp)
    sw s5, 36(sp)
    sw s6, 32(sp)
    sw s7, 28(sp)
    sw s8, 24(sp)
    sw s9, 20(sp)
    sw s10, 16(sp)
    sw s11, 12(sp)
    mv s0, a0                   # config
    mv s1, a1
    la a2, k_channel
    li a3, 1
    li a4, IRQSRC_CHANNELS - 1
    call cfg_range
    mv s2, a0                   # channel
    la a2, k_period
    li a3, 10000
    call cfg_positive
    mv s3, a0                   # period in microseconds
    la a2, k_delay
    li a3, 25000
    call cfg_positive
    mv s4, a0                   # delay in microseconds
    la a2, k_rounds
    li a3, 3
    call cfg_positive
    mv s5, a0                   # rounds
    la a2, k_tpu
    li a3, 10
    call cfg_positive
    mul s6, s3, a0              # period in ticks
    call line_reset             # irq_lazy: channel C (irq S), period P us, delay D us, R rounds
    la a0, t_head
    call line_str
    mv a0, s2
    call line_dec
    la a0, t_irq
    call line_str
    addi a0, s2, IRQSRC_IRQ_BASE
    call line_dec
    la a0, t_period
    call line_str
    mv a0, s3
    call line_dec
    la a0, t_delay
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_us_comma
    call line_str
    mv a0, s5
    call line_dec
    la a0, t_rounds
    call line_str
    call line_log
    # ---- the Timer, with a context on a receiver of its own
    la a0, n_timer
    li a1, 0
    call parent_session
    check n_timer
    mv s7, a0                   # Timer session
    call pd_alloc_receiver
    check t_receiver
    mv s8, a0                   # the timer's receiver
    li a1, 1
    call pd_alloc_context
    check t_receiver
    mv a1, a0
    mv a0, s7
    call timer_sigh
    check n_timer
    # ---- the device
    mv a0, s2
    li a1, 1
    call irqsrc_open
    check t_open
    mv s0, a0                   # the channel's registers
    mv s1, a1                   # the IRQ session
    sw s6, IRQSRC_PERIOD(s0)
    li t0, IRQSRC_CTRL_ENABLE | IRQSRC_CTRL_PERIODIC
    sw t0, IRQSRC_CONTROL(s0)
    li s9, 0                    # rounds done
1:  li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    addi s9, s9, 1
    lw s10, IRQSRC_COUNT(s0)
    lw s11, IRQSRC_STATUS(s0)
    call line_reset
    mv a0, s9
    call round_prefix
    la a0, t_signal
    call line_str
    mv a0, s10
    call line_dec
    la a0, t_status
    call line_str
    mv a0, s11
    call line_dec
    call line_log
    mv a0, s7                   # lazy: nothing acknowledged for `delay`
    mv a1, s4
    call timer_trigger_once
    check n_timer
    mv a0, s8
    call sys_wait
    check t_wait
    lw s10, IRQSRC_COUNT(s0)
    lw s11, IRQSRC_STATUS(s0)
    li s6, 0                    # signals that came meanwhile
2:  li a0, SLOT_SIGNALS
    call sys_poll
    bltz a0, 3f
    add s6, s6, a2
    j 2b
3:  call line_reset
    mv a0, s9
    call round_prefix
    la a0, t_after
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_unacked
    call line_str
    mv a0, s10
    call line_dec
    la a0, t_status
    call line_str
    mv a0, s11
    call line_dec
    la a0, t_meanwhile
    call line_str
    mv a0, s6
    call line_dec
    call line_log
    li t0, 1
    sw t0, IRQSRC_ACK(s0)       # the device first, then the IRQ session
    mv a0, s1
    call irq_ack
    check t_ack
    bltu s9, s5, 1b
    sw zero, IRQSRC_CONTROL(s0)
    la a0, t_done
    call log_str
    li a0, 0
    lw ra, 60(sp)
    lw s0, 56(sp)
    lw s1, 52(sp)
    lw s2, 48(sp)
    lw s3, 44(sp)
    lw s4, 40(sp)
    lw s5, 36(sp)
    lw s6, 32(sp)
    lw s7, 28(sp)
    lw s8, 24(sp)
    lw s9, 20(sp)
    lw s10, 16(sp)
    lw s11, 12(sp)
    addi sp, sp, 64
    ret

# round_prefix(r): appends "round r: " to the line.
round_prefix:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    la a0, t_round
    call line_str
    lw a0, 8(sp)
    call line_dec
    la a0, t_colon
    call line_str
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# cfg_range(key in a2, default a3, max a4) -> value in 0..max; config in s0/s1 (main's). Fails
# the component (`<key> failed: error -4`) on a malformed value or one above max.
cfg_range:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a2, 8(sp)
    sw a4, 4(sp)
    mv a0, s0
    mv a1, s1
    call cfg_uint
    li t0, E_BAD_ARG
    beq a1, t0, 1f
    lw t1, 4(sp)
    bgtu a0, t1, 1f
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
1:  li a0, E_BAD_ARG
    lw a1, 8(sp)
    call fail

# cfg_positive(key in a2, default a3) -> value >= 1; config in s0/s1. Fails as cfg_range does
# on a malformed value or 0.
cfg_positive:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a2, 8(sp)
    mv a0, s0
    mv a1, s1
    call cfg_uint
    li t0, E_BAD_ARG
    beq a1, t0, 1f
    beqz a0, 1f
    lw ra, 12(sp)
    addi sp, sp, 16
    ret
1:  li a0, E_BAD_ARG
    lw a1, 8(sp)
    call fail

.section .rodata
k_channel:   .asciz "channel"
k_period:    .asciz "period"
k_delay:     .asciz "delay"
k_rounds:    .asciz "rounds"
k_tpu:       .asciz "ticks_per_us"
n_timer:     .asciz "Timer"
t_head:      .asciz "irq_lazy: channel "
t_irq:       .asciz " (irq "
t_period:    .asciz "), period "
t_delay:     .asciz " us, delay "
t_us_comma:  .asciz " us, "
t_rounds:    .asciz " rounds"
t_receiver:  .asciz "timer receiver"
t_open:      .asciz "IRQ source"
t_wait:      .asciz "WAIT"
t_ack:       .asciz "IRQ ACK"
t_round:     .asciz "round "
t_colon:     .asciz ": "
t_signal:    .asciz "signal at count "
t_status:    .asciz ", status "
t_after:     .asciz "after "
t_unacked:   .asciz " us unacknowledged: count "
t_meanwhile: .asciz ", signals meanwhile "
t_done:      .asciz "done"
