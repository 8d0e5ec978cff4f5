// ELF32 little-endian RISC-V executable reader and validator.
//
// parseElf never throws: every malformed input gives one one-line error naming the offending
// field. It checks the ELF header, the program header table and every PT_LOAD segment, and, if
// the file has section headers, the section header table, the section name string table, and
// the symbol table with its string table. loadSegmentsIntoRam places segments by p_paddr, as
// QEMU does for `-kernel` ELFs (with the MMU off a program runs at its physical addresses).
//
// This layer sits above src/mmu but must not know it: the RAM target is a structural interface
// that the physical Bus satisfies.

/** A loadable (PT_LOAD) segment. */
export interface ElfSegment {
  /** Index in the program header table, for messages. */
  index: number;
  vaddr: number;
  paddr: number;
  /** The p_filesz bytes from the file (a copy). */
  data: Uint8Array;
  memsz: number;
  /** PF_R = 4, PF_W = 2, PF_X = 1. */
  flags: number;
  align: number;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: ElfSymbolType;
  binding: ElfSymbolBinding;
  /** Section index, or SHN_UNDEF (0) / SHN_ABS (0xfff1) / SHN_COMMON (0xfff2). */
  shndx: number;
}

export interface ElfImage {
  entry: number;
  /** e_flags: EF_RISCV_RVC = 1, float ABI = bits 1..2, EF_RISCV_RVE = 8, EF_RISCV_TSO = 16. */
  flags: number;
  segments: ElfSegment[];
  /** Named symbols (not FILE); on a name clash global beats weak beats local, then the first. */
  symbols: ReadonlyMap<string, ElfSymbol>;
}

export type ParseResult = { ok: true; elf: ElfImage } | { ok: false; error: string };
export type LoadResult = { ok: true } | { ok: false; error: string };

/** What loadSegmentsIntoRam needs of the physical bus. */
export interface RamTarget {
  readonly ramBase: number;
  readonly ram: Uint8Array;
  /** True if [pa, pa + len) lies entirely in RAM. */
  isRam(pa: number, len: number): boolean;
}

export const EM_RISCV = 243;
export const ET_EXEC = 2;
export const PT_LOAD = 1;
export const PT_INTERP = 3;
export const EF_RISCV_RVC = 0x1;
export const EF_RISCV_FLOAT_ABI = 0x6;
export const EF_RISCV_RVE = 0x8;

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const PN_XNUM = 0xffff;
const SHT_NULL = 0;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHT_NOBITS = 8;
const SHN_LORESERVE = 0xff00;
const SHN_XINDEX = 0xffff;
const TWO32 = 2 ** 32;

const hex = (n: number) => `0x${n.toString(16)}`;
/** Symbol names are bytes; invalid UTF-8 becomes U+FFFD rather than an error. */
const utf8 = new TextDecoder('utf-8');

/** A failed check: one line naming the field. */
interface Fail {
  readonly error: string;
}

function fail(error: string): Fail {
  return { error };
}

/** Contract: true for a Fail (no value type below has an `error` field). */
function failed<T extends object>(v: T | Fail): v is Fail {
  return 'error' in v;
}

/** Little-endian field access over the file, with the file length at hand. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  /** Contract: off + 2 <= length (checked by the caller). */
  u16(off: number): number {
    return this.view.getUint16(off, true);
  }
  /** Contract: off + 4 <= length (checked by the caller). */
  u32(off: number): number {
    return this.view.getUint32(off, true);
  }
  /** A Fail naming `what` unless [off, off + len) lies within the file. */
  outside(off: number, len: number, what: string): Fail | undefined {
    if (off + len <= this.length) return undefined;
    return fail(`${what} [${hex(off)}, ${hex(off + len)}) lies outside the file (${this.length} bytes)`);
  }
}

interface Header {
  entry: number;
  phoff: number;
  shoff: number;
  flags: number;
  phentsize: number;
  phnum: number;
  shentsize: number;
  shnum: number;
  shstrndx: number;
}

