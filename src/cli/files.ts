// Files and directories for `rtcr checkpoint`, `restore`, `inspect` and `merge`: errors as one
// line in the tool's words naming the path, output directories created without node's recursive
// mkdir (it loops forever under /proc), and files written all or nothing.
import { mkdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const WORDS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
};

/** What a file system error means, in a few words (node's message if the code is unusual). */
export function fsWords(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code !== undefined ? WORDS[code] : undefined) ?? (e as Error).message;
}

/** `path`'s stat, or undefined if nothing is there; an error for anything else (permissions...). */
function statOf(path: string): Checked<Stats | undefined> {
  try {
    return { ok: true, value: statSync(path) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { ok: true, value: undefined } : { ok: false, error: `${path}: ${fsWords(e)}` };
  }
}

/** What is at `path`: nothing, a directory or a file (or a device...), or an error. */
export function pathKind(path: string): Checked<'absent' | 'directory' | 'file'> {
  const s = statOf(path);
  if (!s.ok) return s;
  return { ok: true, value: s.value === undefined ? 'absent' : s.value.isDirectory() ? 'directory' : 'file' };
}

/** Whether `path` is a directory, or an error if nothing is there. */
export function isDirectory(path: string): Checked<boolean> {
  const s = statOf(path);
  if (!s.ok) return s;
  if (s.value === undefined) return { ok: false, error: `${path}: no such file or directory` };
  return { ok: true, value: s.value.isDirectory() };
}

/** The bytes of the file `path` (`what` says what it should be: "a scenario file"). */
export function readInput(path: string, what: string): Checked<Uint8Array> {
  const d = isDirectory(path);
  if (!d.ok) return d;
  if (d.value) return { ok: false, error: `${path}: is a directory, not ${what}` };
  try {
    return { ok: true, value: readFileSync(path) };
  } catch (e) {
    return { ok: false, error: `${path}: ${fsWords(e)}` };
  }
}

/**
 * Makes `dir` a directory (with missing parents). Returns whether it created it, or an error if
 * a file is in the way or the file system refuses (e.g. /proc).
 */
export function ensureDirectory(dir: string): Checked<boolean> {
  const s = statOf(dir);
  if (!s.ok) return s;
  if (s.value !== undefined) {
    return s.value.isDirectory() ? { ok: true, value: false } : { ok: false, error: `${dir}: is a file, not a directory` };
  }
  const parent = dirname(dir);
  if (parent !== dir) {
    const p = ensureDirectory(parent);
    if (!p.ok) return p;
  }
  try {
    mkdirSync(dir);
  } catch (e) {
    // mkdir in an existing directory that says ENOENT: a file system without new entries (/proc).
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file system does not allow it' : fsWords(e);
    return { ok: false, error: `${dir}: cannot create the directory: ${why}` };
  }
  return { ok: true, value: true };
}

/** Removes `dir` if it is empty (a directory we created and wrote nothing into). */
export function removeIfEmpty(dir: string): void {
  try { rmdirSync(dir); } catch { /* not empty, or gone: leave it */ }
}

/**
 * Writes `bytes` to the file `path` all or nothing: into a temporary file beside it, then renamed
 * over it, so a failed write (full disk, a killed run) leaves no half file. Refuses a directory.
 */
export function writeAtomically(path: string, bytes: Uint8Array): Checked<void> {
  const s = statOf(path);
  if (!s.ok) return s;
  if (s.value?.isDirectory() === true) return { ok: false, error: `${path}: is a directory, not a file to write` };
  // Not *.img: a temporary file is never taken for an image.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, bytes, { flag: 'wx' });
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* never created */ }
    return { ok: false, error: `${path}: ${fsWords(e)}` };
  }
  return { ok: true, value: undefined };
}
