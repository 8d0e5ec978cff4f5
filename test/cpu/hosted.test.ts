// Hosted mode: the hart runs a U-mode context and hands every trap back (cause, tval, pc at the
// trapping instruction) instead of vectoring, with all architectural state intact, like a VM exit.
// Machine.run() is for bare programs; a hosted kernel drives hart.run() itself, as these tests do.

import { describe, expect, it } from 'vitest';
import { StopReason } from '../../src/cpu/hart';
import { Priv } from '../../src/mmu/mmu';
import { Machine } from '../../src/dev/machine';
import { assemble, hex, snapshot } from '../helpers/run';
import { PageTables, PTE, VAD } from '../helpers/sv32';

type EngineName = 'step' | 'batch' | 'jit';
const ENGINES: EngineName[] = ['step', 'batch', 'jit'];

interface Ctx {
  m: Machine;
  sym: (name: string) => number;
  pt: PageTables;
  engine: EngineName;
}

/** A machine with `src` loaded, the hart in hosted mode at _start in U-mode. */
function hosted(src: string, engine: EngineName, paging?: (pt: PageTables, sym: (n: string) => number) => void): Ctx {
  const { elf, symbols } = assemble(src);
  const m = new Machine({ ramSize: 1 << 20 });
  const r = m.loadElf(elf);
  if (!r.ok) throw new Error(r.error);
  const sym = (n: string): number => {
    const v = symbols.get(n);
    if (v === undefined) throw new Error(`no symbol ${n}`);
    return v;
  };
  const h = m.hart;
  h.jitEnabled = engine === 'jit';
  h.jit.hotThreshold = 0;
  h.hosted = true;
  h.priv = Priv.U;
  const pt = new PageTables(m.bus);
  if (paging !== undefined) {
    paging(pt, sym);
    h.satp = pt.satp();
  }
  h.contextChanged();
  return { m, sym, pt, engine };
}

/** Runs until the hart stops (a hosted trap) or `budget` instructions have executed. */
function go(c: Ctx, budget = 10_000): StopReason {
  const h = c.m.hart;
  if (c.engine !== 'step') return h.run(budget);
  const start = h.cycles;
  while (h.cycles - start < budget) {
    const r = h.run(1);
    if (r !== StopReason.Budget) return r;
  }
  return StopReason.Budget;
}

/** Runs `scenario` on every engine and checks they end in the same state. */
function onAllEngines(scenario: (engine: EngineName) => Machine): void {
  const states = ENGINES.map((e) => ({ e, s: snapshot(scenario(e), 'hosted') }));
  for (const { e, s } of states.slice(1)) expect(s, `engine ${e} vs step`).toEqual(states[0].s);
}

