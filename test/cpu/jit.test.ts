// The fast path (compiled blocks) against the interpreter: same results, exact counts, and the
// cases only a block compiler can get wrong (code written after compiling it, a page remapped
// under a compiled block, a trap in the middle of a block, a budget ending inside a block).
import { describe, expect, it } from 'vitest';
import { assembleText } from '../../src/asm/index';
import { StopReason } from '../../src/cpu/hart';
import { Machine } from '../../src/dev/machine';

/** A machine with `src` loaded; `jit` false runs the interpreter only, true compiles at once. */
function machine(src: string, jit: boolean): Machine {
  const r = assembleText(src);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const m = new Machine({ ramSize: 4 << 20 });
  const loaded = m.loadElf(r.elf);
  if (!loaded.ok) throw new Error(loaded.error);
  m.hart.jitEnabled = jit;
  m.hart.jit.hotThreshold = 0;
  return m;
}

const EXIT = ' li t6, 0x100000\n li t5, 0x5555\n sw t5, 0(t6)\n';

describe('compiled blocks', () => {
  it('see code written after they were compiled (self-modifying code)', () => {
    const src = [
      '_start: li s0, 0', ' li a0, 0',
      '1: call body', ' addi s0, s0, 1', ' li t1, 50', ' blt s0, t1, 1b',
      ' la t0, body', ' li t1, 0x01050513', ' sw t1, 0(t0)', ' fence.i', // addi a0, a0, 16
      ' li s0, 0',
      '2: call body', ' addi s0, s0, 1', ' li t1, 50', ' blt s0, t1, 2b',
      EXIT,
      '.balign 64', 'body: addi a0, a0, 1', ' ret',
    ].join('\n');
    for (const jit of [false, true]) {
      const m = machine(src, jit);
      expect(m.run({ maxInsns: 100_000 }).reason).toBe('exit');
      expect(m.hart.x[10]).toBe(50 + 50 * 16);
      if (jit) expect(m.hart.jit.invalidated).toBeGreaterThan(0);
    }
  });

  it('keep running when data next to compiled code is written', () => {
    const src = [
      '_start: li s0, 0', ' la s1, slot',
      '1: lw t0, 0(s1)', ' addi t0, t0, 3', ' sw t0, 0(s1)', ' addi s0, s0, 1', ' li t1, 200', ' blt s0, t1, 1b',
      ' lw a0, 0(s1)', EXIT,
      '.balign 128', 'slot: .word 0', // same page as the code, another granule
    ].join('\n');
    const m = machine(src, true);
    expect(m.run({ maxInsns: 100_000 }).reason).toBe('exit');
    expect(m.hart.x[10]).toBe(600);
    expect(m.hart.jit.invalidated).toBe(0);
  });

  it('end in the interpreter\'s exact state for every instruction budget', () => {
    const src = [
      '_start: li s0, 0', ' la s1, buf', ' li a0, 7',
      '1: mul a1, a0, s0', ' add a2, a2, a1', ' sw a2, 0(s1)', ' lw a3, 0(s1)', ' xor a4, a4, a3',
      ' divu a5, a2, a0', ' remu a6, a2, a0', ' addi s0, s0, 1', ' li t1, 40', ' blt s0, t1, 1b',
      EXIT, '.data', 'buf: .word 0',
    ].join('\n');
    for (let n = 1; n <= 120; n += 7) {
      const a = machine(src, false);
      const b = machine(src, true);
      a.run({ maxInsns: n });
      b.run({ maxInsns: n });
      expect(b.hart.instret, `budget ${n}`).toBe(a.hart.instret);
      expect(b.hart.pc, `budget ${n}`).toBe(a.hart.pc);
      expect(b.stateHash(), `budget ${n}`).toBe(a.stateHash());
    }
  });

  it('take a trap in the middle of a block exactly where the interpreter does', () => {
    const src = [
      '_start: la t0, handler', ' csrw mtvec, t0', ' li s0, 0',
      '1: addi s0, s0, 1', ' li t1, 30', ' blt s0, t1, 1b', // make the next block hot first
      ' addi a0, zero, 1', ' addi a1, zero, 2', 'faulting: lw a2, 0(zero)', ' addi a3, zero, 3',
      'handler: csrr a4, mepc', ' csrr a5, mcause', ' csrr a6, minstret', EXIT,
    ].join('\n');
    const results = [false, true].map((jit) => {
      const m = machine(src, jit);
      m.run({ maxInsns: 10_000 });
      return m;
    });
    const [interp, fast] = results;
    expect(fast.hart.x[15]).toBe(5); // load access fault
    expect(fast.hart.x[14] >>> 0).toBe(interp.hart.x[14] >>> 0);
    expect(fast.hart.x[13]).toBe(0); // the instruction after the fault did not run
    expect(fast.hart.x[16]).toBe(interp.hart.x[16]); // minstret: the faulting lw did not retire
    expect(fast.stateHash()).toBe(interp.stateHash());
  });

  it('never run a block under a translation other than the one it was compiled for', () => {
    // Hosted U-mode: VA 0x1000 maps to frame A, then to frame B; each frame holds other code.
    const m = new Machine({ ramSize: 4 << 20 });
    const h = m.hart;
    h.jit.hotThreshold = 0;
    const ram = m.bus.ram32;
    const root = 0x80100000, l0 = 0x80101000, frameA = 0x80200000, frameB = 0x80201000;
    const word = (pa: number, v: number) => { ram[(pa - 0x80000000) >>> 2] = v; };
    const pte = (pa: number, flags: number) => ((pa >>> 12) << 10) | flags;
    word(root, pte(l0, 0x01));
    const code = (frame: number, value: number) => {
      word(frame, 0x00000513 | (value << 20)); // li a0, value
      word(frame + 4, 0x00150513); // addi a0, a0, 1
      word(frame + 8, 0x00000073); // ecall
    };
    code(frameA, 10);
    code(frameB, 20);
    const runAt = (frame: number): number => {
      word(l0 + 4, pte(frame, 0xdb)); // V R X U A D (W off)
      h.mmu.flush();
      h.hosted = true;
      h.priv = 0;
      h.satp = (1 << 31) | (root >>> 12);
      h.pc = 0x1000;
      h.contextChanged();
      expect(h.run(100)).toBe(StopReason.HostedTrap);
      expect(h.exitCause).toBe(8);
      expect(h.pc).toBe(0x1008);
      return h.x[10];
    };
    expect(runAt(frameA)).toBe(11);
    expect(runAt(frameA)).toBe(11);
    expect(h.jit.compiled).toBeGreaterThan(0);
    expect(runAt(frameB)).toBe(21);
    expect(runAt(frameA)).toBe(11);
  });

  it('report a hosted page fault inside a block with pc at the faulting instruction', () => {
    const m = new Machine({ ramSize: 4 << 20 });
    const h = m.hart;
    h.jit.hotThreshold = 0;
    const ram = m.bus.ram32;
    const word = (pa: number, v: number) => { ram[(pa - 0x80000000) >>> 2] = v; };
    const root = 0x80100000, l0 = 0x80101000, frame = 0x80200000;
    word(root, ((l0 >>> 12) << 10) | 1);
    word(l0 + 4, ((frame >>> 12) << 10) | 0xdb);
    word(frame, 0x00100513); // li a0, 1
    word(frame + 4, 0x00002583); // lw a1, 0(zero)  -> VA 0 is unmapped
    word(frame + 8, 0x00200513); // li a0, 2
    for (let i = 0; i < 3; i++) {
      h.hosted = true;
      h.priv = 0;
      h.satp = (1 << 31) | (root >>> 12);
      h.pc = 0x1000;
      h.contextChanged();
      expect(h.run(100)).toBe(StopReason.HostedTrap);
      expect(h.exitCause).toBe(13);
      expect(h.exitTval).toBe(0);
      expect(h.pc).toBe(0x1004);
      expect(h.x[10]).toBe(1);
    }
  });
});
