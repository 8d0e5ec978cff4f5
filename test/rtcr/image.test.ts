// The image format at the edge: a corrupted, truncated, wrong-version or wrong-parent image is
// refused with one clear error (never an exception), and a round trip gives the same checkpoint.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { decode as cborDecode, encode as cborEncode } from 'cborg';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Init } from '../../src/kernel/init';
import { parseScenario } from '../../src/kernel/scenario';
import { mergeChain } from '../../src/rtcr/chain';
import { takeCheckpoint } from '../../src/rtcr/checkpoint';
import { decodeImage, encodeImage, hex, IMAGE_VERSION, type DecodeResult, type Image } from '../../src/rtcr/image';
import type { Checkpoint } from '../../src/rtcr/model';
import { Rtcr } from '../../src/rtcr/rtcr';

const readFile = (p: string): Uint8Array | undefined => {
  try { return readFileSync(join('programs', p)); } catch { return undefined; }
};
function scenario(file: string) {
  const s = parseScenario(readFileSync(join('programs', file), 'utf8'), file);
  if (!s.ok) throw new Error(s.error);
  return s.scenario;
}

const HEADER = 16;
const ENTRY = 48;

interface Section { name: string; entry: number; offset: number; length: number; bytes: Uint8Array }

/** The section table of a well-formed image, read by the test itself. */
function sectionsOf(img: Uint8Array): Section[] {
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  const n = dv.getUint32(12, true);
  return Array.from({ length: n }, (_, i) => {
    const entry = HEADER + i * ENTRY;
    const name = String.fromCharCode(...img.subarray(entry, entry + 8)).replace(/\0+$/, '');
    const offset = dv.getUint32(entry + 8, true);
    const length = dv.getUint32(entry + 12, true);
    return { name, entry, offset, length, bytes: img.subarray(offset, offset + length) };
  });
}

/** An image container built by the test: any sections, right checksums unless told otherwise. */
function build(sections: [string, Uint8Array][], opts: { version?: number; magic?: string } = {}): Uint8Array {
  const headerLen = HEADER + ENTRY * sections.length;
  const out = new Uint8Array(headerLen + sections.reduce((n, [, b]) => n + b.length, 0));
  const dv = new DataView(out.buffer);
  const magic = opts.magic ?? 'RTCRIMG\0';
  for (let i = 0; i < 8; i++) out[i] = magic.charCodeAt(i);
  dv.setUint32(8, opts.version ?? IMAGE_VERSION, true);
  dv.setUint32(12, sections.length, true);
  let off = headerLen;
  sections.forEach(([name, bytes], i) => {
    const e = HEADER + i * ENTRY;
    for (let j = 0; j < 8; j++) out[e + j] = j < name.length ? name.charCodeAt(j) : 0;
    dv.setUint32(e + 8, off, true);
    dv.setUint32(e + 12, bytes.length, true);
    out.set(sha256(bytes), e + 16);
    out.set(bytes, off);
    off += bytes.length;
  });
  return out;
}

/** The sections of `img` by name, to rebuild it with one of them replaced. */
function parts(img: Uint8Array): Map<string, Uint8Array> {
  return new Map(sectionsOf(img).map((s) => [s.name, s.bytes.slice()]));
}
function rebuild(img: Uint8Array, replace: Record<string, Uint8Array>): Uint8Array {
  const p = parts(img);
  for (const [k, v] of Object.entries(replace)) p.set(k, v);
  return build([...p]);
}

/** Decodes and insists on a refusal: no exception, ok:false, one line. Returns the error. */
function refused(bytes: Uint8Array): string {
  let r: DecodeResult | undefined;
  expect(() => { r = decodeImage(bytes); }).not.toThrow();
  if (r === undefined || r.ok) throw new Error(`accepted an image that should be refused (${bytes.length} bytes)`);
  expect(r.error).not.toBe('');
  expect(r.error).not.toContain('\n');
  return r.error;
}
function decoded(bytes: Uint8Array): Image {
  const d = decodeImage(bytes);
  if (!d.ok) throw new Error(d.error);
  return d.image;
}
/** An image's identity, as decodeImage gives it (what an incremental image names its parent by). */
const id = (bytes: Uint8Array): string => decoded(bytes).hash;
const flip = (bytes: Uint8Array, bit: number): Uint8Array => {
  const c = bytes.slice();
  c[bit >> 3] ^= 1 << (bit & 7);
  return c;
};

// A chain of one run: full at 2 s, incremental at 3 s and 4 s; and a full image of another run.
let full: Uint8Array;
let inc1: Uint8Array;
let inc2: Uint8Array;
let other: Uint8Array;
let plain: Checkpoint;