describe('hosted mode', () => {
  it('an ecall stops run() with cause 8, pc at the ecall, state intact; the kernel resumes after it', () => {
    onAllEngines((engine) => {
      const c = hosted(`
        li a0, 11
        li a7, 64
      sys1: ecall
        addi a0, a0, 1
      sys2: ecall
      `, engine);
      const h = c.m.hart;
      const mstatus = h.mstatus;
      expect(go(c)).toBe(StopReason.HostedTrap);
      expect([h.exitCause, h.exitTval, hex(h.pc)]).toEqual([8, 0, hex(c.sym('sys1'))]);
      expect([h.x[10], h.x[17], h.priv, h.mstatus, h.mcause, h.mepc, h.scause]).toEqual([11, 64, Priv.U, mstatus, 0, 0, 0]);
      expect(h.instret).toBe(2); // the ecall did not retire
      expect(h.cycles).toBe(2); // and, being the kernel's work, took no virtual time
      // the kernel returns from the call
      h.x[10] = 100;
      h.pc = (h.pc + 4) | 0;
      expect(go(c)).toBe(StopReason.HostedTrap);
      expect(hex(h.pc)).toBe(hex(c.sym('sys2')));
      expect(h.x[10]).toBe(101);
      expect(h.instret).toBe(3);
      return c.m;
    });
  });

  it('illegal instructions, ebreak, misaligned jumps and access faults come back with their cause and tval', () => {
    const cases: [string, number, (s: (n: string) => number) => number][] = [
      ['at: .word 0x0000000b', 2, () => 0x0000000b],
      ['at: csrr a0, mstatus', 2, () => 0x30002573],
      ['at: wfi', 2, () => 0x10500073],
      ['at: mret', 2, () => 0x30200073],
      ['at: ebreak', 3, (s) => s('at')],
      ['li t0, 0x01000000\nat: lw a0, 0(t0)', 5, () => 0x01000000],
      ['li t0, 0x01000000\nat: sw a0, 0(t0)', 7, () => 0x01000000],
      ['li t0, 0x01000001\nat: lw a0, 0(t0)', 5, () => 0x01000001],
      ['la t0, tgt\n addi t0, t0, 2\nat: jr t0\ntgt: nop', 0, (s) => s('tgt') + 2],
    ];
    for (const [src, cause, tval] of cases) {
      onAllEngines((engine) => {
        const c = hosted(`li a0, 5\n${src}`, engine);
        expect(go(c), src).toBe(StopReason.HostedTrap);
        const h = c.m.hart;
        expect([h.exitCause, hex(h.exitTval), hex(h.pc), h.x[10], h.priv], src)
          .toEqual([cause, hex(tval(c.sym)), hex(c.sym('at')), 5, Priv.U]);
        return c.m;
      });
    }
  });

  it('a fetch from nothing stops with pc = the target (cause 1)', () => {
    onAllEngines((engine) => {
      const c = hosted('li t0, 0x01000000\n jalr ra, 0(t0)', engine);
      expect(go(c)).toBe(StopReason.HostedTrap);
      const h = c.m.hart;
      expect([h.exitCause, hex(h.exitTval), hex(h.pc)]).toEqual([1, '0x01000000', '0x01000000']);
      expect(h.x[1] >>> 0).toBe(c.sym('_start') + 8);
      return c.m;
    });
  });

  it('demand paging: a load page fault is resolved by the kernel and the load re-executed', () => {
    const DATA_VA = 0x40000000;
    const FRAME = 0x80040000;
    onAllEngines((engine) => {
      const c = hosted(`
        li s0, ${DATA_VA}
        li t1, 0x1234
      ld: lw a0, 16(s0)
      st: sw t1, 20(s0)
        lw a1, 20(s0)
      `, engine, (pt) => pt.mapMega(0x80000000, 0x80000000, VAD | PTE.R | PTE.X | PTE.U));
      const h = c.m.hart;
      c.m.bus.writeRam(FRAME - 0x80000000 + 16, 4, 0xfeedface);
      expect(go(c)).toBe(StopReason.HostedTrap);
      expect([h.exitCause, hex(h.exitTval), hex(h.pc)]).toEqual([13, hex(DATA_VA + 16), hex(c.sym('ld'))]);
      // map it read-only: the load succeeds, the store faults (15)
      const pte = c.pt.map(DATA_VA, FRAME, PTE.V | PTE.R | PTE.U);
      expect(go(c)).toBe(StopReason.HostedTrap);
      expect(h.x[10] >>> 0).toBe(0xfeedface);
      expect([h.exitCause, hex(h.exitTval), hex(h.pc)]).toEqual([15, hex(DATA_VA + 20), hex(c.sym('st'))]);
      expect(c.pt.read(pte) & PTE.A).toBe(PTE.A); // set by the load's walk
      // upgrade to writable; the kernel flushes the TLB as sfence.vma would
      c.pt.write(pte, c.pt.read(pte) | PTE.W);
      h.mmu.flush();
      expect(go(c, 100)).toBe(StopReason.Budget); // on into the _done loop
      expect(h.x[11]).toBe(0x1234);
      expect(c.m.bus.readRam(FRAME - 0x80000000 + 20, 4)).toBe(0x1234);
      expect(c.pt.read(pte) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
      return c.m;
    });
  });

  it('a trap in the middle of a hot loop: earlier instructions retired exactly, pc at the fault', () => {
    onAllEngines((engine) => {
      const c = hosted(`
        li a0, 0
        li a1, 200
      1: addi a0, a0, 3
        addi a1, a1, -1
        bnez a1, 1b
        li t0, 0x01000000
      at: lw a2, 0(t0)
      `, engine);
      expect(go(c)).toBe(StopReason.HostedTrap);
      const h = c.m.hart;
      expect([h.exitCause, hex(h.pc), h.x[10], h.x[11]]).toEqual([5, hex(c.sym('at')), 600, 0]);
      expect(h.instret).toBe(2 + 3 * 200 + 1);
      expect(h.cycles).toBe(h.instret); // the faulting load takes no virtual time in hosted mode
      return c.m;
    });
  });

  it('without a trap, run() stops at the budget with exact counters', () => {
    onAllEngines((engine) => {
      const c = hosted('1: addi a0, a0, 1\n j 1b', engine);
      expect(go(c, 1001)).toBe(StopReason.Budget);
      expect(c.m.hart.instret).toBe(1001);
      expect(c.m.hart.x[10]).toBe(501);
      return c.m;
    });
  });

  it('pending interrupts are not taken in hosted mode (the kernel polls the devices)', () => {
    onAllEngines((engine) => {
      const c = hosted('li a0, 1\n li a0, 2\n ecall', engine);
      const h = c.m.hart;
      h.mie = 0xaaa;
      h.setIrqLine(7, true);
      h.mipSw = 0x222;
      expect(go(c)).toBe(StopReason.HostedTrap);
      expect([h.exitCause, h.x[10], h.interrupts, h.priv]).toEqual([8, 2, 0, Priv.U]);
      return c.m;
    });
  });

  it('a fetch page fault reports the target; U may not execute a supervisor page', () => {
    onAllEngines((engine) => {
      const c = hosted('li t0, 0x40000000\n jalr ra, 0(t0)', engine, (pt) => {
        pt.mapMega(0x80000000, 0x80000000, VAD | PTE.R | PTE.X | PTE.U);
        pt.map(0x40000000, 0x80040000, VAD | PTE.R | PTE.X); // no U
      });
      expect(go(c)).toBe(StopReason.HostedTrap);
      const h = c.m.hart;
      expect([h.exitCause, hex(h.exitTval), hex(h.pc)]).toEqual([12, '0x40000000', '0x40000000']);
      return c.m;
    });
  });
});
