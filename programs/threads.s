# threads: the main thread starts `workers` threads, each with its own 16 KiB stack (a RAM
# dataspace) and a signal context of the main thread's receiver. Every worker runs `iterations`
# rounds on counters in a shared RAM dataspace:
#   amoadd.w                   counter A += 1
#   lr.w / sc.w loop           counter B += 1
#   amoswap.w.aq spinlock      counter C += 1 with a plain load and store under the lock
#   amomax.w                   M = max(M, worker * iterations + round)
# yields every 16 rounds so that the workers interleave, sets its bit in a mask (amoor.w) and
# signals the main thread (PD SUBMIT to its context), then returns (the thread ends). Once all
# have signalled, main logs each result against its expected value (workers * iterations for the
# counters and M), checks that every worker thread has ended (THREAD_STATE_GET says dead) and
# exits with 0 when all match, 1 otherwise.
# Config: `workers=N` (1-8, default 3), `iterations=N` (default 1000), `prio=P` the workers'
# priority (default 100; at most the component's).

.include "lib/rt.s"

.equ MAX_WORKERS, 8
.equ STACK_BYTES, 0x4000
# the shared dataspace
.equ SH_A, 0
.equ SH_B, 4
.equ SH_C, 8
.equ SH_LOCK, 12
.equ SH_MAX, 16
.equ SH_MASK, 20
# a worker's descriptor (its thread's argument)
.equ W_INDEX, 0
.equ W_CONTEXT, 4
.equ W_SHARED, 8
.equ W_ITERATIONS, 12
.equ W_THREAD, 16
.equ W_NAME, 20
.equ W_SIZE, 32

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
    mv s0, a0
    mv s1, a1
    la a2, k_workers
    li a3, 3
    call cfg_uint
    mv s2, a0                   # workers
    beqz s2, 1f
    li t0, MAX_WORKERS
    bleu s2, t0, 2f
1:  li a0, E_BAD_ARG
    la a1, k_workers
    call fail
2:  mv a0, s0
    mv a1, s1
    la a2, k_iterations
    li a3, 1000
    call cfg_uint
    mv s3, a0                   # iterations
    mv a0, s0
    mv a1, s1
    la a2, k_prio
    li a3, 100
    call cfg_uint
    mv s4, a0                   # priority
    li a0, PAGE_SIZE
    call ram_alloc_attach
    check t_shared
    mv s5, a0                   # shared counters
    # ---- start the workers
    li s6, 0                    # index
3:  beq s6, s2, 5f
    la s0, workers_desc
    slli t0, s6, 5              # W_SIZE = 32
    add s0, s0, t0              # descriptor
    sw s6, W_INDEX(s0)
    sw s5, W_SHARED(s0)
    sw s3, W_ITERATIONS(s0)
    addi a0, s6, 1              # imprint: index + 1
    call signal_context
    check t_context
    sw a0, W_CONTEXT(s0)
    addi a0, s0, W_NAME         # name "workerN"
    la a1, t_worker
    li a2, 6
    call memcpy
    addi t0, s6, '1'
    sb t0, W_NAME+6(s0)
    sb zero, W_NAME+7(s0)
    la a0, worker
    mv a1, s0
    mv a2, s4
    addi a3, s0, W_NAME
    li a4, STACK_BYTES
    call thread_spawn
    check t_spawn
    sw a0, W_THREAD(s0)
    addi s6, s6, 1
    j 3b
5:  call line_reset
    la a0, t_started
    call line_str
    mv a0, s2
    call line_dec
    la a0, t_started2
    call line_str
    mv a0, s3
    call line_dec
    la a0, t_started3
    call line_str
    call line_log
    # ---- wait until every worker has signalled
    li s0, 0                    # mask of workers heard from
    li t0, 1
    sll s1, t0, s2
    addi s1, s1, -1             # all of them
6:  beq s0, s1, 7f
    li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    addi t0, a1, -1             # imprint - 1 = index
    li t1, 1
    sll t1, t1, t0
    or s0, s0, t1
    j 6b
7:  # ---- results; s6 = number of mismatches
    li s6, 0
    mul s0, s2, s3              # expected count
    lw a0, SH_A(s5)
    la a1, t_amoadd
    mv a2, s0
    call report
    lw a0, SH_B(s5)
    la a1, t_lrsc
    mv a2, s0
    call report
    lw a0, SH_C(s5)
    la a1, t_locked
    mv a2, s0
    call report
    lw a0, SH_MAX(s5)
    la a1, t_amomax
    mv a2, s0
    call report
    lw a0, SH_MASK(s5)
    la a1, t_mask
    mv a2, s1
    call report
    call reap
    la a1, t_ended
    mv a2, s2
    call report
    la a0, t_ok
    beqz s6, 8f
    la a0, t_bad
