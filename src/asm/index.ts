// The assembler's library API. Platform-neutral: files come in as text, `.include` goes through
// the readFile callback, the ELF comes out as bytes. Bad input gives `{ ok: false, errors }`,
// never an exception.

import type { AsmError } from './errors';
import { SourceReader } from './source';
import { FileAssembler } from './assembler';
import { link, type LinkResult, type ListingLine, type SectionInfo } from './link';
import type { ObjFile } from './objfile';

export type { AsmError } from './errors';
export { formatError } from './errors';
export type { ListingLine, SectionInfo } from './link';
export { disassemble, DisasmState, formatTarget } from './disasm';

export const DEFAULT_BASE = 0x80000000;

export interface AssembleOptions {
  /** Address of .text (default 0x80000000). */
  base?: number;
  /** Reads an included file by path; undefined when it does not exist. */
  readFile?: (path: string) => string | undefined;
}

/** Drops repeated identical errors (a macro argument used twice reports once). */
function unique(errors: AsmError[]): AsmError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const k = `${e.file}:${e.line}:${e.col}:${e.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export type AssembleResult =
  | { ok: true; elf: Uint8Array; symbols: Map<string, number>; entry: number; listing: ListingLine[]; sections: SectionInfo[] }
  | { ok: false; errors: AsmError[] };

/** Assembles and links input files (in order) into one ELF32 executable. */
export function assemble(files: readonly { name: string; text: string }[], opts: AssembleOptions = {}): AssembleResult {
  const base = opts.base ?? DEFAULT_BASE;
  const errors: AsmError[] = [];
  if (!Number.isInteger(base) || base < 0 || base > 0xffffffff || base % 4 !== 0) {
    return { ok: false, errors: [{ file: '<options>', line: 0, col: 0, message: `bad base address ${base} (a 4-byte aligned 32-bit address)`, source: '' }] };
  }
  const objs: ObjFile[] = [];
  try {
    for (const f of files) {
      const reader = new SourceReader({ readFile: opts.readFile });
      reader.addFile(f.name, f.text);
      errors.push(...reader.errors);
      const fa = new FileAssembler(f.name);
      objs.push(fa.run(reader.stmts));
      errors.push(...fa.errors);
    }
    // Link even after errors, so that undefined symbols and ranges are reported in the same run.
    const r = link(objs, base);
    if (!r.ok) return { ok: false, errors: unique([...errors, ...r.errors]) };
    if (errors.length > 0) return { ok: false, errors: unique(errors) };
    const res: LinkResult = r.result;
    return { ok: true, elf: res.elf, symbols: res.symbols, entry: res.entry, listing: res.listing, sections: res.sections };
  } catch (e) {
    // A bug, not bad input; still reported as a value.
    return { ok: false, errors: [...errors, { file: files[0]?.name ?? '', line: 0, col: 0, message: `internal assembler error: ${String(e)}`, source: '' }] };
  }
}

/** Convenience for tests: one file named `input.s`. */
export function assembleText(text: string, base?: number): AssembleResult {
  return assemble([{ name: 'input.s', text }], { base });
}
