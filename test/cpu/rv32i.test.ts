import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/run';

const BASE = 0x80000000;
const u = (v: number): number => v >>> 0;

/** Reference semantics of the register-register and register-immediate ALU operations. */
const ALU: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  sll: (a, b) => a << (b & 31),
  slt: (a, b) => ((a | 0) < (b | 0) ? 1 : 0),
  sltu: (a, b) => (u(a) < u(b) ? 1 : 0),
  xor: (a, b) => a ^ b,
  srl: (a, b) => a >>> (b & 31),
  sra: (a, b) => a >> (b & 31),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
};

/** One program computing `op` for every pair, storing each result to `out`. */
function aluProgram(op: string, pairs: [number, number][], imm: boolean): string {
  const lines = pairs.map(([a, b], i) => imm
    ? `  li a1, ${a | 0}\n  ${op} a0, a1, ${b}\n  sw a0, ${4 * i}(s0)`
    : `  li a1, ${a | 0}\n  li a2, ${b | 0}\n  ${op} a0, a1, a2\n  sw a0, ${4 * i}(s0)`);
  return `  la s0, out\n${lines.join('\n')}\n  j _done\n  .data\n  .globl out\nout: .space ${4 * pairs.length}\n`;
}

function checkAlu(op: string, pairs: [number, number][], imm = false, ref = ALU[op === 'sltiu' ? 'sltu' : op.replace(/i$/, '')]): void {
  const o = run(aluProgram(op, pairs, imm));
  const got = pairs.map((_, i) => u(o.mem(o.sym('out') + 4 * i)));
  expect(got, op).toEqual(pairs.map(([a, b]) => u(ref(a, b))));
}

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const interesting = fc.oneof(int32, fc.constantFrom(0, 1, -1, 31, 32, 0x7fffffff, -0x80000000, 0x80, 0xffff));

describe('RV32I register-register', () => {
  const edge: [number, number][] = [
    [0, 0], [1, -1], [-1, 1], [0x7fffffff, 1], [-0x80000000, -1], [-0x80000000, 1], [5, 31], [5, 32],
    [-8, 33], [0x12345678, 0x0f0f0f0f], [-1, -1], [-0x80000000, 0x7fffffff],
  ];
  for (const op of Object.keys(ALU)) {
    it(`${op}: edge values`, () => checkAlu(op, edge));
    it(`${op}: random values against the reference`, () => {
      fc.assert(fc.property(fc.array(fc.tuple(interesting, interesting), { minLength: 1, maxLength: 24 }),
        (pairs) => checkAlu(op, pairs)), { numRuns: 15 });
    });
  }

  it('writes to x0 are discarded', () => {
    run('li a1, 5\n add x0, a1, a1\n addi x0, x0, 7\n lui x0, 1\n mv a0, x0')
      .expectReg('zero', 0).expectReg('a0', 0);
  });

  it('rd may equal a source', () => {
    run('li a0, 3\n add a0, a0, a0\n sub a0, a0, a0\n addi a1, a0, 1\n sll a1, a1, a1')
      .expectReg('a0', 0).expectReg('a1', 2);
  });
});

describe('RV32I register-immediate', () => {
  const immEdge = [0, 1, -1, 2047, -2048, 0x555, -0x556];
  const vals = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, 2047, -2048];
  const pairs = vals.flatMap((a) => immEdge.map((b): [number, number] => [a, b]));
  for (const op of ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi']) {
    it(`${op}: sign-extended 12-bit immediates`, () => checkAlu(op, pairs, true));
  }
  for (const op of ['slli', 'srli', 'srai']) {
    it(`${op}: every shift amount 0..31`, () => {
      const sh: [number, number][] = [];
      for (let s = 0; s < 32; s++) sh.push([-0x7edcba99, s], [0x40000001, s]);
      checkAlu(op, sh, true);
    });
  }
  it('sltiu with imm -1 compares against 0xffffffff; seqz is sltiu 1', () => {
    run('li a1, -2\n sltiu a0, a1, -1\n li a2, 0\n seqz a3, a2\n seqz a4, a1')
      .expectRegs({ a0: 1, a3: 1, a4: 0 });
  });
  it('xori -1 is not; addi wraps on overflow', () => {
    run('li a1, 0x0f0f0f0f\n xori a0, a1, -1\n li a2, 0x7fffffff\n addi a3, a2, 1')
      .expectRegs({ a0: 0xf0f0f0f0, a3: 0x80000000 });
  });
});

