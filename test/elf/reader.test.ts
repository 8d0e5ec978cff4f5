import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRv32imaFlags, loadSegmentsIntoRam, parseElf, type ElfImage } from '../../src/elf/reader';
import { Bus } from '../../src/mmu/bus';

const fixture = (name: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`fixtures/${name}`, import.meta.url))));
const HELLO = fixture('hello.elf');
const HELLO_TTEXT = fixture('hello-ttext.elf');
const LMA = fixture('lma.elf');
const RAM = 0x8000_0000;

function parsed(bytes: Uint8Array): ElfImage {
  const r = parseElf(bytes);
  if (!r.ok) throw new Error(r.error);
  return r.elf;
}

/** The error parseElf reports for `bytes`; fails the test if it parses. */
function errorOf(bytes: Uint8Array): string {
  const r = parseElf(bytes);
  if (r.ok) throw new Error('expected a parse error');
  expect(r.error).not.toContain('\n');
  expect(r.error).not.toMatch(/internal error/);
  return r.error;
}

/** A copy of `base` with `edit` applied through a little-endian DataView. */
function patched(base: Uint8Array, edit: (v: DataView, b: Uint8Array) => void): Uint8Array {
  const b = base.slice();
  edit(new DataView(b.buffer), b);
  return b;
}

/** Offsets in hello.elf, read from its header (no parser involved). */
const hv = new DataView(HELLO.buffer, HELLO.byteOffset, HELLO.byteLength);
const PHOFF = hv.getUint32(28, true);
const SHOFF = hv.getUint32(32, true);
/** hello.elf: program header 0 is RISCV_ATTRIBUTES, 1 and 2 are PT_LOAD. */
const ph = (i: number) => PHOFF + 32 * i;
/** hello.elf: sections 6 = .symtab, 7 = .strtab, 8 = .shstrtab. */
const sh = (i: number) => SHOFF + 40 * i;
const SYMTAB_OFF = hv.getUint32(sh(6) + 16, true);
const sym = (k: number) => SYMTAB_OFF + 16 * k;

describe('parseElf on real toolchain output', () => {
  it('reads the entry, PT_LOAD segments and flags of hello.elf', () => {
    const elf = parsed(HELLO);
    expect(elf.entry).toBe(0x8000_0000);
    expect(elf.flags).toBe(0);
    expect(elf.segments.map((s) => [s.index, s.vaddr, s.paddr, s.data.length, s.memsz, s.flags, s.align])).toEqual([
      [1, 0x8000_0000, 0x8000_0000, 0x50, 0x50, 5, 0x1000],
      [2, 0x8000_1000, 0x8000_1000, 0x88, 0x188, 6, 0x1000],
    ]);
    // The segment bytes are the file's: the first instruction is `lui t0, 0x10000`.
    expect(Array.from(elf.segments[0].data.subarray(0, 4))).toEqual([0xb7, 0x02, 0x00, 0x10]);
  });

  it('reads symbols with value, size, type and binding; skips FILE and unnamed ones', () => {
    const { symbols } = parsed(HELLO);
    expect(symbols.get('tohost')).toEqual({ name: 'tohost', value: 0x8000_1040, size: 8, type: 'object', binding: 'global', shndx: 3 });
    expect(symbols.get('fromhost')?.value).toBe(0x8000_1080);
    expect(symbols.get('_start')).toMatchObject({ value: 0x8000_0000, size: 76, type: 'func', binding: 'global' });
    expect(symbols.get('counter')).toMatchObject({ value: 0x8000_1000, size: 4, type: 'object' });
    expect(symbols.get('scratch')).toMatchObject({ value: 0x8000_1088, size: 256, binding: 'local' });
    expect(symbols.get('message')).toMatchObject({ type: 'notype', binding: 'local' });
    expect(symbols.has('hello.o')).toBe(false);
    expect(symbols.has('')).toBe(false);
  });

  it('keeps vaddr and paddr apart (lma.elf: linked at 0xc0000000, loaded at 0x80000000)', () => {
    const elf = parsed(LMA);
    expect(elf.entry).toBe(0x8000_0000);
    expect(elf.segments.map((s) => [s.vaddr, s.paddr, s.data.length, s.memsz])).toEqual([
      [0xc000_0000, 0x8000_0000, 0x24, 0x24],
      [0xc000_0024, 0x8000_1000, 0, 0x40],
    ]);
    expect(elf.symbols.get('_pstart')).toMatchObject({ value: 0x8000_0000, shndx: 0xfff1 });
    expect(elf.symbols.get('zeroed')?.value).toBe(0xc000_0024);
  });

  it('accepts an ELF without section headers (stripped of them) and returns no symbols', () => {
    const b = patched(HELLO, (v) => {
      v.setUint32(32, 0, true); // e_shoff
      v.setUint16(48, 0, true); // e_shnum
      v.setUint16(50, 0, true); // e_shstrndx
    });
    const elf = parsed(b);
    expect(elf.symbols.size).toBe(0);
    expect(elf.segments.length).toBe(2);
  });

  it('prefers a global symbol over a local one of the same name', () => {
    // Rename local `message` (symbol 8) to the name of global `_start` (symbol 10).
    const b = patched(HELLO, (v) => v.setUint32(sym(8), v.getUint32(sym(10), true), true));
    expect(parsed(b).symbols.get('_start')?.binding).toBe('global');
  });
});

