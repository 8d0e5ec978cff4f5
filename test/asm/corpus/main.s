# Oracle corpus, file 1: every instruction, register name, pseudo-instruction and operand form.
.option norelax
.option norvc
.include "defs.inc"

.text
.globl _start
_start:
    # ---- RV32I ----
    lui     a0, 0x12345
    lui     x31, %hi(message)
    auipc   t0, 0
anchor: auipc   t1, %pcrel_hi(message)
    addi    t1, t1, %pcrel_lo(anchor)
1:  auipc   t2, %pcrel_hi(table)
    lw      t3, %pcrel_lo(1b)(t2)
2:  auipc   t2, %pcrel_hi(counter)
    sw      t3, %pcrel_lo(2b)(t2)
    jal     ra, func_a
    jal     func_a
    jal     x0, 3f
3:  jalr    ra, 0(t0)
    jalr    t0
    jalr    a0, a1
    jalr    a0, 8(a1)
    jalr    -4(a1)
    beq     a0, a1, 3b
    bne     s0, s1, 3b
    blt     a2, a3, far_label
    bge     a4, a5, far_label
    bltu    a6, a7, 3b
    bgeu    s2, s3, 3b
    lb      s4, -1(s5)
    lh      s6, 2(s7)
    lw      s8, 2047(s9)
    lbu     s10, -2048(s11)
    lhu     t3, (t4)
    sb      t5, 0(t6)
    sh      zero, -2(sp)
    sw      ra, 4(sp)
    sw      gp, %lo(message)(tp)
    addi    fp, fp, -16
    slti    x1, x2, 100
    sltiu   x3, x4, 1
    xori    x5, x6, -1
    ori     x7, x8, 0x7ff
    andi    x9, x10, 0xff
    slli    x11, x12, 31
    srli    x13, x14, 1
    srai    x15, x16, 7
    add     x17, x18, x19
    sub     x20, x21, x22
    sll     x23, x24, x25
    slt     x26, x27, x28
    sltu    x29, x30, x31
    xor     a0, a1, a2
    srl     a3, a4, a5
    sra     a6, a7, s0
    or      s1, s2, s3
    and     s4, s5, s6
    add     a0, a0, 5
    and     a1, a2, 3
    sll     a3, a4, 2
    fence
    fence   iorw, iorw
    fence   r, rw
    fence   w, o
    fence   i, r
    fence.tso
    fence.i
    ecall
    ebreak
    # ---- M ----
    mul     a0, a1, a2
    mulh    a3, a4, a5
    mulhsu  a6, a7, t0
    mulhu   t1, t2, t3
    div     t4, t5, t6
    divu    s0, s1, s2
    rem     s3, s4, s5
    remu    s6, s7, s8
    # ---- A ----
    lr.w        a0, (a1)
    lr.w.aq     a0, (a1)
    lr.w.rl     a0, (a1)
    lr.w.aqrl   a0, (a1)
    sc.w        a2, a3, (a4)
    sc.w.aq     a2, a3, (a4)
    sc.w.rl     a2, a3, (a4)
    sc.w.aqrl   a2, a3, (a4)
    amoswap.w   a0, a1, (a2)
    amoadd.w.aq a0, a1, (a2)
    amoxor.w.rl a0, a1, (a2)
    amoand.w.aqrl a0, a1, (a2)
    amoor.w     a0, a1, 0(a2)
    amomin.w    a0, a1, (a2)
    amomax.w    a0, a1, (a2)
    amominu.w   a0, a1, (a2)
    amomaxu.w   a0, a1, (a2)
    # ---- Zicsr ----
    csrrw   t0, mstatus, t1
    csrrs   t0, mie, zero
    csrrc   t0, 0x344, t1
    csrrwi  t0, mscratch, 31
    csrrsi  zero, sstatus, 2
    csrrci  a0, satp, 0
    csrrw   a0, CSR_NUM, a1
    # ---- privileged ----
    mret
    sret
    wfi
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    # ---- pseudo-instructions ----
    nop
    li      a0, 0
    li      a0, 1
    li      a0, -1
    li      a0, 2047
    li      a0, -2048
    li      a0, 2048
    li      a0, 0x800
    li      a0, 0x1000
    li      a0, 0x12345678
    li      a0, 0x7fffffff
    li      a0, 0x80000000
    li      a0, 0xffffffff
    li      a0, 0xfffff800
    li      a0, 0x7ffff800
    li      a0, -0x80000000
    li      a0, BIG_CONST
    li      t0, (1 << 12) | 0x7ff
    la      a0, message
    lla     a1, table
    la      a2, counter + 8
    mv      a0, a1
    not     a0, a1
    neg     a0, a1
    seqz    a0, a1
    snez    a0, a1
    sltz    a0, a1
    sgtz    a0, a1
    beqz    a0, 3b
    bnez    a0, 3b
    blez    a0, 3b
    bgez    a0, 3b
    bltz    a0, 3b
    bgtz    a0, 3b
    bgt     a0, a1, 3b
    ble     a0, a1, 3b
    bgtu    a0, a1, 3b
    bleu    a0, a1, 3b
    j       4f
4:  jal     4b
    jr      ra
    jr      4(a0)
    jalr    a5
    call    func_a
    call    t0, func_b
    tail    func_b
    ret
    csrr    a0, mcause
    csrw    mtvec, a0
    csrs    mie, a1
    csrc    mip, a2
    csrwi   mscratch, 5
    csrsi   mstatus, 8
    csrci   mstatus, 8
    csrw    mscratch, 7
    rdcycle     a0
    rdtime      a1
    rdinstret   a2
    rdcycleh    a3
    rdtimeh     a4
    rdinstreth  a5
    lw      a0, counter
    sw      a0, counter, t0
    lb      a1, table+1
    unimp
    .insn 0x00000013
    # expressions
    addi    a0, a0, (3 + 4) * 2 - 1
    addi    a0, a0, 100 / 7 % 5
    addi    a0, a0, 1 << 4 >> 2
    addi    a0, a0, 0xf0 & 0x3c | 0x1 ^ 0x3
    addi    a0, a0, ~0
    addi    a0, a0, -(-5)
    addi    a0, a0, 1 + 2 & 3
    addi    a0, a0, 'A'
    addi    a0, a0, '\n'
    addi    a0, a0, 0b1010 + 010
    addi    a0, a0, DOUBLE - CSR_NUM
    addi    a0, a0, BIG_CONST & 0x3ff
    .align 4
    .balign 8
    .p2align 3
    ldconst a0, 0x55
    twice   addi a1, a1, 1
    push    ra
    pop     ra
    j       .
    j       . + 8
    nop
far_label:
    ret
end_of_text:
.section .rodata
    .word end_of_text - _start, . - message