8:  call log_str
    snez a0, s6
    lw ra, 44(sp)
    lw s0, 40(sp)
    lw s1, 36(sp)
    lw s2, 32(sp)
    lw s3, 28(sp)
    lw s4, 24(sp)
    lw s5, 20(sp)
    lw s6, 16(sp)
    addi sp, sp, 48
    ret

# reap() -> number of workers whose threads ended (THREAD_STATE_GET: THREAD_DEAD, or E_BAD_ARG
# as the kernel answers for a dead thread), yielding
# up to 100 times per worker for it to get there after its signal. s2 = workers (main's).
reap:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw s3, 0(sp)
    li s0, 0                    # worker index
    li s1, 0                    # ended
1:  beq s0, s2, 9f
    li s3, 100                  # attempts
2:  la t0, workers_desc
    slli t1, s0, 5
    add t0, t0, t1
    lw a0, W_THREAD(t0)
    la a1, state_buf
    call cpu_thread_state_get
    li t0, E_BAD_ARG            # the kernel refuses operations on dead threads: ended too
    beq a0, t0, 31f
    bltz a0, 3f
    la t0, state_buf
    lw t0, 32*4(t0)             # the state word
    li t1, THREAD_DEAD
    bne t0, t1, 3f
31: addi s1, s1, 1
    j 4f
3:  addi s3, s3, -1
    beqz s3, 4f
    call sys_yield
    j 2b
4:  addi s0, s0, 1
    j 1b
9:  mv a0, s1
    lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    lw s3, 0(sp)
    addi sp, sp, 16
    ret

# report(value, what, expected): logs "<what>: <value> (expected <expected>)" and counts a
# mismatch in main's s6.
report:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    mv s0, a0
    mv s1, a2
    beq a0, a2, 1f
    addi s6, s6, 1
1:  mv a0, a1
    call line_str
    la a0, t_colon
    call line_str
    mv a0, s0
    call line_dec
    la a0, t_expected
    call line_str
    mv a0, s1
    call line_dec
    li a0, ')'
    call line_char
    call line_log
    lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    addi sp, sp, 16
    ret

# worker(descriptor): a worker thread's body (see the top). Returns when done.
worker:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw s2, 0(sp)
    mv s0, a0                   # descriptor
    lw s1, W_SHARED(s0)
    li s2, 1                    # round
1:  lw t0, W_ITERATIONS(s0)
    bgtu s2, t0, 9f
    li t1, 1
    addi t0, s1, SH_A           # A: amoadd
    amoadd.w zero, t1, (t0)
    addi t0, s1, SH_B           # B: lr/sc
2:  lr.w t2, (t0)
    addi t2, t2, 1
    sc.w t3, t2, (t0)
    bnez t3, 2b
    addi t0, s1, SH_LOCK        # C: under a spinlock
3:  amoswap.w.aq t2, t1, (t0)
    beqz t2, 4f
    call sys_yield              # held by another worker: let it run
    li t1, 1
    addi t0, s1, SH_LOCK
    j 3b
4:  lw t2, SH_C(s1)
    addi t2, t2, 1
    sw t2, SH_C(s1)
    addi t0, s1, SH_LOCK
    amoswap.w.rl zero, zero, (t0)
    lw t0, W_INDEX(s0)          # M: amomax of index * iterations + round
    lw t1, W_ITERATIONS(s0)
    mul t0, t0, t1
    add t0, t0, s2
    addi t1, s1, SH_MAX
    amomax.w zero, t0, (t1)
    andi t0, s2, 15             # every 16 rounds: yield
    bnez t0, 5f
    call sys_yield
5:  addi s2, s2, 1
    j 1b
9:  lw t0, W_INDEX(s0)          # done: set the bit, signal main
    li t1, 1
    sll t1, t1, t0
    addi t0, s1, SH_MASK
    amoor.w zero, t1, (t0)
    lw a0, W_CONTEXT(s0)
    li a1, 1
    call pd_submit
    lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    lw s2, 0(sp)
    addi sp, sp, 16
    ret

.section .rodata
k_workers:    .asciz "workers"
k_iterations: .asciz "iterations"
k_prio:       .asciz "prio"
t_shared:     .asciz "shared dataspace"
t_context:    .asciz "signal context"
t_spawn:      .asciz "thread_spawn"
t_wait:       .asciz "WAIT"
t_worker:     .ascii "worker"
t_started:    .asciz "started "
t_started2:   .asciz " workers, "
t_started3:   .asciz " iterations each"
t_amoadd:     .asciz "amoadd counter"
t_lrsc:       .asciz "lr/sc counter"
t_locked:     .asciz "locked counter"
t_amomax:     .asciz "amomax"
t_mask:       .asciz "done mask"
t_colon:      .asciz ": "
t_expected:   .asciz " (expected "
t_ended:      .asciz "worker threads ended"
t_ok:         .asciz "all results as expected"
t_bad:        .asciz "MISMATCH"

.bss
.balign 4
workers_desc: .space MAX_WORKERS * W_SIZE
state_buf:    .space THREAD_STATE_WORDS * 4