describe('parseElf errors name the field', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /too short/],
    ['bad magic', patched(HELLO, (_, b) => (b[1] = 0x46)), /bad magic/],
    ['truncated header', HELLO.slice(0, 40), /too short for an ELF32 header/],
    ['ELF64', patched(HELLO, (_, b) => (b[4] = 2)), /EI_CLASS is 2: not ELF32/],
    ['big-endian', patched(HELLO, (_, b) => (b[5] = 2)), /EI_DATA is 2: not little-endian/],
    ['EI_VERSION', patched(HELLO, (_, b) => (b[6] = 0)), /EI_VERSION/],
    ['relocatable', patched(HELLO, (v) => v.setUint16(16, 1, true)), /e_type is 1, not EXEC/],
    ['shared object', patched(HELLO, (v) => v.setUint16(16, 3, true)), /e_type is 3/],
    ['x86-64', patched(HELLO, (v) => v.setUint16(18, 62, true)), /e_machine is 62, not RISC-V \(243\)/],
    ['e_version', patched(HELLO, (v) => v.setUint32(20, 2, true)), /e_version is 2/],
    ['e_ehsize small', patched(HELLO, (v) => v.setUint16(40, 40, true)), /e_ehsize is 40/],
    ['e_ehsize beyond file', patched(HELLO.slice(0, 60), (v) => v.setUint16(40, 64, true)), /e_ehsize: header .* outside the file/],
    ['no program headers', patched(HELLO, (v) => v.setUint16(44, 0, true)), /e_phnum is 0/],
    ['PN_XNUM', patched(HELLO, (v) => v.setUint16(44, 0xffff, true)), /PN_XNUM/],
    ['e_phentsize', patched(HELLO, (v) => v.setUint16(42, 16, true)), /e_phentsize is 16/],
    ['program headers beyond file', patched(HELLO, (v) => v.setUint32(28, HELLO.length - 40, true)), /program header table .* outside the file/],
    ['program headers at 2^32-1', patched(HELLO, (v) => v.setUint32(28, 0xffffffff, true)), /e_phoff\/e_phnum/],
    ['filesz > memsz', patched(HELLO, (v) => v.setUint32(ph(2) + 16, 0x200, true)), /segment 2: p_filesz 0x200 > p_memsz 0x188/],
    ['segment bytes beyond file', patched(HELLO, (v) => v.setUint32(ph(1) + 4, HELLO.length - 4, true)), /segment 1: p_offset\/p_filesz: file bytes .* outside the file/],
    ['segment offset overflow', patched(HELLO, (v) => v.setUint32(ph(1) + 4, 0xfffffff0, true)), /segment 1: p_offset/],
    ['vaddr overflow', patched(HELLO, (v) => v.setUint32(ph(2) + 8, 0xffffff00, true)), /segment 2: p_vaddr 0xffffff00 \+ p_memsz 0x188 overflows 32 bits/],
    ['paddr overflow', patched(HELLO, (v) => v.setUint32(ph(2) + 12, 0xffffff00, true)), /segment 2: p_paddr .* overflows/],
    ['overlapping segments', patched(HELLO, (v) => v.setUint32(ph(2) + 12, 0x8000_0040, true)), /segments 1 and 2 overlap at p_paddr 0x80000040/],
    ['PT_INTERP', patched(HELLO, (v) => v.setUint32(ph(0), 3, true)), /program header 0 is PT_INTERP/],
    ['no PT_LOAD', patched(HELLO, (v) => { v.setUint32(ph(1), 4, true); v.setUint32(ph(2), 4, true); }), /no PT_LOAD segment/],
    ['e_shentsize', patched(HELLO, (v) => v.setUint16(46, 32, true)), /e_shentsize is 32/],
    ['e_shoff 0 with sections', patched(HELLO, (v) => v.setUint32(32, 0, true)), /e_shoff is 0 but e_shnum is 9/],
    ['e_shnum 0 with e_shoff', patched(HELLO, (v) => v.setUint16(48, 0, true)), /e_shnum is 0 but e_shoff is not/],
    ['section headers beyond file', patched(HELLO, (v) => v.setUint16(48, 50, true)), /section header table .* outside the file/],
    ['section contents beyond file', patched(HELLO, (v) => v.setUint32(sh(1) + 20, 0x10_0000, true)), /section 1: sh_offset\/sh_size: contents/],
    ['e_shstrndx out of range', patched(HELLO, (v) => v.setUint16(50, 9, true)), /e_shstrndx 9 is not below e_shnum 9/],
    ['e_shstrndx not a string table', patched(HELLO, (v) => v.setUint16(50, 6, true)), /e_shstrndx 6 is not a string table/],
    ['e_shstrndx SHN_XINDEX', patched(HELLO, (v) => v.setUint16(50, 0xffff, true)), /SHN_XINDEX/],
    ['sh_name beyond the name table', patched(HELLO, (v) => v.setUint32(sh(2), 0x1000, true)), /section 2: sh_name 4096 lies outside/],
    ['symtab entsize', patched(HELLO, (v) => v.setUint32(sh(6) + 36, 8, true)), /symtab\): sh_entsize 8/],
    ['symtab size', patched(HELLO, (v) => v.setUint32(sh(6) + 20, 0xe0 - 4, true)), /symtab\): sh_size 220 is not a multiple/],
    ['symtab sh_link out of range', patched(HELLO, (v) => v.setUint32(sh(6) + 24, 40, true)), /sh_link 40 is not a string table/],
    ['symtab sh_link not a string table', patched(HELLO, (v) => v.setUint32(sh(6) + 24, 1, true)), /sh_link 1 is not a string table/],
    ['st_name beyond the string table', patched(HELLO, (v) => v.setUint32(sym(10), 0x6b, true)), /symbol 10: st_name 107 is not a NUL-terminated string/],
    ['st_name unterminated', patched(HELLO, (_, b) => (b[hv.getUint32(sh(7) + 16, true) + 0x6a] = 0x41)), /symbol \d+: st_name \d+ is not a NUL-terminated/],
    ['st_shndx not a section', patched(HELLO, (v) => v.setUint16(sym(10) + 14, 20, true)), /symbol 10: st_shndx 20 is not a section/],
    ['st_shndx SHN_XINDEX', patched(HELLO, (v) => v.setUint16(sym(10) + 14, 0xffff, true)), /symbol 10: st_shndx is SHN_XINDEX/],
  ];
  for (const [what, bytes, pattern] of cases) {
    it(what, () => {
      expect(errorOf(bytes)).toMatch(pattern);
    });
  }
});

