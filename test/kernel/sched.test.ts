// The scheduler: fixed priorities, round robin with quanta within a priority, YIELD, idle
// jumps of virtual time, and kernel work that takes no virtual time.
import { describe, expect, it } from 'vitest';
import { boot, raw, withRt } from './harness';

const BUSY = raw(`
    la t0, counter
1:  lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 1b`, '.data\ncounter: .word 0');

describe('scheduler', () => {
  it('two busy components of equal priority both make progress (preemption by quantum)', () => {
    const b = boot([{ name: 'a', asm: BUSY }, { name: 'b', asm: BUSY }]);
    b.runMs(100);
    const ia = b.task('a').stats.instructions;
    const ib = b.task('b').stats.instructions;
    expect(ia + ib).toBe(b.kernel.now()); // every cycle went to one of them
    expect(ia / (ia + ib)).toBeGreaterThan(0.4);
    expect(ib / (ia + ib)).toBeGreaterThan(0.4);
    expect(b.task('a').stats.contextSwitches).toBeGreaterThanOrEqual(4);
    expect(b.task('b').stats.contextSwitches).toBeGreaterThanOrEqual(4);
    expect(b.word('a', 'counter')).toBeGreaterThan(1_000_000);
    expect(b.word('b', 'counter')).toBeGreaterThan(1_000_000);
  });

  it('a runnable higher-priority component starves a lower one', () => {
    const b = boot([{ name: 'low', priority: 50, asm: BUSY }, { name: 'high', priority: 200, asm: BUSY }]);
    b.runMs(50);
    expect(b.task('low').stats.instructions).toBe(0);
    expect(b.word('low', 'counter')).toBe(0);
    expect(b.task('high').stats.instructions).toBe(b.kernel.now());
  });

  it('a lower priority runs exactly when the higher one waits', () => {
    const b = boot([
      { name: 'low', priority: 50, asm: BUSY },
      { name: 'high', priority: 200, asm: withRt(`
    call sleep_init
1:  li a0, 1000
    call sleep_us
    li t0, 50000
2:  addi t0, t0, -1
    bnez t0, 2b
    j 1b`) },
    ]);
    b.runMs(100);
    const low = b.task('low').stats.instructions;
    const high = b.task('high').stats.instructions;
    expect(low + high).toBe(b.kernel.now());
    // high: ~100 k of every ~200 k cycles (1 ms sleep, then 2 x 50 k instructions)
    expect(high / (low + high)).toBeGreaterThan(0.45);
    expect(high / (low + high)).toBeLessThan(0.55);
    expect(b.word('low', 'counter')).toBeGreaterThan(1_000_000);
  });

  it('YIELD hands the CPU to the next thread of the same priority', () => {
    const prog = (tag: number) => withRt(`
    li s1, ${tag}
1:  mv a0, s1
    call log_num
    call sys_yield
    addi s1, s1, 1
    j 1b`);
    const b = boot([{ name: 'a', asm: prog(100) }, { name: 'b', asm: prog(200) }]);
    b.runUs(30);
    const texts = b.log.map((l) => `${l.label.replace('init -> ', '')}:${l.text}`);
    expect(texts.slice(0, 6)).toEqual(['a:100', 'b:200', 'a:101', 'b:201', 'a:102', 'b:202']);
  });

  it('threads of one component: priorities and round robin apply to threads too', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 0, 0, RM_WRITE
    inv SLOT_CPU, CPU_THREAD_CREATE, 100, 0, 0
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0, 0
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    li a2, 9
    la a3, count
    li a4, 0x30001000
    li a5, 4
    sys SYS_INVOKE
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    li a2, 10
    la a3, count
    li a4, 0x30002000
    li a5, 8
    sys SYS_INVOKE
    li a0, 0
    j count
count:
    la t0, counters
    add t0, t0, a0
1:  lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 1b`, '.data\ncounters: .word 0, 0, 0') }]);
    b.runMs(100);
    const [main, equal, low] = b.words('a', 'counters', 3);
    expect(main).toBeGreaterThan(1_000_000);
    expect(equal).toBeGreaterThan(1_000_000);
    expect(low).toBe(0);
  });

  it('when every thread waits, virtual time jumps to the next event: waiting 1 s costs a few instructions', () => {
    const b = boot([{ name: 'a', asm: withRt(`
    call sleep_init
    li a0, 1000000
    call sleep_us
    li a0, 1
    call log_num
    park`) }]);
    expect(b.runMs(3000)).toBe('idle');
    const line = b.lines('a')[0];
    expect(b.ns(line)).toBeGreaterThanOrEqual(1e9);
    expect(b.ns(line)).toBeLessThan(1e9 + 10_000);
    expect(b.task('a').stats.instructions).toBeLessThan(1000);
  });

  it('kernel work takes no virtual time: calls and page faults cost only their instructions', () => {
    const calls = Array.from({ length: 100 }, () => '    inv SLOT_PD, PD_CAP_INFO, 2').join('\n');
    const touches = Array.from({ length: 16 }, (_, i) => `    li t0, 0x${(0x10000000 + i * 4096).toString(16)}\n    sw t0, 0(t0)`).join('\n');
    const b = boot([{ name: 'a', asm: raw(`${calls}
    inv SLOT_RAM, RAM_ALLOC, 0x10000
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
${touches}
    park`) }]);
    expect(b.runMs(10)).toBe('idle');
    const s = b.task('a').stats;
    expect(s.syscalls).toBeGreaterThanOrEqual(103);
    expect(s.pageFaults).toBeGreaterThanOrEqual(16);
    expect(b.kernel.now()).toBe(s.instructions);
  });
});
