// Isolation: whatever one component does (wild accesses, illegal instructions, random system
// calls with random slots, opcodes, pointers and arguments), only it is affected: the kernel
// never throws or stalls, and a second component's log is exactly what it is when it runs alone.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../src/kernel/init';
import { boot, raw, withRt, type Snippet } from './harness';

/** The victim: logs "tick N" every virtual millisecond (priority 150, above the hostile's 100). */
const VICTIM: Snippet = {
  name: 'victim', priority: 150, asm: withRt(`
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
    li s1, 1000
1:  call line_reset
    la a0, tick
    call line_str
    mv a0, s1
    call line_dec
    call line_log
    li a0, SLOT_SIGNALS
    call sys_wait
    addi s1, s1, 1
    j 1b`, '.section .rodata\nn_timer: .asciz "Timer"\ntick: .asciz "tick "\n'),
};
const RUN_MS = 12;

const view = (lines: readonly LogLine[]) => lines.map((l) => `${l.cycles} ${l.text}`);
let solo: string[] | undefined;
function soloLog(): string[] {
  if (solo === undefined) {
    const b = boot([VICTIM]);
    b.runMs(RUN_MS);
    solo = view(b.lines('victim'));
    expect(solo.length).toBe(RUN_MS); // at 0 ms, then every ms before the end
  }
  return solo;
}

/** Boots the victim with `hostile`, runs, and checks that the victim saw nothing of it. */
function checkBeside(hostile: string): { hostileEnd: string | undefined } {
  const b = boot([VICTIM, { name: 'hostile', priority: 100, asm: hostile }]);
  expect(() => b.runMs(RUN_MS)).not.toThrow();
  expect(b.task('victim').alive).toBe(true);
  expect(view(b.lines('victim'))).toEqual(soloLog());
  const end = b.task('hostile').end;
  return { hostileEnd: end === undefined ? undefined : end.kind === 'fault' ? end.reason : `exit ${end.code}` };
}

describe('a faulting component affects only itself', () => {
  it.each<[string, string, RegExp]>([
    ['a store to the null guard', '    li t0, 0\n    sw t0, 0(t0)', /unresolvable write page fault at 0x00000000/],
    ['a load from kernel space', '    li t0, 0x80000000\n    lw t0, 0(t0)', /read page fault at 0x80000000/],
    ['a store into its own code', '    la t0, _start\n    sw t0, 0(t0)', /unresolvable write page fault at 0x00010000/],
    ['a jump into data', '    la t0, data\n    jalr t0', /execute page fault/],
    ['a misaligned jump', '    la t0, _start\n    addi t0, t0, 2\n    jr t0', /misaligned fetch/],
    ['an illegal instruction', '    .word 0xffffffff', /illegal instruction/],
    ['ebreak', '    ebreak', /breakpoint/],
    ['a machine CSR', '    csrr t0, mstatus', /illegal instruction/],
    ['wfi', '    wfi', /illegal instruction/],
    ['mret', '    mret', /illegal instruction/],
    ['a stack overflow', '1:  addi sp, sp, -64\n    sw ra, 0(sp)\n    call 1b', /write page fault at 0x7efeff/],
  ])('%s', (_what, code, reason) => {
    const { hostileEnd } = checkBeside(raw(`${code}\n    spin`, '.data\ndata: .word 0x00000013, 0x00008067\n'));
    expect(hostileEnd).toMatch(reason);
  });

  it('misaligned loads and stores are done in hardware, not faults', () => {
    const b = boot([{ name: 'a', asm: raw(`
    la t0, data
    li t1, 0x11223344
    sw t1, 1(t0)
    lw a0, 1(t0)
    lh a1, 3(t0)
    rec
    park`, '.data\ndata: .space 16\n') }]);
    b.runMs(1);
    expect(b.results('a', 1)[0].slice(0, 2)).toEqual([0x11223344, 0x1122]);
    expect(b.task('a').alive).toBe(true);
  });

  it('an endless loop of system calls and a busy loop at a lower priority change nothing', () => {
    checkBeside(raw(`
1:  inv SLOT_PD, PD_CAP_INFO, 2
    li s11, 0
    la s11, __results
    li a7, SYS_YIELD
    ecall
    j 1b`));
    checkBeside(raw('    spin'));
  });
});

// ---- the property test ----

const STRINGS = ['LOG', 'Timer', 'RM', 'IRQ', 'IO_MEM', 'Nope', 'irq=10', 'irq=3', 'base=0x10000000, size=0x1000',
  'base=0x0c000000, size=0x1000', 'base=0x02000000, size=0x10000', 'base=0x100000', 'junk', ''];

type Arg = { kind: 'num'; v: number } | { kind: 'sym'; name: string; off: number };
type Op =
  | { kind: 'call'; a7: number; args: Arg[] }
  | { kind: 'session'; service: number; sargs: number }
  | { kind: 'access'; store: boolean; addr: Arg };