describe('RV32I upper immediates and jumps', () => {
  it('lui loads the upper 20 bits, zero low bits', () => {
    run('li a0, -1\n lui a0, 0xfffff\n lui a1, 0x12345\n lui a2, 0').expectRegs({ a0: 0xfffff000, a1: 0x12345000, a2: 0 });
  });

  it('auipc adds to its own pc', () => {
    // instructions: auipc at BASE, auipc at BASE+4
    run('auipc a0, 0\n auipc a1, 0x80000\n auipc a2, 0xfffff')
      .expectRegs({ a0: BASE, a1: (BASE + 4 + 0x80000000) | 0, a2: (BASE + 8 - 0x1000) | 0 });
  });

  it('jal writes pc+4 and jumps forward and backward', () => {
    run(`
      jal ra, fwd          # BASE
      li a0, 99            # skipped
    back:
      li a1, 7
      j _done
    fwd:
      mv a2, ra
      jal x0, back
    `).expectRegs({ a0: 0, a1: 7, a2: BASE + 4 });
  });

  it('jalr: target (rs1 + imm) & ~1, rd = pc+4, rd may equal rs1', () => {
    run(`
      la t0, tgt
      addi t0, t0, 9       # tgt + 9; -8 + 1 -> bit 0 cleared
      jalr t0, -8(t0)      # rd = rs1: the target uses the old value
      li a0, 1             # skipped
    tgt:
      li a1, 2
      la t1, after
      addi t1, t1, -4
      jalr x0, 4(t1)
      li a2, 3             # skipped
    after:
      nop
    `).expectRegs({ a0: 0, a1: 2, a2: 0, t0: BASE + 16 });
  });

  it('call/ret through the stack pointer', () => {
    run(`
      li sp, 0x80080000
      li a0, 5
      call fact
      j _done
    fact:                  # a0 = a0!
      addi sp, sp, -8
      sw ra, 4(sp)
      sw a0, 0(sp)
      li t0, 1
      ble a0, t0, 1f
      addi a0, a0, -1
      call fact
      lw t1, 0(sp)
      mul a0, a0, t1
      j 2f
    1: li a0, 1
    2: lw ra, 4(sp)
      addi sp, sp, 8
      ret
    `).expectReg('a0', 120).expectReg('sp', 0x80080000);
  });
});

describe('RV32I branches', () => {
  const CMP: Record<string, (a: number, b: number) => boolean> = {
    beq: (a, b) => a === b,
    bne: (a, b) => a !== b,
    blt: (a, b) => a < b,
    bge: (a, b) => a >= b,
    bltu: (a, b) => u(a) < u(b),
    bgeu: (a, b) => u(a) >= u(b),
  };
  const pairs: [number, number][] = [[0, 0], [1, 2], [2, 1], [-1, 1], [1, -1], [-1, -1],
    [-0x80000000, 0x7fffffff], [0x7fffffff, -0x80000000]];
  for (const [op, ref] of Object.entries(CMP)) {
    it(`${op}: taken and not taken, signed/unsigned edges`, () => {
      const body = pairs.map(([a, b], i) => `
        li a1, ${a}
        li a2, ${b}
        li a0, 1
        ${op} a1, a2, 1f
        li a0, 0
      1: sw a0, ${4 * i}(s0)`).join('\n');
      const o = run(`la s0, out\n${body}\n j _done\n .data\n .globl out\nout: .space ${4 * pairs.length}`);
      const got = pairs.map((_, i) => o.mem(o.sym('out') + 4 * i) === 1);
      expect(got).toEqual(pairs.map(([a, b]) => ref(a, b)));
    });
  }

  it('backward branches loop', () => {
    run('li a0, 0\n li a1, 10\n1: addi a0, a0, 3\n addi a1, a1, -1\n bnez a1, 1b').expectRegs({ a0: 30, a1: 0 });
  });
});

