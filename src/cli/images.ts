// Image files on disk for `rtcr restore`, `inspect`, `merge` and `checkpoint -o`: which *.img
// files of a directory are checkpoint images, which image a directory stands for, and the chain
// of parents (by hash) an image needs.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { decodeImage, hasImageMagic, type Image } from '../rtcr/image';
import { formatNs } from './common';
import { isDirectory, fsWords, readInput, type Checked } from './files';

export interface ImageFile {
  path: string;
  image: Image;
}

/** The *.img files of a directory, sorted by name. */
export interface DirScan {
  /** Checkpoint images that decode. */
  images: ImageFile[];
  /** Files with the image magic that do not decode (damaged, truncated, another version). */
  damaged: { path: string; error: string }[];
  /** *.img files that are no checkpoint image at all (another tool's), and directories so named. */
  others: string[];
}

/** The names `rtcr checkpoint` gives its images. */
export const imageName = (i: number): string => `ckpt-${String(i).padStart(4, '0')}.img`;
const OURS = /^ckpt-\d{4,}\.img$/;

/** Reads and sorts out the *.img files of `dir`. */
export function scanDirectory(dir: string): Checked<DirScan> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((f) => f.endsWith('.img')).sort();
  } catch (e) {
    return { ok: false, error: `${dir}: ${fsWords(e)}` };
  }
  const scan: DirScan = { images: [], damaged: [], others: [] };
  for (const f of names) {
    const path = join(dir, f);
    let bytes: Uint8Array;
    try {
      if (!statSync(path).isFile()) { scan.others.push(path); continue; }
      bytes = readFileSync(path);
    } catch (e) {
      scan.damaged.push({ path, error: fsWords(e) });
      continue;
    }
    if (!hasImageMagic(bytes)) { scan.others.push(path); continue; }
    const d = decodeImage(bytes);
    if (d.ok) scan.images.push({ path, image: d.image });
    else scan.damaged.push({ path, error: d.error });
  }
  return { ok: true, value: scan };
}

/** An image chain, root first, and what the directory held besides. */
export interface Chain {
  images: ImageFile[];
  /** The directory's other *.img files: other chains' images and files that are no image. */
  ignored: string[];
  /** Whether the chain's last image was picked as the newest of a directory. */
  fromDirectory: boolean;
}

/**
 * The chain ending at `path`: an image file, or a directory's newest image (picked by
 * newestImage). Parents are found by hash among the images of the same directory; other files
 * there (a README, another tool's *.img, another chain) do not matter, a damaged image does only
 * if it is needed — or, for a directory, if it might be the newest.
 */
export function loadChain(path: string): Checked<Chain> {
  const dir = isDirectory(path);
  if (!dir.ok) return dir;
  const scan = scanDirectory(dir.value ? path : dirname(path));
  if (!scan.ok) return scan;
  let last: ImageFile;
  if (dir.value) {
    const d = scan.value.damaged[0];
    if (d !== undefined) return { ok: false, error: `${d.path}: ${d.error}` };
    const complete = (f: ImageFile) => parents(f, scan.value, path).ok;
    const newest = newestImage(path, scan.value.images, complete);
    if (!newest.ok) return newest;
    last = newest.value;
  } else {
    const bytes = readInput(path, 'an image file');
    if (!bytes.ok) return bytes;
    const d = decodeImage(bytes.value);
    if (!d.ok) return { ok: false, error: `${path}: ${d.error}` };
    last = { path, image: d.image };
  }
  const chain = parents(last, scan.value, dir.value ? path : dirname(path));
  if (!chain.ok) return chain;
  const used = new Set(chain.value.map((f) => f.path));
  const ignored = [...scan.value.images.map((f) => f.path).filter((p) => !used.has(p) && p !== path), ...scan.value.others].sort();
  return { ok: true, value: { images: chain.value, ignored, fromDirectory: dir.value } };
}

/** `last` and its parents, root first, looked up by hash among `scan`'s images. */
function parents(last: ImageFile, scan: DirScan, dir: string): Checked<ImageFile[]> {
  const byHash = new Map<string, ImageFile>();
  for (const f of scan.images) if (!byHash.has(f.image.hash)) byHash.set(f.image.hash, f);
  const chain = [last];
  while (chain[0].image.head.kind === 'incremental') {
    const head = chain[0].image.head;
    const parent = byHash.get(head.parent!);
    if (parent === undefined) {
      const broken = scan.damaged.map((d) => `${d.path}: ${d.error}`);
      const why = broken.length > 0 ? `; unreadable there: ${broken.join('; ')}` : '';
      return { ok: false, error: `parent image ${head.parent!.slice(0, 16)}… of sequence ${head.sequence} is not in ${dir}${why}` };
    }
    if (chain.includes(parent)) return { ok: false, error: `${parent.path}: the chain of parents loops` };
    chain.unshift(parent);
  }
  return { ok: true, value: chain };
}

/**
 * The image a directory stands for: the newest end of a chain — an image no other names as its
 * parent — preferring chains that are `complete` (every parent there), then the names `rtcr
 * checkpoint` writes (ckpt-NNNN.img) over other names, then the highest sequence. Two such ends
 * of different chains with one sequence: an error asking for the file.
 */
export function newestImage(dir: string, images: readonly ImageFile[], complete: (f: ImageFile) => boolean = () => true): Checked<ImageFile> {
  if (images.length === 0) return { ok: false, error: `${dir}: no checkpoint images (*.img)` };
  const named = new Set(images.map((f) => f.image.head.parent));
  const allEnds = images.filter((f) => !named.has(f.image.hash));
  const whole = allEnds.filter(complete);
  // None complete: take the newest anyway, so the error names its missing parent.
  const ends = whole.length > 0 ? whole : allEnds;
  const ours = ends.filter((f) => OURS.test(basename(f.path)));
  const pool = ours.length > 0 ? ours : ends;
  const top = Math.max(...pool.map((f) => f.image.head.sequence));
  const newest = pool.filter((f) => f.image.head.sequence === top);
  const distinct = new Set(newest.map((f) => f.image.hash));
  if (distinct.size > 1) {
    return { ok: false, error: `${dir}: ${newest.map((f) => basename(f.path)).join(' and ')} both end a chain at sequence ${top}: name the image to use` };
  }
  return { ok: true, value: newest[0] };
}

/** Virtual nanoseconds of an image's checkpoint. */
export function imageTimeNs(img: Image): number {
  const t = img.checkpoint.time;
  return (t.cycles / t.insnsPerSecond) * 1e9;
}

/**
 * One line for stderr: which image `verb` uses (for a directory: why that one), its chain, and
 * what of the directory was left aside.
 */
export function describeChain(verb: string, c: Chain): string {
  const last = c.images[c.images.length - 1];
  const h = last.image.head;
  let s = `${verb} ${last.path} (${h.kind}, sequence ${h.sequence}, at ${formatNs(imageTimeNs(last.image))}` +
    `${c.fromDirectory ? ', the newest image of the directory' : ''})`;
  if (c.images.length > 1) {
    const names = c.images.map((f) => basename(f.path));
    const shown = names.length <= 5 ? names : [...names.slice(0, 2), `… ${names.length - 4} more …`, ...names.slice(-2)];
    s += ` with its chain of ${names.length}: ${shown.join(' > ')}`;
  }
  if (c.fromDirectory && c.ignored.length > 0) {
    const shown = c.ignored.slice(0, 3).map((p) => basename(p)).join(', ');
    s += `; ignored ${c.ignored.length} other *.img file(s): ${shown}${c.ignored.length > 3 ? ', …' : ''}`;
  }
  return s;
}
