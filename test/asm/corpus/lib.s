# Oracle corpus, file 2: a second input file, globals across files, data directives.
.option norelax
.text
.globl func_a, func_b
func_a:
    addi a0, a0, 1
    ret
func_b:
    la   a0, message
    lw   a1, 0(a0)
    jal  zero, _start

.section .rodata
.globl message, table
message:
    .string "Hello, \"world\"\n\t\\\001\x41"
    .asciz "two", "strings"
    .ascii "no nul"
    .byte 1, 2, 0xff, -1, 'z'
    .balign 2
    .half 0x1234, -2
    .2byte 7
    .p2align 2
table:
    .word 1, 2, 3, -1, 0xdeadbeef
    .word message, table + 4, _start, func_b - func_a
    .4byte 0x01020304
    .long 42
    .short 3
    .align 3
    .zero 3
    .space 5, 0xaa
    .byte . - table

.data
.globl counter
counter:
    .word 0, 0, 0, 0
    .section .sdata, "aw"
sdata_word:
    .word 0x55aa55aa
    .section .data.more, "aw", @progbits
    .balign 16, 0xee
    .byte 9

.bss
buffer:
    .zero 64
    .section .sbss, "aw", @nobits
    .align 4
bss_tail:
    .space 12
