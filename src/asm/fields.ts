// Range checks and insertion of immediate fields into instruction words, using the ISA table's
// encoders' bit layouts (isa.ts). Shared by pass 1 (constants) and pass 2 (fixups).

import type { Field } from './sink';

/** Reinterprets a value that fits 32 bits unsigned as signed, as GNU as does for RV32. */
const s32 = (v: number): number => (v >= 0x80000000 && v <= 0xffffffff ? v | 0 : v);

/**
 * Checks v for a field: returns the value to insert, or an error message naming the range.
 * For B/J, v is the pc-relative offset.
 */
export function checkField(field: Field, v: number): { ok: true; v: number } | { ok: false; message: string } {
  const bad = (range: string): { ok: false; message: string } =>
    ({ ok: false, message: `immediate out of range: ${v} (${range})` });
  switch (field) {
    case 'I': case 'S': {
      const x = s32(v);
      return x >= -2048 && x <= 2047 ? { ok: true, v: x } : bad('-2048..2047');
    }
    case 'U':
      return v >= 0 && v <= 0xfffff ? { ok: true, v } : bad('0..1048575');
    case 'SHAMT': case 'UIMM5':
      return v >= 0 && v <= 31 ? { ok: true, v } : bad('0..31');
    case 'CSR':
      return v >= 0 && v <= 4095 ? { ok: true, v } : { ok: false, message: `CSR number out of range: ${v} (0..4095)` };
    case 'B': {
      const x = s32(v);
      if (x % 2 !== 0) return { ok: false, message: `branch offset ${x} is odd` };
      return x >= -4096 && x <= 4094 ? { ok: true, v: x } : { ok: false, message: `branch target out of range: offset ${x} (-4096..4094)` };
    }
    case 'J': {
      const x = s32(v);
      if (x % 2 !== 0) return { ok: false, message: `jump offset ${x} is odd` };
      return x >= -1048576 && x <= 1048574 ? { ok: true, v: x } : { ok: false, message: `jump target out of range: offset ${x} (-1048576..1048574)` };
    }
  }
}

/** Inserts a checked value into a word whose field bits are zero. */
export function insertField(w: number, field: Field, v: number): number {
  switch (field) {
    case 'I': return (w | ((v & 0xfff) << 20)) >>> 0;
    case 'S': return (w | ((v & 31) << 7) | (((v >> 5) & 127) << 25)) >>> 0;
    case 'U': return (w | ((v & 0xfffff) << 12)) >>> 0;
    case 'SHAMT': return (w | ((v & 31) << 20)) >>> 0;
    case 'UIMM5': return (w | ((v & 31) << 15)) >>> 0;
    case 'CSR': return (w | ((v & 0xfff) << 20)) >>> 0;
    case 'B':
      return (w | (((v >> 11) & 1) << 7) | (((v >> 1) & 15) << 8) | (((v >> 5) & 63) << 25) | (((v >> 12) & 1) << 31)) >>> 0;
    case 'J':
      return (w | (((v >> 12) & 255) << 12) | (((v >> 11) & 1) << 20) | (((v >> 1) & 1023) << 21) | (((v >> 20) & 1) << 31)) >>> 0;
  }
}

/** %hi: the upper 20 bits, rounded so that %lo (signed) adds back. */
export const hi20 = (v: number): number => ((v + 0x800) >>> 12) & 0xfffff;
/** %lo: the signed low 12 bits. */
export const lo12 = (v: number): number => ((v & 0xfff) ^ 0x800) - 0x800;