beforeAll(() => {
  const b = Rtcr.boot({ scenario: scenario('sheep_counter.json'), readFile }, { granularity: 1, mode: 'access' });
  if (!b.ok) throw new Error(b.message);
  const r = b.rtcr;
  r.init.runUntilNs(2e9);
  full = r.checkpoint().bytes;
  r.init.runUntilNs(3e9);
  inc1 = r.checkpoint().bytes;
  r.init.runUntilNs(4e9);
  inc2 = r.checkpoint().bytes;
  const b2 = Rtcr.boot({ scenario: scenario('sheep_counter.json'), readFile }, { granularity: 1, mode: 'access' });
  if (!b2.ok) throw new Error(b2.message);
  b2.rtcr.init.runUntilNs(2.5e9);
  other = b2.rtcr.checkpoint().bytes;
  const init = Init.create({ scenario: scenario('memwalk.json'), readFile });
  if (!init.ok) throw new Error(init.message);
  init.init.runUntilNs(0.3e9);
  let serial = 0;
  const serials = new Map<object, number>();
  plain = takeCheckpoint(init.init, { serialOf: (ds) => serials.get(ds) ?? (serials.set(ds, serial), serial++) }).checkpoint;
});

describe('round trip', () => {
  it('encode then decode gives the same checkpoint', () => {
    const img = decoded(encodeImage({ kind: 'full', sequence: 0 }, plain));
    expect(img.checkpoint).toEqual(plain);
    expect(img.head).toEqual({ kind: 'full', sequence: 0 });
    expect(img.checkpoint.memory.length).toBeGreaterThan(0);
    expect(img.checkpoint.memory.every((m, i) => hex(sha256(m.data)) === hex(sha256(plain.memory[i].data)))).toBe(true);
  });

  it('re-encoding a decoded image gives the same bytes and the same identity; identities differ', () => {
    for (const bytes of [full, inc1, inc2]) {
      const img = decoded(bytes);
      const again = encodeImage(img.head, img.checkpoint);
      expect(again).toEqual(bytes);
      expect(decoded(again).hash).toBe(img.hash);
      expect(img.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(new Set([full, inc1, inc2, other].map((b) => decoded(b).hash)).size).toBe(4);
  });

  it('an incremental image names its parent by hash; the full one names none', () => {
    expect(decoded(full).head).toEqual({ kind: 'full', sequence: 0 });
    expect(decoded(inc1).head).toEqual({ kind: 'incremental', sequence: 1, parent: id(full) });
    expect(decoded(inc2).head).toEqual({ kind: 'incremental', sequence: 2, parent: id(inc1) });
  });

  it('the layout is as documented: magic, version, three sections head/meta/pages back to back', () => {
    expect(String.fromCharCode(...full.subarray(0, 8))).toBe('RTCRIMG\0');
    const s = sectionsOf(full);
    expect(s.map((x) => x.name)).toEqual(['head', 'meta', 'pages']);
    expect(s[0].offset).toBe(HEADER + 3 * ENTRY);
    expect(s[1].offset).toBe(s[0].offset + s[0].length);
    expect(s[2].offset + s[2].length).toBe(full.length);
    expect(build(s.map((x) => [x.name, x.bytes]))).toEqual(full);
  });
});

describe('truncated images', () => {
  /** Lengths to try for `img`: the whole header, around every section boundary, and a stride. */
  function lengths(img: Uint8Array, stride: number): number[] {
    const set = new Set<number>();
    for (let n = 0; n <= HEADER + 3 * ENTRY + 8; n++) set.add(n);
    for (const s of sectionsOf(img)) {
      for (const edge of [s.offset, s.offset + (s.length >> 1), s.offset + s.length]) {
        for (let d = -4; d <= 4; d++) set.add(edge + d);
      }
    }
    for (let n = 0; n < img.length; n += stride) set.add(n);
    return [...set].filter((n) => n >= 0 && n < img.length).sort((a, b) => a - b);
  }

  it('every truncation of the incremental image (every length from 0) is refused as truncated', () => {
    for (let n = 0; n < inc1.length; n++) {
      expect(refused(inc1.subarray(0, n))).toMatch(/truncated|outside the file/);
    }
  });

  it('truncations of the full image (header, each section, every 61st length) are refused as truncated', () => {
    const ls = lengths(full, 61);
    expect(ls.length).toBeGreaterThan(1500);
    for (const n of ls) expect(refused(full.subarray(0, n))).toMatch(/truncated|outside the file/);
  });

  it('the messages say what is missing', () => {
    expect(refused(full.subarray(0, 0))).toBe('truncated: 0 bytes is shorter than the header');
    expect(refused(full.subarray(0, 15))).toBe('truncated: 15 bytes is shorter than the header');
    expect(refused(full.subarray(0, 100))).toBe('truncated or corrupt section table');
    const [head, meta, pages] = sectionsOf(full);
    expect(refused(full.subarray(0, head.offset + 1))).toBe('section "head" lies outside the file (truncated?)');
    expect(refused(full.subarray(0, meta.offset + 10))).toBe('section "meta" lies outside the file (truncated?)');
    expect(refused(full.subarray(0, pages.offset + pages.length - 1))).toBe('section "pages" lies outside the file (truncated?)');
  });

  it('fast-check: any truncation is refused, never thrown', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: full.length - 1 }), (n) => {
      expect(refused(full.subarray(0, n))).toMatch(/truncated|outside the file/);
    }), { numRuns: 300 });
  });
});

