# uart_echo: an interrupt-driven UART reader. Opens an IO_MEM session for the UART's registers
# (base=0x10000000, size=0x1000) and attaches them, an IRQ session for PLIC source 10 with a
# signal context, and enables the UART's received-data interrupt (IER bit 0). On every signal
# it reads all bytes the UART holds (while LSR bit 0), collects them into lines and logs each
# complete line as "got: <line>" ('\r' is dropped; lines longer than 200 bytes are cut), then
# acknowledges the interrupt. Runs forever.
# Config: none.

.include "lib/rt.s"

.equ MAX_LINE, 200

.text
.globl main
main:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    sw s1, 4(sp)
    sw s2, 0(sp)
    la a0, n_io_mem
    la a1, a_io_mem
    call parent_session
    check n_io_mem
    call io_mem_dataspace
    check t_ds
    call ds_attach              # the registers, anywhere, writable
    check t_attach
    mv s0, a0                   # UART registers
    la a0, n_irq
    la a1, a_irq
    call parent_session
    check n_irq
    mv s1, a0                   # IRQ session
    li a0, 1
    call signal_context
    check t_sigh
    mv a1, a0
    mv a0, s1
    call irq_sigh
    check t_sigh
    call line_reset
    la a0, t_got
    call line_str
    li t0, UART_IER_RX
    sb t0, UART_IER(s0)         # interrupt on received data
    call drain                  # bytes that came before the interrupt was enabled
1:  li a0, SLOT_SIGNALS
    call sys_wait
    check t_wait
    call drain
    mv a0, s1
    call irq_ack
    check t_ack
    j 1b

# drain(): moves every byte the UART holds (s0: its registers) into the line buffer and logs
# complete lines.
drain:
    addi sp, sp, -16
    sw ra, 12(sp)
1:  lbu t0, UART_LSR(s0)
    andi t0, t0, UART_LSR_DR
    beqz t0, 9f
    lbu a0, UART_RBR(s0)
    li t0, '\r'
    beq a0, t0, 1b
    li t0, '\n'
    bne a0, t0, 2f
    call line_log
    call line_reset
    la a0, t_got
    call line_str
    j 1b
2:  sw a0, 8(sp)
    call line_len               # cut long lines ("got: " is 5 bytes)
    li t1, MAX_LINE + 5
    bgeu a0, t1, 1b
    lw a0, 8(sp)
    call line_char
    j 1b
9:  lw ra, 12(sp)
    addi sp, sp, 16
    ret

.section .rodata
n_io_mem: .asciz "IO_MEM"
a_io_mem: .asciz "base=0x10000000, size=0x1000"
n_irq:    .asciz "IRQ"
a_irq:    .asciz "irq=10"
t_ds:     .asciz "IO_MEM dataspace"
t_attach: .asciz "UART attach"
t_sigh:   .asciz "IRQ SIGH"
t_wait:   .asciz "WAIT"
t_ack:    .asciz "IRQ ACK"
t_got:    .asciz "got: "
