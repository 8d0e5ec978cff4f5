# memwalk: a working set and an access pattern, set by the config string:
#
#   size=256K pattern=sequential|strided|random stride=4096 seed=1 period=100ms touches=N
#
#   size     working set in bytes (default 64K; K/M suffixes), a RAM dataspace attached anywhere
#   pattern  sequential: word after word; strided: one word every `stride` bytes, moving one
#            word further on each wrap-around; random: xorshift32 from `seed` picks the word
#   stride   bytes, a multiple of 4 (default 4096)
#   seed     xorshift32 seed (default 1; 0 is taken as 1)
#   period   virtual time between two walks (default 100ms; us/ms/s suffixes)
#   touches  words touched per walk (default size/4: as many as the working set has)
#
# Every `period` (a periodic Timer signal) it touches `touches` words, continuing the pattern
# where the last walk stopped. A touch in walk n (1, 2, ...) reads word x, folds it and n into
# the running checksum (c = c * 31 + x + n, then c ^= c >> 15 so that every bit of c takes
# part) and writes back (x ^ c) + n. Memory and checksum depend on the whole history and change
# from walk to walk even over memory never touched before, so a wrongly restored page or
# register shows in the logged checksums, not only in the state hash. After each walk it logs
# "walk N: checksum 0xXXXXXXXX". The first line states the configuration as understood.

.include "lib/rt.s"

.equ PAT_SEQUENTIAL, 0
.equ PAT_STRIDED, 1
.equ PAT_RANDOM, 2

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
    mv s10, a0                  # config (s10, s11 until the timer exists)
    mv s11, a1
    # ---- configuration
    la a2, k_size
    li a3, 0x10000
    call cfg_uint
    check k_size
    andi s1, a0, -4             # working-set bytes, whole words
    li t0, 4
    bgeu s1, t0, 1f
    li a0, E_BAD_ARG
    la a1, k_size
    call fail
1:  mv a0, s10
    mv a1, s11
    la a2, k_stride
    li a3, 4096
    call cfg_uint
    check k_stride
    mv s3, a0
    andi t0, s3, 3
    bnez t0, 2f
    bnez s3, 3f
2:  li a0, E_BAD_ARG
    la a1, k_stride
    call fail
3:  mv a0, s10
    mv a1, s11
    la a2, k_seed
    li a3, 1
    call cfg_uint
    check k_seed
    mv s4, a0
    bnez s4, 4f
    li s4, 1
4:  mv a0, s10
    mv a1, s11
    la a2, k_period
    li a3, 100000
    call cfg_uint
    check k_period
    mv s8, a0                   # period (us) until the timer is set
    mv a0, s10
    mv a1, s11
    la a2, k_touches
    srli a3, s1, 2
    call cfg_uint
    check k_touches
    mv s9, a0
    li s2, PAT_SEQUENTIAL       # pattern: absent = sequential
    mv a0, s10
    mv a1, s11
    la a2, k_pattern
    call cfg_find
    beqz a0, 7f
    mv s5, a0
    mv s6, a1
    la a2, w_sequential
    call str_eq_n
    bnez a0, 7f
    li s2, PAT_STRIDED
    mv a0, s5
    mv a1, s6
    la a2, w_strided
    call str_eq_n
    bnez a0, 7f
    li s2, PAT_RANDOM
    mv a0, s5
    mv a1, s6
    la a2, w_random
    call str_eq_n
    bnez a0, 7f
    li a0, E_BAD_ARG
    la a1, k_pattern
    call fail
7:  # ---- say what we understood
    call line_reset
    la a0, t_intro
    call line_str
    mv a0, s1
    call line_dec
    la a0, t_bytes
    call line_str
    la t0, pattern_names
    slli t1, s2, 2
    add t0, t0, t1
    lw a0, 0(t0)
    call line_str
    la a0, t_stride
    call line_str
    mv a0, s3
    call line_dec
    la a0, t_seed
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_period
    call line_str
    mv a0, s8
    call line_dec
    la a0, t_touches
    call line_str
    mv a0, s9
    call line_dec
    call line_log
    # ---- the working set
    mv a0, s1
    call ram_alloc_attach
    check t_ws
    mv s0, a0
    # ---- the timer
    la a0, n_timer
    li a1, 0
    call parent_session
    check n_timer
    mv s10, a0                  # Timer session
    li a0, 1
    call signal_context
    check n_timer
    mv a1, a0
    mv a0, s10
    call timer_sigh
    check n_timer
    mv a0, s10
    mv a1, s8
    call timer_trigger_periodic
    check n_timer
    li s5, 0                    # cursor (sequential, strided)
    li s6, 0                    # lane of the strided walk
    li s7, 0                    # checksum
    li s8, 0                    # walks done (n during a walk)
    # ---- walk once per signal
10: li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    addi s8, s8, 1              # n: this walk's number
    mv t0, s9                   # touches left
11: beqz t0, 19f
    li t2, PAT_RANDOM
    bne s2, t2, 13f
    slli t3, s4, 13             # xorshift32
    xor s4, s4, t3
    srli t3, s4, 17
    xor s4, s4, t3
    slli t3, s4, 5
    xor s4, s4, t3
    srli t3, s1, 2
    remu t1, s4, t3
    slli t1, t1, 2
    j 16f
13: mv t1, s5                   # this touch's offset, then advance the cursor
    beqz s2, 15f
    add s5, s5, s3              # strided
    bltu s5, s1, 16f
    addi s6, s6, 4              # wrapped: next lane
    bgeu s6, s3, 14f
    bltu s6, s1, 141f
14: li s6, 0
141: mv s5, s6
    j 16f
15: addi s5, s5, 4              # sequential
    bltu s5, s1, 16f
    li s5, 0
16: add t1, t1, s0
    lw t3, 0(t1)
    slli t4, s7, 5              # c = c * 31 + x + n
    sub s7, t4, s7
    add s7, s7, t3
    add s7, s7, s8
    srli t4, s7, 15             # c ^= c >> 15: without it, runs of zero words leave
    xor s7, s7, t4              # the low half of c zero
    xor t3, t3, s7              # write back (x ^ c) + n
    add t3, t3, s8
    sw t3, 0(t1)
    addi t0, t0, -1
    j 11b
19: call line_reset
    la a0, t_walk
    call line_str
    mv a0, s8
    call line_dec
    la a0, t_checksum
    call line_str
    mv a0, s7
    call line_hex8
    call line_log
    j 10b

.section .rodata
.balign 4
pattern_names: .word w_sequential, w_strided, w_random
k_size:       .asciz "size"
k_stride:     .asciz "stride"
k_seed:       .asciz "seed"
k_period:     .asciz "period"
k_touches:    .asciz "touches"
k_pattern:    .asciz "pattern"
w_sequential: .asciz "sequential"
w_strided:    .asciz "strided"
w_random:     .asciz "random"
n_timer:      .asciz "Timer"
t_ws:         .asciz "working-set dataspace"
t_wait:       .asciz "WAIT"
t_intro:      .asciz "memwalk: "
t_bytes:      .asciz " bytes, "
t_stride:     .asciz ", stride "
t_seed:       .asciz ", seed "
t_period:     .asciz ", period "
t_touches:    .asciz " us, touches "
t_walk:       .asciz "walk "
t_checksum:   .asciz ": checksum 0x"
