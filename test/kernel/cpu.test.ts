// The CPU session (slot 3): thread create/start/pause/resume, state get/set, single step, kill,
// and priorities of created threads.
import { describe, expect, it } from 'vitest';
import { boot, E, raw, withRt } from './harness';

/** Allocates an 8 KiB stack (slot 8, at 0x1000_0000) and creates thread "worker" (slot 9). */
const STACK_AND_THREAD = (prio = 50) => `
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
    li a0, SLOT_CPU
    li a1, CPU_THREAD_CREATE
    li a2, ${prio}
    la a3, tname
    li a4, 6
    sys SYS_INVOKE
    rec`;

/** THREAD_START(slot 9, ip=label, sp=top of the stack, a0=arg). */
const START = (label: string, arg = 0x55) => `
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    li a2, 9
    la a3, ${label}
    li a4, 0x10002000
    li a5, ${arg}
    sys SYS_INVOKE
    rec`;

const WORKER = `
worker:
    la t0, wdata
    sw a0, 0(t0)
    sw sp, 4(t0)
    sw tp, 8(t0)
1:  lw t1, 12(t0)
    addi t1, t1, 1
    sw t1, 12(t0)
    j 1b
worker2:
    la t0, wdata
    sw a0, 16(t0)
    sw a5, 20(t0)
2:  j 2b
`;
const DATA = `.section .rodata\ntname: .ascii "worker"\n.data\n.balign 4\nwdata: .space 64\nbuf: .space 256\n`;

describe('THREAD_CREATE', () => {
  it('checks priority, name length and name pointer', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_CPU, CPU_THREAD_CREATE, 256, 0, 0
    inv SLOT_CPU, CPU_THREAD_CREATE, -1, 0, 0
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0x10000, 65
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0x10000, -1
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0, 4
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0x7ffffffc, 8
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0x90000000, 4
    inv SLOT_CPU, CPU_THREAD_CREATE, 10, 0, 0
    inv SLOT_PD, PD_CAP_INFO, 8
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 9);
    expect(r.slice(0, 7).map((x) => x[0])).toEqual([E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.FAULT, E.FAULT, E.FAULT]);
    expect(r[7].slice(0, 2)).toEqual([0, 8]);
    expect(r[8].slice(0, 2)).toEqual([0, 8]); // a thread
    expect(b.task('a').threads).toHaveLength(2);
    expect(b.thread('a', 1).name).toBe('');
    expect(b.thread('a', 1).stateWord).toBe(3); // not started: paused
  });

  it('names the thread and caps its priority at the component\'s', () => {
    const b = boot([{ name: 'a', priority: 100, asm: raw(`
    li a0, SLOT_CPU
    li a1, CPU_THREAD_CREATE
    li a2, 200
    la a3, tname
    li a4, 6
    sys SYS_INVOKE
    rec
    li a0, SLOT_CPU
    li a1, CPU_THREAD_CREATE
    li a2, 7
    la a3, tname
    li a4, 3
    sys SYS_INVOKE
    rec
    park`, DATA) }]);
    b.runMs(1);
    expect(b.statuses('a', 2)).toEqual([0, 0]);
    expect(b.thread('a', 1).name).toBe('worker');
    expect(b.thread('a', 1).priority).toBeLessThanOrEqual(100);
    expect(b.thread('a', 2).name).toBe('wor');
    expect(b.thread('a', 2).priority).toBe(7);
  });

  it('gives E_QUOTA when the RAM quota has no room for the UTCB', () => {
    const b = boot([{ name: 'a', ram: '100K', asm: raw(`
    li s1, 0
1:  li a0, SLOT_CPU
    li a1, CPU_THREAD_CREATE
    li a2, 1
    li a3, 0
    li a4, 0
    sys SYS_INVOKE
    bnez a0, 2f
    addi s1, s1, 1
    j 1b
2:  mv a1, s1
    rec
    park`) }]);
    b.runMs(5);
    const [status, created] = b.results('a', 1)[0];
    expect(status).toBe(E.QUOTA);
    const t = b.task('a');
    expect(created).toBeGreaterThan(0);
    expect(t.ramCharged).toBeLessThanOrEqual(t.ramQuota);
    expect(t.ramQuota - t.ramCharged).toBeLessThan(4096);
  });
});

describe('opcodes', () => {
  it('CPU session: an unknown opcode is E_BAD_OPCODE whatever the arguments', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_CPU, 8, 0
    inv SLOT_CPU, 8, SLOT_PD
    inv SLOT_CPU, -1, 0
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 3)).toEqual([E.BAD_OPCODE, E.BAD_OPCODE, E.BAD_OPCODE]);
  });
});

