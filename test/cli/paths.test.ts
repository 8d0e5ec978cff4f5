// src/cli/paths.ts: where the example programs are, from the sources, from the bundle and from
// a directory that has none; and the help that names them.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { programsDir, programsHelp } from '../../src/cli/paths';

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
});

describe('programsDir', () => {
  it('finds the repository\'s programs/ from src/cli and from dist/', () => {
    expect(programsDir()).toBe(resolve('programs'));
    expect(programsDir(resolve('dist'))).toBe(resolve('programs'));
  });

  it('is undefined where no programs/ with the runtime library is near', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtcr-paths-'));
    mkdirSync(join(dir, 'programs')); // no lib/rt.s in it
    mkdirSync(join(dir, 'dist'));
    expect(programsDir(join(dir, 'dist'))).toBeUndefined();
  });

  it('is named at the end of every --help', () => {
    expect(programsHelp()).toBe(`\nExample programs: ${resolve('programs')} (e.g. rtcr run ${resolve('programs', 'hello.json')})`);
    for (const args of [['--help'], ['run', '--help'], ['checkpoint', '--help']]) {
      const r = spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout.trimEnd().split('\n').pop()).toBe(`Example programs: ${resolve('programs')} (e.g. rtcr run ${resolve('programs', 'hello.json')})`);
    }
  });
});
