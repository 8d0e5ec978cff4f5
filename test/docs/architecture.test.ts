// docs/architecture.md's layer table against src/: one row per folder, in an order that every
// import respects (a layer imports only from rows above it), naming every file of the folder;
// and only src/cli imports `node:` modules.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const doc = readFileSync('docs/architecture.md', 'utf8');

/** The layer table's rows: folder and the text of its files column. */
const rows = [...doc.matchAll(/^\| `src\/([a-z]+)` \| ([^|]*) \|/gm)].map((m) => ({ folder: m[1]!, files: m[2]! }));

/** Every .ts file below src/<folder>, relative to it. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)).map((f) => `${e.name}/${f}`) : e.name.endsWith('.ts') ? [e.name] : []);
}

/** The src/ folders a folder's files import from (other than itself). */
function importsOf(folder: string): Set<string> {
  const out = new Set<string>();
  for (const f of tsFiles(join('src', folder))) {
    const text = readFileSync(join('src', folder, f), 'utf8');
    const depth = f.split('/').length; // ../ steps from the file up to src/
    for (const m of text.matchAll(/from '((?:\.\.\/)+)([a-z]+)\//g)) {
      if (m[1]!.length / 3 === depth && m[2] !== folder) out.add(m[2]!);
    }
  }
  return out;
}

describe('docs/architecture.md', () => {
  it('has one row per folder of src/', () => {
    const folders = readdirSync('src', { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(rows.map((r) => r.folder).sort()).toEqual(folders.sort());
  });

  for (const { folder, files } of rows) {
    it(`names every file of src/${folder}`, () => {
      const named = (f: string) => files.includes(`\`${f.split('/').pop()}\``);
      expect(tsFiles(join('src', folder)).filter((f) => !named(f))).toEqual([]);
    });
  }

  it('lists the layers in an order that every import respects', () => {
    const order = rows.map((r) => r.folder);
    for (const [i, folder] of order.entries()) {
      const below = [...importsOf(folder)].filter((dep) => order.indexOf(dep) > i);
      expect(below, `src/${folder} imports from layers listed after it`).toEqual([]);
    }
  });

  it('only src/cli imports node: modules', () => {
    const offenders = rows.map((r) => r.folder).filter((f) => f !== 'cli').flatMap((folder) =>
      tsFiles(join('src', folder)).filter((f) => /from 'node:/.test(readFileSync(join('src', folder, f), 'utf8'))).map((f) => `src/${folder}/${f}`));
    expect(offenders).toEqual([]);
  });
});