interface Section {
  index: number;
  name: number;
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

/** Parses and validates an ELF32 little-endian RISC-V executable. Never throws. */
export function parseElf(bytes: Uint8Array): ParseResult {
  try {
    const r = new Reader(bytes);
    const h = parseHeader(r);
    if (failed(h)) return { ok: false, error: h.error };
    const segments = parseSegments(r, h);
    if (failed(segments)) return { ok: false, error: segments.error };
    const sections = parseSections(r, h);
    if (failed(sections)) return { ok: false, error: sections.error };
    const symbols = parseSymbols(r, sections);
    if (failed(symbols)) return { ok: false, error: symbols.error };
    return { ok: true, elf: { entry: h.entry, flags: h.flags, segments, symbols } };
  } catch (e) {
    // Not expected: every check reports a Fail and every read is bounds-checked first. This only
    // keeps the promise never to throw should a bug slip through.
    return { ok: false, error: `internal error while reading ELF: ${String(e).split('\n')[0]}` };
  }
}

/** Contract: validates the ELF header fields this machine depends on and returns them. */
function parseHeader(r: Reader): Header | Fail {
  if (r.length < 4) return fail(`file too short for an ELF header (${r.length} bytes)`);
  const b = r.bytes;
  if (b[0] !== 0x7f || b[1] !== 0x45 || b[2] !== 0x4c || b[3] !== 0x46) return fail('bad magic: not an ELF file');
  if (r.length < EHDR_SIZE) return fail(`file too short for an ELF32 header (${r.length} bytes, need ${EHDR_SIZE})`);
  if (b[4] !== 1) return fail(`EI_CLASS is ${b[4]}: not ELF32 (1)`);
  if (b[5] !== 1) return fail(`EI_DATA is ${b[5]}: not little-endian (1)`);
  if (b[6] !== 1) return fail(`EI_VERSION is ${b[6]}, not 1`);
  const type = r.u16(16);
  if (type !== ET_EXEC) return fail(`e_type is ${type}, not EXEC (${ET_EXEC})`);
  const machine = r.u16(18);
  if (machine !== EM_RISCV) return fail(`e_machine is ${machine}, not RISC-V (${EM_RISCV})`);
  const version = r.u32(20);
  if (version !== 1) return fail(`e_version is ${version}, not 1`);
  const ehsize = r.u16(40);
  if (ehsize < EHDR_SIZE) return fail(`e_ehsize is ${ehsize}, less than ${EHDR_SIZE}`);
  const out = r.outside(0, ehsize, 'e_ehsize: header');
  if (out) return out;
  return {
    entry: r.u32(24),
    phoff: r.u32(28),
    shoff: r.u32(32),
    flags: r.u32(36),
    phentsize: r.u16(42),
    phnum: r.u16(44),
    shentsize: r.u16(46),
    shnum: r.u16(48),
    shstrndx: r.u16(50),
  };
}

/** Contract: validates the program header table and returns the PT_LOAD segments. */
function parseSegments(r: Reader, h: Header): ElfSegment[] | Fail {
  if (h.phnum === 0) return fail('e_phnum is 0: no program headers');
  if (h.phnum === PN_XNUM) return fail('e_phnum is PN_XNUM (extended numbering is not supported)');
  if (h.phentsize < PHDR_SIZE) return fail(`e_phentsize is ${h.phentsize}, less than ${PHDR_SIZE}`);
  const out = r.outside(h.phoff, h.phnum * h.phentsize, 'e_phoff/e_phnum: program header table');
  if (out) return out;
  const segments: ElfSegment[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const p = h.phoff + i * h.phentsize;
    const type = r.u32(p);
    if (type === PT_INTERP) return fail(`program header ${i} is PT_INTERP: dynamically linked programs are not supported`);
    if (type !== PT_LOAD) continue;
    const seg = parseLoad(r, i, p);
    if (failed(seg)) return seg;
    segments.push(seg);
  }
  if (segments.length === 0) return fail('no PT_LOAD segment');
  return overlap(segments) ?? segments;
}

/** Contract: validates the PT_LOAD header at file offset p (index i) and returns the segment. */
function parseLoad(r: Reader, i: number, p: number): ElfSegment | Fail {
  const offset = r.u32(p + 4);
  const vaddr = r.u32(p + 8);
  const paddr = r.u32(p + 12);
  const filesz = r.u32(p + 16);
  const memsz = r.u32(p + 20);
  if (filesz > memsz) return fail(`segment ${i}: p_filesz ${hex(filesz)} > p_memsz ${hex(memsz)}`);
  const out = r.outside(offset, filesz, `segment ${i}: p_offset/p_filesz: file bytes`);
  if (out) return out;
  if (vaddr + memsz > TWO32) return fail(`segment ${i}: p_vaddr ${hex(vaddr)} + p_memsz ${hex(memsz)} overflows 32 bits`);
  if (paddr + memsz > TWO32) return fail(`segment ${i}: p_paddr ${hex(paddr)} + p_memsz ${hex(memsz)} overflows 32 bits`);
  return {
    index: i,
    vaddr,
    paddr,
    data: r.bytes.slice(offset, offset + filesz),
    memsz,
    flags: r.u32(p + 24),
    align: r.u32(p + 28),
  };
}

/** Contract: a Fail if two non-empty segments overlap in physical memory (QEMU refuses too). */
function overlap(segments: ElfSegment[]): Fail | undefined {
  const live = segments.filter((s) => s.memsz > 0).sort((a, b) => a.paddr - b.paddr);
  for (let k = 1; k < live.length; k++) {
    const a = live[k - 1];
    const b = live[k];
    if (a.paddr + a.memsz > b.paddr) return fail(`segments ${a.index} and ${b.index} overlap at p_paddr ${hex(b.paddr)}`);
  }
  return undefined;
}

/** Contract: validates the section header table (if any) and the section name table. */
function parseSections(r: Reader, h: Header): Section[] | Fail {
  if (h.shnum === 0) {
    if (h.shoff !== 0) return fail('e_shnum is 0 but e_shoff is not (extended numbering is not supported)');
    return [];
  }
  if (h.shentsize < SHDR_SIZE) return fail(`e_shentsize is ${h.shentsize}, less than ${SHDR_SIZE}`);
  if (h.shoff === 0) return fail(`e_shoff is 0 but e_shnum is ${h.shnum}`);
  const out = r.outside(h.shoff, h.shnum * h.shentsize, 'e_shoff/e_shnum: section header table');
  if (out) return out;
  const sections: Section[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const s = parseSection(r, i, h.shoff + i * h.shentsize);
    if (failed(s)) return s;
    sections.push(s);
  }
  return badSectionNames(h, sections) ?? sections;
}

/** Contract: reads section header i at file offset p; its contents must lie in the file. */
function parseSection(r: Reader, i: number, p: number): Section | Fail {
  const s: Section = {
    index: i,
    name: r.u32(p),
    type: r.u32(p + 4),
    offset: r.u32(p + 16),
    size: r.u32(p + 20),
    link: r.u32(p + 24),
    entsize: r.u32(p + 36),
  };
  if (s.type === SHT_NULL || s.type === SHT_NOBITS) return s; // no file contents
  return r.outside(s.offset, s.size, `section ${i}: sh_offset/sh_size: contents`) ?? s;
}

/** Contract: a Fail unless e_shstrndx names a string table and every sh_name lies inside it. */
function badSectionNames(h: Header, sections: Section[]): Fail | undefined {
  if (h.shstrndx === 0) return undefined; // SHN_UNDEF: the sections have no names
  if (h.shstrndx === SHN_XINDEX) return fail('e_shstrndx is SHN_XINDEX (extended numbering is not supported)');
  const strtab = sections[h.shstrndx];
  if (strtab === undefined) return fail(`e_shstrndx ${h.shstrndx} is not below e_shnum ${h.shnum}`);
  if (strtab.type !== SHT_STRTAB) return fail(`e_shstrndx ${h.shstrndx} is not a string table (sh_type ${strtab.type})`);
  for (const s of sections) {
    if (s.index !== 0 && s.name >= strtab.size) {
      return fail(`section ${s.index}: sh_name ${s.name} lies outside the section name table (${strtab.size} bytes)`);
    }
  }
  return undefined;
}

/** Contract: the named symbols of the SHT_SYMTAB section, if there is one. */
function parseSymbols(r: Reader, sections: Section[]): Map<string, ElfSymbol> | Fail {
  const symbols = new Map<string, ElfSymbol>();
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab === undefined) return symbols;
  const i = symtab.index;
  if (symtab.entsize < SYM_SIZE) return fail(`section ${i} (symtab): sh_entsize ${symtab.entsize} is less than ${SYM_SIZE}`);
  if (symtab.size % symtab.entsize !== 0) {
    return fail(`section ${i} (symtab): sh_size ${symtab.size} is not a multiple of sh_entsize ${symtab.entsize}`);
  }
  const strtab = sections[symtab.link];
  if (strtab === undefined || strtab.type !== SHT_STRTAB) {
    return fail(`section ${i} (symtab): sh_link ${symtab.link} is not a string table section`);
  }
  for (let k = 1; k < symtab.size / symtab.entsize; k++) {
    const sym = parseSymbol(r, k, symtab.offset + k * symtab.entsize, strtab, sections.length);
    if (failed(sym)) return sym;
    if (sym.name === '' || sym.type === 'file') continue;
    const old = symbols.get(sym.name);
    if (old === undefined || rank(sym.binding) > rank(old.binding)) symbols.set(sym.name, sym);
  }
  return symbols;
}