describe('bit flips', () => {
  it('every bit of the header and section table: refused, with an error about that part', () => {
    const tableEnd = HEADER + 3 * ENTRY;
    for (let bit = 0; bit < tableEnd * 8; bit++) {
      const byte = bit >> 3;
      const e = refused(flip(full, bit));
      if (byte < 8) expect(e).toBe('not an rtcr image (bad magic)');
      else if (byte < 12) expect(e).toMatch(/^image version \d+; this rtcr reads version 1$/);
      else if (byte < 16) expect(e).toMatch(/section table|missing|outside the file/);
      else {
        const field = (byte - HEADER) % ENTRY;
        if (field < 8) expect(e).toMatch(/is missing/);
        else if (field < 16) expect(e).toMatch(/outside the file|checksum mismatch/);
        else expect(e).toMatch(/checksum mismatch/);
      }
    }
  });

  it('every bit of the head section and of the incremental image\'s meta: checksum mismatch', () => {
    const [head, meta] = sectionsOf(inc1);
    for (const s of [head, meta]) {
      for (let bit = s.offset * 8; bit < (s.offset + s.length) * 8; bit++) {
        expect(refused(flip(inc1, bit))).toBe(`section "${s.name}": checksum mismatch`);
      }
    }
  });

  it.each(['head', 'meta', 'pages'])('fast-check: a flip anywhere in the %s section is caught by its checksum', (name) => {
    const s = sectionsOf(full).find((x) => x.name === name)!;
    fc.assert(fc.property(fc.integer({ min: s.offset * 8, max: (s.offset + s.length) * 8 - 1 }), (bit) => {
      expect(refused(flip(full, bit))).toBe(`section "${name}": checksum mismatch`);
    }), { numRuns: 200 });
  });

  it('a flip inside a page that is all zeros is still caught (the checksum covers every byte)', () => {
    const pages = sectionsOf(full).find((x) => x.name === 'pages')!;
    const zeroPage = Array.from({ length: pages.length / 4096 }, (_, i) => i).find((i) => pages.bytes.subarray(i * 4096, (i + 1) * 4096).every((b) => b === 0));
    expect(zeroPage).toBeDefined();
    const at = pages.offset + zeroPage! * 4096 + 2048;
    expect(refused(flip(full, at * 8 + 5))).toBe('section "pages": checksum mismatch');
  });

  it('fast-check: several random flips or overwritten bytes anywhere are refused, never thrown', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: full.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }), (edits) => {
      const c = full.slice();
      for (const [at, x] of edits) c[at] ^= x;
      refused(c);
    }), { numRuns: 200 });
  });
});

