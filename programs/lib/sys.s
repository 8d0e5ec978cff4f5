# lib/sys.s: a wrapper for every system call and every INVOKE operation of docs/abi.md.
#
# Calling convention: the standard RISC-V ilp32 one (arguments a0-a7, result a0, t* and a*
# caller-saved, s*, sp, ra preserved). Results come back in one of three shapes, named on each
# function:
#   -> status          a0 = 0 or a negative E_* code.
#   -> slot | err      a0 = the one result (a capability slot, an address or a size, always >= 0
#                      as a signed word, since user addresses are below 0x8000_0000), or a
#                      negative E_* code on failure.
#   -> status, a1..a3  a0 = status; on success a1-a3 hold the results in the ABI's order.
# Every wrapper clobbers a7 (the system call number) besides the usual caller-saved registers.

.text

# ---- raw system calls -----------------------------------------------------------------------

# sys_invoke(slot, opcode, arg0, arg1, arg2, arg3, arg4) -> status, a1..a3 results
.globl sys_invoke
sys_invoke:
    li a7, SYS_INVOKE
    ecall
    ret

# sys_wait(receiver) -> status, a1 imprint of the signalled context, a2 signal count.
# Blocks until a context of the receiver has a signal pending.
.globl sys_wait
sys_wait:
    li a7, SYS_WAIT
    ecall
    ret

# sys_poll(receiver) -> status, a1 imprint, a2 count; E_WOULD_BLOCK when nothing is pending.
.globl sys_poll
sys_poll:
    li a7, SYS_POLL
    ecall
    ret

# sys_yield() -> 0. The thread goes to the end of its priority's ready queue.
.globl sys_yield
sys_yield:
    li a7, SYS_YIELD
    ecall
    ret

# sys_exit(code) does not return: the whole component ends and its parent is told.
.globl sys_exit
.globl exit
sys_exit:
exit:
    li a7, SYS_EXIT
    ecall
1:  j 1b

# Shared tails: a0..a6 set up, INVOKE, then shape the result.
# __invoke_status -> status;  __invoke_r1 -> slot | err (a1 on success, else the status).
__invoke_status:
    li a7, SYS_INVOKE
    ecall
    ret
__invoke_r1:
    li a7, SYS_INVOKE
    ecall
    bnez a0, 1f
    mv a0, a1
1:  ret

# ---- parent (slot 1) ------------------------------------------------------------------------

# parent_session_n(name, name_len, args, args_len) -> session slot | err
# Asks the parent for a session of service `name` with a Genode-style argument string
# (`key=value, ...`). E_DENIED when the parent has no route for the service.
.globl parent_session_n
parent_session_n:
    mv a5, a3
    mv a4, a2
    mv a3, a1
    mv a2, a0
    li a1, PARENT_SESSION
    li a0, SLOT_PARENT
    j __invoke_r1

# parent_session(name, args) -> session slot | err
# As parent_session_n with NUL-terminated strings; args may be 0 for none.
.globl parent_session
parent_session:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw s2, 0(sp)
    mv s0, a0
    mv s1, a1
    call strlen
    mv s2, a0                   # name length
    li a0, 0                    # args length (0 when args == 0)
    beqz s1, 1f
    mv a0, s1
    call strlen
1:  mv a3, a0
    mv a2, s1
    mv a1, s2
    mv a0, s0
    call parent_session_n
    lw ra, 12(sp)
    lw s0, 8(sp)
    lw s1, 4(sp)
    lw s2, 0(sp)
    addi sp, sp, 16
    ret

# parent_close(session) -> status
.globl parent_close
parent_close:
    mv a2, a0
    li a1, PARENT_CLOSE
    li a0, SLOT_PARENT
    j __invoke_status

# ---- PD (slot 2): signals and capabilities --------------------------------------------------

