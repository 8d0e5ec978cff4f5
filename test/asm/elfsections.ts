// Test helper: the allocated sections of an ELF32 file (name, address, contents), read straight
// from the section headers, so that GNU's output and ours are compared the same way.

export interface LoadedSection { name: string; addr: number; size: number; nobits: boolean; data: Uint8Array }

export function elfSections(elf: Uint8Array): LoadedSection[] {
  const v = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  const shoff = v.getUint32(32, true), shentsize = v.getUint16(46, true), shnum = v.getUint16(48, true);
  const shstrndx = v.getUint16(50, true);
  const hdr = (i: number) => {
    const o = shoff + i * shentsize;
    return {
      name: v.getUint32(o, true), type: v.getUint32(o + 4, true), flags: v.getUint32(o + 8, true),
      addr: v.getUint32(o + 12, true), offset: v.getUint32(o + 16, true), size: v.getUint32(o + 20, true),
    };
  };
  const strs = hdr(shstrndx);
  const nameAt = (off: number): string => {
    let e = strs.offset + off;
    while (elf[e] !== 0) e++;
    return new TextDecoder().decode(elf.subarray(strs.offset + off, e));
  };
  const out: LoadedSection[] = [];
  for (let i = 1; i < shnum; i++) {
    const h = hdr(i);
    if ((h.flags & 2) === 0) continue; // SHF_ALLOC
    const nobits = h.type === 8;
    out.push({
      name: nameAt(h.name), addr: h.addr, size: h.size, nobits,
      data: nobits ? new Uint8Array(h.size) : elf.slice(h.offset, h.offset + h.size),
    });
  }
  return out;
}

/** Memory image as the loader sees it: address -> byte, for every allocated byte. */
export function loadedBytes(elf: Uint8Array): Map<number, number> {
  const m = new Map<number, number>();
  for (const s of elfSections(elf)) for (let i = 0; i < s.size; i++) m.set(s.addr + i, s.data[i]!);
  return m;
}
