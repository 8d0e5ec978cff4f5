// Region maps: ATTACH at chosen and any addresses with every error, DETACH unmapping (in every
// task that maps the region, TLB included), read-only and executable attachments, and managed
// dataspaces: a fault where nothing is attached blocks the thread and signals the handler,
// FAULT_STATE says what and where, and an attach by the handler resumes the faulting thread.
import { describe, expect, it } from 'vitest';
import { boot, E, raw } from './harness';

describe('ATTACH and DETACH', () => {
  it('attach at chosen and any addresses, with errors for conflicts, alignment and ranges', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 4096, 4096, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x1ffff000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x20000800, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 0x800, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 0, 0x1800, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 4096, 8192, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 8192, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x7ffff000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x80000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x7eff0000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x10000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 0, 0x30000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, SLOT_PD, 0x30000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_DETACH, 0x30000000
    inv SLOT_RM, RM_DETACH, 0x10001fff
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 4096, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
    inv SLOT_RM, RM_DETACH, 0x10000000
    inv SLOT_RM, RM_DETACH, 0x10000000
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 23);
    expect(r.slice(1, 4).map((x) => x.slice(0, 2))).toEqual([[0, 0x10000000], [0, 0x10002000], [0, 0x20000000]]);
    expect(r.slice(4, 17).map((x) => x[0])).toEqual([
      E.REGION_CONFLICT, E.REGION_CONFLICT, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG,
      E.REGION_CONFLICT, E.REGION_CONFLICT, E.REGION_CONFLICT, E.REGION_CONFLICT, E.BAD_SLOT, E.BAD_ARG,
    ]);
    expect(r[17][0]).toBe(E.NOT_FOUND);
    expect(r[18][0]).toBe(0); // any address inside the region detaches it
    expect(r[19].slice(0, 2)).toEqual([0, 0x10000000]); // lowest fit again
    expect(r[20].slice(0, 2)).toEqual([0, 0x10004000]); // 8 KiB do not fit the 4 KiB gap
    expect(r[21][0]).toBe(0);
    expect(r[22][0]).toBe(E.NOT_FOUND);
  });

  it('one dataspace attached twice shows the same memory at both addresses, from the offset', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 8, 0x10000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 4096, 0, RM_WRITE
    li t0, 0x10001000
    li t1, 0xcafe
    sw t1, 8(t0)
    li t0, 0x20000000
    lw a0, 8(t0)
    li t1, 0xbeef
    sw t1, 12(t0)
    li t0, 0x10001000
    lw a1, 12(t0)
    rec
    park`) }]);
    b.runMs(1);
    expect(b.results('a', 4)[3].slice(0, 2)).toEqual([0xcafe, 0xbeef]);
  });

  it('DETACH unmaps: the next access faults again and sees what is attached now, not the old page', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RM, RM_ATTACH, 9, 0x20000000, 0, 0, RM_WRITE
    li t0, 0x20000000
    li t1, 0x11
    sw t1, 0(t0)
    lw a0, 0(t0)
    rec
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    li t0, 0x20000000
    lw a0, 4(t0)
    rec
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    inv SLOT_RM, RM_DETACH, 0x20000000
    inv SLOT_RM, RM_ATTACH, 10, 0x20000000, 0, 0, RM_WRITE
    li t0, 0x20000000
    lw a0, 0(t0)
    rec
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    li t0, 0x20000000
    lw a0, 8(t0)
    rec
    inv SLOT_RM, RM_DETACH, 0x20000000
    inv SLOT_RM, RM_ATTACH, 9, 0x20000000, 0, 0, 0
    li t0, 0x20000000
    lw a0, 0(t0)
    rec
    park`) }]);
    const faults = () => b.task('a').stats.pageFaults;
    b.runMs(1);
    const f1 = faults();
    expect(b.results('a', 5)[4][0]).toBe(0x11);
    b.signal('a', 8);
    b.runMs(2);
    expect(faults()).toBe(f1); // mapped: no fault
    b.signal('a', 8);
    b.runMs(3);
    expect(faults()).toBe(f1 + 1); // detached: faults again
    expect(b.results('a', 9)[8][0]).toBe(0); // the new dataspace, not the stale page
    b.signal('a', 8);
    b.runMs(4);
    expect(faults()).toBe(f1 + 2);
    const r = b.results('a', 13);
    expect(r[9][0]).toBe(0);
    expect(r[12][0]).toBe(0x11); // the first dataspace again, read-only now
    expect(b.task('a').alive).toBe(true);
  });

  it('DETACH of a region of a managed dataspace unmaps it in every task that maps it', () => {
    const b = boot([
      { name: 'a', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
    li a0, SLOT_PARENT
    li a1, PARENT_SESSION
    la a2, n_rm
    li a3, 2
    li a4, 0
    li a5, 0
    sys SYS_INVOKE
    rec
    inv 9, RM_SESSION_CREATE, 0x10000
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv 10, RM_ATTACH, 11, 0x2000, 0, 0, RM_WRITE
    inv 10, RM_DATASPACE
    inv SLOT_RM, RM_ATTACH, 12, 0x40000000, 0, 0, RM_WRITE
    li t0, 0x40002000
    li t1, 42
    sw t1, 0(t0)
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
    inv 10, RM_DETACH, 0x2000
    li t0, 0x40002000
    lw a0, 0(t0)
    rec
    park`, '.section .rodata\nn_rm: .ascii "RM"') },
      { name: 'b', asm: raw(`
    inv SLOT_PD, PD_ALLOC_CONTEXT, SLOT_SIGNALS, 1
1:  li a0, SLOT_SIGNALS
    sys SYS_WAIT
    li t0, 0x40002000
    lw a0, 0(t0)
    rec
    j 1b`) },
    ]);
    b.runMs(1);
    const r = b.results('a', 7);
    expect(r.map((x) => x[0])).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(r[6][1]).toBe(0x40000000);
    // a parent shows a's region map to b as well (shared memory)
    const rm = b.task('a').caps.get(10)?.obj;
    expect(rm?.type).toBe(5);
    const shared = b.task('b').as.attach({ target: rm as never, addr: 0x40000000, offset: 0, size: 0, writable: true, executable: false });
    expect(shared.ok).toBe(true);
    b.signal('b', 8);
    b.runMs(2);
    expect(b.results('b', 2)[1][0]).toBe(42);
    b.signal('a', 8);
    b.runMs(3);
    expect(b.results('a', 9)[8][0]).toBe(0);
    // a had no fault handler on the region map: its read of the hole ended it
    expect(b.task('a').end?.kind).toBe('fault');
    b.signal('b', 8);
    b.runMs(4);
    expect(b.recCount('b')).toBe(2); // no stale read of 42 through b's page table or the TLB
    expect(b.task('b').end?.kind).toBe('fault');
    // a's fault line and its register dump (5 lines), then b's fault
    expect(b.initTexts()[0]).toMatch(/^a faulted: /);
    expect(b.initTexts()[6]).toMatch(/^b faulted: read fault at 0x40002000 in a managed dataspace without fault handler/);
  });

  it('a dataspace capability without WRITE attaches read-only whatever the flags say', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 0, 0, RM_WRITE
    li t0, 0x20000000
    li t1, 77
    sw t1, 0(t0)
    inv SLOT_PD, PD_CAP_DERIVE, 8, 5
    inv SLOT_RM, RM_ATTACH, 9, 0x30000000, 0, 0, RM_WRITE
    li t0, 0x30000000
    lw a0, 0(t0)
    rec
    li t1, 78
    sw t1, 0(t0)
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 6);
    expect(r[4][0]).toBe(77);
    expect(b.recCount('a')).toBe(5);
    expect(b.task('a').end?.kind).toBe('fault');
    expect(b.initTexts()[0]).toMatch(/^a faulted: unresolvable write page fault at 0x30000000/);
  });

  it('code runs only from executable attachments', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 0, 0, RM_WRITE
    inv SLOT_RM, RM_ATTACH, 8, 0x30000000, 0, 0, RM_EXEC
    li t0, 0x20000000
    li t1, 0x02a00513
    sw t1, 0(t0)
    li t1, 0x00008067
    sw t1, 4(t0)
    li t0, 0x30000000
    jalr t0
    rec
    li t0, 0x20000000
    jalr t0
    rec
    park`) }]);
    b.runMs(1);
    expect(b.results('a', 4)[3][0]).toBe(42);
    expect(b.recCount('a')).toBe(4);
    expect(b.initTexts()[0]).toMatch(/^a faulted: unresolvable execute page fault at 0x20000000/);
  });
});

