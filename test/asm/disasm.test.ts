// The disassembler: objdump's spelling for representative words, and (with binutils) agreement
// with GNU objdump over many generated words.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { disassemble, DisasmState } from '../../src/asm/disasm';
import { ISA } from '../../src/cpu/isa';
import { hasGnu } from './gnu';
import { wordsOf } from './helpers';

const at = (src: string, pc = 0x80000000, sym?: (a: number) => string | undefined): string[] => {
  const st = new DisasmState();
  return wordsOf(src).map((w, i) => disassemble(w, pc + 4 * i, sym, st));
};

describe('disassemble', () => {
  it('prints objdump 2.40 default aliases', () => {
    expect(at(`addi a0,a0,5
lw a1,8(sp)
csrrw t0,mstatus,t1
amoadd.w.aqrl a0,a1,(a2)
fence iorw,iorw
fence r,w
ecall
li a0,5
mv a0,a1
nop
ret
jr a0
jalr a0
csrr a0,mcause
csrw mtvec,a0
csrwi mscratch,3
rdcycle a0
not a0,a1
neg a0,a1
seqz a0,a1
snez a0,a1
sltz a0,a1
sgtz a0,a1
slli a0,a1,3
lui a0,0x12345
unimp
fence.tso
lr.w.aq a0,(a1)
sfence.vma a0`)).toEqual([
      'add a0,a0,5', 'lw a1,8(sp)', 'csrrw t0,mstatus,t1', 'amoadd.w.aqrl a0,a1,(a2)', 'fence', 'fence r,w',
      'ecall', 'li a0,5', 'mv a0,a1', 'nop', 'ret', 'jr a0', 'jalr a0', 'csrr a0,mcause', 'csrw mtvec,a0',
      'csrw mscratch,3', 'rdcycle a0', 'not a0,a1', 'neg a0,a1', 'seqz a0,a1', 'snez a0,a1', 'sltz a0,a1',
      'sgtz a0,a1', 'sll a0,a1,0x3', 'lui a0,0x12345', 'unimp', 'fence.tso', 'lr.w.aq a0,(a1)', 'sfence.vma a0',
    ]);
  });
  it('names branch targets with symbolAt', () => {
    const sym = (a: number): string | undefined => (a === 0x80000000 ? 'loop' : undefined);
    expect(at('loop: beq a0,a1,loop\nbeqz a0,loop\nj loop\njal loop\nbne a0,a1,.+8', 0x80000000, sym))
      .toEqual(['beq a0,a1,80000000 <loop>', 'beqz a0,80000000 <loop>', 'j 80000000 <loop>', 'jal 80000000 <loop>', 'bne a0,a1,80000018']);
  });
  it('comments addresses built by lui/auipc when given a state', () => {
    expect(at('lui a0, 0x80001\naddi a0, a0, 16\nauipc t0, 0\njalr 8(t0)')).toEqual([
      'lui a0,0x80001', 'add a0,a0,16 # 80001010', 'auipc t0,0x0', 'jalr 8(t0) # 80000010',
    ]);
  });
  it('prints undecodable words as .4byte', () => {
    expect(disassemble(0x0000100b, 0)).toBe('.4byte 0x100b');
    expect(disassemble(0xffffffff, 0)).toBe('.4byte 0xffffffff');
  });

  it.skipIf(!hasGnu)('agrees with GNU objdump on 20000 generated words (oracle)', () => {
    let seed = 12345;
    const rnd = (): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
    const words: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const d = ISA[rnd() % ISA.length]!;
      let free = (rnd() ^ (rnd() << 16)) >>> 0;
      const k = rnd() % 8;
      if (k === 0) free &= ~(31 << 7);
      if (k === 1) free &= ~(31 << 15);
      if (k === 2) free &= ~(31 << 20);
      if (k === 3) free &= ~(0xfff << 20);
      if (k === 4) free = (free & ~(31 << 7)) | (1 << 7);
      if (k === 5) free = (free & ~(31 << 15)) | (1 << 15);
      if (k === 6) free = (free & 0x000fffff) | (255 << 20);
      if (k === 7) free &= 0x000fffff;
      words.push((d.match | (free & ~d.mask)) >>> 0);
    }
    const dir = mkdtempSync(join(tmpdir(), 'rtcr-dis-'));
    writeFileSync(join(dir, 'f.s'), '.text\n_start:\n' + words.map((w) => `.insn 0x${w.toString(16)}\n`).join(''));
    const P = 'riscv64-unknown-elf-';
    execFileSync(`${P}as`, ['-march=rv32ima_zicsr_zifencei', join(dir, 'f.s'), '-o', join(dir, 'f.o')]);
    writeFileSync(join(dir, 'l.ld'), 'SECTIONS { . = 0x80000000; .text : { *(.text) } /DISCARD/ : { *(.riscv.attributes) } }\n');
    execFileSync(`${P}ld`, ['-m', 'elf32lriscv', '-T', join(dir, 'l.ld'), join(dir, 'f.o'), '-o', join(dir, 'f.elf')]);
    const out = execFileSync(`${P}objdump`, ['-d', join(dir, 'f.elf')], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const st = new DisasmState();
    const mismatches: string[] = [];
    for (const line of out.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) +\t(.*)$/.exec(line);
      if (!m) continue;
      const want = m[3]!.replace('\t', ' ').replace(/ <[^>]*>/g, '');
      const got = disassemble(parseInt(m[2]!, 16), parseInt(m[1]!, 16), undefined, st);
      if (got !== want) mismatches.push(`${m[2]}: objdump \`${want}' ours \`${got}'`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});
