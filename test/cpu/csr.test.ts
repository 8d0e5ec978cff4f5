import { describe, expect, it } from 'vitest';
import { enterMode, INSTALL_MSKIP, MSKIP_HANDLER, MSTATUS, run } from '../helpers/run';

/** Runs `body` in `mode` (entered from M by mret); M-mode setup goes in `setup`. */
function inMode(mode: 'M' | 'S' | 'U', body: string, setup = ''): string {
  if (mode === 'M') return `${setup}\n${body}`;
  return `${setup}\n${enterMode(mode, 'body')}\nbody:\n${body}`;
}

const MISA = 0x40141101; // MXL=1, A I M S U

describe('Zicsr instruction semantics', () => {
  it('csrrw: old value to rd, rs1 written', () => {
    run('li t0, 5\n csrw mscratch, t0\n li t1, 9\n csrrw a0, mscratch, t1\n csrr a1, mscratch')
      .expectRegs({ a0: 5, a1: 9 });
  });

  it('csrrs/csrrc set and clear the bits of rs1', () => {
    run(`
      li t0, 0xf0
      csrw mscratch, t0
      li t1, 0x0f
      csrrs a0, mscratch, t1
      li t1, 0x3c
      csrrc a1, mscratch, t1
      csrr a2, mscratch
    `).expectRegs({ a0: 0xf0, a1: 0xff, a2: 0xc3 });
  });

  it('immediate forms use the 5-bit zero-extended uimm', () => {
    run(`
      csrrwi a0, mscratch, 31
      csrrsi a1, mscratch, 0
      csrrci a2, mscratch, 5
      csrrsi a3, mscratch, 16
      csrr a4, mscratch
    `).expectRegs({ a0: 0, a1: 31, a2: 31, a3: 26, a4: 26 });
  });

  it('rd = rs1: the old value is read before the write', () => {
    run('li t0, 3\n csrw mscratch, t0\n li a0, 8\n csrrw a0, mscratch, a0\n csrr a1, mscratch').expectRegs({ a0: 3, a1: 8 });
  });

  it('csrrw with rd = x0 writes and does not disturb x0', () => {
    run('li t0, 77\n csrrw x0, mscratch, t0\n csrr a0, mscratch').expectRegs({ zero: 0, a0: 77 });
  });
});

describe('CSR existence and access', () => {
  it('an unimplemented CSR number is an illegal instruction (tval = the word)', () => {
    for (const num of [0x001, 0x7c0, 0x5c0, 0x800, 0xfff, 0x3ff, 0x105 + 0x100, 0x7a0, 0xda0]) {
      run(`li a0, 5\nat: csrrw a0, ${num}, zero`).expectIllegal('at').expectReg('a0', 5);
      run(`li a0, 5\nat: csrrs a0, ${num}, zero`).expectIllegal('at').expectReg('a0', 5);
    }
  });

  it('writing a read-only CSR is illegal; reading it (csrrs/csrrc rs1 = x0, uimm = 0) is not', () => {
    for (const name of ['cycle', 'time', 'instret', 'cycleh', 'timeh', 'instreth', 'mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr', 'hpmcounter3']) {
      for (const insn of [`csrw ${name}, a1`, `csrrs a0, ${name}, a1`, `csrrc a0, ${name}, a1`, `csrrwi a0, ${name}, 0`, `csrrsi a0, ${name}, 1`, `csrrci a0, ${name}, 1`]) {
        run(`li a0, 5\n li a1, 0\nat: ${insn}`).expectIllegal('at').expectReg('a0', 5);
      }
      run(`li a0, 5\n csrrs a0, ${name}, zero\n csrrc a1, ${name}, zero\n csrrsi a2, ${name}, 0\n csrrci a3, ${name}, 0`).expectNoTrap();
    }
  });

  it('csrrs/csrrc with rs1 != x0 holding zero still count as writes', () => {
    run('li a1, 0\nat: csrrs a0, mhartid, a1').expectIllegal('at');
  });

  it('machine information registers read zero', () => {
    run('li a0, -1\n li a1, -1\n li a2, -1\n li a3, -1\n csrr a0, mvendorid\n csrr a1, marchid\n csrr a2, mimpid\n csrr a3, mhartid')
      .expectRegs({ a0: 0, a1: 0, a2: 0, a3: 0 });
  });

  it('S-mode may not access M-mode CSRs; U-mode neither S nor M CSRs', () => {
    for (const name of ['mstatus', 'mscratch', 'mie', 'medeleg', 'mcycle', 'minstret', 'mcountinhibit', 'pmpcfg0', 'mhartid']) {
      run(inMode('S', `at: csrr a0, ${name}`)).expectIllegal('at');
      run(inMode('U', `at: csrr a0, ${name}`)).expectIllegal('at');
    }
    for (const name of ['sstatus', 'sscratch', 'sie', 'sip', 'stvec', 'sepc', 'scause', 'stval', 'satp', 'scounteren']) {
      run(inMode('S', `csrr a0, ${name}\n csrw ${name}, a0`)).expectNoTrap();
      run(inMode('U', `at: csrr a0, ${name}`)).expectIllegal('at');
    }
  });

  it('an illegal CSR access changes nothing', () => {
    run(inMode('S', 'li t1, 0x55\nat: csrw mscratch, t1', 'li t0, 0x11\n csrw mscratch, t0'))
      .expectIllegal('at').expectCsr('mscratch', 0x11);
  });
});

