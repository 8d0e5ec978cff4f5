// ELF32 little-endian RISC-V executable writer: header, one PT_LOAD per allocated section (with
// that section's permissions), section headers, .symtab/.strtab/.shstrtab.
//
// File offsets of loaded sections are congruent to their addresses modulo the page size, as
// loaders (and GNU objdump/readelf) expect. e_flags is 0: no compressed instructions, soft-float.

import {
  ELFCLASS32, ELFDATA2LSB, EV_CURRENT, ET_EXEC, EM_RISCV, EHDR_SIZE, PHDR_SIZE, SHDR_SIZE, SYM_SIZE,
  PT_LOAD, PF_R, PF_W, PF_X, SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_NOBITS,
  SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHN_ABS, SHN_UNDEF, STB_GLOBAL, STB_LOCAL,
  STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, PAGE_SIZE,
} from './constants';

export interface ElfSectionIn {
  readonly name: string;
  readonly addr: number;
  /** Contents; for a NOBITS section only its length matters (use `size`). */
  readonly data: Uint8Array;
  readonly size: number;
  readonly exec: boolean;
  readonly write: boolean;
  readonly nobits: boolean;
  readonly align: number;
}

export interface ElfSymbolIn {
  readonly name: string;
  readonly value: number;
  readonly size?: number;
  readonly global: boolean;
  readonly type?: 'notype' | 'func' | 'object' | 'file';
  /** Name of the section it is defined in, or 'abs'. */
  readonly section: string | 'abs' | 'undef';
}

export interface ElfImage {
  readonly entry: number;
  readonly sections: readonly ElfSectionIn[];
  readonly symbols: readonly ElfSymbolIn[];
}

/** A string table under construction. */
class StrTab {
  private readonly parts: number[][] = [[0]];
  private size = 1;
  private readonly index = new Map<string, number>();
  add(s: string): number {
    if (s === '') return 0;
    const known = this.index.get(s);
    if (known !== undefined) return known;
    const bytes = [...new TextEncoder().encode(s), 0];
    const off = this.size;
    this.parts.push(bytes); this.size += bytes.length; this.index.set(s, off);
    return off;
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

const TYPE: Record<NonNullable<ElfSymbolIn['type']>, number> = { notype: STT_NOTYPE, func: STT_FUNC, object: STT_OBJECT, file: STT_FILE };

/** Serialises an executable. Empty sections are kept as headers but get no segment. */
export function writeElf(img: ElfImage): Uint8Array {
  const loaded = img.sections.filter((s) => s.size > 0);
  const phnum = loaded.length;
  let pos = EHDR_SIZE + PHDR_SIZE * phnum;

  // Section contents.
  const offsets: number[] = [];
  for (const s of img.sections) {
    if (s.nobits || s.size === 0) { offsets.push(alignUp(pos, 4)); continue; }
    const pageOff = s.addr % PAGE_SIZE;
    let off = alignUp(pos - pageOff, PAGE_SIZE) + pageOff;
    if (off < pos) off += PAGE_SIZE;
    offsets.push(off);
    pos = off + s.size;
  }

  // Symbols: null, locals, then globals.
  const strtab = new StrTab();
  const shstr = new StrTab();
  const secIndex = new Map<string, number>();
  img.sections.forEach((s, i) => secIndex.set(s.name, i + 1));
  const syms = [...img.symbols.filter((s) => !s.global), ...img.symbols.filter((s) => s.global)];
  const firstGlobal = 1 + img.symbols.filter((s) => !s.global).length;
  const symtab = new Uint8Array(SYM_SIZE * (syms.length + 1));
  const sv = new DataView(symtab.buffer);
  syms.forEach((s, i) => {
    const o = (i + 1) * SYM_SIZE;
    sv.setUint32(o, strtab.add(s.name), true);
    sv.setUint32(o + 4, s.value >>> 0, true);
    sv.setUint32(o + 8, s.size ?? 0, true);
    sv.setUint8(o + 12, ((s.global ? STB_GLOBAL : STB_LOCAL) << 4) | TYPE[s.type ?? 'notype']);
    sv.setUint8(o + 13, 0);
    const shndx = s.section === 'abs' ? SHN_ABS : s.section === 'undef' ? SHN_UNDEF : (secIndex.get(s.section) ?? SHN_ABS);
    sv.setUint16(o + 14, shndx, true);
  });
  const strBytes = strtab.bytes();

  const nSec = img.sections.length;
  const symtabIdx = nSec + 1, strtabIdx = nSec + 2, shstrIdx = nSec + 3;
  const secNames = img.sections.map((s) => shstr.add(s.name));
  const symName = shstr.add('.symtab'), strName = shstr.add('.strtab'), shstrName = shstr.add('.shstrtab');
  const shstrBytes = shstr.bytes();

  const symOff = alignUp(pos, 4); pos = symOff + symtab.length;
  const strOff = pos; pos += strBytes.length;
  const shstrOff = pos; pos += shstrBytes.length;
  const shoff = alignUp(pos, 4);
  const shnum = nSec + 4;
  const total = shoff + shnum * SHDR_SIZE;

  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  // ELF header
  out.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, 0], 0);
  v.setUint16(16, ET_EXEC, true);
  v.setUint16(18, EM_RISCV, true);
  v.setUint32(20, EV_CURRENT, true);
  v.setUint32(24, img.entry >>> 0, true);
  v.setUint32(28, phnum > 0 ? EHDR_SIZE : 0, true);
  v.setUint32(32, shoff, true);
  v.setUint32(36, 0, true); // e_flags: no RVC, soft-float ABI
  v.setUint16(40, EHDR_SIZE, true);
  v.setUint16(42, PHDR_SIZE, true);
  v.setUint16(44, phnum, true);
  v.setUint16(46, SHDR_SIZE, true);
  v.setUint16(48, shnum, true);
  v.setUint16(50, shstrIdx, true);

