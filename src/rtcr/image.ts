// The checkpoint image: versioned, self-describing, a checksum per section.
//
//   offset 0   "RTCRIMG\0"                     magic, 8 bytes
//          8   u32 version (1)
//         12   u32 number of sections
//         16   per section: name (8 bytes, NUL padded), u32 offset, u32 length, SHA-256 (32 bytes)
//          …   the sections' bytes
//
// Sections: "head" (CBOR: kind, sequence, parent image's hash), "meta" (CBOR: the checkpoint
// without page bytes; every field validated against model.ts on load), "pages" (the page bytes,
// raw, in the order of the memory records). An image's identity is the SHA-256 of its header
// and section table — which hold every section's SHA-256, so it covers the whole image without
// hashing the pages twice; an incremental image names its parent by that hash.

import { decode as cborDecode, encode as cborEncode } from 'cborg';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { schemaError } from '../kernel/scenario';
import { CheckpointSchema, PAGE, type Checkpoint } from './model';

const MAGIC = 'RTCRIMG\0';
export const IMAGE_VERSION = 1;
const ENTRY = 48;

export const HeadSchema = z.strictObject({
  kind: z.enum(['full', 'incremental']),
  sequence: z.number().int().min(0),
  /** Hex SHA-256 of the parent image (incremental images only). */
  parent: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});
export type ImageHead = z.infer<typeof HeadSchema>;

export interface Image {
  head: ImageHead;
  checkpoint: Checkpoint;
  /** The image's identity (imageIdentity). */
  hash: string;
}

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** The identity of an image: hex SHA-256 of its header and section table. */
export function imageIdentity(bytes: Uint8Array): string {
  const n = bytes.length >= 16 ? new DataView(bytes.buffer, bytes.byteOffset, 16).getUint32(12, true) : 0;
  return hex(sha256(bytes.subarray(0, Math.min(bytes.length, 16 + n * ENTRY))));
}

/** Encodes a checkpoint as an image (page bytes are copied once, straight into place). */
export function encodeImage(head: ImageHead, cp: Checkpoint): Uint8Array {
  let pagesLen = 0;
  for (const m of cp.memory) pagesLen += m.data.length;
  const meta = { ...cp, memory: cp.memory.map((m) => ({ dataspace: m.dataspace, pages: m.pages })) };
  const small: [string, Uint8Array][] = [['head', cborEncode(head)], ['meta', cborEncode(stripUndefined(meta))]];
  const count = small.length + 1;
  const headerLen = 16 + ENTRY * count;
  const smallLen = small.reduce((n, [, b]) => n + b.length, 0);
  const out = new Uint8Array(headerLen + smallLen + pagesLen);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = MAGIC.charCodeAt(i);
  dv.setUint32(8, IMAGE_VERSION, true);
  dv.setUint32(12, count, true);
  let off = headerLen;
  for (const [, bytes] of small) { out.set(bytes, off); off += bytes.length; }
  for (const m of cp.memory) { out.set(m.data, off); off += m.data.length; }
  const entry = (i: number, name: string, at: number, len: number) => {
    const e = 16 + i * ENTRY;
    for (let k = 0; k < 8; k++) out[e + k] = k < name.length ? name.charCodeAt(k) : 0;
    dv.setUint32(e + 8, at, true);
    dv.setUint32(e + 12, len, true);
    out.set(sha256(out.subarray(at, at + len)), e + 16);
  };
  let at = headerLen;
  small.forEach(([name, bytes], i) => { entry(i, name, at, bytes.length); at += bytes.length; });
  entry(small.length, 'pages', at, pagesLen);
  return out;
}

/** CBOR has no `undefined`: drop such fields (they are optional in the schema). */
function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripUndefined);
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  const o: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) o[k] = stripUndefined(x);
  return o;
}