/** Contract: reads and validates symbol k at file offset p (inside the file, checked before). */
function parseSymbol(r: Reader, k: number, p: number, strtab: Section, shnum: number): ElfSymbol | Fail {
  const nameOff = r.u32(p);
  const info = r.bytes[p + 12];
  const shndx = r.u16(p + 14);
  if (shndx === SHN_XINDEX) return fail(`symbol ${k}: st_shndx is SHN_XINDEX (extended numbering is not supported)`);
  if (shndx !== 0 && shndx < SHN_LORESERVE && shndx >= shnum) {
    return fail(`symbol ${k}: st_shndx ${shndx} is not a section (e_shnum ${shnum})`);
  }
  const name = readString(r, strtab, nameOff);
  if (name === undefined) return fail(`symbol ${k}: st_name ${nameOff} is not a NUL-terminated string of the string table`);
  return {
    name: utf8.decode(name),
    value: r.u32(p + 4),
    size: r.u32(p + 8),
    type: symbolType(info & 0xf),
    binding: symbolBinding(info >> 4),
    shndx,
  };
}

/** Contract: the bytes of the NUL-terminated string at `off` of `strtab`, or undefined. */
function readString(r: Reader, strtab: Section, off: number): Uint8Array | undefined {
  if (off === 0 && strtab.size === 0) return new Uint8Array(0);
  if (off >= strtab.size) return undefined;
  const start = strtab.offset + off;
  const end = r.bytes.subarray(start, strtab.offset + strtab.size).indexOf(0);
  return end < 0 ? undefined : r.bytes.subarray(start, start + end);
}

