// The board's trace step (--trace): privilege mode, loads, stores, AMOs and traps with tval.

import { describe, expect, it } from 'vitest';
import { Machine, type TraceEntry } from '../../src/dev/machine';
import { assemble } from '../helpers/run';

/** Runs `src` (at 0x80000000) for `n` instructions, tracing each; returns the entries. */
function trace(src: string, n: number): TraceEntry[] {
  const m = new Machine({ ramSize: 1 << 20 });
  expect(m.loadElf(assemble(src).elf).ok).toBe(true);
  const entries: TraceEntry[] = [];
  m.run({ maxInsns: n, trace: (e) => entries.push(e) });
  return entries;
}

/** The entry whose instruction is at `pc` offset `off` from the entry point (the first such). */
const at = (es: TraceEntry[], off: number) => es.find((e) => e.pc === 0x80000000 + off)!;

describe('Machine.traceStep', () => {
  it('reports a store (address and the value in its size) and a load (address and value loaded)', () => {
    const es = trace(`
      la t0, buf          # 0, 4
      li t1, 0x12345678   # 8, 12
      sw t1, 4(t0)        # 16
      sb t1, 1(t0)        # 20
      lw a0, 4(t0)        # 24
      lbu a1, 1(t0)       # 28
      lw zero, 4(t0)      # 32
      .balign 16
      buf: .word 0, 0`, 9);
    const base = at(es, 4).value; // la's second instruction writes buf's address
    expect(base % 16).toBe(0);
    expect(at(es, 16).mem).toEqual({ kind: 'store', addr: base + 4, size: 4, stored: 0x12345678 });
    expect(at(es, 16).rd).toBe(-1);
    expect(at(es, 20).mem).toEqual({ kind: 'store', addr: base + 1, size: 1, stored: 0x78 });
    expect(at(es, 24).mem).toEqual({ kind: 'load', addr: base + 4, size: 4, loaded: 0x12345678 });
    expect(at(es, 24)).toMatchObject({ rd: 10, value: 0x12345678 });
    expect(at(es, 28).mem).toEqual({ kind: 'load', addr: base + 1, size: 1, loaded: 0x78 });
    // a load into x0: the access is reported, its value is not (nothing holds it)
    expect(at(es, 32).mem).toEqual({ kind: 'load', addr: base + 4, size: 4 });
    expect(es.every((e) => e.priv === 3 && !e.trapped)).toBe(true);
  });

  it('reports an AMO (old value loaded, new value stored) and SC success and failure', () => {
    const es = trace(`
      la t0, buf          # 0, 4
      li t1, 5            # 8
      sw t1, 0(t0)        # 12
      li t2, 7            # 16
      amoadd.w a0, t2, (t0)   # 20: memory 5 -> 12, a0 = 5
      lr.w a1, (t0)       # 24
      sc.w a2, t2, (t0)   # 28: succeeds, a2 = 0
      sc.w a3, t1, (t0)   # 32: no reservation: fails, a3 = 1
      .balign 16
      buf: .word 0`, 9);
    const base = at(es, 4).value;
    expect(at(es, 20).mem).toEqual({ kind: 'amo', addr: base, size: 4, loaded: 5, stored: 12 });
    expect(at(es, 24).mem).toEqual({ kind: 'load', addr: base, size: 4, loaded: 12 });
    expect(at(es, 28).mem).toEqual({ kind: 'store', addr: base, size: 4, stored: 7 });
    expect(at(es, 32).mem).toEqual({ kind: 'store', addr: base, size: 4, stored: undefined });
    expect(at(es, 32).value).toBe(1);
  });

  it('reports a trap with its cause and tval, and the privilege mode of each instruction', () => {
    const es = trace(`
      la t0, handler      # 0, 4
      csrw mtvec, t0      # 8
      la t0, user         # 12, 16
      csrw mepc, t0       # 20
      mret                # 24: MPP is 0 after reset: to U-mode
      .balign 16
      user: li t1, 0x120  # 32
      lw t2, 0(t1)        # 36: nothing at 0x120: a load access fault with tval 0x120
      .balign 16
      handler: nop        # 48
      `, 10);
    expect(at(es, 24).priv).toBe(3);
    expect(at(es, 32).priv).toBe(0);
    const lw = at(es, 36);
    expect(lw).toMatchObject({ priv: 0, trapped: true, cause: 5, tval: 0x120, rd: -1 });
    expect(lw.mem).toBeUndefined();
    expect(at(es, 48).priv).toBe(3);
  });
});
