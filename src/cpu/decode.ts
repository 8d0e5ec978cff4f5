// The decoder, derived from the ISA table.
//
// A 17-bit key made of opcode (7 bits), funct3 (3) and funct7 (7) indexes a dense table. A key
// maps to an Op when exactly one row can match it and that row's mask needs no other bits; to
// SCAN when the remaining fields decide (SYSTEM's ecall/ebreak/mret/sret/wfi/sfence.vma, LR's
// rs2); to ILLEGAL when no row can match.

import { ISA, Op, type InsnDef } from './isa';

export const KEY_BITS_MASK = 0xfe00707f; // the instruction bits a key covers
export const SCAN = 255;

/** The key of an instruction word: opcode | funct3 << 7 | funct7 << 10. */
export function keyOf(w: number): number {
  return (w & 0x7f) | ((w >>> 5) & 0x380) | ((w >>> 15) & 0x1fc00);
}

function wordOfKey(key: number): number {
  return ((key & 0x7f) | (((key >>> 7) & 7) << 12) | (((key >>> 10) & 0x7f) << 25)) >>> 0;
}

function buildTable(): Uint8Array {
  const table = new Uint8Array(1 << 17);
  for (let key = 0; key < table.length; key++) {
    const w = wordOfKey(key);
    let found: InsnDef | undefined;
    let ambiguous = false;
    for (const d of ISA) {
      if (((w ^ d.match) & d.mask & KEY_BITS_MASK) !== 0) continue;
      if (found !== undefined || (d.mask & ~KEY_BITS_MASK) !== 0) ambiguous = true;
      found = d;
    }
    table[key] = ambiguous ? SCAN : found === undefined ? Op.ILLEGAL : found.op;
  }
  return table;
}

/** key -> Op (or SCAN). */
export const DECODE_TABLE: Uint8Array = buildTable();

/** Full match over the table, for SCAN keys. */
export function scanDecode(w: number): Op {
  for (const d of ISA) if (((w ^ d.match) & d.mask) === 0) return d.op;
  return Op.ILLEGAL;
}

/** Decodes one 32-bit instruction word to its Op (ILLEGAL if none). */
export function decode(w: number): Op {
  const op = DECODE_TABLE[keyOf(w)];
  return op === SCAN ? scanDecode(w) : (op as Op);
}