describe('RV32I loads and stores', () => {
  const data = `
    .data
    .globl buf
  buf: .byte 0x81, 0x02, 0xf3, 0x74, 0x85, 0x86, 0x07, 0x88
    .globl out
  out: .space 16
  `;

  it('lb/lbu/lh/lhu/lw: sign and zero extension', () => {
    run(`
      la s0, buf
      lb a0, 0(s0)
      lbu a1, 0(s0)
      lb a2, 1(s0)
      lh a3, 4(s0)
      lhu a4, 4(s0)
      lh a5, 2(s0)
      lw a6, 0(s0)
      lw a7, 4(s0)
    ${data}`).expectRegs({
      a0: 0xffffff81, a1: 0x81, a2: 2, a3: 0xffff8685, a4: 0x8685, a5: 0x74f3, a6: 0x74f30281, a7: 0x88078685,
    });
  });

  it('negative offsets', () => {
    run(`la s0, buf\n addi s0, s0, 8\n lw a0, -8(s0)\n lbu a1, -1(s0)\n sb a1, -8(s0)\n lw a2, -8(s0)\n${data}`)
      .expectRegs({ a0: 0x74f30281, a1: 0x88, a2: 0x74f30288 });
  });

  it('sb/sh/sw write only their bytes, little-endian', () => {
    run(`
      la s0, out
      li t0, -1
      sw t0, 0(s0)
      sw t0, 4(s0)
      li t1, 0x12345678
      sb t1, 0(s0)
      sh t1, 6(s0)
      sw t1, 8(s0)
    ${data}`).expectMem('out', 0xffffff78).expectMem(0x80001000 + 12, 0x5678ffff).expectMem(0x80001000 + 16, 0x12345678);
  });

  it('misaligned loads and stores succeed (done in hardware)', () => {
    run(`
      la s0, buf
      lw a0, 1(s0)
      lh a1, 3(s0)
      lhu a2, 5(s0)
      lw a3, 3(s0)
      la s1, out
      li t0, 0xa1b2c3d4
      sw t0, 1(s1)
      sh t0, 7(s1)
    ${data}`).expectNoTrap().expectRegs({ a0: 0x8574f302, a1: 0xffff8574, a2: 0x0786, a3: 0x07868574 })
      .expectMem('out', 0xb2c3d400).expectMem(0x80001008 + 4, 0xd4000000 | 0xa1, 4).expectMem(0x80001008 + 8, 0xc3, 1);
  });

  it('a misaligned word across a page boundary', () => {
    run(`
      li s0, 0x80002ffe
      li t0, 0xcafef00d
      sw t0, 0(s0)
      lw a0, 0(s0)
      lhu a1, 1(s0)
    `).expectNoTrap().expectRegs({ a0: 0xcafef00d, a1: 0xfef0 }).expectMem(0x80003000, 0xcafe, 2);
  });

  it('a load from nothing is a load access fault; rd unchanged', () => {
    run('li a0, 42\n li t0, 0x01000000\nld: lw a0, 0(t0)').expectTrap({ cause: 5, tval: 0x01000000, epc: 'ld' })
      .expectReg('a0', 42);
  });

  it('a store to nothing is a store access fault', () => {
    run('li t0, 0x01000000\n sb t0, 3(t0)').expectTrap({ cause: 7, tval: 0x01000003 });
  });

  it('a misaligned load running off the end of RAM is an access fault; rd unchanged', () => {
    const o = run('li a0, 42\n li t0, 0x800ffffe\n lw a0, 0(t0)').expectTrap({ cause: 5 }).expectReg('a0', 42);
    expect(o.hart.mtval >>> 0).toBeGreaterThanOrEqual(0x800ffffe);
    expect(o.hart.mtval >>> 0).toBeLessThanOrEqual(0x80100001);
  });

  it('a misaligned store running off the end of RAM writes nothing', () => {
    run('li t0, 0x800ffffe\n li t1, -1\n sw t1, 0(t0)').expectTrap({ cause: 7 }).expectMem(0x800ffffc, 0);
  });

  it('lw x0 reads (and discards)', () => {
    run(`la s0, buf\n lw x0, 0(s0)\n${data}`).expectNoTrap().expectReg(0, 0);
  });
});

describe('RV32I fences', () => {
  it('fence and fence.i execute as no-ops', () => {
    run('fence\n fence rw, rw\n fence.tso\n fence.i\n li a0, 1').expectNoTrap().expectReg('a0', 1);
  });

  it('self-modifying code is seen after fence.i', () => {
    run(`
      la t0, patch
      li t1, 0x02a00513    # addi a0, x0, 42
      sw t1, 0(t0)
      fence.i
    patch:
      li a0, 1
    `).expectReg('a0', 42);
  });

  // Without fence.i the spec allows either the old or the new instruction; ours (interpreter and
  // compiled blocks alike) always executes memory as it is now. The harness checks the engines agree.
  it('a store to the next instruction is seen at once, even without fence.i', () => {
    run(`
      li s1, 0
    again:
      la t0, patch
      li t1, 0x00150513    # addi a0, a0, 1
      sw t1, 0(t0)
    patch: addi a0, a0, 100
      li t1, 0x06450513    # addi a0, a0, 100
      sw t1, 0(t0)
      addi s1, s1, 1
      li t2, 40
      blt s1, t2, again
    `).expectReg('a0', 40);
  });

  it('patching a hot loop\'s body takes effect on the next iteration', () => {
    run(`
      li s1, 0
      la t0, patch
    again:
      addi s1, s1, 1
    patch: nop
      li t2, 60
      blt s1, t2, again
      li t1, 0x00150513    # addi a0, a0, 1
      sw t1, 0(t0)
      li t2, 100
      blt s1, t2, again
    `).expectReg('a0', 40).expectReg('s1', 100);
  });
});