# pd_alloc_context(receiver, imprint) -> context slot | err
# A signal context bound to `receiver`; WAIT on the receiver reports `imprint` for it.
.globl pd_alloc_context
pd_alloc_context:
    mv a3, a1
    mv a2, a0
    li a1, PD_ALLOC_CONTEXT
    li a0, SLOT_PD
    j __invoke_r1

# signal_context(imprint) -> context slot | err: a context on the default receiver (slot 6).
.globl signal_context
signal_context:
    mv a3, a0
    li a2, SLOT_SIGNALS
    li a1, PD_ALLOC_CONTEXT
    li a0, SLOT_PD
    j __invoke_r1

# pd_free_context(context) -> status
.globl pd_free_context
pd_free_context:
    mv a2, a0
    li a1, PD_FREE_CONTEXT
    li a0, SLOT_PD
    j __invoke_status

# pd_submit(context, count) -> status. Submits count (>= 1) signals to the context.
.globl pd_submit
pd_submit:
    mv a3, a1
    mv a2, a0
    li a1, PD_SUBMIT
    li a0, SLOT_PD
    j __invoke_status

# pd_alloc_receiver() -> receiver slot | err
.globl pd_alloc_receiver
pd_alloc_receiver:
    li a1, PD_ALLOC_RECEIVER
    li a0, SLOT_PD
    j __invoke_r1

# pd_cap_derive(slot, rights_mask) -> new slot | err (the slot needs RIGHT_DELEGATE)
.globl pd_cap_derive
pd_cap_derive:
    mv a3, a1
    mv a2, a0
    li a1, PD_CAP_DERIVE
    li a0, SLOT_PD
    j __invoke_r1

# pd_cap_revoke(slot) -> status. Removes every capability derived from the slot's.
.globl pd_cap_revoke
pd_cap_revoke:
    mv a2, a0
    li a1, PD_CAP_REVOKE
    li a0, SLOT_PD
    j __invoke_status

# pd_cap_delete(slot) -> status
.globl pd_cap_delete
pd_cap_delete:
    mv a2, a0
    li a1, PD_CAP_DELETE
    li a0, SLOT_PD
    j __invoke_status

# pd_cap_info(slot) -> status, a1 object type (OBJ_*), a2 rights, a3 badge
.globl pd_cap_info
pd_cap_info:
    mv a2, a0
    li a1, PD_CAP_INFO
    li a0, SLOT_PD
    j __invoke_status

# ---- CPU session (slot 3): threads ----------------------------------------------------------

# cpu_thread_create(priority, name, name_len) -> thread slot | err
# priority 0-255, at most the component's. The thread does not run before cpu_thread_start.
.globl cpu_thread_create
cpu_thread_create:
    mv a4, a2
    mv a3, a1
    mv a2, a0
    li a1, CPU_THREAD_CREATE
    li a0, SLOT_CPU
    j __invoke_r1

# cpu_thread_start(thread, ip, sp, arg) -> status. The thread starts at ip with sp and a0 = arg.
.globl cpu_thread_start
cpu_thread_start:
    mv a5, a3
    mv a4, a2
    mv a3, a1
    mv a2, a0
    li a1, CPU_THREAD_START
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_pause(thread) -> status
.globl cpu_thread_pause
cpu_thread_pause:
    mv a2, a0
    li a1, CPU_THREAD_PAUSE
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_resume(thread) -> status
.globl cpu_thread_resume
cpu_thread_resume:
    mv a2, a0
    li a1, CPU_THREAD_RESUME
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_state_get(thread, buf) -> status. buf: 33 words (x1-x31, pc, state THREAD_*).
.globl cpu_thread_state_get
cpu_thread_state_get:
    mv a3, a1
    mv a2, a0
    li a1, CPU_THREAD_STATE_GET
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_state_set(thread, buf) -> status. buf: 32 words (x1-x31, pc); thread paused.
.globl cpu_thread_state_set
cpu_thread_state_set:
    mv a3, a1
    mv a2, a0
    li a1, CPU_THREAD_STATE_SET
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_single_step(thread, on) -> status (on: 1 on, 0 off)
.globl cpu_thread_single_step
cpu_thread_single_step:
    mv a3, a1
    mv a2, a0
    li a1, CPU_THREAD_SINGLE_STEP
    li a0, SLOT_CPU
    j __invoke_status

