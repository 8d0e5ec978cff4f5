// The Timer session: one-shot and periodic signals at exact virtual times, signal counting
// while the thread is busy, ELAPSED_MS/US, stopping, and argument errors.
import { describe, expect, it } from 'vitest';
import { boot, CYCLES_PER_MS, E, raw, withRt } from './harness';

/** Opens a Timer (s0) with context 1 on slot 6 as its handler. */
const TIMER = `
    la a0, n_timer
    li a1, 0
    call parent_session
    rec
    mv s0, a0
    li a0, 1
    call signal_context
    rec
    mv a1, a0
    mv a0, s0
    call timer_sigh
    rec`;
const DATA = '.section .rodata\nn_timer: .asciz "Timer"\n';

describe('Timer session', () => {
  it('a periodic trigger signals every period, exactly: log lines 1 ms of virtual time apart', () => {
    const b = boot([{ name: 'a', asm: withRt(`${TIMER}
    mv a0, s0
    li a1, 1000
    call timer_trigger_periodic
    li s1, 100
1:  li a0, SLOT_SIGNALS
    call sys_wait
    addi s1, s1, 1
    mv a0, s1
    call log_num
    j 1b`, DATA) }]);
    b.runUs(10_500);
    const lines = b.lines('a');
    expect(lines.map((l) => l.text)).toEqual(['101', '102', '103', '104', '105', '106', '107', '108', '109', '110']);
    const first = lines[0].cycles;
    expect(first).toBeGreaterThanOrEqual(CYCLES_PER_MS);
    expect(first).toBeLessThan(CYCLES_PER_MS + 500);
    // Line 1 also opens the LOG session; from then on each wake-up runs the same instructions.
    lines.slice(1).forEach((l, i) => expect(l.cycles - lines[1].cycles).toBe(i * CYCLES_PER_MS));
    expect(lines[1].cycles - first).toBeLessThan(CYCLES_PER_MS);
  });

  it('a one-shot trigger signals once, after the given time', () => {
    const b = boot([{ name: 'a', asm: withRt(`${TIMER}
    mv a0, s0
    li a1, 2500
    call timer_trigger_once
1:  li a0, SLOT_SIGNALS
    call sys_wait
    mv a0, a2
    call log_num
    j 1b`, DATA) }]);
    expect(b.runMs(50)).toBe('idle');
    const lines = b.lines('a');
    expect(lines.map((l) => l.text)).toEqual(['1']);
    expect(lines[0].cycles).toBeGreaterThanOrEqual(250_000);
    expect(lines[0].cycles).toBeLessThan(250_000 + 1000);
  });

  it('signals that arrive while the thread is busy are counted and delivered together', () => {
    const b = boot([{ name: 'a', asm: withRt(`${TIMER}
    mv a0, s0
    li a1, 1000
    call timer_trigger_periodic
    li t0, 275000
1:  addi t0, t0, -1
    bnez t0, 1b
    li a0, SLOT_SIGNALS
    call sys_wait
    rec
    li a0, SLOT_SIGNALS
    call sys_wait
    rec
    park`, DATA) }]);
    b.runMs(8);
    const r = b.results('a', 5);
    expect(r[3].slice(0, 3)).toEqual([0, 1, 5]); // 5.5 ms busy: five periods
    expect(r[4].slice(0, 3)).toEqual([0, 1, 1]);
  });

  it('ELAPSED_MS and ELAPSED_US report virtual time since boot', () => {
    const b = boot([{ name: 'a', asm: withRt(`${TIMER}
    mv a0, s0
    li a1, 2500
    call timer_trigger_once
    li a0, SLOT_SIGNALS
    call sys_wait
    mv a0, s0
    call timer_elapsed_us
    rec
    mv a0, s0
    call timer_elapsed_ms
    rec
    park`, DATA) }]);
    b.runMs(5);
    const r = b.results('a', 5);
    expect(r[3][0]).toBe(0);
    expect(r[3][1]).toBeGreaterThanOrEqual(2500);
    expect(r[3][1]).toBeLessThan(2510);
    expect(r[3][2]).toBe(0);
    expect(r[4].slice(0, 3)).toEqual([0, 2, 0]);
  });

  it('a period of 0 stops the trigger; TRIGGER_ONCE replaces a periodic one', () => {
    const b = boot([{ name: 'a', asm: withRt(`${TIMER}
    call sleep_init
    mv a0, s0
    li a1, 1000
    call timer_trigger_periodic
    li a0, 2500
    call sleep_us
    mv a0, s0
    li a1, 0
    call timer_trigger_periodic
    li a0, 5000
    call sleep_us
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    mv a0, s0
    li a1, 1000
    call timer_trigger_periodic
    mv a0, s0
    li a1, 3000
    call timer_trigger_once
    li a0, 10000
    call sleep_us
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    park`, DATA) }]);
    b.runMs(30);
    const r = b.results('a', 7);
    expect(r[3].slice(0, 3)).toEqual([0, 1, 2]); // two periods before the stop
    expect(r[4][0]).toBe(E.WOULD_BLOCK);
    expect(r[5].slice(0, 3)).toEqual([0, 1, 1]); // the one-shot only
    expect(r[6][0]).toBe(E.WOULD_BLOCK);
  });

  it('checks SIGH arguments and opcodes; triggers without a handler are harmless', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, SLOT_PARENT
    li a1, PARENT_SESSION
    la a2, n_timer
    li a3, 5
    li a4, 0
    li a5, 0
    sys SYS_INVOKE
    rec
    inv 8, TIMER_SIGH, 0
    inv 8, TIMER_SIGH, SLOT_RAM
    inv 8, 5
    inv 8, TIMER_TRIGGER_PERIODIC, 100
    inv 8, TIMER_TRIGGER_ONCE, -1
    inv 8, TIMER_ELAPSED_US
    park`, '.section .rodata\nn_timer: .ascii "Timer"\n') }]);
    expect(b.runMs(20)).toBe('until'); // the one-shot is due in 4295 s
    const r = b.results('a', 7);
    expect(r[0].slice(0, 2)).toEqual([0, 8]);
    expect(r.slice(1, 4).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_ARG, E.BAD_OPCODE]);
    expect(r[4][0]).toBe(0);
    expect(r[5][0]).toBe(0);
    expect(r[6][0]).toBe(0);
    expect(b.task('a').alive).toBe(true);
    expect(b.task('a').stats.instructions).toBeLessThan(500);
  });
});
