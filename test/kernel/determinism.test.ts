// Determinism: the same scenario gives the same log (with virtual times) and the same state
// hash; a different config or input changes it; physical placement does not.
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/kernel/init';
import { boot, raw, withRt, type BootOptions, type Snippet, UART_ECHO } from './harness';

const TICKER = withRt(`
    call sleep_init
    li s1, 0
1:  li a0, 700
    call sleep_us
    addi s1, s1, 1
    mv a0, s1
    call log_num
    j 1b`);

const WORKER = withRt(`
    li a0, 0x4000
    call ram_alloc_attach
    mv s0, a0
    li s1, 0
    li s2, 0x3ffc
1:  and t0, s1, s2
    add t0, t0, s0
    lw t1, 0(t0)
    add t1, t1, s1
    sw t1, 0(t0)
    addi s1, s1, 4
    li t2, 0x40000
    bne s1, t2, 1b
    call sys_yield
    j 1b`);


const scenario = (config = 'x=1'): Snippet[] => [
  { name: 'ticker', asm: TICKER, priority: 120 },
  { name: 'worker', asm: WORKER, config },
  { name: 'worker2', asm: WORKER },
  { name: 'echo', asm: UART_ECHO, priority: 130 },
  { name: 'crasher', asm: raw('    li t0, 0x5000\n    sw t0, 0(t0)') },
];
const uart: BootOptions = { uart: { input: 'determinism', inputAt: '7ms' } };
const view = (log: readonly LogLine[]) => log.map((l) => `${l.cycles} [${l.label}] ${l.text}`);

function run(snippets: Snippet[], opts: BootOptions, before?: (b: ReturnType<typeof boot>) => void): { log: string[]; hashes: string[] } {
  const b = boot(snippets, opts);
  before?.(b);
  const hashes: string[] = [b.hash()];
  for (const ms of [5, 7.5, 10, 30]) {
    b.runMs(ms);
    hashes.push(b.hash());
  }
  return { log: view(b.log), hashes };
}

describe('determinism', () => {
  it('two boots of the same scenario: the same log with the same virtual times, the same state hashes', () => {
    const a = run(scenario(), uart);
    const b = run(scenario(), uart);
    expect(a.log.length).toBeGreaterThan(40);
    expect(a.log.some((l) => l.includes('[init -> echo] determinism'))).toBe(true);
    expect(a.log.some((l) => l.includes('crasher faulted'))).toBe(true);
    expect(b.log).toEqual(a.log);
    expect(b.hashes).toEqual(a.hashes);
    expect(new Set(a.hashes).size).toBe(a.hashes.length); // the state moves on
  });

  it('a different config changes the hash; a different input time changes log and hash', () => {
    const a = run(scenario(), uart);
    const c = run(scenario('x=2'), uart);
    expect(c.hashes[0]).not.toBe(a.hashes[0]);
    expect(c.hashes[4]).not.toBe(a.hashes[4]);
    const d = run(scenario(), { uart: { input: 'determinism', inputAt: '8ms' } });
    expect(d.hashes[0]).toBe(a.hashes[0]); // before the input nothing differs...
    expect(d.hashes[1]).toBe(a.hashes[1]);
    expect(d.hashes[2]).not.toBe(a.hashes[2]); // ...at 7.5 ms one has the input, the other not
    expect(d.log).not.toEqual(a.log);
  });

  it('physical placement is not part of the hash', () => {
    const a = run(scenario(), uart);
    // Take frames away before the run: dataspaces and page tables made later land elsewhere.
    const moved = run(scenario(), uart, (b) => {
      expect(b.kernel.frames.alloc(37)).toBeGreaterThan(0);
    });
    expect(moved.log).toEqual(a.log);
    expect(moved.hashes).toEqual(a.hashes);
  });
});
