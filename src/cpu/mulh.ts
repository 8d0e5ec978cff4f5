// The high halves of 32x32-bit products (MULH, MULHSU, MULHU) without BigInt.

/** High 32 bits of the unsigned product a * b. */
export function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** High 32 bits of the signed product a * b. */
export function mulh(a: number, b: number): number {
  // signed = unsigned - (a < 0 ? b << 32 : 0) - (b < 0 ? a << 32 : 0), on the high word
  let h = mulhu(a, b);
  if (a < 0) h = (h - b) | 0;
  if (b < 0) h = (h - a) | 0;
  return h;
}

/** High 32 bits of signed a times unsigned b. */
export function mulhsu(a: number, b: number): number {
  let h = mulhu(a, b);
  if (a < 0) h = (h - b) | 0;
  return h;
}
