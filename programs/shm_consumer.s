# shm_consumer: reads the records shm_producer writes into a ring buffer in a shared memory
# region (SHM service; layout and protocol in shm_ring.inc) and checks each: its sequence number
# must be the previous one + 1 (else a record was lost or doubled) and its checksum must match
# its words (else it is torn). On each tick of a periodic timer (`period`) it drains the ring:
# while RING_USED (read with amoadd.w.aq) is > 0, read the record at the tail, check it, then
# RING_TAIL += 1 and RING_USED -= 1 (amoadd.w.rl, after the record's words were read). It runs at
# a higher priority than the producer, so each tick cuts the producer off wherever it is.
# Every `report` of virtual time it logs "consumed N records, last seq S, errors E"; each of the
# first 8 bad records is logged as "bad record N: seq S (expected X), checksum 0xC (expected
# 0xY)" and counted in RING_ERRORS too. Runs forever.
# Config: `name=ID` the SHM region (default ring), `period=T` (default 1ms), `report=T` (default
# 100ms, rounded down to whole periods, at least one).

.include "lib/rt.s"
.include "shm_ring.inc"

.equ LOG_BAD_MAX, 8

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
    sw s8, 8(sp)
    sw s9, 4(sp)
    sw s10, 0(sp)
    mv s0, a0
    mv s1, a1
    call ring_open
    check t_ring
    mv s2, a0                   # the ring
    mv a0, s0
    mv a1, s1
    la a2, k_period
    li a3, 1000
    call cfg_uint
    mv s3, a0                   # period in microseconds
    li t0, E_BAD_ARG
    mv a0, a1
    la a1, k_period
    beq a0, t0, 1f
    li a0, E_BAD_ARG
    beqz s3, 1f
    mv a0, s0
    mv a1, s1
    la a2, k_report
    li a3, 100000
    call cfg_uint
    mv s10, a0                  # report interval in microseconds
    li t0, E_BAD_ARG
    mv a0, a1
    la a1, k_report
    beq a0, t0, 1f
    divu s4, s10, s3            # ... in ticks, at least one
    bnez s4, 2f
    li s4, 1
    j 2f
1:  call fail
2:  la a0, t_timer
    li a1, 0
    call parent_session
    check t_timer
    mv s5, a0                   # Timer session
    li a0, 1
    call signal_context
    check t_context
    mv a1, a0
    mv a0, s5
    call timer_sigh
    check t_sigh
    mv a0, s5
    mv a1, s3
    call timer_trigger_periodic
    check t_trigger
    call line_reset             # "consumer: ring NAME at 0x..., draining every P us, reporting every R ticks"
    la a0, t_hello
    call line_str
    call ring_log_name
    la a0, t_at
    call line_str
    mv a0, s2
    call line_hex8
    la a0, t_every
    call line_str
    mv a0, s3
    call line_dec
    la a0, t_report
    call line_str
    mul a0, s4, s3
    call line_dec
    la a0, t_us
    call line_str
    call line_log
    li s5, 0                    # records consumed
    li s6, 0                    # last sequence number
    li s7, 0                    # errors
    li s8, 0                    # ticks
    mv s9, s4                   # tick of the next report
    # ---- wait for a tick, drain, report
3:  li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    add s8, s8, a2              # ticks (more than one if we were late)
4:  addi t0, s2, RING_USED
    amoadd.w.aq t1, zero, (t0)
    beqz t1, 5f
    andi t0, s5, RING_MASK      # the record at the tail
    slli t0, t0, 4
    add t0, t0, s2
    addi t0, t0, RING_DATA
    lw a0, 0(t0)
    lw a1, 4(t0)
    lw a2, 8(t0)
    lw a3, 12(t0)
    call check_record
    addi t0, s2, RING_TAIL      # release the slot: tail += 1, used -= 1
    li t1, 1
    amoadd.w.rl zero, t1, (t0)
    addi t0, s2, RING_USED
    li t1, -1
    amoadd.w.rl zero, t1, (t0)
    addi s5, s5, 1
    j 4b
5:  bltu s8, s9, 3b
6:  add s9, s9, s4              # the next report (skipping any we were too late for)
    bgeu s8, s9, 6b
    call line_reset
    la a0, t_consumed
    call line_str
    mv a0, s5
    call line_dec
    la a0, t_last
    call line_str
    mv a0, s6
    call line_dec
    la a0, t_errors
    call line_str
    mv a0, s7
    call line_dec
    call line_log
    j 3b

# check_record(seq, word1, word2, checksum): compares with main's s6 (last sequence number) and
# the checksum; a bad record counts in s7 and RING_ERRORS, the first LOG_BAD_MAX are logged.
# s6 becomes seq either way (so one lost record is one error, not an error on every record after).
check_record:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s3, 16(sp)
    sw s4, 12(sp)
    mv s0, a0                   # seq
    mv s1, a3                   # checksum read
    add s3, a0, a1              # checksum expected
    add s3, s3, a2
    li t0, REC_SALT
    xor s3, s3, t0
    addi s4, s6, 1              # seq expected
    mv s6, s0
    bne s0, s4, 1f
    beq s1, s3, 9f
1:  addi s7, s7, 1
    addi t0, s2, RING_ERRORS
    li t1, 1
    amoadd.w zero, t1, (t0)
    li t0, LOG_BAD_MAX
    bgtu s7, t0, 9f
    call line_reset
    la a0, t_bad
    call line_str
    addi a0, s5, 1
    call line_dec
    la a0, t_seq
    call line_str
    mv a0, s0
    call line_dec
    la a0, t_expected
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_sum
    call line_str
    mv a0, s1
    call line_hex8
    la a0, t_expected_hex
    call line_str
    mv a0, s3
    call line_hex8
    li a0, ')'
    call line_char
    call line_log
9:  lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s3, 16(sp)
    lw s4, 12(sp)
    addi sp, sp, 32
    ret

.section .rodata
k_period:       .asciz "period"
k_report:       .asciz "report"
t_ring:         .asciz "SHM ring"
t_timer:        .asciz "Timer"
t_context:      .asciz "signal context"
t_sigh:         .asciz "Timer SIGH"
t_trigger:      .asciz "Timer TRIGGER_PERIODIC"
t_wait:         .asciz "WAIT"
t_hello:        .asciz "consumer: "
t_at:           .asciz " at 0x"
t_every:        .asciz ", draining every "
t_report:       .asciz " us, reporting every "
t_us:           .asciz " us"
t_consumed:     .asciz "consumed "
t_last:         .asciz " records, last seq "
t_errors:       .asciz ", errors "
t_bad:          .asciz "bad record "
t_seq:          .asciz ": seq "
t_expected:     .asciz " (expected "
t_sum:          .asciz "), checksum 0x"
t_expected_hex: .asciz " (expected 0x"