describe('magic, version, sections', () => {
  it('wrong magic: another file, an empty-ish one, a near miss', () => {
    expect(refused(new TextEncoder().encode('{"components": []}\n' + ' '.repeat(100)))).toBe('not an rtcr image (bad magic)');
    expect(refused(new Uint8Array(200))).toBe('not an rtcr image (bad magic)');
    const near = full.slice();
    near[6] = 'H'.charCodeAt(0);
    expect(refused(near)).toBe('not an rtcr image (bad magic)');
    expect(refused(build([...parts(full)], { magic: 'RTCRIMG1' }))).toBe('not an rtcr image (bad magic)');
  });

  it.each([0, 2, 0x100, 0xffffffff])('version %d is refused, naming both versions', (v) => {
    expect(refused(build([...parts(full)], { version: v }))).toBe(`image version ${v}; this rtcr reads version ${IMAGE_VERSION}`);
  });

  it.each(['head', 'meta', 'pages'])('a missing "%s" section is named', (name) => {
    const p = parts(full);
    p.delete(name);
    expect(refused(build([...p]))).toBe(`section "${name}" is missing`);
  });

  it('no sections at all', () => {
    expect(refused(build([]))).toBe('section "head" is missing');
  });

  it('a section named twice is refused (here a second "head" that would turn an incremental image into a full one)', () => {
    const fullHead = parts(full).get('head')!;
    const twice = build([...parts(inc1), ['head', fullHead]]);
    expect(refused(twice)).toMatch(/head.*twice|twice.*head|duplicate/);
  });

  it('a section renamed is missing under its name', () => {
    const p = [...parts(full)].map(([n, b]): [string, Uint8Array] => [n === 'meta' ? 'mETA' : n, b]);
    expect(refused(build(p))).toBe('section "meta" is missing');
  });

  it('too many sections in the table', () => {
    const c = full.slice();
    new DataView(c.buffer).setUint32(12, 17, true);
    expect(refused(c)).toBe('truncated or corrupt section table');
    new DataView(c.buffer).setUint32(12, 0xffffffff, true);
    expect(refused(c)).toBe('truncated or corrupt section table');
  });

  describe('sections out of bounds', () => {
    const patched = (section: number, field: 8 | 12, value: number) => {
      const c = full.slice();
      new DataView(c.buffer).setUint32(HEADER + section * ENTRY + field, value, true);
      return c;
    };
    it('an offset past the end of the file', () => {
      expect(refused(patched(1, 8, full.length + 1))).toBe('section "meta" lies outside the file (truncated?)');
    });
    it('an offset inside the header and section table', () => {
      expect(refused(patched(0, 8, 0))).toBe('section "head" lies outside the file (truncated?)');
      expect(refused(patched(2, 8, HEADER + 3 * ENTRY - 1))).toBe('section "pages" lies outside the file (truncated?)');
    });
    it('a length running past the end of the file', () => {
      expect(refused(patched(2, 12, sectionsOf(full)[2].length + 1))).toBe('section "pages" lies outside the file (truncated?)');
    });
    it('a huge offset and length (no wrap-around)', () => {
      expect(refused(patched(1, 8, 0xffffffff))).toBe('section "meta" lies outside the file (truncated?)');
      expect(refused(patched(1, 12, 0xffffffff))).toBe('section "meta" lies outside the file (truncated?)');
      const c = patched(1, 8, 0xffffff00);
      new DataView(c.buffer).setUint32(HEADER + ENTRY + 12, 0x200, true); // offset + length wraps in 32 bits
      expect(refused(c)).toBe('section "meta" lies outside the file (truncated?)');
    });
    it('an offset pointing at another section\'s bytes fails that section\'s checksum', () => {
      const s = sectionsOf(full);
      expect(refused(patched(0, 8, s[1].offset))).toBe('section "head": checksum mismatch');
    });
  });
});

