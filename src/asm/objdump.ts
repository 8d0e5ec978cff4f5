// An objdump-style listing of executable code: symbol headers, `addr:\tword\tmnemonic\toperands`,
// branch targets and address comments named by the nearest symbol (`<sym+0x10>`).

import { disassemble, DisasmState } from './disasm';

export interface CodeRegion {
  /** Heading, e.g. the section name. */
  readonly name: string;
  readonly addr: number;
  readonly data: Uint8Array;
}

export interface NamedSymbol { readonly name: string; readonly value: number; readonly global: boolean }

/**
 * objdump's naming of an address: the closest symbol at or below it (`sym`, `sym+0x4`), or, below
 * every symbol, the lowest one (`sym-0x10`). Among symbols at one address, globals first.
 */
export function symbolizer(symbols: readonly NamedSymbol[]): (addr: number) => string | undefined {
  const sorted = [...symbols].filter((s) => s.name !== '')
    .sort((a, b) => (a.value >>> 0) - (b.value >>> 0) || Number(b.global) - Number(a.global));
  const uniq: NamedSymbol[] = [];
  for (const s of sorted) if (uniq.length === 0 || uniq[uniq.length - 1]!.value >>> 0 !== s.value >>> 0) uniq.push(s);
  return (addr: number): string | undefined => {
    if (uniq.length === 0) return undefined;
    const a = addr >>> 0;
    let lo = 0, hi = uniq.length - 1, best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (uniq[mid]!.value >>> 0 <= a) { best = mid; lo = mid + 1; } else hi = mid - 1;
    }
    if (best < 0) { const s = uniq[0]!; return `${s.name}-0x${((s.value >>> 0) - a).toString(16)}`; }
    const s = uniq[best]!;
    const off = a - (s.value >>> 0);
    return off === 0 ? s.name : `${s.name}+0x${off.toString(16)}`;
  };
}

/** The listing of code regions, as `objdump -d` prints it (one tab-separated line per word). */
export function objdumpListing(regions: readonly CodeRegion[], symbols: readonly NamedSymbol[], gp?: number): string {
  const symAt = symbolizer(symbols);
  const exact = new Map<number, string[]>();
  for (const s of symbols) {
    const l = exact.get(s.value >>> 0) ?? [];
    l.push(s.name);
    exact.set(s.value >>> 0, l);
  }
  const out: string[] = [];
  for (const r of regions) {
    out.push('', `Disassembly of section ${r.name}:`);
    const end = r.addr + r.data.length;
    const width = Math.max(end.toString(16).length, 1);
    const state = new DisasmState(gp);
    const view = new DataView(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    if (!exact.has(r.addr >>> 0)) out.push('', `${(r.addr >>> 0).toString(16).padStart(8, '0')} <${symAt(r.addr) ?? r.name}>:`);
    for (let o = 0; o + 4 <= r.data.length; o += 4) {
      const a = (r.addr + o) >>> 0;
      const names = exact.get(a);
      if (names !== undefined) out.push('', `${a.toString(16).padStart(8, '0')} <${names[names.length - 1]}>:`);
      const w = view.getUint32(o, true);
      const text = disassemble(w, a, symAt, state).replace(' ', '\t');
      out.push(`${a.toString(16).padStart(width, ' ')}:\t${w.toString(16).padStart(8, '0')}          \t${text}`);
    }
  }
  return out.join('\n') + '\n';
}
