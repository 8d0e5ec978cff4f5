// The board as a whole: determinism, run limits, guest exits, and ELF loading.

import { describe, expect, it } from 'vitest';
import { Machine, type TraceEntry } from '../../src/dev/machine';
import { assemble } from '../helpers/run';

/** Reads UART input until it is empty, mixing it into a checksum and echoing it transformed;
 * then exits through the finisher with the checksum's low byte as the fail code (or passes). */
const ECHO = `
  li s0, 0x10000000
  li s1, 0
1:
  lbu t0, 5(s0)          # LSR
  andi t0, t0, 1         # data ready?
  beqz t0, 2f
  lbu t1, 0(s0)
  xori t2, t1, 0x20      # swap case
  sb t2, 0(s0)
  slli s1, s1, 5
  add s1, s1, t1
  j 1b
2:
  li t0, 0x100000
  andi t1, s1, 0xff
  beqz t1, 3f
  slli t1, t1, 16
  li t2, 0x3333
  or t1, t1, t2
  sw t1, 0(t0)           # fail with code = checksum & 0xff
3:
  li t1, 0x5555
  sw t1, 0(t0)
`;

function echoMachine(input: string, trace = false): { m: Machine; result: ReturnType<Machine['run']> } {
  const { elf } = assemble(ECHO);
  const m = new Machine({ ramSize: 1 << 20, uartInput: new TextEncoder().encode(input) });
  const r = m.loadElf(elf);
  expect(r.ok).toBe(true);
  const result = m.run({ maxInsns: 100_000, trace: trace ? () => {} : undefined });
  return { m, result };
}

describe('Machine determinism', () => {
  it('two runs of the same ELF with the same input: same output, exit and state hash', () => {
    const a = echoMachine('Hello, World');
    const b = echoMachine('Hello, World');
    expect(a.m.outputText()).toBe('hELLO\x0c\x00wORLD');
    expect(a.m.outputText()).toBe(b.m.outputText());
    expect(a.result).toEqual(b.result);
    expect(a.result.reason).toBe('exit');
    expect(a.m.stateHash()).toBe(b.m.stateHash());
    expect(a.m.hart.cycles).toBe(b.m.hart.cycles);
  });

  it('a different input changes the output and the hash', () => {
    const a = echoMachine('Hello, World');
    const b = echoMachine('Hello, world');
    expect(a.m.stateHash()).not.toBe(b.m.stateHash());
    expect(a.m.outputText()).not.toBe(b.m.outputText());
  });

  it('tracing (single-stepping) ends in the same state as running free', () => {
    const a = echoMachine('abc');
    const b = echoMachine('abc', true);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
    expect(b.result).toEqual(a.result);
  });

  it('the hash covers registers, memory and devices', () => {
    const { elf } = assemble('nop');
    const fresh = (): Machine => {
      const m = new Machine({ ramSize: 1 << 20 });
      m.loadElf(elf);
      return m;
    };
    const base = fresh().stateHash();
    expect(fresh().stateHash()).toBe(base);
    const r = fresh(); r.hart.x[5] = 1;
    const mem = fresh(); mem.bus.writeRam(0x8000, 1, 1);
    const dev = fresh(); dev.uart.pushInput([1]);
    const csr = fresh(); csr.hart.mscratch = 1;
    const hashes = [r, mem, dev, csr].map((m) => m.stateHash());
    expect(new Set([base, ...hashes]).size).toBe(5);
  });
});

