// System calls (docs/abi.md, "System calls"): INVOKE, WAIT, POLL, YIELD, EXIT and unknown
// numbers, with the exact status codes and the registers they preserve.
import { describe, expect, it } from 'vitest';
import type { SignalContext } from '../../src/kernel/signal';
import { boot, E, raw } from './harness';

describe('unknown system calls', () => {
  it('return E_BAD_SYSCALL and preserve a1-a7', () => {
    const calls = [5, 77, -1, 0x7fffffff, 1024].map((n) => `
    li a0, 5
    li a1, 11
    li a2, 12
    li a3, 13
    li a4, 14
    li a5, 15
    li a6, 16
    li a7, ${n}
    ecall
    rec
    rec_hi`).join('\n');
    const b = boot([{ name: 'a', asm: raw(`${calls}\n    park`) }]);
    expect(b.runMs(1)).toBe('idle');
    const r = b.results('a', 10);
    [5, 77, -1, 0x7fffffff, 1024].forEach((n, i) => {
      expect(r[2 * i]).toEqual([E.BAD_SYSCALL, 11, 12, 13]);
      expect(r[2 * i + 1]).toEqual([14, 15, 16, n]);
    });
    expect(b.task('a').alive).toBe(true);
  });
});

describe('INVOKE', () => {
  it('returns E_BAD_SLOT for slot 0, out-of-range and empty slots', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv 0, 0
    inv 256, 7
    inv -1, 0
    inv 200, 0
    inv 0x10002, 7
    inv 8, 0
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 6)).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT]);
  });

  it('returns results in a1-a3 and preserves a4-a7 and the saved registers', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li s0, 0x1234
    li t6, 0x5678
    li a0, SLOT_PD
    li a1, PD_CAP_INFO
    li a2, SLOT_RAM
    li a3, 99
    li a4, 44
    li a5, 55
    li a6, 66
    li a7, SYS_INVOKE
    ecall
    rec
    rec_hi
    mv a0, s0
    mv a1, t6
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 3);
    expect(r[0]).toEqual([0, 4, 7, 0]); // RAM session, all rights, badge 0
    expect(r[1]).toEqual([44, 55, 66, 0]);
    expect(r[2].slice(0, 2)).toEqual([0x1234, 0x5678]);
  });

  it('returns E_BAD_OPCODE for objects without operations and unknown opcodes', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_SIGNALS, 0
    inv SLOT_MAIN_THREAD, 0
    inv SLOT_PD, 8
    inv SLOT_PD, -1
    inv SLOT_CPU, 8, SLOT_MAIN_THREAD
    inv SLOT_RAM, 3
    inv SLOT_RM, 5
    inv SLOT_PARENT, 2
    inv SLOT_PD, 0x7fffffff
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 9)).toEqual(Array(9).fill(E.BAD_OPCODE));
  });
});

describe('WAIT and POLL', () => {
  it('POLL reports E_WOULD_BLOCK, then the imprint and the count of signals since the last delivery', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 0x77
    inv SLOT_PD, PD_SUBMIT, 8, 2
    inv SLOT_PD, PD_SUBMIT, 8, 3
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    inv SLOT_PD, PD_SUBMIT, 8, 1
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 8);
    expect(r[0][0]).toBe(E.WOULD_BLOCK);
    expect(r[1].slice(0, 2)).toEqual([0, 8]);
    expect(r[4].slice(0, 3)).toEqual([0, 0x77, 5]);
    expect(r[5][0]).toBe(E.WOULD_BLOCK);
    expect(r[7].slice(0, 3)).toEqual([0, 0x77, 1]);
  });

  it('WAIT and POLL check the slot: empty or out of range is E_BAD_SLOT, not a receiver E_BAD_ARG', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, 0
    sys SYS_WAIT
    rec
    li a0, 300
    sys SYS_POLL
    rec
    li a0, 100
    sys SYS_WAIT
    rec
    li a0, SLOT_PD
    sys SYS_WAIT
    rec
    li a0, SLOT_MAIN_THREAD
    sys SYS_POLL
    rec
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 5)).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG, E.BAD_ARG]);
  });

  it('WAIT blocks the thread (state 1, no virtual time passes) until a signal arrives', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 0xabc
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    rec
    park`) }]);
    expect(b.runMs(5)).toBe('idle');
    expect(b.thread('a').stateWord).toBe(1);
    expect(b.recCount('a')).toBe(1);
    const before = b.kernel.now();
    const cap = b.task('a').caps.get(8);
    expect(cap?.obj.type).toBe(7);
    (cap?.obj as SignalContext).submit(4);
    expect(b.runMs(10)).toBe('idle');
    expect(b.results('a', 2)[1].slice(0, 3)).toEqual([0, 0xabc, 4]);
    // From WAIT's return to park's WAIT: a handful of instructions, no idle time charged.
    expect(b.kernel.now() - before).toBeLessThan(30);
  });
});

describe('YIELD', () => {
  it('returns 0 and preserves a1-a7', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, 9
    li a1, 1
    li a2, 2
    li a3, 3
    li a4, 4
    li a5, 5
    li a6, 6
    li a7, SYS_YIELD
    ecall
    rec
    rec_hi
    park`) }]);
    b.runMs(1);
    expect(b.results('a', 2)).toEqual([[0, 1, 2, 3], [4, 5, 6, SYS_YIELD_NR]]);
  });
});
const SYS_YIELD_NR = 3;

describe('EXIT', () => {
  it('ends the component with its code, tells init, and the run ends when nobody is left', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li a0, 7
    sys SYS_EXIT
    inv SLOT_PD, PD_CAP_INFO, 2
    spin`) }]);
    expect(b.runMs(10)).toBe('exited');
    expect(b.task('a').end).toEqual({ kind: 'exit', code: 7 });
    expect(b.initTexts()).toEqual(['a exited with status 7']);
    expect(b.recCount('a')).toBe(0);
    expect(b.thread('a').stateWord).toBe(4);
  });

  it('ends every thread of the component, and only that component', () => {
    const exiter = raw(`
    inv SLOT_CPU, CPU_THREAD_CREATE, 50, 0, 0
    la t0, worker
    li t1, 0x7e000000
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    lw a2, 0(s10)
    mv a3, t0
    mv a4, t1
    li a5, 0
    sys SYS_INVOKE
    rec
    li a0, -3
    sys SYS_EXIT
worker:
    la t0, counter
1:  lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 1b`, `.data\ncounter: .word 0`).replace('    rec_init\n', '    rec_init\n    mv s10, s11\n');
    const b = boot([
      { name: 'a', asm: exiter },
      { name: 'b', asm: raw(`
    la t0, counter
1:  lw t1, 0(t0)
    addi t1, t1, 1
    sw t1, 0(t0)
    j 1b`, `.data\ncounter: .word 0`) },
    ]);
    expect(b.runMs(50)).toBe('until');
    expect(b.task('a').end).toEqual({ kind: 'exit', code: -3 });
    expect(b.initTexts()).toEqual(['a exited with status -3']);
    expect(b.task('a').threads.map((t) => t.stateWord)).toEqual([4, 4]);
    expect(b.task('b').alive).toBe(true);
    const c = b.word('b', 'counter');
    b.runMs(60);
    expect(b.word('b', 'counter')).toBeGreaterThan(c);
  });
});
