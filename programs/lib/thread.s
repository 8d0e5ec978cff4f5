# lib/thread.s: threads with their own stacks.

.text

# thread_spawn(entry, arg, priority, name, stack_size) -> thread slot | err
# Allocates and attaches a RAM dataspace of stack_size bytes for the stack, creates a thread
# named by the NUL-terminated `name` at `priority` (at most the component's) and starts it in
# entry(arg). A thread ends by returning from entry: the trampoline then kills it
# (THREAD_KILL on its own slot). On an error after the allocation, the stack is not freed.
.globl thread_spawn
thread_spawn:
    addi sp, sp, -32
    sw ra, 28(sp)
    sw s0, 24(sp)
    sw s1, 20(sp)
    sw s2, 16(sp)
    sw s3, 12(sp)
    sw s4, 8(sp)
    mv s0, a0                   # entry
    mv s1, a1                   # arg
    mv s2, a2                   # priority
    mv s3, a3                   # name
    mv s4, a4                   # stack size
    mv a0, a4
    call ram_alloc_attach
    bltz a0, 1f
    add s4, a0, s4              # stack top
    addi s4, s4, -16            # the start block: entry, arg, thread slot
    sw s0, 0(s4)
    sw s1, 4(s4)
    mv a0, s3
    call strlen
    mv a2, a0
    mv a1, s3
    mv a0, s2
    call cpu_thread_create
    bltz a0, 1f
    sw a0, 8(s4)
    mv s2, a0                   # thread slot
    la a1, __thread_trampoline
    mv a2, s4
    mv a3, s4
    call cpu_thread_start
    bltz a0, 1f
    mv a0, s2
1:  lw ra, 28(sp)
    lw s0, 24(sp)
    lw s1, 20(sp)
    lw s2, 16(sp)
    lw s3, 12(sp)
    lw s4, 8(sp)
    addi sp, sp, 32
    ret

# A spawned thread starts here with sp = a0 = its start block {entry, arg, thread slot}.
__thread_trampoline:
    lw t0, 0(a0)
    lw a0, 4(a0)
    jalr t0
    lw a0, 8(sp)                # entry kept sp: the start block
    call cpu_thread_kill
    # Killing the own thread did not work: block for good on a receiver nobody signals.
    call pd_alloc_receiver
    bltz a0, 2f
    mv s0, a0
1:  mv a0, s0
    call sys_wait
    j 1b
2:  call sys_yield
    j 2b