describe('WARL registers', () => {
  it('misa reads RV32 IMASU and ignores writes', () => {
    run('csrr a0, misa\n li t0, 0\n csrw misa, t0\n csrr a1, misa').expectRegs({ a0: MISA, a1: MISA });
  });

  it('mstatus: writable fields only; MPP is WARL over U/S/M (2 keeps the old value)', () => {
    const writable = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP | MSTATUS.MPP |
      MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;
    run(`
      li t0, -1
      csrw mstatus, t0
      csrr a0, mstatus
      csrw mstatus, zero
      csrr a1, mstatus
      li t0, ${1 << 11}
      csrw mstatus, t0         # MPP = S
      li t0, ${2 << 11}
      csrw mstatus, t0         # MPP = 2: reserved, keeps S
      csrr a2, mstatus
      li t0, ${3 << 11}
      csrw mstatus, t0
      csrr a3, mstatus
    `).expectRegs({ a0: writable & ~MSTATUS.MIE | MSTATUS.MIE, a1: 0, a2: 1 << 11, a3: 3 << 11 });
  });

  it('sstatus is a view of mstatus: only SIE SPIE SPP SUM MXR', () => {
    const sview = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;
    run(`
      li t0, ${MSTATUS.MPP | MSTATUS.TVM | MSTATUS.MPIE}
      csrw mstatus, t0
      li t0, -1
      csrw sstatus, t0
      csrr a0, sstatus
      csrr a1, mstatus
      csrw sstatus, zero
      csrr a2, mstatus
      csrr a3, sstatus
    `).expectRegs({
      a0: sview,
      a1: sview | MSTATUS.MPP | MSTATUS.TVM | MSTATUS.MPIE,
      a2: MSTATUS.MPP | MSTATUS.TVM | MSTATUS.MPIE,
      a3: 0,
    });
  });

  it('medeleg: ecall-from-M (11) and reserved bits are read-only zero', () => {
    run('li t0, -1\n csrw medeleg, t0\n csrr a0, medeleg').expectReg('a0', 0xb3ff);
  });

  it('mideleg: only the supervisor interrupts SSI, STI, SEI', () => {
    run('li t0, -1\n csrw mideleg, t0\n csrr a0, mideleg').expectReg('a0', 0x222);
  });

  it('mie: the six standard interrupt enables', () => {
    run('li t0, -1\n csrw mie, t0\n csrr a0, mie').expectReg('a0', 0xaaa);
  });

  it('sie is mie restricted to mideleg; writes reach only delegated bits', () => {
    run(`
      li t0, -1
      csrw sie, t0             # nothing delegated yet: no effect
      csrr a0, mie
      li t0, ${1 << 5}
      csrw mideleg, t0         # delegate STI
      li t0, -1
      csrw sie, t0
      csrr a1, mie
      csrr a2, sie
      li t0, ${1 << 7 | 1 << 3}
      csrs mie, t0
      csrr a3, sie
    `).expectRegs({ a0: 0, a1: 1 << 5, a2: 1 << 5, a3: 1 << 5 });
  });

  it('mip: SSIP, STIP, SEIP writable from M; MSIP, MTIP, MEIP are read-only', () => {
    run('li t0, -1\n csrw mip, t0\n csrr a0, mip\n csrw mip, zero\n csrr a1, mip').expectRegs({ a0: 0x222, a1: 0 });
  });

  it('sip: only SSIP is writable, and only when delegated; reads restricted to mideleg', () => {
    run(`
      li t0, -1
      csrw sip, t0
      csrr a0, mip             # SSI not delegated: no effect
      li t0, 0x222
      csrw mideleg, t0
      li t0, -1
      csrw sip, t0
      csrr a1, mip             # SSIP only
      li t0, ${1 << 5}
      csrs mip, t0             # STIP from M
      csrr a2, sip
      csrw mideleg, zero
      csrr a3, sip
    `).expectRegs({ a0: 0, a1: 2, a2: 0x22, a3: 0 });
  });

  it('mtvec/stvec: direct and vectored modes read back; reserved modes keep the old value', () => {
    for (const reg of ['mtvec', 'stvec']) {
      run(`
        li t0, 0x80004000
        csrw ${reg}, t0
        csrr a0, ${reg}
        li t0, 0x80008001
        csrw ${reg}, t0
        csrr a1, ${reg}
        li t0, 0x8000c002
        csrw ${reg}, t0
        csrr a2, ${reg}
        li t0, 0x8000c003
        csrw ${reg}, t0
        csrr a3, ${reg}
      `).expectRegs({ a0: 0x80004000, a1: 0x80008001, a2: 0x80008001, a3: 0x80008001 });
    }
  });

  it('mepc/sepc: bits 1:0 read zero (IALIGN = 32)', () => {
    run('li t0, -1\n csrw mepc, t0\n csrw sepc, t0\n csrr a0, mepc\n csrr a1, sepc').expectRegs({ a0: -4, a1: -4 });
  });

  it('mcause/scause, mtval/stval, mscratch/sscratch hold what is written', () => {
    run(`
      li t0, 0x80000007
      csrw mcause, t0
      li t0, 2
      csrw scause, t0
      li t0, 0x12345678
      csrw mtval, t0
      csrw stval, t0
      li t0, -1
      csrw mscratch, t0
      li t0, 0xa5a5a5a5
      csrw sscratch, t0
      csrr a0, mcause
      csrr a1, scause
      csrr a2, mtval
      csrr a3, stval
      csrr a4, mscratch
      csrr a5, sscratch
    `).expectRegs({ a0: 0x80000007, a1: 2, a2: 0x12345678, a3: 0x12345678, a4: -1, a5: 0xa5a5a5a5 });
  });

  it('mcounteren/scounteren hold what is written', () => {
    run('li t0, 7\n csrw mcounteren, t0\n li t0, 5\n csrw scounteren, t0\n csrr a0, mcounteren\n csrr a1, scounteren')
      .expectRegs({ a0: 7, a1: 5 });
  });

  it('mcountinhibit: CY and IR writable, TM (bit 1) and the rest read zero', () => {
    run('li t0, -1\n csrw mcountinhibit, t0\n csrr a0, mcountinhibit\n csrw mcountinhibit, zero').expectReg('a0', 5);
  });

  it('satp reads back what was written (mode Sv32, ASID and PPN)', () => {
    run('li t0, 0x80400123\n csrw satp, t0\n csrr a0, satp\n li t0, 0x7fffffff\n csrw satp, t0\n csrr a1, satp\n csrw satp, zero')
      .expectRegs({ a0: 0x80400123, a1: 0x7fffffff });
  });

  it('hardwired-zero CSRs: hpm counters, mhpmevents, envcfg, mstatush read 0 and ignore writes', () => {
    run(`
      li t0, -1
      csrw mhpmcounter3, t0
      csrw mhpmevent3, t0
      csrw menvcfg, t0
      csrw mstatush, t0
      csrr a0, mhpmcounter3
      csrr a1, mhpmevent3
      csrr a2, menvcfg
      csrr a3, mstatush
      csrr a4, hpmcounter31
    `).expectRegs({ a0: 0, a1: 0, a2: 0, a3: 0, a4: 0 });
  });
});

