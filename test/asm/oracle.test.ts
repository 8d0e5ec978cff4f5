// Oracle: the corpus (test/asm/corpus, covering the whole language) assembled by GNU as + ld
// (--no-relax, same layout) and by ours must load the same bytes; GNU objdump must read our ELF
// and print what `rtcr disasm` prints. Skipped, visibly, without binutils.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { assemble, formatError } from '../../src/asm/index';
import { objdumpListing } from '../../src/asm/objdump';
import { gnuBuild, hasGnu, objdump } from './gnu';
import { elfSections, loadedBytes } from './elfsections';

const DIR = join(__dirname, 'corpus');
const FILES = ['main.s', 'lib.s'];
const read = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

function ours(base: number) {
  const r = assemble(FILES.map((f) => ({ name: join(DIR, f), text: readFileSync(join(DIR, f), 'utf8') })), { base, readFile: read });
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  return r;
}

const insnLines = (dump: string): string[] =>
  dump.split('\n').filter((l) => /^\s*[0-9a-f]+:\t/.test(l));

describe('oracle: GNU binutils', () => {
  for (const base of [0x80000000, 0x10000]) {
    it.skipIf(!hasGnu)(`corpus loads the same bytes as GNU as + ld at base 0x${base.toString(16)}`, () => {
      const g = gnuBuild(FILES.map((f) => join(DIR, f)), base, [DIR]);
      if (!g.ok) throw new Error(g.stderr);
      const o = ours(base);
      const gs = elfSections(g.elf).map((s) => [s.name, s.addr, s.size]);
      const os = elfSections(o.elf).map((s) => [s.name, s.addr, s.size]);
      expect(os).toEqual(gs);
      const a = loadedBytes(g.elf), b = loadedBytes(o.elf);
      const diffs: string[] = [];
      for (const [addr, v] of a) if (b.get(addr) !== v) diffs.push(`${addr.toString(16)}: gnu ${v.toString(16)} ours ${b.get(addr)?.toString(16)}`);
      expect(diffs.slice(0, 10)).toEqual([]);
      expect(b.size).toBe(a.size);
    });
  }

  it.skipIf(!hasGnu)('GNU objdump reads our ELF and disassembles it as it does GNU\'s', () => {
    const g = gnuBuild(FILES.map((f) => join(DIR, f)), 0x80000000, [DIR]);
    if (!g.ok) throw new Error(g.stderr);
    const strip = (l: string): string => l.replace(/ <[^>]*>/g, '');
    expect(insnLines(objdump(ours(0x80000000).elf)).map(strip)).toEqual(insnLines(objdump(g.elf)).map(strip));
    const headers = objdump(ours(0x80000000).elf, ['-h']);
    expect(headers).toMatch(/\.text\s+00000358\s+80000000/);
    expect(headers).toMatch(/CODE/);
    const syms = objdump(ours(0x80000000).elf, ['-t']);
    expect(syms).toMatch(/80000000 g\s+\.text\s+00000000 _start/);
  });

  it.skipIf(!hasGnu)('our objdump-style listing matches GNU objdump -d line for line (with symbols)', () => {
    const o = ours(0x80000000);
    const text = o.sections[0]!;
    const symbols = [...o.symbols].map(([name, value]) => ({ name, value, global: ['_start', 'func_a', 'func_b', 'message', 'table', 'counter'].includes(name) }));
    const mine = insnLines(objdumpListing([{ name: '.text', addr: text.addr, data: text.data }], symbols));
    expect(mine).toEqual(insnLines(objdump(o.elf)));
  });
});
