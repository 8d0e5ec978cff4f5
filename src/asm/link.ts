// Linking: lay out the files' section parts, resolve symbols (file-local first, then .globl
// symbols of any file), fill fixups (pass 2), and build the ELF image.
//
// Layout: .text at the base, then .rodata, .data and .bss, each starting at the next 4 KiB
// boundary; within a section, the files' parts in input order, each aligned to its own
// alignment.

import { errorAt, type AsmError } from './errors';
import { ABS, evaluate, type EvalContext, type Value } from './expr';
import { checkField, hi20, insertField, lo12 } from './fields';
import {
  BSS, SECTION_NAMES, TEXT, isInternalName, type ObjFile, type SecId, type SymDef,
} from './objfile';
import { writeElf, type ElfSymbolIn } from '../elf/writer';

export const PAGE = 0x1000;

export interface SectionInfo {
  readonly name: string;
  readonly addr: number;
  readonly size: number;
  /** Contents (zeros for .bss). */
  readonly data: Uint8Array;
  readonly exec: boolean;
  readonly write: boolean;
}

export interface ListingLine {
  readonly file: string;
  readonly line: number;
  readonly addr: number;
  readonly bytes: Uint8Array;
  readonly source: string;
}

export interface LinkResult {
  readonly elf: Uint8Array;
  readonly symbols: Map<string, number>;
  readonly entry: number;
  readonly sections: SectionInfo[];
  readonly listing: ListingLine[];
}

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** Links pass-1 results into an executable; errors are collected, never thrown. */
export function link(files: readonly ObjFile[], base: number): { ok: true; result: LinkResult } | { ok: false; errors: AsmError[] } {
  const errors: AsmError[] = [];

  // ---- layout ----
  // partAddr[file][part]: address of each input section.
  const partAddr: number[][] = files.map((f) => f.parts.map(() => 0));
  const secs: { addr: number; size: number; align: number }[] = [];
  let cursor = base >>> 0;
  for (let s = 0; s < 4; s++) {
    const start = s === 0 ? cursor : alignUp(cursor, PAGE);
    let c = start, maxAlign = s === TEXT ? 4 : 1;
    files.forEach((f, i) => {
      f.parts.forEach((p, pi) => {
        if (p.out !== s) return;
        if (p.buf.len === 0) { partAddr[i]![pi] = alignUp(c, p.align); return; }
        c = alignUp(c, p.align);
        partAddr[i]![pi] = c;
        c += p.buf.len;
        maxAlign = Math.max(maxAlign, p.align);
      });
    });
    secs.push({ addr: start, size: c - start, align: maxAlign });
    cursor = c;
  }
  if (cursor > 0x100000000) errors.push({ file: files[0]?.name ?? '', line: 1, col: 1, message: `program does not fit below 4 GiB at base 0x${base.toString(16)}`, source: '' });
  if (cursor > 0x100000000) return { ok: false, errors };

  const images = secs.map((s) => new Uint8Array(s.size));
  files.forEach((f, i) => {
    f.parts.forEach((p, pi) => {
      if (p.out !== BSS && p.buf.len > 0) images[p.out]!.set(p.buf.view(), partAddr[i]![pi]! - secs[p.out]!.addr);
    });
  });
  /** Output section of a part. */
  const outOf = (fi: number, part: number): SecId => files[fi]!.parts[part]!.out;

  // ---- symbols ----
  const globalDef = new Map<string, number>(); // name -> file index
  files.forEach((f, i) => {
    for (const [name, decl] of f.globals) {
      const d = f.syms.get(name);
      if (d === undefined) continue;
      const prev = globalDef.get(name);
      if (prev !== undefined) {
        const first = files[prev]!.syms.get(name)!;
        errors.push(errorAt(d.loc, d.col, `duplicate symbol \`${name}' (first defined at ${first.loc.file}:${first.loc.line})`));
        continue;
      }
      void decl;
      globalDef.set(name, i);
    }
  });

  /** Value of a symbol as seen from file fi (absolute address or number). */
  const valueCache = files.map(() => new Map<string, number>());
  const resolving = new Set<string>();
  const symValue = (fi: number, name: string): number | undefined => {
    const cached = valueCache[fi]!.get(name);
    if (cached !== undefined) return cached;
    let owner = fi;
    let d: SymDef | undefined = files[fi]!.syms.get(name);
    if (d === undefined) {
      const g = globalDef.get(name);
      if (g === undefined) return undefined;
      owner = g; d = files[g]!.syms.get(name)!;
    }
    let v: number | undefined;
    if (d.kind === 'label') v = (partAddr[owner]![d.sec]! + d.offset) >>> 0;
    else {
      const key = `${owner}\u0000${name}`;
      if (resolving.has(key)) return undefined;
      resolving.add(key);
      if (d.value !== undefined) v = toAbs(owner, d.value);
      else {
        const r = evaluate(d.e, ctxFor(owner, d.sec, d.dot));
        v = r.ok ? r.value.v : undefined;
      }
      resolving.delete(key);
    }
    if (v !== undefined) valueCache[fi]!.set(name, v);
    return v;
  };
  const toAbs = (fi: number, val: Value): number => (val.sec === ABS ? val.v : partAddr[fi]![val.sec]! + val.v);
  const ctxFor = (fi: number, sec: number, offset: number): EvalContext => ({
    lookup: (name) => { const v = symValue(fi, name); return v === undefined ? undefined : { v, sec: ABS }; },
    dot: { v: partAddr[fi]![sec]! + offset, sec: ABS },
  });

  // ---- pass 2: fixups ----
  // auipc instructions with %pcrel_hi, by address: their targets, for %pcrel_lo(label).
  const pcrelHi = new Map<number, number>();
  files.forEach((f, fi) => {
    for (const x of f.fixups) {
      if (x.imm.mod !== 'pcrel_hi') continue;
      const r = evaluate(x.imm.e, ctxFor(fi, x.sec, x.dot));
      if (r.ok) pcrelHi.set(partAddr[fi]![x.sec]! + x.offset, r.value.v);
    }
  });

  files.forEach((f, fi) => {
    for (const x of f.fixups) {
      const pc = partAddr[fi]![x.sec]! + x.offset;
      const r = evaluate(x.imm.e, ctxFor(fi, x.sec, x.dot));
      if (!r.ok) { errors.push(errorAt(x.loc, r.col ?? x.imm.col, r.message)); continue; }
      let v = r.value.v;
      switch (x.imm.mod) {
        case 'none': if (x.field === 'B' || x.field === 'J') v = v - pc; break;
        case 'hi': v = hi20(v); break;
        case 'lo': v = lo12(v); break;
        case 'pcrel_hi': v = hi20(v - pc); break;
        case 'pair_lo': v = lo12(v - (pc - 4)); break;
        case 'pcrel_lo': {
          const t = pcrelHi.get(v >>> 0);
          if (t === undefined) { errors.push(errorAt(x.loc, x.imm.col, '%pcrel_lo: no auipc with %pcrel_hi at that label')); continue; }
          v = lo12(t - v);
          break;
        }
      }
      const c = checkField(x.field, v);
      if (!c.ok) { errors.push(errorAt(x.loc, x.imm.col, c.message)); continue; }
      const out = outOf(fi, x.sec);
      const img = images[out]!;
      const o = pc - secs[out]!.addr;
      const w = (img[o]! | (img[o + 1]! << 8) | (img[o + 2]! << 16) | (img[o + 3]! << 24)) >>> 0;
      const nw = insertField(w, x.field, c.v);
      img[o] = nw & 0xff; img[o + 1] = (nw >>> 8) & 0xff; img[o + 2] = (nw >>> 16) & 0xff; img[o + 3] = nw >>> 24;
    }
    for (const x of f.dataFixups) {
      const r = evaluate(x.e, ctxFor(fi, x.sec, x.dot));
      if (!r.ok) { errors.push(errorAt(x.loc, r.col ?? x.col, r.message)); continue; }
      const out = outOf(fi, x.sec);
      const img = images[out]!;
      const o = partAddr[fi]![x.sec]! + x.offset - secs[out]!.addr;
      for (let k = 0; k < x.size; k++) img[o + k] = Math.floor(r.value.v / 2 ** (8 * k)) & 0xff;
    }
  });

  // Undefined .globl declarations are fine only if nobody uses them; references are checked
  // above through evaluation errors.
  if (errors.length > 0) return { ok: false, errors };

  // ---- symbols out ----
  const symbols = new Map<string, number>();
  const elfSyms: ElfSymbolIn[] = [];
  files.forEach((f, fi) => {
    for (const [name, d] of f.syms) {
      if (isInternalName(name)) continue;
      const v = symValue(fi, name);
      if (v === undefined) continue;
      const global = f.globals.has(name);
      if (global || !symbols.has(name)) symbols.set(name, v);
      elfSyms.push({
        name, value: v, global,
        section: d.kind === 'label' ? SECTION_NAMES[outOf(fi, d.sec)] : (d.value !== undefined && d.value.sec !== ABS ? SECTION_NAMES[outOf(fi, d.value.sec)] : 'abs'),
      });
    }
  });

  const entry = symbols.get('_start') ?? secs[TEXT]!.addr;
  const sections: SectionInfo[] = secs.map((s, i) => ({
    name: SECTION_NAMES[i]!, addr: s.addr, size: s.size, data: images[i]!, exec: i === TEXT, write: i >= 2,
  }));
  const elf = writeElf({
    entry,
    sections: sections.map((s, i) => ({ ...s, nobits: i === BSS, align: secs[i]!.align })),
    symbols: elfSyms,
  });

  const listing: ListingLine[] = [];
  files.forEach((f, fi) => {
    for (const l of f.listing) {
      const addr = partAddr[fi]![l.sec]! + l.offset;
      const out = outOf(fi, l.sec);
      const off = addr - secs[out]!.addr;
      listing.push({ file: l.loc.file, line: l.loc.line, addr, bytes: images[out]!.slice(off, off + l.size), source: l.loc.source });
    }
  });
  return { ok: true, result: { elf, symbols, entry, sections, listing } };
}
