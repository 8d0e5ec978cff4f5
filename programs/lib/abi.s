# lib/abi.s: the kernel ABI of docs/abi.md as constants. Defines no code or data, so any file
# may include it (lib/rt.s does).

# ---- system calls (a7) ----------------------------------------------------------------------
.equ SYS_INVOKE, 0              # a0 slot, a1 opcode, a2-a6 args -> a0 status, a1-a3 results
.equ SYS_WAIT, 1                # a0 receiver -> a0 status, a1 imprint, a2 count
.equ SYS_POLL, 2                # as WAIT, or E_WOULD_BLOCK at once
.equ SYS_YIELD, 3               # -> a0 = 0
.equ SYS_EXIT, 4                # a0 exit code; does not return

# ---- error codes (a0 < 0) -------------------------------------------------------------------
.equ E_OK, 0
.equ E_BAD_SLOT, -1
.equ E_RIGHTS, -2
.equ E_BAD_OPCODE, -3
.equ E_BAD_ARG, -4
.equ E_FAULT, -5
.equ E_QUOTA, -6
.equ E_REGION_CONFLICT, -7
.equ E_DENIED, -8
.equ E_WOULD_BLOCK, -9
.equ E_BAD_SYSCALL, -10
.equ E_NOT_FOUND, -11

# ---- capability rights ----------------------------------------------------------------------
.equ RIGHT_INVOKE, 1
.equ RIGHT_WRITE, 2
.equ RIGHT_DELEGATE, 4
.equ RIGHTS_ALL, 7

# ---- slots every component starts with ------------------------------------------------------
.equ CAP_SLOTS, 256
.equ SLOT_PARENT, 1
.equ SLOT_PD, 2
.equ SLOT_CPU, 3
.equ SLOT_RAM, 4
.equ SLOT_RM, 5
.equ SLOT_SIGNALS, 6
.equ SLOT_MAIN_THREAD, 7

# ---- opcodes --------------------------------------------------------------------------------
# Parent (slot 1)
.equ PARENT_SESSION, 0          # name ptr, len, args ptr, len -> session slot
.equ PARENT_CLOSE, 1            # session slot
# PD (slot 2)
.equ PD_ALLOC_CONTEXT, 0        # receiver slot, imprint -> context slot
.equ PD_FREE_CONTEXT, 1         # context slot
.equ PD_SUBMIT, 2               # context slot, count >= 1
.equ PD_ALLOC_RECEIVER, 3       # -> receiver slot
.equ PD_CAP_DERIVE, 4           # slot, rights mask -> new slot
.equ PD_CAP_REVOKE, 5           # slot
.equ PD_CAP_DELETE, 6           # slot
.equ PD_CAP_INFO, 7             # slot -> type, rights, badge
# CPU session (slot 3)
.equ CPU_THREAD_CREATE, 0       # priority, name ptr, len -> thread slot
.equ CPU_THREAD_START, 1        # thread, ip, sp, a0
.equ CPU_THREAD_PAUSE, 2        # thread
.equ CPU_THREAD_RESUME, 3       # thread
.equ CPU_THREAD_STATE_GET, 4    # thread, buffer (33 words: x1-x31, pc, state)
.equ CPU_THREAD_STATE_SET, 5    # thread, buffer (32 words: x1-x31, pc)
.equ CPU_THREAD_SINGLE_STEP, 6  # thread, 1 on / 0 off
.equ CPU_THREAD_KILL, 7         # thread
# RAM session (slot 4)
.equ RAM_ALLOC, 0               # size -> dataspace slot
.equ RAM_FREE, 1                # dataspace slot
.equ RAM_QUOTA, 2               # -> quota, used
# Region map (slot 5 or from an RM session)
.equ RM_ATTACH, 0               # ds, addr (-1 any), offset, size (0 whole), flags -> addr
.equ RM_DETACH, 1               # addr
.equ RM_FAULT_HANDLER, 2        # context slot
.equ RM_FAULT_STATE, 3          # -> state, address
.equ RM_DATASPACE, 4            # -> dataspace slot (managed dataspace)
# Dataspace
.equ DS_SIZE, 0                 # -> size
# RM session
.equ RM_SESSION_CREATE, 0       # size -> region-map slot
# LOG session
.equ LOG_WRITE, 0               # ptr, len <= 4096
# Timer session
.equ TIMER_SIGH, 0              # context slot
.equ TIMER_TRIGGER_ONCE, 1      # microseconds from now
.equ TIMER_TRIGGER_PERIODIC, 2  # period in microseconds (0 stops)
.equ TIMER_ELAPSED_MS, 3        # -> low, high
.equ TIMER_ELAPSED_US, 4        # -> low, high
# IRQ session
.equ IRQ_SIGH, 0                # context slot
.equ IRQ_ACK, 1
# IO_MEM session
.equ IO_MEM_DATASPACE, 0        # -> dataspace slot
# SHM session
.equ SHM_DATASPACE, 0           # -> dataspace slot (INVOKE and WRITE) of the shared memory

# ---- values ---------------------------------------------------------------------------------
.equ LOG_MAX, 4096              # longest LOG write
.equ PAGE_SIZE, 4096
.equ RM_ANY, -1                 # ATTACH address: anywhere in the attach area
.equ RM_EXEC, 1                 # ATTACH flags
.equ RM_WRITE, 2
.equ FAULT_NONE, 0              # FAULT_STATE states
.equ FAULT_READ, 1
.equ FAULT_WRITE, 2
.equ FAULT_EXEC, 3
.equ THREAD_READY, 0            # THREAD_STATE_GET state word
.equ THREAD_WAITING, 1
.equ THREAD_FAULTED, 2
.equ THREAD_PAUSED, 3
.equ THREAD_DEAD, 4
.equ THREAD_STATE_WORDS, 33
.equ OBJ_PARENT, 1              # CAP_INFO object types
.equ OBJ_PD, 2
.equ OBJ_CPU, 3
.equ OBJ_RAM, 4
.equ OBJ_REGION_MAP, 5
.equ OBJ_RECEIVER, 6
.equ OBJ_CONTEXT, 7
.equ OBJ_THREAD, 8
.equ OBJ_DATASPACE, 9
.equ OBJ_LOG, 10
.equ OBJ_TIMER, 11
.equ OBJ_IRQ, 12
.equ OBJ_RM_SESSION, 13
.equ OBJ_IO_MEM, 14
.equ OBJ_SHM, 15

# ---- address space --------------------------------------------------------------------------
.equ PROGRAM_BASE, 0x00010000
.equ ATTACH_AREA, 0x10000000
.equ ATTACH_AREA_END, 0x70000000
.equ MAIN_STACK_TOP, 0x7f000000
.equ MAIN_STACK_SIZE, 0x10000
.equ UTCB_BASE, 0x7f000000

# ---- devices (QEMU virt) --------------------------------------------------------------------
.equ UART_BASE, 0x10000000
.equ UART_IRQ, 10
.equ UART_RBR, 0                # receive buffer (read)
.equ UART_THR, 0                # transmit holding (write)
.equ UART_IER, 1                # interrupt enable: bit 0 received data
.equ UART_LSR, 5                # line status: bit 0 data ready, bit 5 THR empty
.equ UART_IER_RX, 1
.equ UART_LSR_DR, 1