describe('contents of well-checksummed sections are validated', () => {
  const metaOf = (img: Uint8Array): Record<string, unknown> => cborDecode(parts(img).get('meta')!) as Record<string, unknown>;
  const withMeta = (edit: (m: Record<string, unknown>) => void): Uint8Array => {
    const m = metaOf(full);
    edit(m);
    return rebuild(full, { meta: cborEncode(m) });
  };
  type Rec = Record<string, unknown>;
  const at = (m: Rec, ...path: (string | number)[]): Rec => path.reduce<Rec>((o, k) => (o as Record<string | number, unknown>)[k] as Rec, m);

  it('a wrong field type in meta names the field path', () => {
    expect(refused(withMeta((m) => { at(m, 'components', 0, 'threads', 0).pc = 'main'; })))
      .toMatch(/^section "meta": components\[0\]\.threads\[0\]\.pc: .*number/);
    expect(refused(withMeta((m) => { at(m, 'time').cycles = -5; })))
      .toMatch(/^section "meta": time\.cycles: /);
    expect(refused(withMeta((m) => { at(m, 'components', 0, 'caps', 2).rights = 8; })))
      .toMatch(/^section "meta": components\[0\]\.caps\[2\]\.rights: /);
    expect(refused(withMeta((m) => { at(m, 'objects', 4).kind = 'teleporter'; })))
      .toMatch(/^section "meta": objects\[4\](\.kind)?: /);
    expect(refused(withMeta((m) => { at(m, 'components', 0, 'threads', 0).regs = [1, 2, 3]; })))
      .toMatch(/^section "meta": components\[0\]\.threads\[0\]\.regs: /);
  });

  it('an unknown field in meta is refused and named', () => {
    const e = refused(withMeta((m) => { at(m, 'scheduler').bonus = 1; }));
    expect(e).toMatch(/^section "meta": scheduler: /);
    expect(e).toMatch(/bonus/);
  });

  it('a meta that is not a map, or not CBOR', () => {
    expect(refused(rebuild(full, { meta: cborEncode([1, 2, 3]) }))).toMatch(/^section "meta": /);
    expect(refused(rebuild(full, { meta: new Uint8Array([0xff, 0xff, 0x00]) }))).toMatch(/^section "meta": not CBOR/);
    expect(refused(rebuild(full, { meta: new Uint8Array(0) }))).toMatch(/^section "meta": not CBOR/);
  });

  it('a head that is not CBOR, or has a wrong kind, sequence or parent', () => {
    expect(refused(rebuild(full, { head: new Uint8Array([0x1c]) }))).toMatch(/^section "head": not CBOR/);
    expect(refused(rebuild(full, { head: cborEncode({ kind: 'partial', sequence: 0 }) }))).toMatch(/^section "head": kind: /);
    expect(refused(rebuild(full, { head: cborEncode({ kind: 'full', sequence: -1 }) }))).toMatch(/^section "head": sequence: /);
    expect(refused(rebuild(full, { head: cborEncode({ kind: 'incremental', sequence: 1, parent: 'abc' }) }))).toMatch(/^section "head": parent: /);
  });

  it('an incremental head without a parent, or a full one with one', () => {
    const msg = 'section "head": an incremental image names a parent, a full one does not';
    expect(refused(rebuild(inc1, { head: cborEncode({ kind: 'incremental', sequence: 1 }) }))).toBe(msg);
    expect(refused(rebuild(full, { head: cborEncode({ kind: 'full', sequence: 0, parent: id(other) }) }))).toBe(msg);
  });

  it('a pages section longer or shorter than the memory records name', () => {
    const pages = parts(full).get('pages')!;
    const longer = new Uint8Array(pages.length + 4096);
    longer.set(pages);
    expect(refused(rebuild(full, { pages: longer }))).toBe('section "pages": 4096 bytes more than the memory records name');
    expect(refused(rebuild(full, { pages: pages.subarray(0, pages.length - 1) })))
      .toBe(`section "pages": ${pages.length - 1} bytes, fewer than the memory records name`);
    expect(refused(rebuild(full, { pages: new Uint8Array(0) }))).toMatch(/^section "pages": 0 bytes, fewer/);
  });
});

describe('chains: parents by hash', () => {
  const img = (b: Uint8Array) => decoded(b);

  it('the whole chain restores (control), and from any link', () => {
    for (const chain of [[full], [full, inc1], [full, inc1, inc2]]) {
      const r = Rtcr.restore(chain.map(img));
      expect(r.ok ? '' : r.error).toBe('');
    }
  });

  it('an incremental image without its parent is refused (Rtcr.restore and mergeChain)', () => {
    for (const chain of [[inc1], [inc1, inc2], [inc2]]) {
      const expected = `image ${id(chain[0]).slice(0, 12)} is incremental: its parent is missing`;
      expect(mergeChain(chain.map(img))).toEqual({ ok: false, error: expected });
      expect(Rtcr.restore(chain.map(img))).toEqual({ ok: false, error: expected });
    }
  });

  it('an incremental image with the wrong parent is refused, naming both hashes', () => {
    const h = (b: Uint8Array) => id(b).slice(0, 12);
    const cases: [Uint8Array[], string][] = [
      [[other, inc1], `image ${h(inc1)} names parent ${h(full)}, not ${h(other)}`],
      [[full, inc2], `image ${h(inc2)} names parent ${h(inc1)}, not ${h(full)}`],
      [[full, inc2, inc1], `image ${h(inc2)} names parent ${h(inc1)}, not ${h(full)}`],
      [[full, inc1, inc1], `image ${h(inc1)} names parent ${h(full)}, not ${h(inc1)}`],
    ];
    for (const [chain, error] of cases) {
      expect(mergeChain(chain.map(img))).toEqual({ ok: false, error });
      let r: ReturnType<typeof Rtcr.restore> | undefined;
      expect(() => { r = Rtcr.restore(chain.map(img)); }).not.toThrow();
      expect(r).toEqual({ ok: false, error });
    }
  });

  it('an incremental image re-labelled with another image\'s hash as parent is refused', () => {
    const forged = rebuild(inc1, { head: cborEncode({ kind: 'incremental', sequence: 1, parent: id(other) }) });
    expect(Rtcr.restore([img(full), img(forged)]).ok).toBe(false);
  });

  it('an empty chain is refused', () => {
    expect(mergeChain([])).toEqual({ ok: false, error: 'no image' });
    expect(Rtcr.restore([])).toEqual({ ok: false, error: 'no image' });
  });
});
