// Every guest program under programs/ is built by our assembler (none yet is fine).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { assemble, formatError } from '../../src/asm/index';

const ROOT = resolve(__dirname, '../..');
const DIR = join(ROOT, 'programs');
const programs = existsSync(DIR) ? readdirSync(DIR).filter((f) => f.endsWith('.s')).sort() : [];
const read = (p: string): string | undefined => {
  for (const c of [p, join(DIR, p), join(ROOT, p)]) if (existsSync(c)) return readFileSync(c, 'utf8');
  return undefined;
};

describe('programs/*.s', () => {
  it(`found ${programs.length} program(s)`, () => { expect(programs.length).toBeGreaterThanOrEqual(0); });
  for (const p of programs) {
    it(`assembles ${p}`, () => {
      const path = join(DIR, p);
      const r = assemble([{ name: path, text: readFileSync(path, 'utf8') }], { readFile: (q) => read(q) ?? read(join(dirname(path), q)) });
      if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
      expect(r.elf.length).toBeGreaterThan(52);
    });
  }
});
