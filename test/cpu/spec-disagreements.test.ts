// Where the hart disagrees with the RISC-V specification. Each test asserts the spec's behaviour
// and FAILS until the hart is fixed; see the quotes. Keep this file small: move a test to its
// proper suite once it passes.

import { describe, it } from 'vitest';
import { enterMode, run } from '../helpers/run';

describe('spec disagreements', () => {
  // Privileged spec (20211203), 3.7.1 "Priority and Matching Logic": "If no PMP entry matches
  // an M-mode access, the access succeeds. If no PMP entry matches an S-mode or U-mode access,
  // but at least one PMP entry is implemented, the access fails." and "Failed accesses generate
  // an instruction, load, or store access-fault exception."
  //
  // The hart implements 16 PMP entries (pmpaddr0..15 hold what is written, pmpcfg0..3 too) but
  // never checks them, so U/S accesses that match no entry succeed. Either fix satisfies this
  // test: make the PMP CSRs read-only zero (no entries implemented: everything is allowed, as
  // now), or enforce the entries (then this U-mode fetch, matching no entry, faults).
  it('PMP: with PMP entries implemented and none matching, a U-mode access fails', () => {
    const o = run(`
      li t0, 0x12345
      csrw pmpaddr0, t0
      csrr s0, pmpaddr0      # non-zero: entry 0 is implemented
      csrw pmpcfg0, zero     # entry 0 OFF: no entry matches anything
      ${enterMode('U', 'u')}
    u:
      la t0, d
      lw a0, 0(t0)
      .data
    d: .word 1
    `);
    if (o.reg('s0') === 0) o.expectNoTrap(); // no PMP entries: U may access everything
    else o.expectTrap({ cause: 1, epc: 'u', tval: 'u' }); // the U-mode fetch matches no entry
  });
});
