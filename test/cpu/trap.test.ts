import { describe, expect, it } from 'vitest';
import { enterMode, MSTATUS, run } from '../helpers/run';

const MPP_SHIFT = 11;

describe('environment calls and breakpoints', () => {
  it('ecall from M: cause 11, mepc = the ecall, mtval 0, MPP = M', () => {
    const o = run('li t0, -1\n csrw mtval, t0\nat: ecall').expectTrap({ cause: 11, epc: 'at', tval: 0 });
    expect((o.hart.mstatus >>> MPP_SHIFT) & 3).toBe(3);
  });

  it('ecall from S: cause 9, MPP = S', () => {
    const o = run(`${enterMode('S', 's')}\ns:\nat: ecall`).expectTrap({ cause: 9, epc: 'at', tval: 0 });
    expect((o.hart.mstatus >>> MPP_SHIFT) & 3).toBe(1);
  });

  it('ecall from U: cause 8, MPP = U', () => {
    const o = run(`${enterMode('U', 'u')}\nu:\nat: ecall`).expectTrap({ cause: 8, epc: 'at', tval: 0 });
    expect((o.hart.mstatus >>> MPP_SHIFT) & 3).toBe(0);
  });

  it('ebreak: cause 3, mtval = its pc', () => {
    run('nop\nat: ebreak').expectTrap({ cause: 3, epc: 'at', tval: 'at' });
  });

  it('trap entry stacks MIE into MPIE and clears MIE', () => {
    const o = run(`li t0, ${MSTATUS.MIE}\n csrs mstatus, t0\n ecall`).expectTrap({ cause: 11 });
    expect(o.hart.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(MSTATUS.MPIE);
    const p = run(`li t0, ${MSTATUS.MPIE}\n csrs mstatus, t0\n ecall`).expectTrap({ cause: 11 });
    expect(p.hart.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(0);
  });
});

describe('illegal instructions', () => {
  // 32-bit encodings no row matches; mtval = the instruction word.
  const words = [
    0x0000000b, // custom-0
    0x42000033, // funct7 0x21 on OP
    0x40001013, // slli with funct7 0x20
    0x02001013, // slli shamt[5] (RV64)
    0x00003003, // ld
    0x0000307b, // OP-32 (RV64)
    0x00002007, // flw: no F
    0x00200073, // uret
    0x7b200073, // dret
    0x10100073, // SYSTEM funct3 0 with rs2 = 1 and funct7 0x08 (not sret/wfi)
    0x0000402f, // AMO width 4
    0x1015a2af, // lr.w with rs2 != 0
    0x00004073, // SYSTEM funct3 4
    0x00001063 | (2 << 12), // BRANCH funct3 2
  ];
  for (const w of words) {
    it(`0x${w.toString(16).padStart(8, '0')}: cause 2, mtval = the word, rd unchanged`, () => {
      run(`li a0, 5\n li a1, 6\nat: .word ${w}`).expectIllegal('at').expectRegs({ a0: 5, a1: 6 }).expectTrap({ cause: 2, tval: w });
    });
  }

  it('the all-zero and all-one words are illegal', () => {
    run('at: .word 0').expectTrap({ cause: 2, epc: 'at' });
    run('at: .word 0xffffffff').expectTrap({ cause: 2, epc: 'at' });
  });
});

describe('misaligned jump and branch targets', () => {
  it('jalr to a target with bit 1 set traps at the jalr; rd not written', () => {
    const o = run('li ra, 77\n la t0, tgt\n addi t0, t0, 2\nat: jalr ra, 0(t0)\n nop\ntgt: nop');
    o.expectTrap({ cause: 0, epc: 'at', tval: o.sym('tgt') + 2 }).expectReg('ra', 77);
  });

  it('jalr with rd = rs1 to a misaligned target keeps rs1', () => {
    const o = run('la t0, tgt\n addi t0, t0, 6\nat: jalr t0, 0(t0)\ntgt: nop');
    o.expectTrap({ cause: 0, epc: 'at', tval: o.sym('tgt') + 6 }).expectReg('t0', o.sym('tgt') + 6);
  });

  it('jalr clears bit 0 only: an odd target that is 4-aligned after clearing is fine', () => {
    run('la t0, tgt\n addi t0, t0, 1\n jalr ra, 0(t0)\n li a0, 1\ntgt: li a1, 2').expectNoTrap().expectRegs({ a0: 0, a1: 2 });
  });

  it('jal to pc+6 traps at the jal with mtval = target; rd not written', () => {
    // jal ra, +6: offset 6 -> imm[10:1] = 3
    run('li ra, 77\nat: .word 0x006000ef\n nop\n nop').expectTrap({ cause: 0, epc: 'at', tval: 0x8000000a }).expectReg('ra', 77);
  });

  it('a taken branch to a misaligned target traps; a not-taken one does not', () => {
    // beq x0, x0, +6 / bne x0, x0, +6: imm[4:1] = 3 -> bits 11:8 = 3
    run('nop\nat: .word 0x00000363').expectTrap({ cause: 0, epc: 'at', tval: 0x8000000a });
    run('.word 0x00001363\n li a0, 1').expectNoTrap().expectReg('a0', 1);
  });
});

describe('instruction fetch faults', () => {
  for (const [what, addr] of [['MMIO (UART)', 0x10000000], ['unmapped (0)', 0], ['past the end of RAM', 0x80100000], ['the CLINT', 0x02000000]] as const) {
    it(`fetching from ${what} is an instruction access fault (1) at the target`, () => {
      run(`li ra, 5\n li t0, ${addr | 0}\n jalr ra, 0(t0)`).expectTrap({ cause: 1, epc: addr, tval: addr }).expectReg('ra', 0x8000000c);
    });
  }
});

describe('delegation', () => {
  it('an exception delegated by medeleg from U goes to S: scause, sepc, stval, SPP = U, SPIE/SIE', () => {
    const o = run(`
      li t0, ${1 << 8}
      csrw medeleg, t0
      li t0, ${MSTATUS.SIE}
      csrs mstatus, t0
      ${enterMode('U', 'u')}
    u:
    at: ecall
    `).expectTrap({ cause: 8, epc: 'at', tval: 0, to: 'S' });
    expect(o.hart.mstatus & (MSTATUS.SPP | MSTATUS.SIE | MSTATUS.SPIE)).toBe(MSTATUS.SPIE);
    o.expectCsr('mcause', 0);
  });

  it('from S, a delegated exception stays in S with SPP = S', () => {
    const o = run(`
      li t0, ${1 << 2}
      csrw medeleg, t0
      ${enterMode('S', 's')}
    s:
    at: .word 0
    `).expectTrap({ cause: 2, epc: 'at', tval: 0, to: 'S' });
    expect(o.hart.mstatus & MSTATUS.SPP).toBe(MSTATUS.SPP);
  });

  it('an exception not delegated goes to M even from U', () => {
    run(`li t0, ${1 << 9}\n csrw medeleg, t0\n ${enterMode('U', 'u')}\nu:\nat: ecall`).expectTrap({ cause: 8, epc: 'at' });
  });

  it('a trap never goes to a less privileged mode: M-mode exceptions stay in M whatever medeleg says', () => {
    for (const insn of ['.word 0', 'ebreak', 'lw t1, 0(zero)', 'ecall']) {
      run(`li t0, -1\n csrw medeleg, t0\nat: ${insn}`).expectTrap({ cause: insn === 'ecall' ? 11 : insn === 'ebreak' ? 3 : insn === '.word 0' ? 2 : 5, epc: 'at' });
    }
  });

  it('delegated interrupts are never taken in M, even with SIE and MIE set', () => {
    run(`
      li t0, 2
      csrw mideleg, t0
      csrw mie, t0
      li t0, ${MSTATUS.SIE | MSTATUS.MIE}
      csrs mstatus, t0
      li t0, 2
      csrs mip, t0        # SSIP pending, delegated: not for M
      nop
      li a0, 1
    `).expectNoTrap().expectReg('a0', 1);
  });

  it('a delegated interrupt is taken in S only with SIE, and in U regardless of SIE', () => {
    const setup = 'li t0, 2\n csrw mideleg, t0\n csrw mie, t0\n csrs mip, t0\n';
    run(`${setup}${enterMode('S', 's')}\ns: nop\n li a0, 1`).expectNoTrap().expectReg('a0', 1);
    run(`${setup} li t0, ${MSTATUS.SIE}\n csrs mstatus, t0\n${enterMode('S', 's')}\ns: nop\n li a0, 1`)
      .expectTrap({ cause: 1, interrupt: true, epc: 's', tval: 0, to: 'S' }).expectReg('a0', 0);
    run(`${setup}${enterMode('U', 'u')}\nu: nop\n li a0, 1`).expectTrap({ cause: 1, interrupt: true, epc: 'u', to: 'S' });
  });

  it('M-destined interrupts are taken below M whatever MIE says', () => {
    run(`li t0, 2\n csrw mie, t0\n csrs mip, t0\n${enterMode('S', 's')}\ns: nop`).expectTrap({ cause: 1, interrupt: true, epc: 's' });
    run(`li t0, 2\n csrw mie, t0\n csrs mip, t0\n${enterMode('U', 'u')}\nu: nop`).expectTrap({ cause: 1, interrupt: true, epc: 'u' });
  });

  it('an M-mode interrupt needs MIE', () => {
    run('li t0, 2\n csrw mie, t0\n csrs mip, t0\n nop\n li a0, 1').expectNoTrap().expectReg('a0', 1);
    run(`li t0, 2\n csrw mie, t0\n csrs mip, t0\n li t0, ${MSTATUS.MIE}\n csrs mstatus, t0\nat: nop`)
      .expectTrap({ cause: 1, interrupt: true, epc: 'at' });
  });
});

describe('mret and sret', () => {
  it('mret: priv = MPP, MIE = MPIE, MPIE = 1, MPP = U (least privileged), pc = mepc', () => {
    const o = run(`
      li t0, ${MSTATUS.MPIE | MSTATUS.MPP_S}
      csrs mstatus, t0
      la t0, s
      csrw mepc, t0
      mret
      li a0, 1
    s: csrr a1, sstatus    # S may read sstatus: proves priv = S
    `).expectNoTrap().expectPriv('S').expectReg('a0', 0);
    expect(o.hart.mstatus & (MSTATUS.MIE | MSTATUS.MPIE | MSTATUS.MPP)).toBe(MSTATUS.MIE | MSTATUS.MPIE);
  });

  it('mret with MPIE = 0 clears MIE', () => {
    const o = run(`li t0, ${MSTATUS.MIE | MSTATUS.MPP}\n csrs mstatus, t0\n la t0, 1f\n csrw mepc, t0\n mret\n1: nop`).expectNoTrap();
    expect(o.hart.mstatus & (MSTATUS.MIE | MSTATUS.MPIE)).toBe(MSTATUS.MPIE);
    o.expectPriv('M');
  });

  it('mret to S or U clears MPRV; mret to M keeps it', () => {
    const o = run(`li t0, ${MSTATUS.MPRV}\n csrs mstatus, t0\n${enterMode('S', 's')}\ns: nop`).expectNoTrap();
    expect(o.hart.mstatus & MSTATUS.MPRV).toBe(0);
    const p = run(`li t0, ${MSTATUS.MPRV | MSTATUS.MPP}\n csrs mstatus, t0\n la t0, 1f\n csrw mepc, t0\n mret\n1: nop`).expectNoTrap();
    expect(p.hart.mstatus & MSTATUS.MPRV).toBe(MSTATUS.MPRV);
  });

  it('sret: priv = SPP, SIE = SPIE, SPIE = 1, SPP = U, MPRV cleared, pc = sepc', () => {
    const o = run(`
      li t0, ${MSTATUS.SPIE | MSTATUS.MPRV}
      csrs mstatus, t0
      la t0, u
      csrw sepc, t0
      sret                 # from M: SPP = U
    u: nop
    `).expectNoTrap().expectPriv('U');
    expect(o.hart.mstatus & (MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.MPRV)).toBe(MSTATUS.SIE | MSTATUS.SPIE);
  });

  it('a full round trip: U ecall delegated to S, S handler srets back to U', () => {
    run(`
      li t0, ${1 << 8}
      csrw medeleg, t0
      la t0, shandler
      csrw stvec, t0
      ${enterMode('U', 'u')}
    u:
      li a0, 1
      ecall
      li a1, 2
      j _done
      .balign 4
    shandler:
      csrr a2, scause
      csrr t0, sepc
      addi t0, t0, 4
      csrw sepc, t0
      sret
    `).expectNoTrap().expectPriv('U').expectRegs({ a0: 1, a1: 2, a2: 8 });
  });
});

describe('vectored trap vectors', () => {
  it('mtvec vectored: interrupts go to BASE + 4 * cause, exceptions to BASE', () => {
    const vec = (label: string) => `
      .balign 64
    ${label}:
      j ${label}_exc
      j ${label}_1
      j ${label}_bad
      j ${label}_bad
      j ${label}_bad
      j ${label}_bad
    ${label}_exc: li a0, 0x100
      j _done
    ${label}_1: li a0, 1
      j _done
    ${label}_bad: li a0, -1
      j _done
    `;
    run(`
      la t0, vec
      ori t0, t0, 1
      csrw mtvec, t0
      li t0, 2
      csrw mie, t0
      csrs mip, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      nop
      j _done
      ${vec('vec')}
    `).expectNoTrap().expectReg('a0', 1).expectCsr('mcause', 0x80000001);
    run(`
      la t0, vec
      ori t0, t0, 1
      csrw mtvec, t0
      ecall
      ${vec('vec')}
    `).expectNoTrap().expectReg('a0', 0x100).expectCsr('mcause', 11);
  });

  it('stvec vectored for a delegated supervisor timer interrupt: BASE + 20', () => {
    run(`
      la t0, svec
      ori t0, t0, 1
      csrw stvec, t0
      li t0, ${1 << 5}
      csrw mideleg, t0
      csrw mie, t0
      csrs mip, t0         # STIP, set by M
      ${enterMode('U', 'u')}
    u: nop
      j _done
      .balign 64
    svec:
      li a0, -1
      li a0, -1
      li a0, -1
      li a0, -1
      li a0, -1
      li a0, 5             # BASE + 20
      j _done
    `).expectNoTrap().expectReg('a0', 5).expectCsr('scause', 0x80000005).expectPriv('S');
  });
});

describe('interrupt priority', () => {
  // A handler that logs each cause and disables that interrupt in mie (or sie), then returns.
  const LOGGER = `
    j _done
    .balign 4
  mlog:
    csrr t0, mcause
    sw t0, 0(s0)
    addi s0, s0, 4
    li t1, 1
    sll t1, t1, t0        # sll uses the low 5 bits: 1 << code
    csrc mie, t1
    mret
    .balign 4
  slog:
    csrr t0, scause
    ori t0, t0, 0x100     # mark S-mode
    sw t0, 0(s0)
    addi s0, s0, 4
    li t1, 1
    sll t1, t1, t0
    csrc sie, t1
    sret
    .data
  log: .space 64
  `;
  const INSTALL = 'la s0, log\n la t0, mlog\n csrw mtvec, t0\n la t0, slog\n csrw stvec, t0\n';

  function logged(o: ReturnType<typeof run>, n: number): number[] {
    return Array.from({ length: n }, (_, i) => o.mem(o.sym('log') + 4 * i) & 0x1ff);
  }

  it('M-mode order when all six are pending: MEI, MSI, MTI, SEI, SSI, STI', () => {
    const o = run(`${INSTALL}
      # MEI: UART receive interrupt through the PLIC (context 0, source 10)
      li t0, 0x0c000028
      li t1, 1
      sw t1, 0(t0)         # priority[10] = 1
      li t0, 0x0c002000
      li t1, ${1 << 10}
      sw t1, 0(t0)         # enable source 10 for context 0 (M)
      li t0, 0x10000001
      li t1, 1
      sb t1, 0(t0)         # UART IER: received data available
      # MSI: CLINT msip
      li t0, 0x02000000
      li t1, 1
      sw t1, 0(t0)
      # MTI: mtimecmp = 0
      li t0, 0x02004000
      sw zero, 0(t0)
      sw zero, 4(t0)
      # SEI, SSI, STI: software-writable in mip
      li t0, 0x222
      csrs mip, t0
      li t0, 0xaaa
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      nop
      nop
    ${LOGGER}`, { uartInput: new Uint8Array([0x41]) }).expectNoTrap();
    expect(logged(o, 7)).toEqual([11, 3, 7, 9, 1, 5, 0]);
  });

  it('M-destined interrupts come before S-destined ones whatever their numbers', () => {
    // SEI is delegated to S, STI is not: in U both are enabled; STI (to M) goes first, then SEI.
    const o = run(`${INSTALL}
      li t0, ${1 << 9}
      csrw mideleg, t0
      li t0, ${1 << 9 | 1 << 5}
      csrw mie, t0
      csrs mip, t0
      ${enterMode('U', 'u')}
    u: nop
      nop
      nop
    ${LOGGER}`).expectNoTrap();
    expect(logged(o, 3)).toEqual([5, 0x100 | 9, 0]);
  });

  it('within S: SEI before SSI before STI', () => {
    const o = run(`${INSTALL}
      li t0, 0x222
      csrw mideleg, t0
      csrw mie, t0
      csrs mip, t0
      ${enterMode('U', 'u')}
    u: nop
      nop
      nop
      nop
    ${LOGGER}`).expectNoTrap();
    expect(logged(o, 4)).toEqual([0x109, 0x101, 0x105, 0]);
  });
});

describe('WFI', () => {
  it('wakes on a pending enabled interrupt with interrupts globally disabled, without a trap', () => {
    const o = run(`
      li t0, 0x0200bff8
      lw t1, 0(t0)          # mtime
      addi t1, t1, 50
      li t0, 0x02004000
      sw zero, 4(t0)
      sw t1, 0(t0)          # mtimecmp = now + 50 ticks
      li t0, ${1 << 7}
      csrw mie, t0          # MTIE; mstatus.MIE stays 0
      wfi
      li a0, 1
      csrr a1, mip
    `).expectNoTrap().expectReg('a0', 1).expectCsr('mcause', 0);
    expect(o.reg('a1') & (1 << 7)).toBe(1 << 7);
    expect(o.hart.cycles).toBeGreaterThanOrEqual(500); // time jumped to the timer event
  });

  it('with the interrupt globally enabled, WFI wakes into the handler with mepc after the wfi', () => {
    run(`
      li t0, 0x02004000
      sw zero, 4(t0)
      li t1, 100
      sw t1, 0(t0)
      li t0, ${1 << 7}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      wfi
    after:
      nop
    `).expectTrap({ cause: 7, interrupt: true, epc: 'after' });
  });

  it('with an interrupt already pending WFI is a no-op', () => {
    run('li t0, 2\n csrw mie, t0\n csrs mip, t0\n wfi\n li a0, 1').expectNoTrap().expectReg('a0', 1);
  });
});