/**
 * A managed-dataspace program. Slots: 8 RM session, 9 region map (64 KiB) attached at 0x4000_0000
 * through 10 (its dataspace), 11 a RAM dataspace, 12 a receiver, 13 a context on it (imprint
 * 0xfa), the fault handler of 9 unless `handler` is false; 14 the worker's stack, 15 the worker
 * thread (same priority as main), started at `worker`. Then `main` runs (WAIT on 12 to hear of
 * faults). Worker code stores through `wdata`.
 */
function managed(main: string, worker: string, handler = true): string {
  return raw(`
    li a0, SLOT_PARENT
    li a1, PARENT_SESSION
    la a2, n_rm
    li a3, 2
    li a4, 0
    li a5, 0
    sys SYS_INVOKE
    rec
    inv 8, RM_SESSION_CREATE, 0x10000
    inv 9, RM_DATASPACE
    inv SLOT_RM, RM_ATTACH, 10, 0x40000000, 0, 0, RM_WRITE
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_PD, PD_ALLOC_RECEIVER
    inv SLOT_PD, PD_ALLOC_CONTEXT, 12, 0xfa
    ${handler ? 'inv 9, RM_FAULT_HANDLER, 13' : 'inv SLOT_PD, PD_CAP_INFO, 13'}
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 14, 0x30000000, 0, 0, RM_WRITE
    inv SLOT_CPU, CPU_THREAD_CREATE, 100, 0, 0
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    li a2, 15
    la a3, worker
    li a4, 0x30002000
    li a5, 0
    sys SYS_INVOKE
    rec
${main}
    park
worker:
    la s0, wdata
${worker}
    li a0, SLOT_PD
    li a1, PD_ALLOC_RECEIVER
    sys SYS_INVOKE
    mv s1, a1
1:  mv a0, s1
    sys SYS_WAIT
    j 1b
`, `.section .rodata
n_rm: .ascii "RM"
.data
.balign 4
wdata: .space 64
buf: .space 132
`);
}
const SETUP_RECS = 12;

