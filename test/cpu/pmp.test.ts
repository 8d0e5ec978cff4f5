// PMP: the hart implements no PMP entry (the privileged spec allows zero), so the PMP CSRs read
// zero whatever is written, and S/U accesses need no PMP set-up. Spec (20211203) 3.7.1: "If no
// PMP entry matches an S-mode or U-mode access, but at least one PMP entry is implemented, the
// access fails" — with none implemented, U-mode code runs.
import { describe, it } from 'vitest';
import { enterMode, run } from '../helpers/run';

describe('PMP', () => {
  it('has no entries: pmpaddr0 and pmpcfg0 read zero after writes', () => {
    run(`
      li t0, 0x12345
      csrw pmpaddr0, t0
      csrr a0, pmpaddr0
      li t0, 0x1f
      csrw pmpcfg0, t0
      csrr a1, pmpcfg0
    `).expectNoTrap().expectReg('a0', 0).expectReg('a1', 0);
  });

  it('lets U-mode fetch and load without any PMP set-up', () => {
    run(`
      ${enterMode('U', 'u')}
    u:
      la t0, d
      lw a0, 0(t0)
      .data
    d: .word 7
    `).expectNoTrap().expectReg('a0', 7);
  });
});
