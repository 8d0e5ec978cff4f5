# lib/line.s: a line buffer for building log lines piece by piece, and `fail`.
#
#   call line_reset; la a0, msg; call line_str; mv a0, s1; call line_dec; call line_log
#
# One buffer of LINE_MAX bytes for the whole component: use it from one thread at a time.
# Appends beyond LINE_MAX bytes are cut off. Every function returns the line's length in a0,
# except line_log (status of the LOG write).

.equ LINE_MAX, 512

.text

# line_reset() -> 0: empties the line.
.globl line_reset
line_reset:
    la t0, __line_len
    sw zero, 0(t0)
    li a0, 0
    ret

# line_len() -> the line's current length.
.globl line_len
line_len:
    la t0, __line_len
    lw a0, 0(t0)
    ret

# line_mem(ptr, len) -> length: appends len bytes.
.globl line_mem
line_mem:
    la t0, __line_len
    lw t1, 0(t0)                # current length
    li t2, LINE_MAX
    sub t2, t2, t1              # room
    bleu a1, t2, 1f
    mv a1, t2
1:  la t3, __line_buf
    add t3, t3, t1              # destination
    add t1, t1, a1
    sw t1, 0(t0)
    add t2, a0, a1
2:  beq a0, t2, 3f
    lbu t4, 0(a0)
    sb t4, 0(t3)
    addi a0, a0, 1
    addi t3, t3, 1
    j 2b
3:  mv a0, t1
    ret

# line_str(cstr) -> length: appends a NUL-terminated string.
.globl line_str
line_str:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw a0, 8(sp)
    call strlen
    mv a1, a0
    lw a0, 8(sp)
    lw ra, 12(sp)
    addi sp, sp, 16
    j line_mem

# line_char(c) -> length: appends one byte.
.globl line_char
line_char:
    addi sp, sp, -16
    sb a0, 0(sp)
    sw ra, 12(sp)
    mv a0, sp
    li a1, 1
    call line_mem
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# __line_fmt(value, formatter): formats value into a stack buffer with formatter(buf, value)
# and appends the result.
__line_fmt:
    addi sp, sp, -32
    sw ra, 28(sp)
    mv t0, a1
    mv a1, a0
    mv a0, sp
    jalr t0
    mv a1, a0
    mv a0, sp
    call line_mem
    lw ra, 28(sp)
    addi sp, sp, 32
    ret

# line_dec(value) -> length: unsigned decimal.
.globl line_dec
line_dec:
    la a1, fmt_udec
    j __line_fmt

# line_sdec(value) -> length: signed decimal.
.globl line_sdec
line_sdec:
    la a1, fmt_sdec
    j __line_fmt

# line_hex(value) -> length: hex without prefix or leading zeros.
.globl line_hex
line_hex:
    la a1, fmt_hex
    j __line_fmt

# line_hex8(value) -> length: 8 hex digits without prefix.
.globl line_hex8
line_hex8:
    la a1, fmt_hex8
    j __line_fmt

# line_log() -> status: writes the line through log_write (one LOG line) and empties it.
.globl line_log
line_log:
    addi sp, sp, -16
    sw ra, 12(sp)
    la a0, __line_buf
    la t0, __line_len
    lw a1, 0(t0)
    sw zero, 0(t0)
    call log_write
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# check what: after a call that returns `slot | err` or a status in a0, goes on when a0 >= 0
# and otherwise calls fail(a0, what) (`what` labels a NUL-terminated string).
.macro check what
    bgez a0, .Lcheck\@
    la a1, \what
    call fail
.Lcheck\@:
.endm

# fail(err, what) does not return: logs "<what> failed: error <err>" and exits with code 1.
.globl fail
fail:
    mv s0, a0                   # never returns: no need to preserve s0/s1
    mv s1, a1
    call line_reset
    mv a0, s1
    call line_str
    la a0, __fail_text
    call line_str
    mv a0, s0
    call line_sdec
    call line_log
    li a0, 1
    j sys_exit

.section .rodata
__fail_text: .asciz " failed: error "

.bss
.balign 4
__line_len: .space 4
__line_buf: .space LINE_MAX
