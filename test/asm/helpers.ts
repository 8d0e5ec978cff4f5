// Test helpers: assemble a snippet and get a section's bytes as hex.

import { assemble, formatError, type AssembleResult } from '../../src/asm/index';

export function asm(text: string, base = 0x80000000, readFile?: (p: string) => string | undefined): AssembleResult {
  return assemble([{ name: 'test.s', text }], { base, readFile });
}

/** Contents of output section `name` as hex; throws with the formatted errors on failure. */
export function hexOf(text: string, name = '.text'): string {
  const r = asm(text);
  if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
  const s = r.sections.find((x) => x.name === name)!;
  return [...s.data].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** The 32-bit words of .text. */
export function wordsOf(text: string): number[] {
  const h = hexOf(text);
  const out: number[] = [];
  for (let i = 0; i < h.length; i += 8) out.push(parseInt(h.slice(i + 6, i + 8) + h.slice(i + 4, i + 6) + h.slice(i + 2, i + 4) + h.slice(i, i + 2), 16) >>> 0);
  return out;
}

/** Error messages (with line:col) of a failing assembly. */
export function errorsOf(text: string, readFile?: (p: string) => string | undefined): string[] {
  const r = asm(text, 0x80000000, readFile);
  if (r.ok) return [];
  return r.errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
}