const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const smallSlot = fc.integer({ min: 0, max: 24 });
const pointer: fc.Arbitrary<Arg> = fc.oneof(
  fc.constantFrom(0, -1, 0x1000, 0x10000, 0x10000000, 0x20000000, 0x7eff0000, 0x7efffff0, 0x7efffffc, 0x7f000000,
    0x7ffff000, 0x7fffffff, -0x80000000, 0x80001000 | 0).map((v): Arg => ({ kind: 'num', v })),
  fc.record({ name: fc.constantFrom('buf', 'strings', '_start', '__results'), off: fc.integer({ min: -8, max: 4200 }) })
    .map((r): Arg => ({ kind: 'sym', ...r })),
);
const arg: fc.Arbitrary<Arg> = fc.oneof(
  { weight: 4, arbitrary: smallSlot.map((v): Arg => ({ kind: 'num', v })) },
  { weight: 2, arbitrary: fc.constantFrom(4096, 8192, 0x10000, -1, 0x7fffffff, 3, 7, 0x1001).map((v): Arg => ({ kind: 'num', v })) },
  { weight: 3, arbitrary: pointer },
  { weight: 1, arbitrary: i32.map((v): Arg => ({ kind: 'num', v })) },
);
const syscall = fc.oneof(
  { weight: 40, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constant(1) },
  { weight: 5, arbitrary: fc.constant(2) },
  { weight: 2, arbitrary: fc.constant(3) },
  { weight: 1, arbitrary: fc.constantFrom(4, 5, 100, -1) },
);
const num = (a: fc.Arbitrary<number>) => a.map((v): Arg => ({ kind: 'num', v }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: fc.record({
    a7: syscall,
    args: fc.tuple(
      fc.oneof({ weight: 8, arbitrary: num(fc.integer({ min: 1, max: 12 })) }, { weight: 2, arbitrary: num(smallSlot) }, { weight: 1, arbitrary: arg }),
      fc.oneof({ weight: 8, arbitrary: num(fc.integer({ min: 0, max: 7 })) }, { weight: 1, arbitrary: arg }),
      fc.oneof({ weight: 3, arbitrary: num(fc.integer({ min: 1, max: 14 })) }, { weight: 2, arbitrary: arg }),
      arg, arg, arg, arg),
  }).map((r): Op => ({ kind: 'call', a7: r.a7, args: r.args })) },
  { weight: 4, arbitrary: fc.record({ service: fc.integer({ min: 0, max: STRINGS.length - 1 }), sargs: fc.integer({ min: 0, max: STRINGS.length - 1 }) })
    .map((r): Op => ({ kind: 'session', ...r })) },
  { weight: 1, arbitrary: fc.record({ store: fc.boolean(), addr: pointer }).map((r): Op => ({ kind: 'access', ...r })) },
);

const load = (reg: string, a: Arg) => (a.kind === 'num' ? `    li ${reg}, ${a.v}` : `    la ${reg}, ${a.name}\n    addi ${reg}, ${reg}, ${a.off > 2047 ? 2047 : a.off}`);
const REGS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'];

/** The hostile program: the operations in order, then a busy loop. */
function hostileProgram(ops: readonly Op[]): string {
  const body = ops.map((o) => {
    if (o.kind === 'call') return `${o.args.map((a, i) => load(REGS[i], a)).join('\n')}\n    li a7, ${o.a7}\n    ecall`;
    if (o.kind === 'session') {
      return `    li a0, SLOT_PARENT\n    li a1, PARENT_SESSION\n    la a2, str${o.service}\n    li a3, ${STRINGS[o.service].length}\n    la a4, str${o.sargs}\n    li a5, ${STRINGS[o.sargs].length}\n    li a7, SYS_INVOKE\n    ecall`;
    }
    return `${load('t0', o.addr)}\n    ${o.store ? 'sw t0, 0(t0)' : 'lw t0, 0(t0)'}`;
  }).join('\n');
  const strings = STRINGS.map((s, i) => `str${i}: .ascii "${s}"`).join('\n');
  return raw(`${body}\n    spin`, `.section .rodata\nstrings:\n${strings}\n.data\n.balign 4\nbuf: .space 4096\n`);
}

describe('property: a hostile component', () => {
  it('making random calls with random slots, pointers and arguments never disturbs the kernel or the victim', () => {
    soloLog();
    fc.assert(fc.property(fc.array(op, { minLength: 20, maxLength: 120 }), (ops) => {
      checkBeside(hostileProgram(ops));
    }), { numRuns: 50, seed: 0x5eed, endOnFailure: true });
  });

  it('the same, with hostile threads started at random places', () => {
    soloLog();
    const threaded = fc.array(op, { minLength: 1, maxLength: 30 }).chain((ops) =>
      fc.record({ ip: pointer, sp: pointer }).map(({ ip, sp }) => ({ ops, ip, sp })));
    fc.assert(fc.property(threaded, ({ ops, ip, sp }) => {
      const start: Op[] = [
        { kind: 'call', a7: 0, args: [{ kind: 'num', v: 3 }, { kind: 'num', v: 0 }, { kind: 'num', v: 100 }, { kind: 'num', v: 0 }, { kind: 'num', v: 0 }, { kind: 'num', v: 0 }, { kind: 'num', v: 0 }] },
        { kind: 'call', a7: 0, args: [{ kind: 'num', v: 3 }, { kind: 'num', v: 1 }, { kind: 'num', v: 8 }, ip, sp, { kind: 'num', v: 0 }, { kind: 'num', v: 0 }] },
      ];
      checkBeside(hostileProgram([...start, ...ops]));
    }), { numRuns: 30, seed: 0xbad, endOnFailure: true });
  });
});
