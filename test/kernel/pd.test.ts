// The PD session (slot 2): signal contexts and receivers, SUBMIT, and capability operations
// (derive with rights, revoke across derived capabilities and components, delete, info).
import { describe, expect, it } from 'vitest';
import { boot, E, raw } from './harness';

describe('CAP_INFO', () => {
  it('reports type, rights and badge of every initial slot; empty slots are E_BAD_SLOT', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_CAP_INFO, 1
    inv SLOT_PD, PD_CAP_INFO, 2
    inv SLOT_PD, PD_CAP_INFO, 3
    inv SLOT_PD, PD_CAP_INFO, 4
    inv SLOT_PD, PD_CAP_INFO, 5
    inv SLOT_PD, PD_CAP_INFO, 6
    inv SLOT_PD, PD_CAP_INFO, 7
    inv SLOT_PD, PD_CAP_INFO, 0
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 255
    inv SLOT_PD, PD_CAP_INFO, 256
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 11);
    expect(r.slice(0, 7).map((x) => x[0])).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(r.slice(0, 7).map((x) => x[1])).toEqual([1, 2, 3, 4, 5, 6, 8]);
    expect(r[1].slice(2)).toEqual([7, 0]); // all rights, badge 0
    expect(r[6][2] & 1).toBe(1); // the main thread is invokable
    expect(r.slice(7).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT]);
  });
});

describe('signal contexts and receivers', () => {
  it('ALLOC_CONTEXT checks the receiver; contexts go into the lowest free slot', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, 0, 1
    inv SLOT_PD, PD_ALLOC_CONTEXT, 99, 1
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_RAM, 1
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 2
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_DELETE, 8
    inv SLOT_PD, PD_ALLOC_RECEIVER
    inv SLOT_PD, PD_CAP_INFO, 8
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 9);
    expect(r.slice(0, 3).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG]);
    expect(r[3].slice(0, 2)).toEqual([0, 8]);
    expect(r[4].slice(0, 2)).toEqual([0, 9]);
    expect(r[5].slice(0, 2)).toEqual([0, 7]); // a signal context
    expect(r[6][0]).toBe(0);
    expect(r[7].slice(0, 2)).toEqual([0, 8]); // the freed slot is reused
    expect(r[8].slice(0, 2)).toEqual([0, 6]); // a signal receiver
  });

  it('SUBMIT needs a context and a count >= 1', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 5
    inv SLOT_PD, PD_SUBMIT, 8, 0
    inv SLOT_PD, PD_SUBMIT, 8, -1
    inv SLOT_PD, PD_SUBMIT, 0, 1
    inv SLOT_PD, PD_SUBMIT, 77, 1
    inv SLOT_PD, PD_SUBMIT, SLOT_SIGNALS, 1
    inv SLOT_PD, PD_SUBMIT, SLOT_RAM, 1
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    inv SLOT_PD, PD_SUBMIT, 8, 0x7fffffff
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 10);
    expect(r.slice(1, 7).map((x) => x[0])).toEqual([E.BAD_ARG, E.BAD_ARG, E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG, E.BAD_ARG]);
    expect(r[7][0]).toBe(E.WOULD_BLOCK); // nothing was counted by the refused submits
    expect(r[8][0]).toBe(0);
    expect(r[9].slice(0, 3)).toEqual([0, 5, 0x7fffffff]);
  });

  it('a receiver delivers its contexts in submission order, each with its own count', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_RECEIVER
    inv SLOT_PD, PD_ALLOC_CONTEXT, 8, 100
    inv SLOT_PD, PD_ALLOC_CONTEXT, 8, 200
    inv SLOT_PD, PD_ALLOC_CONTEXT, 8, 300
    inv SLOT_PD, PD_SUBMIT, 10, 1
    inv SLOT_PD, PD_SUBMIT, 9, 2
    inv SLOT_PD, PD_SUBMIT, 10, 3
    inv SLOT_PD, PD_SUBMIT, 11, 1
    li a0, 8
    sys SYS_POLL
    rec
    li a0, 8
    sys SYS_POLL
    rec
    li a0, 8
    sys SYS_POLL
    rec
    li a0, 8
    sys SYS_POLL
    rec
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 13);
    expect(r.slice(8, 11).map((x) => x.slice(0, 3))).toEqual([[0, 200, 4], [0, 100, 2], [0, 300, 1]]);
    expect(r[11][0]).toBe(E.WOULD_BLOCK);
    expect(r[12][0]).toBe(E.WOULD_BLOCK); // the default receiver saw nothing
  });

  it('FREE_CONTEXT drops its pending signals and empties the slot', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    inv SLOT_PD, PD_SUBMIT, 8, 3
    inv SLOT_PD, PD_FREE_CONTEXT, 8
    li a0, SLOT_SIGNALS
    sys SYS_POLL
    rec
    inv SLOT_PD, PD_SUBMIT, 8, 1
    inv SLOT_PD, PD_FREE_CONTEXT, 8
    inv SLOT_PD, PD_FREE_CONTEXT, SLOT_SIGNALS
    inv SLOT_PD, PD_FREE_CONTEXT, 0
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 8)).toEqual([0, 0, 0, E.WOULD_BLOCK, E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG, E.BAD_SLOT]);
  });

  it('a signal submitted through a derived context capability is delivered once to the waiter', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 42
    inv SLOT_PD, PD_CAP_DERIVE, 8, RIGHT_INVOKE
    inv SLOT_PD, PD_SUBMIT, 9, 1
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 4);
    expect(r[1].slice(0, 2)).toEqual([0, 9]);
    expect(r[2][0]).toBe(0);
    expect(r[3].slice(0, 3)).toEqual([0, 42, 1]);
  });
});

