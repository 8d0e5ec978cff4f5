// src/cli/files.ts: one-line file errors in the tool's words, output directories that never hang
// (node's recursive mkdir loops forever under /proc), and files written whole or not at all.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDirectory, pathKind, readInput, writeAtomically } from '../../src/cli/files';

let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'rtcr-files-')); });

describe('ensureDirectory', () => {
  it('creates missing parents and says it created the directory; an existing one is kept', () => {
    const d = join(tmp, 'a', 'b', 'c');
    expect(ensureDirectory(d)).toEqual({ ok: true, value: true });
    expect(pathKind(d)).toEqual({ ok: true, value: 'directory' });
    expect(ensureDirectory(d)).toEqual({ ok: true, value: false });
  });

  it('refuses a file in the way, naming it', () => {
    const f = join(tmp, 'plain');
    writeFileSync(f, 'x');
    expect(ensureDirectory(f)).toEqual({ ok: false, error: `${f}: is a file, not a directory` });
    expect(ensureDirectory(join(f, 'sub'))).toEqual({ ok: false, error: `${join(f, 'sub')}: a part of the path is not a directory` });
  });

  it('under /proc: an error at once, not a hang', () => {
    const r = ensureDirectory('/proc/xx/yy');
    expect(r).toEqual({ ok: false, error: '/proc/xx: cannot create the directory: the file system does not allow it' });
  });
});

describe('writeAtomically', () => {
  it('writes a new file, and replaces an old one whole; no temporary file stays', () => {
    const d = join(tmp, 'w');
    mkdirSync(d);
    const f = join(d, 'x.img');
    expect(writeAtomically(f, new Uint8Array([1, 2, 3])).ok).toBe(true);
    expect(writeAtomically(f, new Uint8Array([9]))).toEqual({ ok: true, value: undefined });
    expect([...readFileSync(f)]).toEqual([9]);
    expect(readdirSync(d)).toEqual(['x.img']);
  });

  it('refuses a directory, and fails in a missing directory, leaving nothing behind', () => {
    const d = join(tmp, 'target-dir');
    mkdirSync(d);
    expect(writeAtomically(d, new Uint8Array([1]))).toEqual({ ok: false, error: `${d}: is a directory, not a file to write` });
    expect(readdirSync(d)).toEqual([]);
    const missing = join(tmp, 'nowhere', 'x.img');
    expect(writeAtomically(missing, new Uint8Array([1]))).toEqual({ ok: false, error: `${missing}: no such file or directory` });
  });
});

describe('readInput', () => {
  it('names a missing file and a directory where a file is wanted, in one line', () => {
    expect(readInput(join(tmp, 'none.json'), 'a scenario file')).toEqual({ ok: false, error: `${join(tmp, 'none.json')}: no such file or directory` });
    expect(readInput(tmp, 'a scenario file')).toEqual({ ok: false, error: `${tmp}: is a directory, not a scenario file` });
    const f = join(tmp, 'ok.json');
    writeFileSync(f, '{}');
    const r = readInput(f, 'a scenario file');
    expect(r.ok && new TextDecoder().decode(r.value)).toBe('{}');
  });
});