describe('parseElf never throws', () => {
  const fixtures = [HELLO, HELLO_TTEXT, LMA];

  /** parseElf must return a result; if it accepts, loading must not throw either. */
  function total(bytes: Uint8Array): void {
    const r = parseElf(bytes);
    if (!r.ok) {
      expect(typeof r.error).toBe('string');
      expect(r.error).not.toContain('\n');
      expect(r.error).not.toMatch(/internal error/);
      return;
    }
    const bus = new Bus(RAM, 0x4000);
    loadSegmentsIntoRam(r.elf, bus);
  }

  it('on every truncation of every fixture', () => {
    for (const f of fixtures) for (let n = 0; n <= f.length; n += n < 600 ? 1 : 37) total(f.subarray(0, n));
  });

  it('on random truncations and bit flips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 12 }),
        fc.option(fc.nat(), { nil: undefined }),
        (base, flips, cut) => {
          const b = base.slice(0, cut === undefined ? base.length : cut % (base.length + 1));
          for (const [pos, bit] of flips) if (b.length > 0) b[pos % b.length] ^= 1 << bit;
          total(b);
        },
      ),
      { numRuns: 3000, seed: 0x5eed },
    );
  });

  it('on header flips concentrated where the structure is', () => {
    // Flips inside the ELF header, the program headers and the section headers.
    const hot = [0, 52, PHOFF, PHOFF + 96, SHOFF, HELLO.length];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        (edits) => {
          const b = HELLO.slice();
          for (const [region, pos, val] of edits) {
            const lo = hot[region * 2];
            const hi = hot[region * 2 + 1];
            b[lo + (pos % (hi - lo))] = val;
          }
          total(b);
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('on random bytes behind a valid ELF header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (tail) => {
        const b = new Uint8Array(52 + tail.length);
        b.set(HELLO.subarray(0, 52));
        b.set(tail, 52);
        total(b);
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('on a subarray view with a non-zero byteOffset', () => {
    const buf = new Uint8Array(HELLO.length + 3);
    buf.set(HELLO, 3);
    expect(parseElf(buf.subarray(3)).ok).toBe(true);
  });
});

describe('loadSegmentsIntoRam', () => {
  it('copies file bytes by paddr and zeroes bss', () => {
    const bus = new Bus(RAM, 0x10000);
    bus.ram.fill(0xaa);
    const elf = parsed(HELLO);
    expect(loadSegmentsIntoRam(elf, bus)).toEqual({ ok: true });
    expect(Array.from(bus.ram.subarray(0, 0x50))).toEqual(Array.from(elf.segments[0].data));
    expect(bus.read(0x8000_1000, 4)).toBe(0x12345678); // counter (.data)
    const scratch = elf.symbols.get('scratch');
    expect(scratch).toBeDefined();
    const off = (scratch?.value ?? 0) - RAM;
    expect(bus.ram.subarray(off, off + 256).every((x) => x === 0)).toBe(true); // .bss zeroed
    expect(bus.ram[0x1188]).toBe(0xaa); // just past the segment: untouched
    expect(bus.ram[0x50]).toBe(0xaa); // between the segments: untouched
  });

  it('loads lma.elf at its physical addresses', () => {
    const bus = new Bus(RAM, 0x10000);
    bus.ram.fill(0xaa);
    expect(loadSegmentsIntoRam(parsed(LMA), bus)).toEqual({ ok: true });
    expect(bus.read(RAM, 4)).toBe(0x00000297); // auipc t0, 0
    expect(bus.read(RAM + 0x20, 4)).toBe(0x5555);
    expect(bus.ram.subarray(0x1000, 0x1040).every((x) => x === 0)).toBe(true);
    expect(bus.ram[0x1040]).toBe(0xaa);
  });

  it('refuses a segment below RAM (plain -Ttext puts the ELF headers at 0x7ffff000) without writing', () => {
    const bus = new Bus(RAM, 0x10000);
    bus.ram.fill(0xaa);
    const r = loadSegmentsIntoRam(parsed(HELLO_TTEXT), bus);
    expect(r).toEqual({
      ok: false,
      error: 'segment 1: p_paddr [0x7ffff000, 0x80000050) is not entirely in RAM [0x80000000, 0x80010000)',
    });
    expect(bus.ram.every((x) => x === 0xaa)).toBe(true);
  });

  it('refuses a segment running past the end of RAM, writing nothing', () => {
    const bus = new Bus(RAM, 0x1000); // the data segment at 0x80001000 does not fit
    bus.ram.fill(0xaa);
    const r = loadSegmentsIntoRam(parsed(HELLO), bus);
    expect(r.ok === false && r.error).toMatch(/^segment 2: p_paddr \[0x80001000, 0x80001188\) is not entirely in RAM/);
    expect(bus.ram.every((x) => x === 0xaa)).toBe(true);
  });
});

describe('checkRv32imaFlags', () => {
  it('accepts soft-float RV32 without RVC, refuses RVC, float ABIs and RVE', () => {
    const elf = parsed(HELLO);
    expect(checkRv32imaFlags(elf)).toEqual({ ok: true });
    expect(checkRv32imaFlags({ ...elf, flags: 1 }).ok).toBe(false);
    expect(checkRv32imaFlags({ ...elf, flags: 2 }).ok).toBe(false);
    expect(checkRv32imaFlags({ ...elf, flags: 4 }).ok).toBe(false);
    expect(checkRv32imaFlags({ ...elf, flags: 8 }).ok).toBe(false);
    expect(checkRv32imaFlags({ ...elf, flags: 0x10 })).toEqual({ ok: true }); // TSO is fine
  });
});
