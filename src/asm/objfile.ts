// What pass 1 produces for one input file: section parts, symbols, and the fixups that pass 2
// (link.ts) resolves once every section has its address.

import type { Loc } from './errors';
import type { Expr, Value } from './expr';
import type { Field, Imm } from './sink';

/** Output sections, in layout order. */
export const SECTION_NAMES = ['.text', '.rodata', '.data', '.bss'] as const;
export type SecId = 0 | 1 | 2 | 3;
export const TEXT: SecId = 0, RODATA: SecId = 1, DATA: SecId = 2, BSS: SecId = 3;

/** A growable byte buffer. */
export class ByteBuf {
  data = new Uint8Array(64);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.len + n) cap *= 2;
    const d = new Uint8Array(cap);
    d.set(this.data.subarray(0, this.len));
    this.data = d;
  }
  u8(v: number): void { this.ensure(1); this.data[this.len++] = v & 0xff; }
  u16(v: number): void { this.ensure(2); this.data[this.len++] = v & 0xff; this.data[this.len++] = (v >>> 8) & 0xff; }
  u32(v: number): void {
    this.ensure(4);
    const d = this.data, l = this.len;
    d[l] = v & 0xff; d[l + 1] = (v >>> 8) & 0xff; d[l + 2] = (v >>> 16) & 0xff; d[l + 3] = (v >>> 24) & 0xff;
    this.len = l + 4;
  }
  bytes(b: Uint8Array): void { this.ensure(b.length); this.data.set(b, this.len); this.len += b.length; }
  fill(n: number, v: number): void { this.ensure(n); this.data.fill(v & 0xff, this.len, this.len + n); this.len += n; }
  view(): Uint8Array { return this.data.subarray(0, this.len); }
}

/** One input section of a file (`.text`, `.data.more`, ...), placed into output section `out`. */
export interface SectionPart {
  readonly name: string;
  readonly out: SecId;
  readonly buf: ByteBuf;
  /** Alignment of this file's part (the largest .align used, at least 4 for .text). */
  align: number;
}

/** A field to fill in pass 2. `sec` indexes the file's parts; `dot` is the offset of the
 *  statement (the value of `.`). */
export interface Fixup {
  readonly sec: number;
  readonly offset: number;
  readonly field: Field;
  readonly imm: Imm;
  readonly loc: Loc;
  readonly dot: number;
}

/** A data value to fill in pass 2 (`.word sym`). */
export interface DataFixup {
  readonly sec: number;
  readonly offset: number;
  readonly size: 1 | 2 | 4;
  readonly e: Expr;
  readonly col: number;
  readonly loc: Loc;
  readonly dot: number;
}

export type SymDef =
  | { readonly kind: 'label'; readonly sec: number; readonly offset: number; readonly loc: Loc; readonly col: number }
  | { readonly kind: 'equ'; e: Expr; readonly sec: number; readonly dot: number; readonly loc: Loc; readonly col: number;
      value?: Value; evaluating?: boolean };

export interface ListingRecord {
  readonly sec: number;
  readonly offset: number;
  readonly size: number;
  readonly loc: Loc;
}

export interface ObjFile {
  readonly name: string;
  readonly parts: readonly SectionPart[];
  readonly fixups: Fixup[];
  readonly dataFixups: DataFixup[];
  readonly syms: Map<string, SymDef>;
  /** Names declared .globl, with where. */
  readonly globals: Map<string, { loc: Loc; col: number }>;
  readonly listing: ListingRecord[];
}

/** Internal name of the k-th definition of numeric label n (never in the symbol table). */
export const localLabelName = (n: string, k: number): string => `.L${n}\u0002${k}`;
/** True for names that stay out of the ELF symbol table. */
export const isInternalName = (name: string): boolean => name.startsWith('.L') || name.includes('\u0002');
