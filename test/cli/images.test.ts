// src/cli/images.ts: which image a directory stands for (restore DIR, inspect DIR, merge DIR),
// its chain of parents, and that unrelated files in the directory do not get in the way.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeChain, loadChain } from '../../src/cli/images';
import { parseScenario } from '../../src/kernel/scenario';
import { decodeImage, encodeImage } from '../../src/rtcr/image';
import { Rtcr } from '../../src/rtcr/rtcr';

let tmp: string;
/** Three images of one chain (sheep_counter at 1 s, 2 s, 3 s, tracking on) and a lone full one. */
let chain: Uint8Array[];
let lone: Uint8Array;

function images(at: number[], granularity: number): Uint8Array[] {
  const s = parseScenario(readFileSync('programs/sheep_counter.json', 'utf8'), 'sheep_counter.json');
  if (!s.ok) throw new Error(s.error);
  const b = Rtcr.boot({ scenario: s.scenario, readFile: (p) => readFileSync(join('programs', p)) }, { granularity, mode: 'access' });
  if (!b.ok) throw new Error(b.message);
  return at.map((t) => { b.rtcr.init.runUntilNs(t); return b.rtcr.checkpoint().bytes; });
}

/** A fresh directory holding `files` (name -> bytes or text). */
function dirWith(name: string, files: Record<string, Uint8Array | string>): string {
  const d = join(tmp, name);
  mkdirSync(d);
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, f), bytes);
  return d;
}

/** A full image of another chain with a higher sequence than ours. */
function foreign(sequence: number): Uint8Array {
  const d = decodeImage(lone);
  if (!d.ok) throw new Error(d.error);
  return encodeImage({ kind: 'full', sequence }, d.image.checkpoint);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-images-'));
  chain = images([1e9, 2e9, 3e9], 1);
  lone = images([1.5e9], 0)[0];
});

describe('loadChain on a directory', () => {
  it('takes the newest image of the ckpt-NNNN chain, whatever else lies there', () => {
    const d = dirWith('mixed', {
      'ckpt-0000.img': chain[0], 'ckpt-0001.img': chain[1], 'ckpt-0002.img': chain[2],
      'README': 'not an image', 'disk.img': 'another tool\'s image', 'other.img': foreign(7),
    });
    const c = loadChain(d);
    if (!c.ok) throw new Error(c.error);
    expect(c.value.images.map((f) => f.path)).toEqual(['ckpt-0000.img', 'ckpt-0001.img', 'ckpt-0002.img'].map((f) => join(d, f)));
    expect(c.value.ignored).toEqual([join(d, 'disk.img'), join(d, 'other.img')]);
    expect(describeChain('restoring', c.value)).toBe(`restoring ${join(d, 'ckpt-0002.img')} (incremental, sequence 2, at 3.000 s, ` +
      'the newest image of the directory) with its chain of 3: ckpt-0000.img > ckpt-0001.img > ckpt-0002.img; ' +
      'ignored 2 other *.img file(s): disk.img, other.img');
  });

  it('without ckpt-NNNN names: the chain end with the highest sequence', () => {
    const d = dirWith('renamed', { 'a.img': chain[0], 'b.img': chain[1], 'z.img': foreign(0) });
    const c = loadChain(d);
    if (!c.ok) throw new Error(c.error);
    expect(c.value.images.map((f) => f.path)).toEqual([join(d, 'a.img'), join(d, 'b.img')]);
  });

  it('an image whose parents are not there does not stand for the directory; if no chain is whole, its parent is named', () => {
    // ckpt-0007 (sequence 2) needs chain[1], which is not here: the lone full image stands instead.
    const orphan = dirWith('orphan-only', { 'ckpt-0000.img': lone, 'ckpt-0007.img': chain[2] });
    const c = loadChain(orphan);
    if (!c.ok) throw new Error(c.error);
    expect(c.value.images.map((f) => f.path)).toEqual([join(orphan, 'ckpt-0000.img')]);
    const none = dirWith('orphan-none', { 'ckpt-0002.img': chain[2] });
    const e = loadChain(none);
    expect(e.ok ? 'loaded' : e.error).toMatch(/^parent image [0-9a-f]{16}… of sequence 2 is not in /);
  });

  it('two chain ends of one sequence: an error asking which', () => {
    const d = dirWith('two-ends', { 'a.img': chain[0], 'b.img': chain[1], 'c.img': foreign(1) });
    expect(loadChain(d)).toEqual({ ok: false, error: `${d}: b.img and c.img both end a chain at sequence 1: name the image to use` });
  });

  it('no images at all, and a damaged image (it might be the newest): errors naming them', () => {
    const none = dirWith('none', { 'README': 'x', 'disk.img': 'not ours' });
    expect(loadChain(none)).toEqual({ ok: false, error: `${none}: no checkpoint images (*.img)` });
    const cut = dirWith('damaged', { 'ckpt-0000.img': chain[0], 'ckpt-0001.img': chain[1].subarray(0, 200) });
    const c = loadChain(cut);
    expect(c.ok ? 'loaded' : c.error).toMatch(new RegExp(`^${join(cut, 'ckpt-0001.img')}: `));
  });
});

describe('loadChain on a file', () => {
  it('finds the parents by hash beside it; a missing file is one line', () => {
    const d = dirWith('file', { 'x.img': chain[0], 'y.img': chain[1], 'README': 'x' });
    const c = loadChain(join(d, 'y.img'));
    if (!c.ok) throw new Error(c.error);
    expect(c.value.images.map((f) => f.path)).toEqual([join(d, 'x.img'), join(d, 'y.img')]);
    expect(c.value.fromDirectory).toBe(false);
    expect(loadChain(join(d, 'gone.img'))).toEqual({ ok: false, error: `${join(d, 'gone.img')}: no such file or directory` });
  });
});
