# lib/fmt.s: memory and string functions, number formatting and parsing, configuration strings.
# All are leaf functions (no system calls); ilp32 convention; they use only a*, t* registers.

.text

# strlen(s) -> number of bytes before the NUL
.globl strlen
strlen:
    mv t0, a0
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub a0, t0, a0
    ret

# memcpy(dst, src, n) -> dst. Byte by byte, front to back (safe for dst < src overlaps).
.globl memcpy
memcpy:
    mv t0, a0
    add t2, a1, a2
1:  beq a1, t2, 2f
    lbu t1, 0(a1)
    sb t1, 0(t0)
    addi a1, a1, 1
    addi t0, t0, 1
    j 1b
2:  ret

# memset(dst, c, n) -> dst. Stores the low byte of c into n bytes.
.globl memset
memset:
    mv t0, a0
    add t2, a0, a2
1:  beq t0, t2, 2f
    sb a1, 0(t0)
    addi t0, t0, 1
    j 1b
2:  ret

# memcmp(a, b, n) -> 0 when equal, else a[i] - b[i] (unsigned bytes) at the first difference
.globl memcmp
memcmp:
    add t2, a0, a2
1:  beq a0, t2, 2f
    lbu t0, 0(a0)
    lbu t1, 0(a1)
    bne t0, t1, 3f
    addi a0, a0, 1
    addi a1, a1, 1
    j 1b
2:  li a0, 0
    ret
3:  sub a0, t0, t1
    ret

# str_eq_n(ptr, len, cstr) -> 1 when the len bytes at ptr equal the NUL-terminated cstr, else 0
.globl str_eq_n
str_eq_n:
    add t2, a0, a1
1:  lbu t1, 0(a2)
    beq a0, t2, 2f
    lbu t0, 0(a0)
    bne t0, t1, 3f              # also covers cstr ending early (t1 = 0, t0 != 0 or not)
    beqz t1, 3f
    addi a0, a0, 1
    addi a2, a2, 1
    j 1b
2:  seqz a0, t1                 # ptr exhausted: equal iff cstr ends here too
    ret
3:  li a0, 0
    ret

# fmt_udec(buf, value) -> length. Unsigned decimal, no NUL, at most 10 bytes.
.globl fmt_udec
fmt_udec:
    addi sp, sp, -16
    mv t0, sp                   # digits, least significant first
    li t2, 10
1:  remu t1, a1, t2
    divu a1, a1, t2
    addi t1, t1, '0'
    sb t1, 0(t0)
    addi t0, t0, 1
    bnez a1, 1b
    sub t3, t0, sp              # length
    mv t4, a0
2:  addi t0, t0, -1
    lbu t1, 0(t0)
    sb t1, 0(t4)
    addi t4, t4, 1
    bne t0, sp, 2b
    mv a0, t3
    addi sp, sp, 16
    ret

# fmt_sdec(buf, value) -> length. Signed decimal ('-' for negative values), at most 11 bytes.
.globl fmt_sdec
fmt_sdec:
    bgez a1, fmt_udec
    addi sp, sp, -16
    sw ra, 12(sp)
    li t0, '-'
    sb t0, 0(a0)
    addi a0, a0, 1
    neg a1, a1
    call fmt_udec
    addi a0, a0, 1
    lw ra, 12(sp)
    addi sp, sp, 16
    ret

# fmt_hexn(buf, value, n) -> n. The low n (1-8) hex digits of value, lower case, no prefix.
.globl fmt_hexn
fmt_hexn:
    mv t0, a2                   # digits left
    mv t3, a0
1:  beqz t0, 3f
    addi t0, t0, -1
    slli t1, t0, 2
    srl t1, a1, t1
    andi t1, t1, 15
    li t2, 10
    bltu t1, t2, 2f
    addi t1, t1, 'a' - '0' - 10
2:  addi t1, t1, '0'
    sb t1, 0(t3)
    addi t3, t3, 1
    j 1b
3:  mv a0, a2
    ret

# fmt_hex8(buf, value) -> 8. Exactly 8 hex digits.
.globl fmt_hex8
fmt_hex8:
    li a2, 8
    j fmt_hexn

# fmt_hex(buf, value) -> length. Hex without leading zeros (at least one digit), no prefix.
.globl fmt_hex
fmt_hex:
    li a2, 8
1:  li t0, 1
    beq a2, t0, fmt_hexn
    addi t0, a2, -1
    slli t0, t0, 2
    srl t0, a1, t0
    bnez t0, fmt_hexn           # the top digit of n is non-zero
    addi a2, a2, -1
    j 1b

# parse_uint(ptr, len) -> a0 value, a1 status (0, or E_BAD_ARG when malformed).
# Decimal or 0x-hex digits, then an optional unit suffix: K, M, G (x 2^10, 2^20, 2^30; also
# lower case) for sizes; s, ms, us (scaled to microseconds) for times. Wraps modulo 2^32.
.globl parse_uint
parse_uint:
    add t6, a0, a1              # end
    li t5, 0                    # value
    li t4, 10                   # base
    li t0, 2
    bltu a1, t0, 1f
    lbu t0, 0(a0)
    li t1, '0'
    bne t0, t1, 1f
    lbu t0, 1(a0)
    ori t0, t0, 0x20
    li t1, 'x'
    bne t0, t1, 1f
    li t4, 16
    addi a0, a0, 2