/** Whether `bytes` begin with the image magic: an rtcr image, though maybe a damaged one. */
export function hasImageMagic(bytes: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export type DecodeResult = { ok: true; image: Image } | { ok: false; error: string };

/** Decodes and validates an image; one clear error for anything wrong, nothing else created. */
export function decodeImage(bytes: Uint8Array): DecodeResult {
  const fail = (error: string): DecodeResult => ({ ok: false, error });
  if (bytes.length < 16) return fail(`truncated: ${bytes.length} bytes is shorter than the header`);
  if (!hasImageMagic(bytes)) return fail('not an rtcr image (bad magic)');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(8, true);
  if (version !== IMAGE_VERSION) return fail(`image version ${version}; this rtcr reads version ${IMAGE_VERSION}`);
  const n = dv.getUint32(12, true);
  if (n > 16 || 16 + n * ENTRY > bytes.length) return fail('truncated or corrupt section table');
  const sections = new Map<string, Uint8Array>();
  for (let i = 0; i < n; i++) {
    const e = 16 + i * ENTRY;
    const name = String.fromCharCode(...bytes.subarray(e, e + 8)).replace(/\0+$/, '');
    const off = dv.getUint32(e + 8, true);
    const len = dv.getUint32(e + 12, true);
    if (off + len > bytes.length || off < 16 + n * ENTRY) return fail(`section "${name}" lies outside the file (truncated?)`);
    const data = bytes.subarray(off, off + len);
    if (hex(sha256(data)) !== hex(bytes.subarray(e + 16, e + 48))) return fail(`section "${name}": checksum mismatch`);
    if (sections.has(name)) return fail(`section "${name}" appears twice`);
    sections.set(name, data);
  }
  for (const name of ['head', 'meta', 'pages']) if (!sections.has(name)) return fail(`section "${name}" is missing`);
  const head = parseCbor(sections.get('head')!, HeadSchema, 'head');
  if (!head.ok) return head;
  const metaRaw = cborSafe(sections.get('meta')!);
  if (!metaRaw.ok) return fail(`section "meta": ${metaRaw.error}`);
  const pages = sections.get('pages')!;
  const withData = attachPages(metaRaw.value, pages);
  if (typeof withData === 'string') return fail(`section "pages": ${withData}`);
  const cp = CheckpointSchema.safeParse(withData);
  if (!cp.success) return fail(`section "meta": ${schemaError(cp.error)}`);
  if ((head.value.kind === 'incremental') !== (head.value.parent !== undefined)) return fail('section "head": an incremental image names a parent, a full one does not');
  return { ok: true, image: { head: head.value, checkpoint: cp.data, hash: imageIdentity(bytes) } };
}

function cborSafe(b: Uint8Array): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: cborDecode(b) };
  } catch (e) {
    return { ok: false, error: `not CBOR (${(e as Error).message})` };
  }
}

function parseCbor<T>(b: Uint8Array, schema: z.ZodType<T>, name: string): { ok: true; value: T } | { ok: false; error: string } {
  const raw = cborSafe(b);
  if (!raw.ok) return { ok: false, error: `section "${name}": ${raw.error}` };
  const r = schema.safeParse(raw.value);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: `section "${name}": ${schemaError(r.error)}` };
}

/** Gives each memory record its bytes from the pages section; a string says what is wrong. */
function attachPages(meta: unknown, pages: Uint8Array): unknown {
  if (meta === null || typeof meta !== 'object' || !Array.isArray((meta as { memory?: unknown }).memory)) return meta;
  let at = 0;
  const memory: unknown[] = [];
  for (const m of (meta as { memory: unknown[] }).memory) {
    const count = Array.isArray((m as { pages?: unknown }).pages) ? (m as { pages: unknown[] }).pages.length : 0;
    const len = count * PAGE;
    if (at + len > pages.length) return `${pages.length} bytes, fewer than the memory records name`;
    memory.push({ ...(m as object), data: pages.slice(at, at + len) });
    at += len;
  }
  if (at !== pages.length) return `${pages.length - at} bytes more than the memory records name`;
  return { ...(meta as object), memory };
}