  // Program headers and contents
  let ph = EHDR_SIZE;
  img.sections.forEach((s, i) => {
    if (s.size === 0) return;
    const off = offsets[i]!;
    v.setUint32(ph, PT_LOAD, true);
    v.setUint32(ph + 4, s.nobits ? off : off, true);
    v.setUint32(ph + 8, s.addr >>> 0, true);
    v.setUint32(ph + 12, s.addr >>> 0, true);
    v.setUint32(ph + 16, s.nobits ? 0 : s.size, true);
    v.setUint32(ph + 20, s.size, true);
    v.setUint32(ph + 24, PF_R | (s.write ? PF_W : 0) | (s.exec ? PF_X : 0), true);
    v.setUint32(ph + 28, PAGE_SIZE, true);
    ph += PHDR_SIZE;
    if (!s.nobits) out.set(s.data.subarray(0, s.size), off);
  });
  out.set(symtab, symOff);
  out.set(strBytes, strOff);
  out.set(shstrBytes, shstrOff);

  // Section headers: null, the sections, .symtab, .strtab, .shstrtab
  const sh = (i: number, name: number, type: number, flags: number, addr: number, off: number, size: number,
    link: number, info: number, align: number, entsize: number): void => {
    const o = shoff + i * SHDR_SIZE;
    v.setUint32(o, name, true); v.setUint32(o + 4, type, true); v.setUint32(o + 8, flags, true);
    v.setUint32(o + 12, addr >>> 0, true); v.setUint32(o + 16, off, true); v.setUint32(o + 20, size, true);
    v.setUint32(o + 24, link, true); v.setUint32(o + 28, info, true); v.setUint32(o + 32, align, true);
    v.setUint32(o + 36, entsize, true);
  };
  sh(0, 0, SHT_NULL, 0, 0, 0, 0, 0, 0, 0, 0);
  img.sections.forEach((s, i) => {
    const flags = SHF_ALLOC | (s.exec ? SHF_EXECINSTR : 0) | (s.write ? SHF_WRITE : 0);
    sh(i + 1, secNames[i]!, s.nobits ? SHT_NOBITS : SHT_PROGBITS, flags, s.addr, offsets[i]!, s.size, 0, 0, s.align, 0);
  });
  sh(symtabIdx, symName, SHT_SYMTAB, 0, 0, symOff, symtab.length, strtabIdx, firstGlobal, 4, SYM_SIZE);
  sh(strtabIdx, strName, SHT_STRTAB, 0, 0, strOff, strBytes.length, 0, 0, 1, 0);
  sh(shstrIdx, shstrName, SHT_STRTAB, 0, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0);
  return out;
}
