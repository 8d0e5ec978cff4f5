// `rtcr asm` and `rtcr disasm`: file I/O around the assembler library (src/asm).

import type { Command } from 'commander';
import { readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { assemble, formatError, type ListingLine } from '../asm/index';
import { objdumpListing, type NamedSymbol } from '../asm/objdump';
import { parseElf } from '../elf/reader';

/** Parses a number like 0x80000000 or 2147483648; undefined if malformed. */
function parseAddress(s: string): number | undefined {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s.slice(2), 16) : /^[0-9]+$/.test(s) ? parseInt(s, 10) : NaN;
  return Number.isFinite(v) ? v : undefined;
}

/** Reads a text file for `.include`; undefined when missing. */
function readText(path: string): string | undefined {
  try {
    if (!existsSync(path) || !statSync(path).isFile()) return undefined;
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** `addr  bytes  source` lines. */
export function formatListing(lines: readonly ListingLine[]): string {
  return lines.map((l) => {
    const hex = [...l.bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const more = l.bytes.length > 8 ? '+' : ' ';
    return `${(l.addr >>> 0).toString(16).padStart(8, '0')}  ${hex.padEnd(16, ' ')}${more} ${l.file}:${l.line}: ${l.source.trim()}`;
  }).join('\n') + '\n';
}

export function registerAsm(program: Command): void {
  program
    .command('asm')
    .description('assemble and link GNU-syntax RV32IMA assembly files into an ELF32 executable')
    .argument('<files...>', 'assembly source files, linked in order')
    .requiredOption('-o, --output <file>', 'output ELF file')
    .option('--base <addr>', 'address of .text', '0x80000000')
    .option('--listing', 'print address, bytes and source line of every statement')
    .action((files: string[], opts: { output: string; base: string; listing?: boolean }) => {
      const base = parseAddress(opts.base);
      if (base === undefined) { process.stderr.write(`rtcr asm: bad --base \`${opts.base}'\n`); process.exit(1); }
      const inputs: { name: string; text: string }[] = [];
      for (const f of files) {
        const text = readText(f);
        if (text === undefined) { process.stderr.write(`rtcr asm: cannot read \`${f}'\n`); process.exit(1); }
        inputs.push({ name: f, text });
      }
      const r = assemble(inputs, {
        base,
        readFile: (p) => readText(resolve(p)) ?? readText(resolve(dirname(files[0]!), p)),
      });
      if (!r.ok) {
        for (const e of r.errors) process.stderr.write(formatError(e) + '\n');
        process.stderr.write(`rtcr asm: ${r.errors.length} error${r.errors.length === 1 ? '' : 's'}, no output written\n`);
        process.exit(1);
      }
      writeFileSync(opts.output, r.elf);
      if (opts.listing === true) process.stdout.write(formatListing(r.listing));
    });

  program
    .command('disasm')
    .description('disassemble the executable segments of an ELF file, objdump-style, with symbols')
    .argument('<file>', 'ELF32 RISC-V executable')
    .action((file: string) => {
      let bytes: Uint8Array;
      try { bytes = new Uint8Array(readFileSync(file)); } catch {
        process.stderr.write(`rtcr disasm: cannot read \`${file}'\n`); process.exit(1);
      }
      const p = parseElf(bytes);
      if (!p.ok) { process.stderr.write(`rtcr disasm: ${file}: ${p.error}\n`); process.exit(1); }
      const symbols: NamedSymbol[] = [...p.elf.symbols.values()]
        .filter((s) => s.type !== 'section' && s.type !== 'file' && s.shndx !== 0)
        .map((s) => ({ name: s.name, value: s.value, global: s.binding === 'global' }));
      const regions = p.elf.segments.filter((s) => (s.flags & 1) !== 0)
        .map((s) => ({ name: `segment ${s.index} (0x${(s.vaddr >>> 0).toString(16)})`, addr: s.vaddr, data: s.data }));
      const gp = p.elf.symbols.get('__global_pointer$')?.value;
      process.stdout.write(`\n${file}:     file format elf32-littleriscv\n` + objdumpListing(regions, symbols, gp));
    });
}
