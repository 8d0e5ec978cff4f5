# pager: a component that is its own pager. The main thread asks for an RM session, creates a
# region map of `pages` pages, gets its managed dataspace (RM DATASPACE) and attaches it writable
# in its own address space; a signal context of its default receiver (imprint 1) becomes the
# region map's fault handler. Nothing is attached in the region map yet: every page is a hole.
#
# A worker thread (thread_spawn) walks the pages: on page i it uses the word at offset
# i * 4096 + i * 4; on odd pages it first reads it (a read fault; fresh RAM must read zero), then
# on every page it writes 0xc0de0000 + i (a write fault on even pages), reads it back and logs
# `page i: ok`, or `page i: mismatch 0xREAD (expected 0xWANT)`. When done it signals main
# (imprint 2) and returns (the thread ends).
#
# Main is the pager: for each fault signal it reads FAULT_STATE and logs
# `fault at +0xOFFSET (read|write|execute)` (the address inside the region map), then waits
# `delay` on a one-shot Timer (its own receiver), so the worker stays blocked in the fault for that
# much virtual time, allocates a 4 KiB RAM dataspace and attaches it writable at the faulting page,
# which wakes the worker. After `pages` pages it logs `pager done`; once the worker has signalled
# it returns 0 (1 if the worker saw a mismatch).
# Config: `pages=N` (1-64, default 16), `delay=T` (default 50ms; 0: attach at once).

.include "lib/rt.s"

.equ MAX_PAGES, 64
.equ STACK_BYTES, 0x4000
.equ IMPRINT_FAULT, 1           # main's default receiver: the region map's fault handler
.equ IMPRINT_DONE, 2            #   and the worker's "done"
.equ IMPRINT_TIMER, 1           # the timer's own receiver
.equ PATTERN, 0xc0de0000
# the worker's descriptor (its thread's argument): `work` in .bss
.equ W_BASE, 0                  # the managed dataspace's address in our address space
.equ W_PAGES, 4
.equ W_DONE, 8                  # signal context for "done"
.equ W_MISMATCHES, 12

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
    mv s0, a0
    mv s1, a1
    la a2, k_pages
    li a3, 16
    call cfg_uint
    mv s4, a0                   # pages
    beqz s4, 1f
    li t0, MAX_PAGES
    bleu s4, t0, 2f
1:  li a0, E_BAD_ARG
    la a1, k_pages
    call fail
2:  mv a0, s0
    mv a1, s1
    la a2, k_delay
    li a3, 50000
    call cfg_uint
    mv s5, a0                   # delay in microseconds
    call log_open               # before the worker exists: it logs too
    check t_log
    # ---- Timer with a context on a receiver of its own
    la a0, t_timer
    li a1, 0
    call parent_session
    check t_timer
    mv s2, a0                   # Timer session
    call pd_alloc_receiver
    check t_receiver
    mv s3, a0                   # the timer's receiver
    li a1, IMPRINT_TIMER
    call pd_alloc_context
    check t_receiver
    mv a1, a0
    mv a0, s2
    call timer_sigh
    check t_timer_sigh
    # ---- the region map, attached as a managed dataspace
    la a0, t_rm
    li a1, 0
    call parent_session
    check t_rm
    slli a1, s4, 12             # pages * 4096
    call rm_session_create
    check t_create
    mv s0, a0                   # the region map
    call rm_dataspace
    check t_dataspace
    call ds_attach
    check t_attach_managed
    mv s1, a0                   # its address here
    li a0, IMPRINT_FAULT
    call signal_context
    check t_context
    mv a1, a0
    mv a0, s0
    call rm_fault_handler
    check t_fault_handler
    call line_reset
    la a0, t_managed
    call line_str
    mv a0, s4
    call line_dec
    la a0, t_managed2
    call line_str
    mv a0, s1
    call line_hex8
    call line_log
    # ---- the worker
    li a0, IMPRINT_DONE
    call signal_context
    check t_context
    la t0, work
    sw s1, W_BASE(t0)
    sw s4, W_PAGES(t0)
    sw a0, W_DONE(t0)
    sw zero, W_MISMATCHES(t0)
    la a0, worker
    la a1, work
    li a2, 100
    la a3, t_worker
    li a4, STACK_BYTES
    call thread_spawn
    check t_spawn
    # ---- the pager loop; s6 = pages served, s7 = worker done
    li s6, 0
    li s7, 0
3:  bne s6, s4, 4f
    bnez s7, 9f
4:  li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    li t0, IMPRINT_DONE
    bne a1, t0, 5f
    li s7, 1
    j 3b
5:  mv a0, s0
    call rm_fault_state
    check t_fault_state
    beqz a1, 3b                 # FAULT_NONE: nothing to serve
    mv s8, a2                   # fault address inside the region map
    slli t0, a1, 2
    la t1, fault_types
    add t1, t1, t0
    lw s1, -4(t1)               # the type's name (FAULT_READ = 1 first); s1 no longer needed
    call line_reset
    la a0, t_fault
    call line_str
    mv a0, s8
    call line_hex
    la a0, t_open
    call line_str
    mv a0, s1
    call line_str
    li a0, ')'
    call line_char
    call line_log
    beqz s5, 6f                 # make the worker wait `delay`
    mv a0, s2
    mv a1, s5
    call timer_trigger_once
    check t_trigger
    mv a0, s3
    call sys_wait
    check t_wait