describe('Machine.run limits and exits', () => {
  it('maxInsns: stops with reason limit after exactly that many instructions, and resumes', () => {
    const { elf } = assemble('1: addi a0, a0, 1\n j 1b');
    const m = new Machine({ ramSize: 1 << 20 });
    m.loadElf(elf);
    expect(m.run({ maxInsns: 1001 })).toEqual({ reason: 'limit', exitCode: 0 });
    expect(m.executed).toBe(1001);
    expect(m.hart.x[10]).toBe(501);
    expect(m.run({ maxInsns: 500 }).reason).toBe('limit');
    expect(m.executed).toBe(1501);
    expect(m.hart.instret).toBe(1501);
  });

  it('trace reports every instruction with rd and its value, and trapped ones', () => {
    const { elf } = assemble('li a0, 7\n addi a1, a0, 1\n sw a1, 0(zero)\n nop');
    const m = new Machine({ ramSize: 1 << 20 });
    m.loadElf(elf);
    m.hart.mtvec = 0x8000000c;
    const entries: TraceEntry[] = [];
    m.run({ maxInsns: 4, trace: (e) => entries.push(e) });
    expect(entries.map((e) => [e.pc.toString(16), e.rd, e.value, e.trapped])).toEqual([
      ['80000000', 10, 7, false],
      ['80000004', 11, 8, false],
      ['80000008', -1, 0, true], // store to address 0: access fault
      ['8000000c', -1, 0, false], // the trap vector's nop: no rd
    ]);
  });

  it('finisher pass, fail with code, and reset', () => {
    const exit = (value: number) => {
      const { elf } = assemble(`li t0, 0x100000\n li t1, ${value}\n sw t1, 0(t0)\n li a0, 1`);
      const m = new Machine({ ramSize: 1 << 20 });
      m.loadElf(elf);
      const r = m.run({ maxInsns: 100 });
      return { r, executed: m.executed, a0: m.hart.x[10] };
    };
    expect(exit(0x5555)).toEqual({ r: { reason: 'exit', exitCode: 0, exitKind: 'pass' }, executed: 4, a0: 0 }); // li t0 (1), li t1 (2), sw
    expect(exit((42 << 16) | 0x3333).r).toEqual({ reason: 'exit', exitCode: 42, exitKind: 'fail' });
    expect(exit(0x7777).r).toEqual({ reason: 'exit', exitCode: 0, exitKind: 'reset' });
    expect(exit(0x1234).r.reason).toBe('limit'); // not a finisher command
  });

  it('after an exit, run() returns the same result without executing', () => {
    const { elf } = assemble('li t0, 0x100000\n li t1, 0x5555\n sw t1, 0(t0)\n1: j 1b');
    const m = new Machine({ ramSize: 1 << 20 });
    m.loadElf(elf);
    const r = m.run({ maxInsns: 100 });
    const executed = m.executed;
    expect(m.run({ maxInsns: 100 })).toEqual(r);
    expect(m.executed).toBe(executed);
    expect(m.exited()).toEqual(r);
  });

  it('HTIF: putchar and exit through tohost', () => {
    const { elf } = assemble(`
      la s0, tohost
      li t0, 0x4f          # 'O'
      sw t0, 0(s0)
      li t1, 0x01010000    # device 1, command 1 (high word)
      sw t1, 4(s0)
      li t0, 0x4b          # 'K'
      sw t0, 0(s0)
      sw t1, 4(s0)
      li t0, ${(5 << 1) | 1}
      sw t0, 0(s0)
      sw zero, 4(s0)       # exit(5)
      li a0, 1
      .data
      .balign 8
    .globl tohost
    tohost: .word 0, 0
    .globl fromhost
    fromhost: .word 0, 0
    `);
    const m = new Machine({ ramSize: 1 << 20 });
    expect(m.loadElf(elf).ok).toBe(true);
    expect(m.htif).toBeDefined();
    expect(m.run({ maxInsns: 1000 })).toEqual({ reason: 'exit', exitCode: 5, exitKind: 'htif' });
    expect(m.outputText()).toBe('OK');
    expect(m.hart.x[10]).toBe(0);
  });
});

describe('Machine.loadElf errors', () => {
  const good = assemble('li a0, 1\n .data\nd: .word 0x12345678').elf;

  function untouched(bytes: Uint8Array, ramSize = 1 << 20): string {
    const m = new Machine({ ramSize });
    const before = m.stateHash();
    const r = m.loadElf(bytes);
    expect(r.ok).toBe(false);
    if (r.ok) return '';
    expect(m.stateHash(), r.error).toBe(before);
    expect(m.hart.pc >>> 0).toBe(0x80000000);
    expect(m.htif).toBeUndefined();
    return r.error;
  }

  it('loads a good ELF', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(m.loadElf(good)).toEqual({ ok: true, entry: 0x80000000 });
    expect(m.bus.peek(0x80001000, 4)).toBe(0x12345678);
  });

  it('bad magic, truncated, wrong machine: error, nothing written', () => {
    const bad = good.slice(); bad[0] = 0;
    expect(untouched(bad)).toMatch(/./);
    expect(untouched(good.slice(0, 40))).toMatch(/./);
    const machine = good.slice(); machine[18] = 0x3e; // EM_X86_64
    expect(untouched(machine)).toMatch(/./);
    expect(untouched(new Uint8Array(0))).toMatch(/./);
  });

  it('a segment outside RAM: error, and the segments that would fit are not written either', () => {
    // 4 KiB of RAM: .text fits, .data at 0x80001000 does not
    expect(untouched(good, 4096)).toMatch(/./);
  });

  it('a tohost symbol outside RAM: error', () => {
    const { elf } = assemble('nop\n .data\n .space 8192\n.globl tohost\ntohost: .word 0, 0');
    expect(untouched(elf, 8192)).toMatch(/tohost|RAM/);
  });
});