# cpu_thread_kill(thread) -> status
.globl cpu_thread_kill
cpu_thread_kill:
    mv a2, a0
    li a1, CPU_THREAD_KILL
    li a0, SLOT_CPU
    j __invoke_status

# ---- RAM session (slot 4) -------------------------------------------------------------------

# ram_alloc(size) -> dataspace slot | err. size is rounded up to 4 KiB; contents are zero.
.globl ram_alloc
ram_alloc:
    mv a2, a0
    li a1, RAM_ALLOC
    li a0, SLOT_RAM
    j __invoke_r1

# ram_free(ds) -> status
.globl ram_free
ram_free:
    mv a2, a0
    li a1, RAM_FREE
    li a0, SLOT_RAM
    j __invoke_status

# ram_quota() -> status, a1 quota, a2 used (bytes)
.globl ram_quota
ram_quota:
    li a1, RAM_QUOTA
    li a0, SLOT_RAM
    j __invoke_status

# ---- region maps (slot 5, or one from an RM session) and dataspaces -------------------------

# rm_attach(rm, ds, addr, offset, size, flags) -> address | err
# addr RM_ANY (-1) for the lowest fit in the attach area; size 0 for the whole dataspace;
# flags RM_EXEC | RM_WRITE. Addresses, offsets and sizes are multiples of 4 KiB.
.globl rm_attach
rm_attach:
    mv a6, a5
    mv a5, a4
    mv a4, a3
    mv a3, a2
    mv a2, a1                   # a0 stays the region map
    li a1, RM_ATTACH
    j __invoke_r1

# ds_attach(ds) -> address | err: the whole dataspace, anywhere, writable, in the own RM.
.globl ds_attach
ds_attach:
    mv a2, a0
    li a3, RM_ANY
    li a4, 0
    li a5, 0
    li a6, RM_WRITE
    li a1, RM_ATTACH
    li a0, SLOT_RM
    j __invoke_r1

# ram_alloc_attach(size) -> address | err, a1 = the dataspace slot (when a0 >= 0).
# ram_alloc + ds_attach; the dataspace is freed again when the attach fails.
.globl ram_alloc_attach
ram_alloc_attach:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    call ram_alloc
    bltz a0, 1f
    mv s0, a0
    call ds_attach
    bltz a0, 2f
    mv a1, s0
    j 1f
2:  mv a1, a0                   # keep the error across ram_free
    mv a0, s0
    mv s0, a1
    call ram_free
    mv a0, s0
1:  lw ra, 12(sp)
    lw s0, 8(sp)
    addi sp, sp, 16
    ret

# rm_detach(rm, addr) -> status (addr anywhere inside the region)
.globl rm_detach
rm_detach:
    mv a2, a1
    li a1, RM_DETACH
    j __invoke_status

# rm_fault_handler(rm, context) -> status: faults in the region map signal the context.
.globl rm_fault_handler
rm_fault_handler:
    mv a2, a1
    li a1, RM_FAULT_HANDLER
    j __invoke_status

# rm_fault_state(rm) -> status, a1 state (FAULT_*), a2 fault address
.globl rm_fault_state
rm_fault_state:
    li a1, RM_FAULT_STATE
    j __invoke_status

# rm_dataspace(rm) -> dataspace slot | err: the region map as a managed dataspace.
.globl rm_dataspace
rm_dataspace:
    li a1, RM_DATASPACE
    j __invoke_r1

# ds_size(ds) -> size | err
.globl ds_size
ds_size:
    li a1, DS_SIZE
    j __invoke_r1

# rm_session_create(rm_session, size) -> region-map slot | err
.globl rm_session_create
rm_session_create:
    mv a2, a1
    li a1, RM_SESSION_CREATE
    j __invoke_r1