function symbolType(t: number): ElfSymbolType {
  const types: ElfSymbolType[] = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];
  return types[t] ?? 'other';
}

function symbolBinding(b: number): ElfSymbolBinding {
  const bindings: ElfSymbolBinding[] = ['local', 'global', 'weak'];
  return bindings[b] ?? 'other';
}

/** Which symbol of a name wins: global over weak over local (and other). */
function rank(b: ElfSymbolBinding): number {
  return b === 'global' ? 3 : b === 'weak' ? 2 : b === 'local' ? 1 : 0;
}

/**
 * Copies every PT_LOAD segment to RAM at its p_paddr and zeroes the rest of its p_memsz (bss).
 * First checks that every non-empty segment lies entirely in RAM; if one does not, nothing is
 * written.
 */
export function loadSegmentsIntoRam(elf: ElfImage, target: RamTarget): LoadResult {
  for (const s of elf.segments) {
    if (s.memsz > 0 && !target.isRam(s.paddr, s.memsz)) {
      const ramEnd = target.ramBase + target.ram.length;
      return {
        ok: false,
        error:
          `segment ${s.index}: p_paddr [${hex(s.paddr)}, ${hex(s.paddr + s.memsz)}) is not entirely in RAM ` +
          `[${hex(target.ramBase)}, ${hex(ramEnd)})`,
      };
    }
  }
  for (const s of elf.segments) {
    if (s.memsz === 0) continue;
    const off = s.paddr - target.ramBase;
    target.ram.set(s.data, off);
    target.ram.fill(0, off + s.data.length, off + s.memsz);
  }
  return { ok: true };
}

/**
 * Checks e_flags against an RV32IMA hart with the ilp32 soft-float ABI: compressed code (RVC),
 * a hardware float ABI and RV32E are refused.
 */
export function checkRv32imaFlags(elf: ElfImage): LoadResult {
  if ((elf.flags & EF_RISCV_RVC) !== 0) return { ok: false, error: 'e_flags has EF_RISCV_RVC: compressed instructions are not supported' };
  if ((elf.flags & EF_RISCV_FLOAT_ABI) !== 0) return { ok: false, error: 'e_flags has a hardware float ABI: only ilp32 (soft-float) is supported' };
  if ((elf.flags & EF_RISCV_RVE) !== 0) return { ok: false, error: 'e_flags has EF_RISCV_RVE: RV32E is not supported' };
  return { ok: true };
}
