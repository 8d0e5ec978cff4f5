// The parent interface (slot 1): SESSION and CLOSE with their errors; the LOG session.
import { describe, expect, it } from 'vitest';
import { boot, E, raw } from './harness';

/** SESSION(name symbol, name length, args symbol, args length), rec. */
const session = (name: string, nlen: number | string, args = 'empty', alen: number | string = 0) => `
    li a0, SLOT_PARENT
    li a1, PARENT_SESSION
    la a2, ${name}
    li a3, ${nlen}
    la a4, ${args}
    li a5, ${alen}
    sys SYS_INVOKE
    rec`;
const STRINGS = `.section .rodata
log: .ascii "LOG"
timer: .ascii "Timer"
rm: .ascii "RM"
nope: .ascii "Nope"
empty: .ascii ""
i10: .ascii "irq=10"
.data
text: .ascii "one\\ntwo\\n\\nfour\\n"
.balign 4
buf: .space 64
`;

describe('parent: SESSION and CLOSE', () => {
  it('opens routed core services and refuses the rest', () => {
    const b = boot([
      { name: 'a', asm: raw(`${session('log', 3)}${session('timer', 5)}${session('rm', 2)}${session('nope', 4)}${session('log', 2)}
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 9
    inv SLOT_PD, PD_CAP_INFO, 10
    park`, STRINGS) },
      { name: 'b', routes: { Timer: 'core' }, asm: raw(`${session('log', 3)}${session('timer', 5)}
    park`, STRINGS) },
    ]);
    b.runMs(1);
    const r = b.results('a', 8);
    expect(r.slice(0, 3).map((x) => x.slice(0, 2))).toEqual([[0, 8], [0, 9], [0, 10]]);
    expect(r[3][0]).toBe(E.DENIED);
    expect(r[4][0]).toBe(E.DENIED); // "LO"
    expect(r.slice(5).map((x) => x.slice(0, 3))).toEqual([[0, 10, 7], [0, 11, 7], [0, 13, 7]]);
    expect(b.statuses('b', 2)).toEqual([E.DENIED, 0]);
  });

  it('checks lengths and pointers', () => {
    const b = boot([{ name: 'a', asm: raw(`${session('log', 65)}${session('log', -1)}${session('log', 3, 'empty', 1025)}${session('log', 3, 'empty', -5)}
    inv SLOT_PARENT, PARENT_SESSION, 0, 3, 0, 0
    inv SLOT_PARENT, PARENT_SESSION, 0x7ffffffe, 3, 0, 0
    inv SLOT_PARENT, PARENT_SESSION, 0x10000, 3, 0x90000000, 4
    inv SLOT_PARENT, 2
    park`, STRINGS) }]);
    b.runMs(1);
    expect(b.statuses('a', 8)).toEqual([E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.FAULT, E.FAULT, E.FAULT, E.BAD_OPCODE]);
  });

  it('CLOSE empties the slot and releases the session: a closed timer signals no more, a closed IRQ can be taken again', () => {
    const b = boot([{ name: 'a', asm: raw(`${session('timer', 5)}
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    inv 8, TIMER_SIGH, 9
    inv 8, TIMER_TRIGGER_PERIODIC, 100
    inv SLOT_PARENT, PARENT_CLOSE, 8
    inv 8, TIMER_ELAPSED_US
    inv SLOT_PARENT, PARENT_CLOSE, 8
    inv SLOT_PARENT, PARENT_CLOSE, 0
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    rec
    park`, STRINGS) }]);
    expect(b.runMs(5)).toBe('idle');
    const r = b.results('a', 8);
    expect(r.slice(0, 5).map((x) => x[0])).toEqual([0, 0, 0, 0, 0]);
    expect(r.slice(5, 8).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT]);
    expect(b.recCount('a')).toBe(8); // the WAIT never returned

    const irq = boot([{ name: 'a', asm: raw(`${session('irq', 3, 'i10', 6)}${session('irq', 3, 'i10', 6)}
    inv SLOT_PARENT, PARENT_CLOSE, 8
${session('irq', 3, 'i10', 6)}
    park`, `${STRINGS}irq: .ascii "IRQ"\n`) }]);
    irq.runMs(1);
    const q = irq.results('a', 4);
    expect(q[0].slice(0, 2)).toEqual([0, 8]);
    expect(q[1][0]).toBe(E.DENIED);
    expect(q[2][0]).toBe(0);
    expect(q[3].slice(0, 2)).toEqual([0, 8]);
  });
});

describe('LOG session', () => {
  it('writes lines labelled with the component; splits at newlines, drops one trailing newline', () => {
    const b = boot([{ name: 'writer', asm: raw(`${session('log', 3)}
    li a0, 8
    li a1, LOG_WRITE
    la a2, text
    li a3, 14
    sys SYS_INVOKE
    rec
    li a0, 8
    li a1, LOG_WRITE
    la a2, text
    li a3, 3
    sys SYS_INVOKE
    rec
    inv 8, LOG_WRITE, 0, 0
    inv 8, LOG_WRITE, 0, 1
    li a0, 8
    li a1, LOG_WRITE
    la a2, text
    li a3, 4097
    sys SYS_INVOKE
    rec
    inv 8, LOG_WRITE, 0x7eff0000 - 8, 0x20
    inv 8, LOG_WRITE, 0x10000, -1
    inv 8, 1
    park`, STRINGS) }]);
    b.runMs(1);
    expect(b.statuses('writer', 9)).toEqual([0, 0, 0, 0, E.FAULT, E.BAD_ARG, E.FAULT, E.BAD_ARG, E.BAD_OPCODE]);
    expect(b.log.map((l) => `[${l.label}] ${l.text}`)).toEqual([
      '[init -> writer] one', '[init -> writer] two', '[init -> writer] ', '[init -> writer] four',
      '[init -> writer] one', '[init -> writer] ',
    ]);
  });
});
