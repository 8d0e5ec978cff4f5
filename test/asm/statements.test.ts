// Every instruction, pseudo-instruction and directive against the bytes GNU as produces.
import { describe, expect, it } from 'vitest';
import { EXPECTED } from './expected';
import { asm, hexOf } from './helpers';
import { assemble } from '../../src/asm/index';

describe('statements assemble to the bytes GNU as produces', () => {
  for (const [src, hex] of EXPECTED) {
    it(src.replace(/\n/g, ' / '), () => {
      const data = src.startsWith('.');
      const text = `.option norelax\n${data ? '.data' : '.text'}\n${src}\n`;
      expect(hexOf(text, data ? '.data' : '.text')).toBe(hex);
    });
  }
});

describe('more forms', () => {
  it('accepts objdump spellings: add/and/sll with an immediate, csrrw with an immediate', () => {
    expect(hexOf('add a0,a0,5')).toBe(hexOf('addi a0,a0,5'));
    expect(hexOf('and a0,a1,3')).toBe(hexOf('andi a0,a1,3'));
    expect(hexOf('sll a0,a1,0x3')).toBe(hexOf('slli a0,a1,3'));
    expect(hexOf('sltu a0,a1,1')).toBe(hexOf('sltiu a0,a1,1'));
    expect(hexOf('csrrw a0,mstatus,5')).toBe(hexOf('csrrwi a0,mstatus,5'));
    expect(hexOf('csrw mstatus,5')).toBe(hexOf('csrwi mstatus,5'));
    expect(hexOf('jalr 4(a0)')).toBe(hexOf('jalr ra,4(a0)'));
    expect(hexOf('jr 4(a0)')).toBe(hexOf('jalr zero,4(a0)'));
    expect(hexOf('zext.b a0,a1')).toBe(hexOf('andi a0,a1,255'));
  });
  it('numeric local labels', () => {
    expect(hexOf('1: j 1f\n1: j 1b\n2: j 2b')).toBe(hexOf('a: j b\nb: j b\nc: j c'));
  });
  it('.equ/.set and expressions with GNU precedence', () => {
    expect(hexOf('.equ A, 3\n.set B, A * 4\naddi a0, a0, B + 1 & 2')).toBe(hexOf('addi a0, a0, 12')); // & binds tighter than +
    expect(hexOf('addi a0, a0, (1 + 2) << 2 >> 1')).toBe(hexOf('addi a0, a0, 6'));
    expect(hexOf('addi a0, a0, ~1 ^ 3')).toBe(hexOf('addi a0, a0, -3'));
    expect(hexOf('addi a0, a0, 17 % 5 - 10 / 3')).toBe(hexOf('addi a0, a0, -1'));
    expect(hexOf("li a0, 'x' | 0x100")).toBe(hexOf('li a0, 0x178'));
  });
  it('.rodata and .section map to output sections; .bss is zero', () => {
    const r = hexOf('.rodata\n.byte 1\n.section .rodata.str, "a"\n.byte 2', '.rodata');
    expect(r).toBe('0102');
    expect(hexOf('.bss\n.zero 8', '.bss')).toBe('0000000000000000');
  });
  it('macros: defaults, keyword arguments, \\@ and \\()', () => {
    const src = `.macro m a, b=2
  addi \\a, \\a, \\b
.endm
.macro lbl n
L\\n\\():
  j L\\n
.endm
m a0
m a1, 3
m b=4, a=a2
lbl 7`;
    expect(hexOf(src)).toBe(hexOf('addi a0,a0,2\naddi a1,a1,3\naddi a2,a2,4\nL7: j L7'));
  });
  it('.include through readFile, relative to the including file', () => {
    const files: Record<string, string> = { 'inc/a.s': '.include "b.s"\nnop', 'inc/b.s': 'ecall' };
    const r = assemble([{ name: 'main.s', text: '.include "inc/a.s"\nebreak' }], { readFile: (p) => files[p] });
    expect(r.ok).toBe(true);
  });
  it('several files link; globals resolve across them', () => {
    const r = assemble([
      { name: 'a.s', text: '.globl _start\n_start: call f\n.data\nx: .word f' },
      { name: 'b.s', text: '.globl f\nf: ret' },
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.symbols.get('f')).toBe(0x80000008);
    expect(r.entry).toBe(0x80000000);
    expect([...r.sections[2]!.data.subarray(0, 4)]).toEqual([8, 0, 0, 0x80]);
  });
  it('layout: sections start on 4 KiB boundaries after .text', () => {
    const r = asm('nop\n.section .rodata\n.byte 1\n.data\n.word 2\n.bss\n.zero 4');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.sections.map((s) => [s.name, s.addr.toString(16), s.size])).toEqual([
      ['.text', '80000000', 4], ['.rodata', '80001000', 1], ['.data', '80002000', 4], ['.bss', '80003000', 4],
    ]);
  });
  it('listing has address, bytes and source', () => {
    const r = asm('nop\nli a0, 0x12345678');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.listing.map((l) => [l.addr, l.bytes.length, l.source])).toEqual([[0x80000000, 4, 'nop'], [0x80000004, 8, 'li a0, 0x12345678']]);
  });
});