/** THREAD_STATE_GET of the worker into buf, rec. */
const WORKER_STATE = `
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 15
    la a3, buf
    sys SYS_INVOKE
    rec`;

describe('managed dataspaces', () => {
  it('a fault in a hole blocks the thread and signals the handler; FAULT_STATE reports it; an attach resumes the thread', () => {
    const b = boot([{ name: 'a', asm: managed(`
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE
${WORKER_STATE}
    la t0, wdata
    lw a0, 0(t0)
    rec
    inv SLOT_RM, RM_ATTACH, 11, 0x50000000, 0, 0, RM_WRITE
    li t0, 0x50000000
    li t1, 0x1234
    sw t1, 0x10(t0)
    inv 9, RM_ATTACH, 11, 0x3000, 0, 0, RM_WRITE
    sys SYS_YIELD
    inv 9, RM_FAULT_STATE
    la t0, wdata
    lw a0, 0(t0)
    lw a1, 4(t0)
    rec
    li t0, 0x50000000
    lw a0, 0x14(t0)
    rec`, `
    li t0, 0x40003010
    lw t1, 0(t0)
    sw t1, 4(s0)
    li t1, 1
    sw t1, 0(s0)
    li t1, 0x77
    sw t1, 4(t0)`) }]);
    b.runMs(2);
    const r = b.results('a', SETUP_RECS + 10);
    expect(r.slice(0, SETUP_RECS).every((x) => x[0] === 0)).toBe(true);
    const m = r.slice(SETUP_RECS);
    expect(m[0].slice(0, 3)).toEqual([0, 0xfa, 1]); // the handler's signal
    expect(m[1].slice(0, 3)).toEqual([0, 1, 0x3010]); // read fault at 0x3010 of the region map
    expect(m[2][0]).toBe(0);
    expect(b.words('a', 'buf', 33)[32]).toBe(2); // blocked in a page fault
    expect(m[3][0]).toBe(0); // the worker did not get past its load
    expect(m[5].slice(0, 2)).toEqual([0, 0x3000]);
    expect(m[6].slice(0, 2)).toEqual([0, 0]); // no fault pending any more
    expect(m[7].slice(0, 2)).toEqual([1, 0x1234]); // the worker resumed and read the attached page
    expect(m[8][0]).toBe(0x77); // and wrote it
    expect(b.thread('a', 1).stateWord).toBe(1);
    expect(b.task('a').alive).toBe(true);
  });

  it('write and execute faults are reported with their type', () => {
    const b = boot([
      { name: 'w', asm: managed(`
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE`, `
    li t0, 0x4000a008
    sw zero, 0(t0)`) },
      { name: 'x', asm: managed(`
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE`, `
    li t0, 0x4000c000
    jalr t0`) },
    ]);
    b.runMs(2);
    expect(b.results('w', SETUP_RECS + 2)[SETUP_RECS + 1].slice(0, 3)).toEqual([0, 2, 0xa008]);
    expect(b.results('x', SETUP_RECS + 2)[SETUP_RECS + 1].slice(0, 3)).toEqual([0, 3, 0xc000]);
    expect(b.thread('w', 1).stateWord).toBe(2);
    expect(b.thread('x', 1).stateWord).toBe(2);
  });

  it('a write to a read-only region inside a managed dataspace goes to the handler as a write fault', () => {
    const b = boot([{ name: 'a', asm: managed(`
    inv SLOT_PD, PD_CAP_DERIVE, 11, 5
    inv 9, RM_ATTACH, 16, 0x1000, 0, 0, RM_WRITE
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE
${WORKER_STATE}`, `
    li t0, 0x40001000
    lw t1, 0(t0)
    li t1, 1
    sw t1, 0(s0)
    li t1, 5
    sw t1, 4(t0)`) }]);
    b.runMs(2);
    const m = b.results('a', SETUP_RECS + 5).slice(SETUP_RECS);
    expect(m[0].slice(0, 2)).toEqual([0, 16]);
    expect(m[1].slice(0, 2)).toEqual([0, 0x1000]);
    expect(m[3].slice(0, 3)).toEqual([0, 2, 0x1004]);
    expect(b.word('a', 'wdata')).toBe(1); // the read went through
    expect(b.words('a', 'buf', 33)[32]).toBe(2);
  });

  it('without a fault handler, a fault in a managed hole faults the component', () => {
    const b = boot([
      { name: 'a', asm: managed('', `
    li t0, 0x40000000
    lw t1, 0(t0)`, false) },
      { name: 'b', asm: raw('    park') },
    ]);
    b.runMs(2);
    expect(b.task('a').end?.kind).toBe('fault');
    expect(b.initTexts()).toEqual([
      expect.stringMatching(/^a faulted: read fault at 0x40000000 in a managed dataspace without fault handler/),
      // the faulting thread is one the test created without a name: init calls it by its index
      expect.stringMatching(/^a: thread #1 pc 0x[0-9a-f]{8} cause 13 \(load page fault\) tval 0x40000000$/),
      expect.stringMatching(/^a: zero=0x00000000 ra=.* t0=0x40000000 /), // the lw's base register
      expect.stringMatching(/^a: s0=/), expect.stringMatching(/^a: a6=/), expect.stringMatching(/^a: s8=/),
    ]);
    expect(b.task('b').alive).toBe(true);
  });

  it('detaching inside the managed dataspace makes the next access fault to the handler again', () => {
    const b = boot([{ name: 'a', asm: managed(`
    inv 9, RM_ATTACH, 11, 0x2000, 0, 0, RM_WRITE
    sys SYS_YIELD
    inv 9, RM_DETACH, 0x2000
    inv SLOT_PD, PD_SUBMIT, 17, 1
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE
    inv 9, RM_ATTACH, 11, 0x2000, 0, 0, RM_WRITE
    sys SYS_YIELD`, `
    inv_w SLOT_PD, PD_ALLOC_RECEIVER
    mv s2, a1
    li a0, SLOT_PD
    li a1, PD_ALLOC_CONTEXT
    mv a2, s2
    li a3, 3
    sys SYS_INVOKE
    li t0, 0x40002000
    li t1, 5
    sw t1, 0(t0)
    mv a0, s2
    sys SYS_WAIT
    li t0, 0x40002000
    lw t1, 0(t0)
    sw t1, 8(s0)
    li t1, 6
    sw t1, 4(t0)`).replace('.include "t/rec.s"', '.include "t/rec.s"\n.macro inv_w slot, op\n    li a0, \\slot\n    li a1, \\op\n    li a7, SYS_INVOKE\n    ecall\n.endm') }]);
    // Worker: allocs receiver 16 and context 17, writes (page attached by main first), waits on
    // 16; main detaches, wakes it through 17: the worker's next read faults to the handler.
    b.runMs(2);
    const m = b.results('a', SETUP_RECS + 7).slice(SETUP_RECS);
    expect(m[0].slice(0, 2)).toEqual([0, 0x2000]);
    expect(m[1][0]).toBe(0);
    expect(m[2][0]).toBe(0);
    expect(m[3].slice(0, 3)).toEqual([0, 0xfa, 1]);
    expect(m[4].slice(0, 3)).toEqual([0, 1, 0x2000]);
    expect(m[5].slice(0, 2)).toEqual([0, 0x2000]);
    expect(b.word('a', b.sym('a', 'wdata') + 8)).toBe(5); // the same dataspace, attached again
    expect(b.word('a', 0x40002004)).toBe(6);
  });

  it('nested managed dataspaces: the innermost region map\'s handler gets the fault', () => {
    const b = boot([{ name: 'a', asm: managed(`
    inv 8, RM_SESSION_CREATE, 0x4000
    inv 16, RM_DATASPACE
    inv 9, RM_ATTACH, 17, 0x8000, 0, 0, RM_WRITE
    inv SLOT_PD, PD_ALLOC_CONTEXT, 12, 0xfb
    inv 16, RM_FAULT_HANDLER, 18
    inv 9, RM_ATTACH, 17, 0x9000, 0, 0, RM_WRITE
    inv 16, RM_ATTACH, 9, 0, 0, 0, RM_WRITE
    inv 16, RM_ATTACH, 17, 0, 0, 0, RM_WRITE
    sys SYS_YIELD
    li a0, 12
    sys SYS_WAIT
    rec
    inv 16, RM_FAULT_STATE
    inv 9, RM_FAULT_STATE
    inv 16, RM_ATTACH, 11, 0x1000, 0, 0, RM_WRITE
    sys SYS_YIELD
    li a0, 12
    sys SYS_WAIT
    rec
    inv 9, RM_FAULT_STATE
    inv 16, RM_FAULT_STATE`, `
    li t0, 0x40009010
    li t1, 0x99
    sw t1, 0(t0)
    li t0, 0x40000010
    lw t1, 0(t0)`) }]);
    b.runMs(2);
    const m = b.results('a', SETUP_RECS + 16).slice(SETUP_RECS);
    expect(m.slice(0, 5).map((x) => x[0])).toEqual([0, 0, 0, 0, 0]);
    expect(m[5][0]).toBe(E.REGION_CONFLICT); // 0x9000 lies in the inner map's region
    expect(m[6][0]).toBe(E.BAD_ARG); // attaching the outer map into the inner: a loop
    expect(m[7][0]).toBe(E.BAD_ARG); // a map inside itself
    expect(m[8].slice(0, 3)).toEqual([0, 0xfb, 1]); // inner handler
    expect(m[9].slice(0, 3)).toEqual([0, 2, 0x1010]); // inner map: write at 0x1010
    expect(m[10].slice(0, 3)).toEqual([0, 0, 0]); // outer map: nothing
    expect(m[11][0]).toBe(0);
    expect(m[12].slice(0, 3)).toEqual([0, 0xfa, 1]); // then the outer handler: read at 0x10
    expect(m[13].slice(0, 3)).toEqual([0, 1, 0x10]);
    expect(m[14].slice(0, 2)).toEqual([0, 0]); // resolved: no fault pending in the inner map
    expect(b.word('a', 0x40009010)).toBe(0x99);
    expect(b.thread('a', 1).stateWord).toBe(2);
  });

  it('FAULT_HANDLER, DATASPACE and RM sessions check their arguments', () => {
    const b = boot([{ name: 'a', asm: managed(`
    inv 9, RM_FAULT_HANDLER, 0
    inv 9, RM_FAULT_HANDLER, SLOT_RAM
    inv 9, RM_FAULT_STATE
    inv 10, DS_SIZE
    inv 9, 5
    inv 10, 1
    inv 8, RM_SESSION_CREATE, 0
    inv 8, RM_SESSION_CREATE, 0x1001
    inv 8, RM_SESSION_CREATE, 0x40001000
    inv 8, 1
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 9
    inv SLOT_PD, PD_CAP_INFO, 10
    inv SLOT_PD, PD_CAP_DERIVE, 10, 5
    inv SLOT_RM, RM_ATTACH, 16, 0x48000000, 0, 0, RM_WRITE`, '') }]);
    b.runMs(2);
    const m = b.results('a', SETUP_RECS + 15).slice(SETUP_RECS);
    expect(m.slice(0, 2).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_ARG]);
    expect(m[2].slice(0, 3)).toEqual([0, 0, 0]);
    expect(m[3].slice(0, 2)).toEqual([0, 0x10000]);
    expect(m.slice(4, 10).map((x) => x[0])).toEqual([E.BAD_OPCODE, E.BAD_OPCODE, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_OPCODE]);
    expect(m.slice(10, 13).map((x) => x.slice(0, 2))).toEqual([[0, 13], [0, 5], [0, 9]]);
    expect(m[13].slice(0, 2)).toEqual([0, 16]);
    expect(m[14].slice(0, 2)).toEqual([0, 0x48000000]);
  });
});
