// The repository stands alone: every Markdown file's relative links name files inside it that
// exist, and no file points to a directory beside the clone (the design brief's old home).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve('.');

/** Markdown files of the repository (not node_modules or build output). */
function markdownFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name.startsWith('.') || e.name === 'node_modules' || e.name === 'dist') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? markdownFiles(p) : e.name.endsWith('.md') ? [p] : [];
  });
}

const files = markdownFiles();
/** A path into the directory beside the clone (built, so that this file does not contain it). */
const OUTSIDE = ['..', 'shared'].join('/');

/** Text files of the repository, .ci/ included (not node_modules, build output or git's files). */
function textFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if ((e.name.startsWith('.') && e.name !== '.ci') || e.name === 'node_modules' || e.name === 'dist') return [];
    const p = join(dir, e.name);
    if (e.isDirectory()) return textFiles(p);
    return /\.(elf|gz|img|tgz)$/.test(e.name) ? [] : [p];
  });
}

describe('Markdown links', () => {
  it('finds the docs', () => {
    expect(files.map((f) => relative(root, f))).toEqual(expect.arrayContaining(['README.md', 'docs/abi.md', 'docs/first-component.md']));
  });

  it(`no file of the repository refers to ${OUTSIDE}`, () => {
    const offenders = textFiles().filter((f) => readFileSync(f, 'latin1').includes(OUTSIDE));
    expect(offenders.map((f) => relative(root, f))).toEqual([]);
  });

  for (const file of files) {
    it(`${relative(root, file)}: relative links resolve inside the repository`, () => {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (target === '' || /^[a-z]+:/i.test(target)) continue; // an anchor, or a URL
        const abs = resolve(dirname(file), target);
        expect(relative(root, abs).startsWith('..'), `${target} leaves the repository`).toBe(false);
        expect(existsSync(abs), `${target} does not exist`).toBe(true);
      }
    });
  }
});