describe('THREAD_START', () => {
  it('starts at ip with sp, a0 and tp at the thread\'s UTCB', () => {
    const b = boot([{ name: 'a', asm: raw(`${STACK_AND_THREAD()}${START('worker')}
    park
${WORKER}`, DATA) }]);
    b.runMs(2);
    expect(b.statuses('a', 4)).toEqual([0, 0, 0, 0]);
    expect(b.results('a', 4)[1][1]).toBe(0x1000_0000);
    const w = b.words('a', 'wdata', 4);
    expect(w.slice(0, 3)).toEqual([0x55, 0x10002000, 0x7f001000]);
    expect(w[3]).toBeGreaterThan(1000);
  });

  it('refuses empty slots and non-threads', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_CPU, CPU_THREAD_START, 0, 0x10000, 0, 0
    inv SLOT_CPU, CPU_THREAD_START, 99, 0x10000, 0, 0
    inv SLOT_CPU, CPU_THREAD_START, SLOT_RAM, 0x10000, 0, 0
    inv SLOT_CPU, CPU_THREAD_PAUSE, SLOT_PD
    inv SLOT_CPU, CPU_THREAD_RESUME, 0
    inv SLOT_CPU, CPU_THREAD_KILL, SLOT_SIGNALS
    inv SLOT_CPU, CPU_THREAD_SINGLE_STEP, 300, 1
    inv SLOT_CPU, 8, SLOT_MAIN_THREAD
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 8)).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG, E.BAD_ARG, E.BAD_SLOT, E.BAD_ARG, E.BAD_SLOT, E.BAD_OPCODE]);
  });

  it('a thread started at a wild ip faults the component, and only it', () => {
    const b = boot([
      { name: 'a', asm: raw(`${STACK_AND_THREAD()}
    li a0, SLOT_CPU
    li a1, CPU_THREAD_START
    li a2, 9
    li a3, 0x00000004
    li a4, 0x10002000
    li a5, 0
    sys SYS_INVOKE
    rec
    park`, DATA) },
      { name: 'b', asm: raw('    park') },
    ]);
    b.runMs(2);
    expect(b.task('a').end?.kind).toBe('fault');
    expect(b.initTexts()[0]).toMatch(/^a faulted: .*execute.*0x00000004/);
    expect(b.task('b').alive).toBe(true);
  });
});

describe('pause, resume and state', () => {
  const program = withRt(`
${STACK_AND_THREAD()}
    call sleep_init${START('worker')}
    li a0, 1000
    call sleep_us
    inv SLOT_CPU, CPU_THREAD_PAUSE, 9
    la t0, wdata
    lw a0, 12(t0)
    rec
    li a0, 1000
    call sleep_us
    la t0, wdata
    lw a0, 12(t0)
    rec
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_RESUME, 9
    li a0, 1000
    call sleep_us
    la t0, wdata
    lw a0, 12(t0)
    rec
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf + 132
    sys SYS_INVOKE
    rec
    park
${WORKER}`, DATA);

  it('a paused thread makes no progress and reports state 3 with its registers; resume continues it', () => {
    const b = boot([{ name: 'a', asm: program }]);
    b.runMs(5);
    const r = b.results('a', 11);
    expect(r.slice(0, 5).map((x) => x[0])).toEqual([0, 0, 0, 0, 0]);
    const [c1, c2] = [r[5][0], r[6][0]];
    expect(c1).toBeGreaterThan(0);
    expect(c2).toBe(c1);
    expect(r[7][0]).toBe(0);
    expect(r[8][0]).toBe(0);
    expect(r[10][0]).toBe(0);
    const c3 = r[9][0];
    expect(c3).toBeGreaterThan(c2 + 1000);
    const st = b.words('a', 'buf', 33);
    const worker = b.sym('a', 'worker');
    expect(st[32]).toBe(3); // paused
    expect(st[1]).toBe(0x10002000); // x2 = sp
    expect(st[3]).toBe(0x7f001000); // x4 = tp
    expect(st[9]).toBe(0x55); // x10 = a0
    expect(st[31]).toBeGreaterThanOrEqual(worker);
    expect(st[31]).toBeLessThan(b.sym('a', 'worker2'));
    expect([c1, c1 + 1]).toContain(st[5]); // t1: the counter as stored last, or just incremented
    const st2 = b.words('a', b.sym('a', 'buf') + 132, 33);
    expect(st2[32]).toBe(0); // running again
  });

  it('STATE_GET reports waiting (1) and running (0) threads; checks the buffer (E_FAULT)', () => {
    const b = boot([{ name: 'a', asm: raw(`${STACK_AND_THREAD(100)}${START('waiter')}
    sys SYS_YIELD
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, SLOT_MAIN_THREAD
    la a3, buf + 132
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_STATE_GET, 9, 0
    inv SLOT_CPU, CPU_THREAD_STATE_GET, 9, 0x7eff0000 - 64
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, tname
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_STATE_GET, 9, -4
    park
waiter:
    li a0, SLOT_SIGNALS
    sys SYS_WAIT
1:  j 1b
`, DATA) }]);
    b.runMs(1);
    const r = b.results('a', 10);
    expect(r.slice(4).map((x) => x[0])).toEqual([0, 0, E.FAULT, E.FAULT, E.FAULT, E.FAULT]);
    expect(b.words('a', 'buf', 33)[32]).toBe(1);
    const main = b.words('a', b.sym('a', 'buf') + 132, 33);
    expect(main[32]).toBe(0);
    expect(main[9]).toBe(SLOT_CPU_NR); // a0 at the ecall
    expect(b.task('a').alive).toBe(true);
  });

  it('STATE_SET needs a paused thread other than the caller; the thread resumes at the new pc', () => {
    const b = boot([{ name: 'a', asm: withRt(`
${STACK_AND_THREAD()}
    call sleep_init${START('worker')}
    li a0, 500
    call sleep_us
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_SET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_SET
    li a2, SLOT_MAIN_THREAD
    la a3, buf
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_PAUSE, 9
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    la t0, buf
    la t1, worker2 + 2
    sw t1, 124(t0)
    li t1, 0x1111
    sw t1, 36(t0)
    li t1, 0x2222
    sw t1, 56(t0)
    inv SLOT_CPU, CPU_THREAD_STATE_SET, 9, 0
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_SET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_RESUME, 9
    li a0, 500
    call sleep_us
    park
${WORKER}`, DATA) }]);
    b.runMs(3);
    const r = b.results('a', 11);
    expect(r.slice(4).map((x) => x[0])).toEqual([E.BAD_ARG, E.BAD_ARG, 0, 0, E.FAULT, 0, 0]);
    const w = b.words('a', 'wdata', 6);
    expect(w[4]).toBe(0x1111); // a0 (x10) as set, at worker2 (pc rounded down to 4)
    expect(w[5]).toBe(0x2222); // a5 (x15)
  });
});
const SLOT_CPU_NR = 3;