describe('counters', () => {
  it('instret counts every retired instruction exactly', () => {
    run(`
      csrr a0, instret
      nop
      addi t0, t0, 1
      nop
      csrr a1, instret
      csrr a2, minstret
    `).expectRegs({ a0: 0, a1: 4, a2: 5 });
  });

  it('an exception does not retire: instret skips it, cycle counts it', () => {
    // mskip's handler retires 7 instructions (including mret); the ecall does not retire.
    run(`${INSTALL_MSKIP}
      csrr a0, minstret
      csrr a2, mcycle
      ecall
      csrr a1, minstret
      csrr a3, mcycle
    ${MSKIP_HANDLER}`).expectNoTrap().expectDelta('a0', 'a1', 2 + 7).expectDelta('a2', 'a3', 1 + 1 + 7 + 1);
  });

  it('cycle advances one per executed instruction; high halves are the upper 32 bits', () => {
    run(`
      csrr a0, cycle
      nop
      nop
      csrr a1, cycle
      csrr a2, cycleh
      csrr a3, instreth
    `).expectRegs({ a1: 3, a2: 0, a3: 0 });
  });

  it('writes to mcycle and minstret are seen by the next instruction', () => {
    run(`
      li t0, 1000
      csrw minstret, t0
      csrr a0, minstret
      csrw mcycle, t0
      csrr a1, mcycle
      csrr a2, minstret
      csrr a3, instret
    `).expectRegs({ a0: 1000, a1: 1000, a2: 1003, a3: 1004 });
  });

  it('writes to the high halves; carries from the low half', () => {
    run(`
      li t0, 7
      csrw minstreth, t0
      li t0, -2
      csrw minstret, t0
      csrr a0, minstret
      csrr a1, minstret
      csrr a2, minstret
      csrr a3, minstreth
      csrr a4, instreth
      li t0, 3
      csrw mcycleh, t0
      csrr a5, mcycleh
    `).expectRegs({ a0: -2, a1: -1, a2: 0, a3: 8, a4: 8, a5: 3 });
  });

  // The inhibit a csrw sets or clears applies from the next instruction on: the instruction that
  // sets it still counts, the one that clears it does not.
  it('mcountinhibit freezes mcycle and minstret; clearing it resumes from the frozen value', () => {
    run(`
      li t0, 100
      csrw minstret, t0
      csrw mcycle, t0
      csrwi mcountinhibit, 5
      csrr a0, minstret
      csrr a1, mcycle
      nop
      nop
      csrr a2, minstret
      csrr a3, mcycle
      csrwi mcountinhibit, 0
      csrr a4, minstret
      csrr a5, mcycle
    `).expectNoTrap().expectRegs({ a0: 102, a1: 101, a2: 102, a3: 101, a4: 102, a5: 102 });
  });

  it('inhibiting one counter leaves the other running', () => {
    run(`
      csrwi mcountinhibit, 4
      csrr a0, minstret
      csrr a1, mcycle
      csrr a2, minstret
      csrr a3, mcycle
    `).expectRegs({ a0: 1, a1: 2, a2: 1, a3: 4 });
  });

  it('a write to a frozen counter is read back', () => {
    run('csrwi mcountinhibit, 5\n li t0, 42\n csrw minstret, t0\n csrw mcycle, t0\n nop\n csrr a0, minstret\n csrr a1, mcycle')
      .expectRegs({ a0: 42, a1: 42 });
  });

  it('time reads the CLINT mtime (cycles / 10 on the default board); timeh its upper half', () => {
    const o = run(`
      li s0, 0x0200bff8
      csrr a0, cycle
      csrr a1, time
      lw a2, 0(s0)
      csrr a3, timeh
      lw a4, 4(s0)
    `);
    expect(o.reg('a1')).toBe(Math.floor((o.reg('a0') + 1) / 10));
    expect(o.reg('a2') - o.reg('a1')).toBeGreaterThanOrEqual(0);
    expect(o.reg('a2') - o.reg('a1')).toBeLessThanOrEqual(1);
    o.expectRegs({ a3: 0, a4: 0 });
  });

  const COUNTERS: [string, number][] = [['cycle', 0], ['time', 1], ['instret', 2], ['cycleh', 0], ['timeh', 1], ['instreth', 2], ['hpmcounter3', 3], ['hpmcounter31h', 31]];
  for (const [name, bit] of COUNTERS) {
    it(`${name} from S needs mcounteren bit ${bit}; from U also scounteren bit ${bit}`, () => {
      const others = ~(1 << bit);
      // S-mode: denied without the mcounteren bit (scounteren irrelevant), allowed with it
      run(inMode('S', `at: csrr a0, ${name}`, `li t0, ${others}\n csrw mcounteren, t0\n li t0, -1\n csrw scounteren, t0`)).expectIllegal('at');
      run(inMode('S', `csrr a0, ${name}`, `li t0, ${1 << bit}\n csrw mcounteren, t0`)).expectNoTrap();
      // U-mode: needs both
      run(inMode('U', `at: csrr a0, ${name}`, `li t0, ${1 << bit}\n csrw mcounteren, t0\n li t0, ${others}\n csrw scounteren, t0`)).expectIllegal('at');
      run(inMode('U', `at: csrr a0, ${name}`, `li t0, ${others}\n csrw mcounteren, t0\n li t0, -1\n csrw scounteren, t0`)).expectIllegal('at');
      run(inMode('U', `csrr a0, ${name}`, `li t0, ${1 << bit}\n csrw mcounteren, t0\n csrw scounteren, t0`)).expectNoTrap();
      // M-mode: always
      run(`csrr a0, ${name}`).expectNoTrap();
    });
  }

  it('counters read from U-mode count the same as in M', () => {
    run(inMode('U', 'csrr a0, instret\n nop\n csrr a1, instret', 'li t0, 7\n csrw mcounteren, t0\n csrw scounteren, t0'))
      .expectNoTrap().expectDelta('a0', 'a1', 2);
  });
});

