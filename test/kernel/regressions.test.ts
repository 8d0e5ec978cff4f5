// Regressions: kernel behaviour that once contradicted docs/abi.md or the kernel's rule that
// nothing a guest does may throw out of the kernel or touch another component. Each test failed
// before its fix.
import { describe, expect, it } from 'vitest';
import { boot, E, raw, withRt } from './harness';

describe('kernel regressions', () => {
  it('RAM QUOTA reports as used everything ALLOC counts against the quota (page tables included)', () => {
    // services/ram.ts QUOTA answers task.ramUsed (dataspaces only), but kernel.ts allocDataspace
    // checks task.ramCharged (dataspaces + page-table frames): ALLOC(quota - used) fails with
    // E_QUOTA although QUOTA says that much is free.
    const b = boot([{ name: 'a', ram: '512K', asm: raw(`
    inv SLOT_RAM, RAM_QUOTA
    sub a2, a1, a2
    li a0, SLOT_RAM
    li a1, RAM_ALLOC
    sys SYS_INVOKE
    rec
    inv SLOT_RAM, RAM_ALLOC, 1
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RAM, RAM_ALLOC, 4096
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 6);
    expect(r[1].slice(0, 2)).toEqual([0, 8]);
    expect(r[2][0]).toBe(E.QUOTA);
    expect(r[3][1]).toBe(512 * 1024);
    expect(r[3][2]).toBe(512 * 1024);
    expect(r[4][0]).toBe(0);
    expect(r[5].slice(0, 2)).toEqual([0, 8]);
  });


  it('virtual time stays a whole number of cycles when the clock is not a multiple of 1 MHz', () => {
    // services/sessions.ts TimerSession: deadline = now + us * cyclesPerUs; at 1.5 M instructions
    // per second (valid: a multiple of mtimeHz 500 kHz) that is now + 151.5 for 101 us, and the
    // idle jump in kernel.ts sets hart.cycles to it: kernel.now() becomes 1181.5 and log lines
    // carry fractional cycles. Expected: deadlines rounded to whole cycles.
    const b = boot([{ name: 'a', asm: withRt(`
    call sleep_init
    li s1, 0
1:  li a0, 101
    call sleep_us
    addi s1, s1, 1
    li t0, 5
    bne s1, t0, 1b
    li a0, 1
    call log_num
    park`) }], { clock: { insnsPerSecond: 1_500_000, mtimeHz: 500_000 } });
    b.runMs(5);
    expect(b.texts('a')).toEqual(['1']);
    expect(Number.isInteger(b.kernel.now())).toBe(true);
    expect(b.log.every((l) => Number.isInteger(l.cycles))).toBe(true);
  });
});