1:  mv t3, a0                   # first digit
2:  beq a0, t6, 4f
    lbu t0, 0(a0)
    addi t1, t0, -'0'
    li t2, 10
    bltu t1, t2, 3f             # 0-9
    li t2, 16
    bne t4, t2, 4f              # not hex: the suffix starts here
    ori t1, t0, 0x20
    addi t1, t1, -'a'
    li t2, 6
    bgeu t1, t2, 4f
    addi t1, t1, 10             # a-f
3:  mul t5, t5, t4
    add t5, t5, t1
    addi a0, a0, 1
    j 2b
4:  beq a0, t3, 9f              # no digits
    sub t0, t6, a0              # suffix length
    beqz t0, 8f
    lbu t1, 0(a0)
    li t2, 1
    bne t0, t2, 6f
    ori t1, t1, 0x20            # one letter: k m g s
    li t2, 'k'
    bne t1, t2, 5f
    slli t5, t5, 10
    j 8f
5:  li t2, 'm'
    bne t1, t2, 51f
    slli t5, t5, 20
    j 8f
51: li t2, 'g'
    bne t1, t2, 52f
    slli t5, t5, 30
    j 8f
52: li t2, 's'
    bne t1, t2, 9f
    li t2, 1000000
    mul t5, t5, t2
    j 8f
6:  li t2, 2                    # two letters: ms us
    bne t0, t2, 9f
    lbu t2, 1(a0)
    li t0, 's'
    bne t2, t0, 9f
    li t0, 'u'
    beq t1, t0, 8f
    li t0, 'm'
    bne t1, t0, 9f
    li t2, 1000
    mul t5, t5, t2
8:  mv a0, t5
    li a1, 0
    ret
9:  li a0, 0
    li a1, E_BAD_ARG
    ret

# cfg_find(cfg, cfg_len, key) -> a0 pointer to the value (0 when absent), a1 its length.
# The configuration is `key=value` words separated by blanks or commas (`size=64K, seed=3`);
# a word that is just `key` is found with an empty value. The first occurrence wins.
.globl cfg_find
cfg_find:
    mv t0, a2                   # t6 = strlen(key)
1:  lbu t1, 0(t0)
    beqz t1, 2f
    addi t0, t0, 1
    j 1b
2:  sub t6, t0, a2
    add a1, a0, a1              # a1 = end
    mv t0, a0                   # t0 = cursor
3:  bgeu t0, a1, 20f            # skip separators
    lbu t1, 0(t0)
    li t2, ' '
    bleu t1, t2, 4f
    li t2, ','
    bne t1, t2, 5f
4:  addi t0, t0, 1
    j 3b
5:  mv t3, t0                   # word [t0, t3)
6:  bgeu t3, a1, 7f
    lbu t1, 0(t3)
    li t2, ' '
    bleu t1, t2, 7f
    li t2, ','
    beq t1, t2, 7f
    addi t3, t3, 1
    j 6b
7:  sub t4, t3, t0              # word length
    bltu t4, t6, 19f
    li t5, 0
8:  beq t5, t6, 9f
    add t1, t0, t5
    lbu t1, 0(t1)
    add t2, a2, t5
    lbu t2, 0(t2)
    bne t1, t2, 19f
    addi t5, t5, 1
    j 8b
9:  beq t4, t6, 10f             # just `key`
    add t1, t0, t6
    lbu t1, 0(t1)
    li t2, '='
    bne t1, t2, 19f
    add a0, t0, t6
    addi a0, a0, 1
    sub a1, t3, a0
    ret
10: mv a0, t3
    li a1, 0
    ret
19: mv t0, t3                   # next word
    j 3b
20: li a0, 0
    li a1, 0
    ret

# cfg_uint(cfg, cfg_len, key, default) -> a0 value, a1 status: 0 when the key was found and
# parsed (parse_uint's syntax, with units), E_NOT_FOUND when absent, E_BAD_ARG when malformed;
# in both error cases a0 = default.
.globl cfg_uint
cfg_uint:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    mv s0, a3
    call cfg_find
    beqz a0, 1f
    call parse_uint
    beqz a1, 2f
    mv a0, s0
    j 2f
1:  mv a0, s0
    li a1, E_NOT_FOUND
2:  lw ra, 12(sp)
    lw s0, 8(sp)
    addi sp, sp, 16
    ret

# cfg_is(cfg, cfg_len, key, word) -> 1 when the key is present with exactly the value `word`
# (a NUL-terminated string), else 0.
.globl cfg_is
cfg_is:
    addi sp, sp, -16
    sw ra, 12(sp)
    sw s0, 8(sp)
    mv s0, a3
    call cfg_find
    beqz a0, 1f
    mv a2, s0
    call str_eq_n
1:  lw ra, 12(sp)
    lw s0, 8(sp)
    addi sp, sp, 16
    ret
