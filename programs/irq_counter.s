# irq_counter: counts the interrupts of one channel of the IRQ source device. Opens the device
# (IO_MEM, attached) and an IRQ session for the channel's PLIC source with a signal context
# (lib/irqsrc.s: irqsrc_open), programs the channel periodic and, for each signal, reads COUNT
# and STATUS, acknowledges the device (ACK, the line drops) and then the IRQ session, and logs
# `irq N: count C, status S` (N = signals so far; S = 3 = PENDING | ARMED while it runs). After
# `count` interrupts it disables the channel, logs `done` and returns 0. The first line states
# the configuration as understood. A bad value ends it with `<key> failed: error -4`, exit 1.
# Config: `channel=N` (0-3, default 0), `period=T` (default 10ms), `count=N` (1 or more,
# default 10), `ticks_per_us=N` (the board's timebase, default 10 = 10 MHz).

.include "lib/rt.s"
.include "lib/irqsrc.s"

.text
.globl main
main:
    addi sp, sp, -48
    sw ra, 44(sp)
    sw s0, 40(sp)
    sw s1, 36(sp)
    sw s2, 32(sp)
    sw s3, 28(sp)
    sw s4, 24(sp)
    sw s5, 20(sp)
    sw s6, 16(sp)
    sw s7, 12(sp)
    mv s0, a0                   # config
    mv s1, a1
    la a2, k_channel
    li a3, 0
    call cfg_uint
    bnez a1, 1f                 # absent: the default; malformed: fail
    li t0, IRQSRC_CHANNELS
    bltu a0, t0, 2f
    li a1, E_BAD_ARG
1:  li t0, E_NOT_FOUND
    beq a1, t0, 2f
    li a0, E_BAD_ARG
    la a1, k_channel
    call fail
2:  mv s2, a0                   # channel
    mv a0, s0
    mv a1, s1
    la a2, k_period
    li a3, 10000
    call cfg_uint
    mv s3, a0                   # period in microseconds
    beqz s3, 3f
    li t0, E_BAD_ARG
    bne a1, t0, 4f
3:  li a0, E_BAD_ARG
    la a1, k_period
    call fail
4:  mv a0, s0
    mv a1, s1
    la a2, k_count
    li a3, 10
    call cfg_uint
    mv s4, a0                   # interrupts to count
    beqz s4, 5f
    li t0, E_BAD_ARG
    bne a1, t0, 6f
5:  li a0, E_BAD_ARG
    la a1, k_count
    call fail
6:  mv a0, s0
    mv a1, s1
    la a2, k_tpu
    li a3, 10
    call cfg_uint
    mv s5, a0                   # timebase ticks per microsecond
    beqz s5, 7f
    li t0, E_BAD_ARG
    bne a1, t0, 8f
7:  li a0, E_BAD_ARG
    la a1, k_tpu
    call fail
8:  call line_reset             # irq_counter: channel C (irq S), period P us = T ticks, N interrupts
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
    la a0, t_us
    call line_str
    mul a0, s3, s5
    call line_dec
    la a0, t_ticks
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_interrupts
    call line_str
    call line_log
    mv a0, s2
    li a1, 1
    call irqsrc_open
    check t_open
    mv s0, a0                   # the channel's registers
    mv s1, a1                   # the IRQ session
    mul t0, s3, s5
    sw t0, IRQSRC_PERIOD(s0)
    li t0, IRQSRC_CTRL_ENABLE | IRQSRC_CTRL_PERIODIC
    sw t0, IRQSRC_CONTROL(s0)   # armed: the first event one period from now
    li s6, 0                    # signals so far
1:  li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    addi s6, s6, 1
    lw s7, IRQSRC_COUNT(s0)
    lw s3, IRQSRC_STATUS(s0)
    li t0, 1
    sw t0, IRQSRC_ACK(s0)       # the device first: acknowledging the IRQ re-samples the line
    mv a0, s1
    call irq_ack
    check t_ack
    call line_reset
    la a0, t_irq_n
    call line_str
    mv a0, s6
    call line_dec
    la a0, t_count
    call line_str
    mv a0, s7
    call line_dec
    la a0, t_status
    call line_str
    mv a0, s3
    call line_dec
    call line_log
    bltu s6, s4, 1b
    sw zero, IRQSRC_CONTROL(s0) # disarmed: no more events
    la a0, t_done
    call log_str
    li a0, 0
    lw ra, 44(sp)
    lw s0, 40(sp)
    lw s1, 36(sp)
    lw s2, 32(sp)
    lw s3, 28(sp)
    lw s4, 24(sp)
    lw s5, 20(sp)
    lw s6, 16(sp)
    lw s7, 12(sp)
    addi sp, sp, 48
    ret

.section .rodata
k_channel:    .asciz "channel"
k_period:     .asciz "period"
k_count:      .asciz "count"
k_tpu:        .asciz "ticks_per_us"
t_head:       .asciz "irq_counter: channel "
t_irq:        .asciz " (irq "
t_period:     .asciz "), period "
t_us:         .asciz " us = "
t_ticks:      .asciz " ticks, "
t_interrupts: .asciz " interrupts"
t_open:       .asciz "IRQ source"
t_wait:       .asciz "WAIT"
t_ack:        .asciz "IRQ ACK"
t_irq_n:      .asciz "irq "
t_count:      .asciz ": count "
t_status:     .asciz ", status "
t_done:       .asciz "done"
