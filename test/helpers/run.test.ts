import { describe, expect, it } from 'vitest';
import { assemble, BATCH_ENGINE, engineNames, JIT_ENGINE, prepare, regIndex, registerEngine, run, STEP_ENGINE, unregisterEngine } from './run';

describe('the run() harness', () => {
  it('runs a snippet to _done and reads registers', () => {
    const o = run('li a0, 2\n addi a0, a0, 3').expectReg('a0', 5).expectNoTrap();
    expect(o.executed).toBe(2);
  });

  it('stops at _trap with the trap recorded', () => {
    run('nop\n ecall').expectTrap({ cause: 11, epc: 0x80000004, tval: 0 });
  });

  it('names registers by ABI name, xN and number', () => {
    expect(regIndex('zero')).toBe(0);
    expect(regIndex('fp')).toBe(8);
    expect(regIndex('s0')).toBe(8);
    expect(regIndex('x31')).toBe(31);
    expect(regIndex('t6')).toBe(31);
    expect(() => regIndex('x32')).toThrow();
  });

  it('fails a test whose program never stops', () => {
    expect(() => run('1: j 1b', { budget: 100 })).toThrow(/did not stop within 100/);
  });

  it('reports assembly errors', () => {
    expect(() => run('bogus a0')).toThrow(/assembly failed/);
  });

  it('reads memory and CSRs', () => {
    run(`
      la t0, buf
      li t1, 0x11223344
      sw t1, 4(t0)
      csrwi mscratch, 9
    .data
    .globl buf
    buf: .word 0xdeadbeef, 0
    `).expectMem('buf', 0xdeadbeef).expectMem(0x80001004, 0x11223344).expectMem(0x80001005, 0x33, 1)
      .expectCsr('mscratch', 9);
  });

  it('catches an engine that disagrees with single-stepping', () => {
    // An engine that stops one instruction short must be caught by the state comparison.
    registerEngine({ name: 'short', run: (m, n) => BATCH_ENGINE.run(m, Math.max(0, n - 1)) });
    try {
      expect(engineNames()).toContain('short');
      expect(() => run('li a0, 1\n li a0, 2\n li a0, 3')).toThrow();
    } finally {
      unregisterEngine('short');
    }
    expect(engineNames()).toEqual(['batch', 'jit']);
    expect(() => registerEngine({ name: 'step', run: (m, n) => BATCH_ENGINE.run(m, n) })).toThrow();
  });

  it('the jit engine runs compiled blocks, the reference and batch engines do not', () => {
    const { elf, symbols } = assemble('li a0, 0\n li a1, 50\n1: addi a0, a0, 2\n addi a1, a1, -1\n bnez a1, 1b');
    for (const [engine, compiles] of [[JIT_ENGINE, true], [BATCH_ENGINE, false], [STEP_ENGINE, false]] as const) {
      const m = prepare(elf, symbols, {}, engine);
      engine.run(m, 2 + 3 * 50);
      expect(m.hart.pc >>> 0, engine.name).toBe(symbols.get('_done'));
      expect(m.hart.x[10], engine.name).toBe(100);
      expect(m.hart.jit.compiled > 0, engine.name).toBe(compiles);
    }
  });
});