# ---- LOG session ----------------------------------------------------------------------------

# log_open() -> LOG session slot | err. Asks the parent for a LOG session once and keeps it in
# __log_slot for log_write/log_str; later calls return the same slot.
.globl log_open
log_open:
    la t0, __log_slot
    lw a0, 0(t0)
    bnez a0, 1f
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, __log_name
    li a1, 3
    li a2, 0
    li a3, 0
    call parent_session_n
    lw ra, 12(sp)
    addi sp, sp, 16
    bltz a0, 1f
    la t0, __log_slot
    sw a0, 0(t0)
1:  ret

# log_session_write(session, ptr, len) -> status. One LOG write of len <= LOG_MAX bytes.
.globl log_session_write
log_session_write:
    mv a3, a2
    mv a2, a1
    li a1, LOG_WRITE
    j __invoke_status

# log_write(ptr, len) -> status. Writes through the component's LOG session (log_open'ed on
# first use). Each write is one log line, shown as `[label] text`.
.globl log_write
log_write:
    la t0, __log_slot
    lw t1, 0(t0)
    bnez t1, 1f
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    sw a1, 4(sp)
    call log_open
    mv t1, a0
    lw ra, 12(sp)
    lw a0, 8(sp)
    lw a1, 4(sp)
    addi sp, sp, 16
    bgez t1, 1f
    mv a0, t1                   # no LOG session: its error
    ret
1:  mv a3, a1
    mv a2, a0
    mv a0, t1
    li a1, LOG_WRITE
    j __invoke_status

# log_str(cstr) -> status. log_write of a NUL-terminated string.
.globl log_str
log_str:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    mv s0, a0
    call strlen
    mv a1, a0
    mv a0, s0
    call log_write
    lw ra, 12(sp)
    lw s0, 8(sp)
    addi sp, sp, 16
    ret

# ---- Timer session --------------------------------------------------------------------------

# timer_sigh(timer, context) -> status: timeouts signal the context.
.globl timer_sigh
timer_sigh:
    mv a2, a1
    li a1, TIMER_SIGH
    j __invoke_status

# timer_trigger_once(timer, us) -> status: one signal us microseconds (virtual) from now.
.globl timer_trigger_once
timer_trigger_once:
    mv a2, a1
    li a1, TIMER_TRIGGER_ONCE
    j __invoke_status

# timer_trigger_periodic(timer, us) -> status: a signal every us microseconds; 0 stops.
.globl timer_trigger_periodic
timer_trigger_periodic:
    mv a2, a1
    li a1, TIMER_TRIGGER_PERIODIC
    j __invoke_status

# timer_elapsed_ms(timer) -> status, a1 low, a2 high word of milliseconds since boot
.globl timer_elapsed_ms
timer_elapsed_ms:
    li a1, TIMER_ELAPSED_MS
    j __invoke_status

# timer_elapsed_us(timer) -> status, a1 low, a2 high word of microseconds since boot
.globl timer_elapsed_us
timer_elapsed_us:
    li a1, TIMER_ELAPSED_US
    j __invoke_status

# ---- IRQ and IO_MEM sessions ----------------------------------------------------------------

# irq_sigh(irq, context) -> status: the interrupt signals the context.
.globl irq_sigh
irq_sigh:
    mv a2, a1
    li a1, IRQ_SIGH
    j __invoke_status

# irq_ack(irq) -> status: unmasks the line after handling; the next interrupt may come.
.globl irq_ack
irq_ack:
    li a1, IRQ_ACK
    j __invoke_status

# io_mem_dataspace(io_mem) -> dataspace slot | err: attach it to reach the device registers.
.globl io_mem_dataspace
io_mem_dataspace:
    li a1, IO_MEM_DATASPACE
    j __invoke_r1

.section .rodata
__log_name: .ascii "LOG"

.bss
.balign 4
.globl __log_slot
__log_slot: .space 4            # the LOG session of log_write, 0 before log_open