describe('capability operations', () => {
  it('CAP_DERIVE narrows rights to rights & mask and needs DELEGATE', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 3
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_DERIVE, 8, 7
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 0xff
    inv SLOT_PD, PD_CAP_INFO, 9
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 0
    inv 10, RAM_QUOTA
    inv SLOT_PD, PD_CAP_DERIVE, 0, 7
    inv SLOT_PD, PD_CAP_DERIVE, 200, 7
    inv 8, RAM_QUOTA
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 10);
    expect(r[0].slice(0, 2)).toEqual([0, 8]);
    expect(r[1].slice(0, 3)).toEqual([0, 4, 3]);
    expect(r[2][0]).toBe(E.RIGHTS); // slot 8 has no DELEGATE
    expect(r[3].slice(0, 2)).toEqual([0, 9]);
    expect(r[4].slice(0, 3)).toEqual([0, 4, 7]); // a mask cannot add rights
    expect(r[5].slice(0, 2)).toEqual([0, 10]);
    expect(r[6][0]).toBe(E.RIGHTS); // no INVOKE right
    expect(r[7][0]).toBe(E.BAD_SLOT);
    expect(r[8][0]).toBe(E.BAD_SLOT);
    expect(r[9][0]).toBe(0);
    expect(r[9][1]).toBe(1024 * 1024);
  });

  it('the main thread capability (INVOKE only) cannot be derived', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_MAIN_THREAD, 7
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 1)).toEqual([E.RIGHTS]);
  });

  it('CAP_REVOKE removes every capability derived from the slot, transitively, and keeps the slot', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 7
    inv SLOT_PD, PD_CAP_DERIVE, 8, 7
    inv SLOT_PD, PD_CAP_DERIVE, 9, 5
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RM, 7
    inv SLOT_PD, PD_CAP_REVOKE, 8
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 9
    inv SLOT_PD, PD_CAP_INFO, 10
    inv SLOT_PD, PD_CAP_INFO, 11
    inv 8, RAM_QUOTA
    inv 9, RAM_QUOTA
    inv SLOT_PD, PD_CAP_REVOKE, 0
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 7
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 13);
    expect(r.slice(0, 4).map((x) => x.slice(0, 2))).toEqual([[0, 8], [0, 9], [0, 10], [0, 11]]);
    expect(r[4][0]).toBe(0);
    expect(r[5].slice(0, 2)).toEqual([0, 4]);
    expect(r[6][0]).toBe(E.BAD_SLOT);
    expect(r[7][0]).toBe(E.BAD_SLOT);
    expect(r[8].slice(0, 2)).toEqual([0, 5]); // derived from another capability: untouched
    expect(r[9][0]).toBe(0);
    expect(r[10][0]).toBe(E.BAD_SLOT);
    expect(r[11][0]).toBe(E.BAD_SLOT);
    expect(r[12].slice(0, 2)).toEqual([0, 9]); // the lowest free slot again
  });

  it('CAP_REVOKE reaches capabilities derived into another component', () => {
    const b = boot([
      { name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    rec
    inv SLOT_PD, PD_CAP_REVOKE, 8
    park`) },
      { name: 'b', asm: raw('    park') },
    ]);
    b.runMs(1);
    // Hand a derived capability of a's context to b (as a parent would), then let a revoke.
    const from = b.task('a').caps.get(8);
    expect(from).toBeDefined();
    if (from === undefined) return;
    const slot = b.task('b').caps.derive(from, 7);
    expect(slot).toBeGreaterThan(7);
    expect(b.task('b').caps.get(slot)?.obj).toBe(from.obj);
    const ctx = b.task('a').caps.get(8)?.obj;
    expect(ctx?.type).toBe(7);
    // wake a through the context so that it revokes
    b.signal('a', 8);
    b.runMs(2);
    expect(b.results('a', 3)[2][0]).toBe(0);
    expect(b.task('b').caps.get(slot)).toBeUndefined();
    expect(b.task('a').caps.get(8)).toBeDefined();
  });

  it('CAP_DELETE empties the slot; later uses are E_BAD_SLOT', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 7
    inv SLOT_PD, PD_CAP_DELETE, 8
    inv 8, RAM_QUOTA
    inv SLOT_PD, PD_CAP_DELETE, 8
    inv SLOT_PD, PD_CAP_DELETE, 0
    inv SLOT_PD, PD_CAP_DELETE, 256
    inv SLOT_PD, PD_CAP_DELETE, SLOT_RAM
    inv SLOT_RAM, RAM_QUOTA
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 8)).toEqual([0, 0, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, E.BAD_SLOT, 0, E.BAD_SLOT]);
  });

  it('a full capability table gives E_QUOTA, and freeing a slot makes room again', () => {
    const b = boot([{ name: 'a', asm: raw(`
    li s1, 0
1:  li a0, SLOT_PD
    li a1, PD_ALLOC_RECEIVER
    sys SYS_INVOKE
    bnez a0, 2f
    mv s2, a1
    addi s1, s1, 1
    j 1b
2:  rec
    mv a0, s1
    mv a1, s2
    rec
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    inv SLOT_PD, PD_CAP_DERIVE, SLOT_RAM, 7
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_PD, PD_CAP_DELETE, 100
    inv SLOT_PD, PD_ALLOC_RECEIVER
    park`) }]);
    expect(b.runMs(10)).toBe('idle');
    const r = b.results('a', 7);
    expect(r[0][0]).toBe(E.QUOTA);
    expect(r[1].slice(0, 2)).toEqual([248, 255]); // slots 8..255
    expect(r[2][0]).toBe(E.QUOTA);
    expect(r[3][0]).toBe(E.QUOTA);
    expect(r[4][0]).toBe(E.QUOTA);
    expect(r[5][0]).toBe(0);
    expect(r[6].slice(0, 2)).toEqual([0, 100]);
    expect(b.task('a').alive).toBe(true);
  });
});
