import { describe, expect, it } from 'vitest';
import { INSTALL_MSKIP, MSKIP_HANDLER, run } from '../helpers/run';

const DATA = `
  .data
  .balign 16
word: .word 0x11111111
word2: .word 0x22222222
`;

describe('LR/SC', () => {
  it('LR then SC to the same word succeeds: rd = 0, memory written', () => {
    run(`
      la a0, word
      lr.w t0, (a0)
      li t2, 0x5a5a
      sc.w t1, t2, (a0)
    ${DATA}`).expectRegs({ t0: 0x11111111, t1: 0 }).expectMem('word', 0x5a5a);
  });

  it('SC without a reservation fails: rd = 1, memory unchanged', () => {
    run(`la a0, word\n li t2, 7\n li t1, 99\n sc.w t1, t2, (a0)\n${DATA}`)
      .expectReg('t1', 1).expectMem('word', 0x11111111);
  });

  it('an SC (successful or not) ends the reservation: a second SC fails', () => {
    run(`
      la a0, word
      lr.w t0, (a0)
      li t2, 5
      sc.w t1, t2, (a0)
      li t2, 6
      sc.w t3, t2, (a0)
    ${DATA}`).expectRegs({ t1: 0, t3: 1 }).expectMem('word', 5);
  });

  it('a failed SC to another word also ends the reservation', () => {
    run(`
      la a0, word
      la a1, word2
      lr.w t0, (a0)
      sc.w t1, t0, (a1)    # outside the reservation set (the reserved word): fails
      sc.w t3, t0, (a0)    # the reservation is gone
    ${DATA}`).expectRegs({ t1: 1, t3: 1 }).expectMem('word2', 0x22222222);
  });

  it('a trap between LR and SC clears the reservation', () => {
    run(`${INSTALL_MSKIP}
      la a0, word
      lr.w t0, (a0)
      ecall                # handled by mskip, which returns with mret
      li t2, 9
      sc.w t1, t2, (a0)
    ${MSKIP_HANDLER}${DATA}`).expectNoTrap().expectRegs({ s11: 1, s10: 11, t1: 1 }).expectMem('word', 0x11111111);
  });

  it('a newer LR replaces the reservation', () => {
    run(`
      la a0, word
      la a1, word2
      lr.w t0, (a0)
      lr.w t0, (a1)
      sc.w t1, zero, (a0)
    ${DATA}`).expectRegs({ t0: 0x22222222, t1: 1 });
  });

  it('.aq/.rl/.aqrl forms are accepted', () => {
    run(`
      la a0, word
      lr.w.aq t0, (a0)
      sc.w.rl t1, t0, (a0)
      lr.w.aqrl t0, (a0)
      sc.w.aqrl t1, zero, (a0)
      li t2, 1
      amoadd.w.aq t3, t2, (a0)
      amoadd.w.rl t3, t2, (a0)
      amoadd.w.aqrl t3, t2, (a0)
      amoswap.w.aqrl t4, t2, (a0)
    ${DATA}`).expectNoTrap().expectRegs({ t1: 0, t3: 2, t4: 3 }).expectMem('word', 1);
  });

  it('misaligned LR is a load address-misaligned exception (4), SC and AMOs store/AMO misaligned (6)', () => {
    for (const [insn, cause] of [
      ['lr.w t0, (a0)', 4], ['sc.w t0, t1, (a0)', 6], ['amoadd.w t0, t1, (a0)', 6], ['amoswap.w t0, t1, (a0)', 6],
      ['amomaxu.w t0, t1, (a0)', 6],
    ] as const) {
      for (const off of [1, 2, 3]) {
        run(`la a0, word\n addi a0, a0, ${off}\n li t0, 77\nat: ${insn}\n${DATA}`)
          .expectTrap({ cause, tval: 0x80001000 + off, epc: 'at' }).expectReg('t0', 77).expectMem('word', 0x11111111);
      }
    }
  });

  it('atomics on nothing: LR load access fault (5), AMO/SC store access fault (7)', () => {
    run('li a0, 0x01000000\n lr.w t0, (a0)').expectTrap({ cause: 5, tval: 0x01000000 });
    run('li a0, 0x01000000\n amoor.w t0, t0, (a0)').expectTrap({ cause: 7, tval: 0x01000000 });
  });
});

describe('AMOs', () => {
  // [name, memory before, rs2, memory after]; rd always gets the old memory value
  const cases: [string, number, number, number][] = [
    ['amoswap.w', 0x11111111, 0x22222222, 0x22222222],
    ['amoadd.w', 0x7fffffff, 1, 0x80000000],
    ['amoadd.w', -5, 3, -2],
    ['amoxor.w', 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0],
    ['amoand.w', 0xff00ff00, 0x0ff00ff0, 0x0f000f00],
    ['amoor.w', 0xff00ff00, 0x0ff00ff0, 0xfff0fff0],
    ['amomin.w', -1, 1, -1],
    ['amomin.w', 5, -7, -7],
    ['amomax.w', -1, 1, 1],
    ['amomax.w', 0x80000000, 0x7fffffff, 0x7fffffff],
    ['amominu.w', -1, 1, 1],
    ['amominu.w', 0x80000000, 0x7fffffff, 0x7fffffff],
    ['amomaxu.w', -1, 1, -1],
    ['amomaxu.w', 3, 0x80000000, 0x80000000],
    ['amomin.w', 4, 4, 4],
  ];
  for (const [op, before, rs2, after] of cases) {
    it(`${op}: ${before | 0} with ${rs2 | 0} -> ${after | 0}, rd = old value`, () => {
      run(`la a0, word\n li t0, ${before | 0}\n sw t0, 0(a0)\n li t1, ${rs2 | 0}\n ${op} t2, t1, (a0)\n${DATA}`)
        .expectNoTrap().expectReg('t2', before).expectReg('t1', rs2).expectMem('word', after);
    });
  }

  it('rd = rs2: the old value lands in rd, memory gets the old rs2', () => {
    run(`la a0, word\n li t1, 5\n amoswap.w t1, t1, (a0)\n${DATA}`).expectReg('t1', 0x11111111).expectMem('word', 5);
  });

  it('rd = x0 discards the old value but still writes memory', () => {
    run(`la a0, word\n li t1, 1\n amoadd.w zero, t1, (a0)\n${DATA}`).expectReg(0, 0).expectMem('word', 0x11111112);
  });

  it('only the addressed word changes', () => {
    run(`la a0, word2\n li t1, -1\n amoor.w t2, t1, (a0)\n${DATA}`)
      .expectMem('word', 0x11111111).expectMem('word2', 0xffffffff).expectMem(0x80001008, 0);
  });

  it('an AMO does not disturb a reservation on another word held by this hart... and an SC after it', () => {
    // Documents our reservation: only SC, a trap, xRET or a new LR end it.
    const o = run(`
      la a0, word
      la a1, word2
      lr.w t0, (a0)
      amoadd.w t2, t0, (a1)
      sc.w t1, zero, (a0)
    ${DATA}`);
    expect(o.reg('t1')).toBe(0);
  });
});
