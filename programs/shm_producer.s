# shm_producer: writes records with sequence numbers 1, 2, 3, ... into a ring buffer in a shared
# memory region (SHM service) that shm_consumer reads; the layout and protocol are in
# shm_ring.inc. Per record: wait for a free slot (RING_USED < RING_SLOTS; when the ring is full,
# sleep `backoff` on a one-shot timer and look again), write the sequence number, run the payload
# generator `work` rounds, write payload word 1, `work` more rounds, payload word 2, the checksum;
# publish: amoswap.w.rl of the sequence number into RING_HEAD, then RING_USED += 1 with an
# lr.w.aq / sc.w.rl loop (a failed sc.w, after the scheduler switched away between lr and sc,
# is retried and counted). It runs at a lower priority than the consumer, which therefore cuts
# in at arbitrary instructions, in the middle of records and of the lr/sc loop.
# Every `report` records it logs "produced N records, waited W times, sc retries R".
# Runs forever.
# Config: `name=ID` the SHM region (default ring), `work=N` generator rounds per payload word
# (default 150), `backoff=T` (default 100us), `report=N` (default 10000, at least 1).

.include "lib/rt.s"
.include "shm_ring.inc"

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
    mv s0, a0
    mv s1, a1
    call ring_open
    check t_ring
    mv s2, a0                   # the ring
    mv a0, s0
    mv a1, s1
    la a2, k_work
    li a3, 150
    call cfg_uint
    mv s3, a0                   # work
    li t0, E_BAD_ARG
    mv a0, a1
    la a1, k_work
    beq a0, t0, 1f
    mv a0, s0
    mv a1, s1
    la a2, k_backoff
    li a3, 100
    call cfg_uint
    mv s4, a0                   # backoff in microseconds
    li t0, E_BAD_ARG
    mv a0, a1
    la a1, k_backoff
    beq a0, t0, 1f
    mv a0, s0
    mv a1, s1
    la a2, k_report
    li a3, 10000
    call cfg_uint
    mv s11, a0                  # report interval in records
    li t0, E_BAD_ARG
    mv a0, a1
    la a1, k_report
    beq a0, t0, 1f
    bnez s11, 2f
    li a0, E_BAD_ARG
1:  call fail
2:  la a0, t_timer              # a Timer with a context on a receiver of its own, for backing off
    li a1, 0
    call parent_session
    check t_timer
    mv s5, a0                   # Timer session
    call pd_alloc_receiver
    check t_receiver
    mv s6, a0                   # its receiver
    li a1, 1
    call pd_alloc_context
    check t_context
    mv a1, a0
    mv a0, s5
    call timer_sigh
    check t_sigh
    call line_reset             # "producer: ring NAME at 0x..., 64 slots, work W, backoff B us"
    la a0, t_hello
    call line_str
    call ring_log_name
    la a0, t_at
    call line_str
    mv a0, s2
    call line_hex8
    la a0, t_slots
    call line_str
    li a0, RING_SLOTS
    call line_dec
    la a0, t_work
    call line_str
    mv a0, s3
    call line_dec
    la a0, t_backoff
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_us
    call line_str
    call line_log
    li s7, 1                    # the next sequence number
    li s8, 0x2545f491           # xorshift32 state
    li s9, 0                    # times the ring was full
    li s10, 0                   # sc.w retries
    # ---- one record per round
3:  addi t0, s2, RING_USED      # room?
    amoadd.w.aq t1, zero, (t0)
    li t2, RING_SLOTS
    bltu t1, t2, 4f
    addi s9, s9, 1              # full: sleep, then look again
    mv a0, s5
    mv a1, s4
    call timer_trigger_once
    check t_trigger
    mv a0, s6
    call sys_wait
    check t_wait
    j 3b
4:  addi a5, s7, -1             # a5 = the slot of record s7
    andi a5, a5, RING_MASK
    slli a5, a5, 4
    add a5, a5, s2
    addi a5, a5, RING_DATA
    sw s7, 0(a5)                # +0 seq
    mv t1, s3
5:  beqz t1, 6f                 # work rounds of xorshift32
    slli t2, s8, 13
    xor s8, s8, t2
    srli t2, s8, 17
    xor s8, s8, t2
    slli t2, s8, 5
    xor s8, s8, t2
    addi t1, t1, -1
    j 5b
6:  mv a6, s8
    sw a6, 4(a5)                # +4 word 1
    mv t1, s3
7:  beqz t1, 8f
    slli t2, s8, 13
    xor s8, s8, t2
    srli t2, s8, 17
    xor s8, s8, t2
    slli t2, s8, 5
    xor s8, s8, t2
    addi t1, t1, -1
    j 7b
8:  li t2, REC_KEY
    mul t2, s7, t2
    xor t3, s8, t2
    sw t3, 8(a5)                # +8 word 2
    add t4, s7, a6
    add t4, t4, t3
    li t2, REC_SALT
    xor t4, t4, t2
    sw t4, 12(a5)               # +12 checksum
    addi t0, s2, RING_HEAD      # publish: head (AMO, release orders the record before it) ...
    amoswap.w.rl zero, s7, (t0)
    addi t0, s2, RING_USED      # ... and used += 1 (LR/SC)
9:  lr.w.aq t1, (t0)
    addi t1, t1, 1
    sc.w.rl t2, t1, (t0)
    beqz t2, 10f
    addi s10, s10, 1
    j 9b
10: remu t0, s7, s11            # every `report` records: a line
    bnez t0, 11f
    call line_reset
    la a0, t_produced
    call line_str
    mv a0, s7
    call line_dec
    la a0, t_waited
    call line_str
    mv a0, s9
    call line_dec
    la a0, t_retries
    call line_str
    mv a0, s10
    call line_dec
    call line_log
11: addi s7, s7, 1
    j 3b

.section .rodata
k_work:      .asciz "work"
k_backoff:   .asciz "backoff"
k_report:    .asciz "report"
t_ring:      .asciz "SHM ring"
t_timer:     .asciz "Timer"
t_receiver:  .asciz "receiver"
t_context:   .asciz "signal context"
t_sigh:      .asciz "Timer SIGH"
t_trigger:   .asciz "Timer TRIGGER_ONCE"
t_wait:      .asciz "WAIT"
t_hello:     .asciz "producer: "
t_at:        .asciz " at 0x"
t_slots:     .asciz ", slots "
t_work:      .asciz ", work "
t_backoff:   .asciz ", backoff "
t_us:        .asciz " us"
t_produced:  .asciz "produced "
t_waited:    .asciz " records, ring full "
t_retries:   .asciz " times, sc retries "
