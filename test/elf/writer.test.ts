// The ELF32 writer: header fields, one PT_LOAD per non-empty section with its permissions,
// page-congruent offsets, section headers with .symtab/.strtab/.shstrtab.
import { describe, expect, it } from 'vitest';
import { writeElf } from '../../src/elf/writer';

const img = writeElf({
  entry: 0x80000004,
  sections: [
    { name: '.text', addr: 0x80000000, data: new Uint8Array([0x13, 0, 0, 0, 0x73, 0, 0, 0]), size: 8, exec: true, write: false, nobits: false, align: 4 },
    { name: '.rodata', addr: 0x80001000, data: new Uint8Array(0), size: 0, exec: false, write: false, nobits: false, align: 1 },
    { name: '.data', addr: 0x80002000, data: new Uint8Array([1, 2, 3]), size: 3, exec: false, write: true, nobits: false, align: 1 },
    { name: '.bss', addr: 0x80003000, data: new Uint8Array(16), size: 16, exec: false, write: true, nobits: true, align: 8 },
  ],
  symbols: [
    { name: '_start', value: 0x80000004, global: true, section: '.text' },
    { name: 'local', value: 0x80002000, global: false, section: '.data' },
    { name: 'K', value: 42, global: false, section: 'abs' },
  ],
});
const v = new DataView(img.buffer, img.byteOffset, img.byteLength);

describe('writeElf', () => {
  it('writes an ELF32 LE RISC-V executable header', () => {
    expect([...img.subarray(0, 7)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(v.getUint16(16, true)).toBe(2); // ET_EXEC
    expect(v.getUint16(18, true)).toBe(243); // EM_RISCV
    expect(v.getUint32(24, true)).toBe(0x80000004);
    expect(v.getUint32(36, true)).toBe(0); // e_flags
    expect(v.getUint16(44, true)).toBe(3); // three non-empty sections -> three PT_LOAD
  });
  it('one PT_LOAD per section, permissions and page-congruent offsets', () => {
    const ph = (i: number) => {
      const o = v.getUint32(28, true) + 32 * i;
      return { type: v.getUint32(o, true), off: v.getUint32(o + 4, true), vaddr: v.getUint32(o + 8, true),
        filesz: v.getUint32(o + 16, true), memsz: v.getUint32(o + 20, true), flags: v.getUint32(o + 24, true) };
    };
    const [t, d, b] = [ph(0), ph(1), ph(2)];
    expect([t.type, t.vaddr, t.filesz, t.memsz, t.flags]).toEqual([1, 0x80000000, 8, 8, 5]);
    expect([d.vaddr, d.filesz, d.flags]).toEqual([0x80002000, 3, 6]);
    expect([b.vaddr, b.filesz, b.memsz, b.flags]).toEqual([0x80003000, 0, 16, 6]);
    for (const p of [t, d]) expect(p.off % 0x1000).toBe(p.vaddr % 0x1000);
    expect([...img.subarray(t.off, t.off + 8)]).toEqual([0x13, 0, 0, 0, 0x73, 0, 0, 0]);
    expect([...img.subarray(d.off, d.off + 3)]).toEqual([1, 2, 3]);
  });
  it('section headers name .symtab/.strtab/.shstrtab and list symbols locals first', () => {
    const shoff = v.getUint32(32, true), shnum = v.getUint16(48, true), shstrndx = v.getUint16(50, true);
    expect(shnum).toBe(8);
    const sh = (i: number) => {
      const o = shoff + 40 * i;
      return { name: v.getUint32(o, true), type: v.getUint32(o + 4, true), off: v.getUint32(o + 16, true),
        size: v.getUint32(o + 20, true), link: v.getUint32(o + 24, true), info: v.getUint32(o + 28, true) };
    };
    const strs = sh(shstrndx);
    const str = (base: number, off: number): string => {
      let e = base + off; while (img[e] !== 0) e++;
      return new TextDecoder().decode(img.subarray(base + off, e));
    };
    const names = Array.from({ length: shnum }, (_, i) => str(strs.off, sh(i).name));
    expect(names).toEqual(['', '.text', '.rodata', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
    const symtab = sh(5), strtab = sh(symtab.link);
    expect(symtab.info).toBe(3); // first global after null + 2 locals
    const sym = (i: number) => {
      const o = symtab.off + 16 * i;
      return [str(strtab.off, v.getUint32(o, true)), v.getUint32(o + 4, true), img[o + 12]! >> 4, v.getUint16(o + 14, true)];
    };
    expect([sym(1), sym(2), sym(3)]).toEqual([['local', 0x80002000, 0, 3], ['K', 42, 0, 0xfff1], ['_start', 0x80000004, 1, 1]]);
  });
});