describe('single step and kill', () => {
  it('a single-stepped thread runs one instruction per resume', () => {
    const b = boot([{ name: 'a', asm: withRt(`
${STACK_AND_THREAD()}
    call sleep_init
    inv SLOT_CPU, CPU_THREAD_SINGLE_STEP, 9, 1
${START('worker')}
    li a0, 100
    call sleep_us
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_RESUME, 9
    li a0, 100
    call sleep_us
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf + 132
    sys SYS_INVOKE
    rec
    inv SLOT_CPU, CPU_THREAD_SINGLE_STEP, 9, 0
    inv SLOT_CPU, CPU_THREAD_RESUME, 9
    li a0, 1000
    call sleep_us
    park
${WORKER}`, DATA) }]);
    b.runMs(3);
    const r = b.results('a', 9);
    expect(r.map((x) => x[0])).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const worker = b.sym('a', 'worker');
    const s1 = b.words('a', 'buf', 33);
    const s2 = b.words('a', b.sym('a', 'buf') + 132, 33);
    expect(s1[32]).toBe(3);
    expect(s1[31]).toBe(worker + 4);
    expect(s2[32]).toBe(3);
    expect(s2[31]).toBe(worker + 8);
    expect(b.words('a', 'wdata', 4)[3]).toBeGreaterThan(1000); // free running after step off
  });

  it('a killed thread stops for good; operations on it but STATE_GET (state 4) are E_BAD_ARG', () => {
    const b = boot([{ name: 'a', asm: withRt(`
${STACK_AND_THREAD()}
    call sleep_init${START('worker')}
    li a0, 500
    call sleep_us
    inv SLOT_CPU, CPU_THREAD_KILL, 9
    la t0, wdata
    lw a0, 12(t0)
    rec
    li a0, 500
    call sleep_us
    la t0, wdata
    lw a0, 12(t0)
    rec
    inv SLOT_CPU, CPU_THREAD_RESUME, 9
    inv SLOT_CPU, CPU_THREAD_START, 9, 0x10000, 0x10002000, 0
    inv SLOT_CPU, CPU_THREAD_KILL, 9
    li a0, SLOT_CPU
    li a1, CPU_THREAD_STATE_GET
    li a2, 9
    la a3, buf
    sys SYS_INVOKE
    rec
    park
${WORKER}`, DATA) }]);
    b.runMs(3);
    const r = b.results('a', 11);
    expect(r[4][0]).toBe(0);
    expect(r[5][0]).toBeGreaterThan(0);
    expect(r[6][0]).toBe(r[5][0]);
    expect(r.slice(7, 9).map((x) => x[0])).toEqual([E.BAD_ARG, E.BAD_ARG]);
    expect(r[9][0]).toBe(E.BAD_ARG);
    expect(r[10][0]).toBe(0); // the state of a dead thread can still be read: 4
    expect(b.words('a', 'buf', 33)[32]).toBe(4);
    expect(b.thread('a', 1).stateWord).toBe(4);
    expect(b.task('a').alive).toBe(true);
  });

  it('a thread can kill itself; the component lives on', () => {
    const b = boot([{ name: 'a', asm: withRt(`
${STACK_AND_THREAD()}
    call sleep_init${START('suicide')}
    li a0, 500
    call sleep_us
    li a0, 7
    call log_num
    park
suicide:
    inv SLOT_CPU, CPU_THREAD_KILL, 9
    li a0, 99
    call log_num
1:  j 1b
`, DATA) }]);
    b.runMs(2);
    expect(b.texts('a')).toEqual(['7']);
    expect(b.thread('a', 1).stateWord).toBe(4);
  });
});
