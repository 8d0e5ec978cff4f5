// The kernel's run-loop hooks for the CLI: an exact instruction limit (--max-insns) and a
// per-thread trace sink (--trace) that single-steps without changing what the run does; and
// init's log lines for a denied session request.

import { describe, expect, it } from 'vitest';
import type { TraceEntry } from '../../src/dev/machine';
import { boot, E, withRt, type Snippet } from './harness';

const SPIN: Snippet = { name: 'spin', asm: withRt('1:  addi s0, s0, 1\n    j 1b') };
/** Logs a line once per 1 ms of virtual time (a periodic Timer), forever. */
const TICK: Snippet = {
  name: 'tick',
  routes: { LOG: 'core', Timer: 'core' },
  asm: withRt(`
    la a0, n_timer
    li a1, 0
    call parent_session
    mv s0, a0
    li a0, 1
    call signal_context
    mv a1, a0
    mv a0, s0
    call timer_sigh
    mv a0, s0
    li a1, 1000
    call timer_trigger_periodic
1:  li a0, SLOT_SIGNALS
    call sys_wait
    la a0, msg
    call log_str
    j 1b`, '.section .rodata\nn_timer: .asciz "Timer"\nmsg: .asciz "tick"'),
};

describe('Kernel.insnLimit', () => {
  it('stops after exactly that many instructions of all components together', () => {
    const b = boot([SPIN, { ...SPIN, name: 'spin2' }]);
    b.kernel.insnLimit = 2_500_001; // more than one 10 ms quantum (1M instructions) each
    expect(b.runMs(1000)).toBe('limit');
    const total = b.task('spin').stats.instructions + b.task('spin2').stats.instructions;
    expect(total).toBe(2_500_001);
    expect(b.kernel.executed).toBe(2_500_001);
    expect(b.task('spin2').stats.instructions).toBeGreaterThan(0);
    // raised: the run goes on from where it stopped
    b.kernel.insnLimit = 3_000_000;
    expect(b.runMs(1000)).toBe('limit');
    expect(b.kernel.executed).toBe(3_000_000);
  });

  it('leaves a run that ends first alone', () => {
    const b = boot([SPIN]);
    b.kernel.insnLimit = 1e9;
    expect(b.runMs(1)).toBe('until');
    expect(b.kernel.executed).toBe(100_000);
  });
});

describe('Kernel.traceThread', () => {
  it('reports every instruction of the traced component and changes nothing in the run', () => {
    const plain = boot([TICK, SPIN]);
    plain.runMs(5);
    const traced = boot([TICK, SPIN]);
    const entries: TraceEntry[] = [];
    traced.kernel.traceThread = (t) => (t.task === traced.task('tick') ? (e) => entries.push(e) : undefined);
    traced.runMs(5);
    expect(traced.hash()).toBe(plain.hash());
    expect(traced.log.map((l) => [l.cycles, l.text])).toEqual(plain.log.map((l) => [l.cycles, l.text]));
    expect(traced.texts('tick')).toHaveLength(4); // ticks at 1..4 ms (5 ms is not in [0, 5 ms))
    // every retired instruction of tick and the traps (syscalls, page faults) it took; nothing of spin
    const retired = entries.filter((e) => !e.trapped).length;
    expect(retired).toBe(traced.task('tick').stats.instructions);
    expect(entries.filter((e) => e.trapped && e.cause === 8).length).toBe(traced.task('tick').stats.syscalls);
    expect(entries.every((e) => e.priv === 0 && e.pc >= 0x10000 && e.pc < 0x1000_0000)).toBe(true);
  });
});

describe('init: denied session requests', () => {
  it('logs a missing route, naming the component, the service and the scenario field', () => {
    const b = boot([
      { name: 'ok', asm: withRt('    park') },
      { name: 'a', routes: { LOG: 'core' }, asm: withRt(`
    la a0, n_timer
    li a1, 0
    call parent_session
    rec
    park`, '.section .rodata\nn_timer: .asciz "Timer"') },
    ]);
    b.runMs(1);
    expect(b.statuses('a', 1)).toEqual([E.DENIED]);
    expect(b.initTexts()).toEqual(['a: no route for service "Timer" (scenario components[1].routes)']);
  });

  it('logs a service core does not have', () => {
    const b = boot([{ name: 'a', asm: withRt(`
    la a0, n_bogus
    li a1, 0
    call parent_session
    rec
    park`, '.section .rodata\nn_bogus: .asciz "Bogus"') }]);
    b.runMs(1);
    expect(b.statuses('a', 1)).toEqual([E.DENIED]);
    expect(b.initTexts()).toEqual([expect.stringMatching(/^a: no service "Bogus" \(core has LOG, .*Timer/)]);
  });
});