6:  li a0, PAGE_SIZE
    call ram_alloc
    check t_page
    mv a1, a0
    mv a0, s0
    srli a2, s8, 12
    slli a2, a2, 12             # the faulting page
    li a3, 0
    li a4, 0
    li a5, RM_WRITE
    call rm_attach              # wakes the worker
    check t_attach_page
    addi s6, s6, 1
    bne s6, s4, 3b
    la a0, t_done
    call log_str
    j 3b
9:  la t0, work
    lw a0, W_MISMATCHES(t0)
    snez a0, a0
    lw ra, 44(sp)
    lw s0, 40(sp)
    lw s1, 36(sp)
    lw s2, 32(sp)
    lw s3, 28(sp)
    lw s4, 24(sp)
    lw s5, 20(sp)
    lw s6, 16(sp)
    lw s7, 12(sp)
    lw s8, 8(sp)
    addi sp, sp, 48
    ret

# worker(descriptor): the worker thread's body (see the top). Builds its log lines in a buffer
# on its own stack (lib's line buffer belongs to main).
worker:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s2, 16(sp)
    sw s3, 12(sp)
    mv s0, a0                   # descriptor
    li s1, 0                    # page
1:  lw t0, W_PAGES(s0)
    beq s1, t0, 9f
    lw t0, W_BASE(s0)
    slli t1, s1, 12
    add t0, t0, t1
    slli t1, s1, 2
    add s2, t0, t1              # the word: base + i * 4096 + i * 4
    andi t0, s1, 1
    beqz t0, 2f
    lw a0, 0(s2)                # odd page: read first (a read fault), fresh RAM reads zero
    li a1, 0
    bnez a0, 3f
2:  li s3, PATTERN
    add s3, s3, s1
    sw s3, 0(s2)                # even page: a write fault
    lw a0, 0(s2)
    mv a1, s3
3:  mv a2, s1
    call report_page
    addi s1, s1, 1
    j 1b
9:  lw a0, W_DONE(s0)
    li a1, 1
    call pd_submit
    lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s2, 16(sp)
    lw s3, 12(sp)
    addi sp, sp, 32
    ret

# report_page(read, expected, page): logs `page N: ok` when read == expected, else
# `page N: mismatch 0xREAD (expected 0xWANT)` and counts it in work's W_MISMATCHES.
report_page:
    addi sp, sp, -112
    sw ra, 108(sp)
    sw s0, 104(sp)
    sw s1, 100(sp)
    sw s2, 96(sp)
    mv s0, a0
    mv s1, a1
    mv s2, a2
    mv a0, sp                   # the line: at sp
    la a1, t_page_n
    li a2, 5
    call memcpy
    addi a0, sp, 5
    mv a1, s2
    call fmt_udec
    addi s2, sp, 5
    add s2, s2, a0              # s2: the end of the line so far
    bne s0, s1, 1f
    mv a0, s2
    la a1, t_ok
    li a2, 4
    call memcpy
    addi s2, s2, 4
    j 2f
1:  la t0, work
    lw t1, W_MISMATCHES(t0)
    addi t1, t1, 1
    sw t1, W_MISMATCHES(t0)
    mv a0, s2
    la a1, t_mismatch
    li a2, 13
    call memcpy
    addi a0, s2, 13
    mv a1, s0
    call fmt_hex
    addi s2, s2, 13
    add s2, s2, a0
    mv a0, s2
    la a1, t_expected
    li a2, 13
    call memcpy
    addi a0, s2, 13
    mv a1, s1
    call fmt_hex
    addi s2, s2, 13
    add s2, s2, a0
    li t0, ')'
    sb t0, 0(s2)
    addi s2, s2, 1
2:  mv a0, sp
    sub a1, s2, sp
    call log_write
    lw ra, 108(sp)
    lw s0, 104(sp)
    lw s1, 100(sp)
    lw s2, 96(sp)
    addi sp, sp, 112
    ret

.section .rodata
.balign 4
fault_types:  .word t_read, t_write, t_execute
k_pages:      .asciz "pages"
k_delay:      .asciz "delay"
t_log:        .asciz "LOG"
t_timer:      .asciz "Timer"
t_receiver:   .asciz "timer receiver"
t_timer_sigh: .asciz "Timer SIGH"
t_rm:         .asciz "RM"
t_create:     .asciz "RM CREATE"
t_dataspace:  .asciz "RM DATASPACE"
t_attach_managed: .asciz "managed dataspace attach"
t_context:    .asciz "signal context"
t_fault_handler: .asciz "FAULT_HANDLER"
t_spawn:      .asciz "thread_spawn"
t_wait:       .asciz "WAIT"
t_fault_state: .asciz "FAULT_STATE"
t_trigger:    .asciz "Timer TRIGGER_ONCE"
t_page:       .asciz "page dataspace"
t_attach_page: .asciz "page attach"
t_managed:    .asciz "pager: "
t_managed2:   .asciz " pages managed at 0x"
t_worker:     .asciz "worker"
t_fault:      .asciz "fault at +0x"
t_open:       .asciz " ("
t_read:       .asciz "read"
t_write:      .asciz "write"
t_execute:    .asciz "execute"
t_done:       .asciz "pager done"
t_page_n:     .ascii "page "
t_ok:         .ascii ": ok"
t_mismatch:   .ascii ": mismatch 0x"
t_expected:   .ascii " (expected 0x"

.bss
.balign 4
work:         .space 16
