// The package as people install it: `npm pack` makes a tarball that holds the built CLI, the
// launcher, the example programs with their runtime library, and the docs, and none of the
// sources, tests, benchmarks or CI files; installed into a temporary directory (locally and
// globally) from that tarball, `rtcr` runs a scenario and an ELF from the installed package.
// Slow for a CLI test (two builds, two installs from the npm registry or its cache: ~10 s).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const INSTALL_TIMEOUT = 180_000;
let tmp: string;
let tarball: string;
let files: string[];

/** Runs a command; throws with its output when it fails, so a broken step names itself. */
function sh(cmd: string, args: string[], cwd = process.cwd()): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: INSTALL_TIMEOUT });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

const run = (bin: string, ...args: string[]) => spawnSync(bin, args, { encoding: 'utf8' });
const stateHash = (stderr: string) => /^state-hash: ([0-9a-f]+)$/m.exec(stderr)?.[1];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-pack-'));
  // `npm pack` runs `prepack` (the build) itself: the tarball never depends on a dist/ at hand.
  const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', tmp])) as
    { filename: string; files: { path: string }[] }[];
  tarball = join(tmp, packed[0]!.filename);
  files = packed[0]!.files.map((f) => f.path);
}, INSTALL_TIMEOUT);

describe('npm pack', () => {
  it('ships the bundle, the launcher, the programs with their library, and the docs', () => {
    for (const f of ['package.json', 'README.md', 'bin/rtcr.mjs', 'dist/rtcr.js', 'scripts/build.mjs',
      'programs/hello.json', 'programs/hello.s', 'programs/lib/rt.s', 'programs/lib/abi.s',
      'programs/bare/hello.elf', 'programs/c/link.ld', 'programs/c/crt0.s', 'programs/c/component.ld', 'programs/c/rtcr.h',
      'docs/abi.md', 'docs/first-component.md', 'docs/c-program.md']) {
      expect(files, f).toContain(f);
    }
  });

  it('ships no sources, tests, benchmarks, CI files or source maps', () => {
    const unwanted = files.filter((f) => /^(src|test|bench|\.ci|dist\/bench)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
    expect(unwanted).toEqual([]);
  });
});

describe('installed from the tarball', () => {
  let bin: string;
  let pkg: string;
  beforeAll(() => {
    sh('npm', ['install', '--prefix', join(tmp, 'inst'), '--no-audit', '--no-fund', '--prefer-offline', tarball]);
    bin = join(tmp, 'inst', 'node_modules', '.bin', 'rtcr');
    pkg = join(tmp, 'inst', 'node_modules', 'rtcr-vm');
  }, INSTALL_TIMEOUT);

  it('needs no build tool: esbuild is not installed with it', () => {
    expect(existsSync(join(tmp, 'inst', 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it('runs a shipped scenario, with the same log and state hash as in the clone', () => {
    const r = run(bin, 'run', join(pkg, 'programs', 'sheep_counter.json'), '--until', '3s', '--hash');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([1, 2, 3].map((n) => `[init -> sheep_counter] ${n} sheeps. zzZ\n`).join(''));
    const here = run('node', 'bin/rtcr.mjs', 'run', 'programs/sheep_counter.json', '--until', '3s', '--hash');
    expect(stateHash(r.stderr)).toBeDefined();
    expect(stateHash(r.stderr)).toBe(stateHash(here.stderr));
  });

  it('runs the shipped ELF, and one it assembles from the shipped source', () => {
    const shipped = run(bin, 'run', join(pkg, 'programs', 'bare', 'hello.elf'));
    expect(shipped.status).toBe(0);
    expect(shipped.stdout).toBe('Hello from bare metal!\n');
    const elf = join(tmp, 'mine.elf');
    expect(run(bin, 'asm', join(pkg, 'programs', 'bare', 'hello.s'), '-o', elf).status).toBe(0);
    const mine = run(bin, 'run', elf);
    expect(mine.status).toBe(0);
    expect(mine.stdout).toBe('Hello from bare metal!\n');
  });

  it('names its own programs directory in --help', () => {
    const r = run(bin, 'run', '--help');
    expect(r.stdout).toContain(`Example programs: ${join(pkg, 'programs')}`);
  });

  it('its `prepare` (which npm may run for a tarball) has nothing to do and succeeds', () => {
    const r = spawnSync('node', ['scripts/build.mjs'], { cwd: pkg, encoding: 'utf8' });
    expect(r.status).toBe(0);
  });
});

describe('installed globally from the tarball', () => {
  it('puts rtcr on the prefix\'s bin/ and runs a shipped scenario', () => {
    const prefix = join(tmp, 'glob');
    sh('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tarball]);
    const r = run(join(prefix, 'bin', 'rtcr'), 'run', join(prefix, 'lib', 'node_modules', 'rtcr-vm', 'programs', 'hello.json'));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('[init -> hello] Hello from rtcr-vm!\n[init] hello exited with status 0\n');
  }, INSTALL_TIMEOUT);
});

describe('the launcher without the bundle', () => {
  /** A copy of bin/rtcr.mjs in a fresh package directory, with `extra` files beside it. */
  function bare(extra: string[]): string {
    const root = mkdtempSync(join(tmpdir(), 'rtcr-launcher-'));
    mkdirSync(join(root, 'bin'));
    copyFileSync('bin/rtcr.mjs', join(root, 'bin', 'rtcr.mjs'));
    for (const f of extra) {
      mkdirSync(join(root, f, '..'), { recursive: true });
      copyFileSync(f, join(root, f));
    }
    return join(root, 'bin', 'rtcr.mjs');
  }

  it('in a clone, says to build', () => {
    const r = run('node', bare(['src/cli/main.ts']), '--help');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rtcr: dist\/rtcr\.js is missing; run `npm ci` \(or `npm run build`\) in the clone first\n$/);
  });

  it('in an installed package, says it is incomplete', () => {
    const r = run('node', bare([]), '--help');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^rtcr: \S+dist\/rtcr\.js is missing: this installed package is incomplete; reinstall it\n$/);
  });
});