describe('privileged-instruction traps controlled by mstatus', () => {
  it('satp from S with TVM set is illegal; without TVM allowed; M ignores TVM', () => {
    run(inMode('S', 'li a0, 5\nat: csrr a0, satp', `li t0, ${MSTATUS.TVM}\n csrs mstatus, t0`)).expectIllegal('at').expectReg('a0', 5);
    run(inMode('S', 'at: csrw satp, zero', `li t0, ${MSTATUS.TVM}\n csrs mstatus, t0`)).expectIllegal('at');
    run(inMode('S', 'li t1, 0x123\n csrw satp, t1\n csrr a0, satp\n csrw satp, zero')).expectNoTrap().expectReg('a0', 0x123);
    run(`li t0, ${MSTATUS.TVM}\n csrs mstatus, t0\n csrr a0, satp\n csrw satp, zero`).expectNoTrap();
  });

  it('sfence.vma from S with TVM set is illegal', () => {
    run(inMode('S', 'at: sfence.vma', `li t0, ${MSTATUS.TVM}\n csrs mstatus, t0`)).expectIllegal('at');
    run(inMode('S', 'sfence.vma')).expectNoTrap();
    run(inMode('U', 'at: sfence.vma')).expectIllegal('at');
  });

  it('WFI: illegal in S with TW, and always in U; allowed in M with TW', () => {
    // A pending enabled interrupt (SSIP with mie.SSIE, globally disabled) makes WFI return at once.
    const wake = `li t0, 2\n csrw mie, t0\n csrs mip, t0\n`;
    run(inMode('S', 'at: wfi', `li t0, ${MSTATUS.TW}\n csrs mstatus, t0`)).expectIllegal('at');
    run(inMode('U', 'at: wfi')).expectIllegal('at');
    run(inMode('S', 'wfi\n li a0, 1', `${wake} li t0, 0x222\n csrw mideleg, t0`)).expectNoTrap().expectReg('a0', 1);
    run(`${wake} li t0, ${MSTATUS.TW}\n csrs mstatus, t0\n wfi\n li a0, 1`).expectNoTrap().expectReg('a0', 1);
  });

  it('SRET: illegal in S with TSR and always in U; allowed in M with TSR', () => {
    run(inMode('S', 'at: sret', `li t0, ${MSTATUS.TSR}\n csrs mstatus, t0`)).expectIllegal('at');
    run(inMode('U', 'at: sret')).expectIllegal('at');
    run(`li t0, ${MSTATUS.TSR | MSTATUS.SPP}\n csrs mstatus, t0\n la t0, 1f\n csrw sepc, t0\n sret\n li a0, 9\n1: li a1, 1`)
      .expectNoTrap().expectRegs({ a0: 0, a1: 1 }).expectPriv('S');
  });

  it('MRET is illegal below M', () => {
    run(inMode('S', 'at: mret')).expectIllegal('at');
    run(inMode('U', 'at: mret')).expectIllegal('at');
  });
});
