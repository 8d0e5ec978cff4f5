// `rtcr checkpoint`'s guard rails, end to end (the built CLI in child processes): tracking from
// the scenario's rtcr section, an output directory that holds images, files and directories in
// the wrong place, /proc, a checkpoint time after the scenario ended, a too short period.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/rtcr/image';

// A timeout: a hang fails the test instead of hanging it.
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8', timeout: 20_000 });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const kindOf = (f: string) => { const d = decodeImage(readFileSync(f)); return d.ok ? d.image.head.kind : d.error; };
let tmp: string;

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-ckpt-guards-'));
});

/** Exit 2, nothing on stdout, one line on stderr: returns it. */
const oneLineError = (r: ReturnType<typeof rtcr>): string => {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  return r.stderr.trim();
};

describe('tracking from the scenario', () => {
  it('takes granularity, mode and every from the rtcr section and says so; options override it', () => {
    const a = join(tmp, 'scenario-defaults');
    const r = rtcr('checkpoint', 'programs/memwalk_rtcr.json', '--at', '50ms', '--count', '2', '-o', a);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)[0]).toBe('tracking granularity 16 (64 KiB), mode write, from the scenario\'s rtcr section; checkpoints 2 from 50.000 ms every 500.000 ms');
    expect(lines(r.stderr)[2]).toMatch(/^ckpt-0001\.img incremental at 550\.000 ms:/);
    expect(kindOf(join(a, 'ckpt-0001.img'))).toBe('incremental');
    const b = join(tmp, 'scenario-overridden');
    const o = rtcr('checkpoint', 'programs/memwalk_rtcr.json', '--at', '50ms', '--every', '20ms', '--count', '2', '--granularity', '0', '-o', b);
    expect(o.status, o.stderr).toBe(0);
    expect(lines(o.stderr)[0]).toBe('tracking off (granularity 0: every image full), from the options; checkpoints 2 from 50.000 ms every 20.000 ms');
    expect(kindOf(join(b, 'ckpt-0001.img'))).toBe('full');
  });
});

describe('the output directory', () => {
  it('holding images: refused; --force replaces the images and leaves every other file alone', () => {
    const d = join(tmp, 'again');
    expect(rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '10ms', '--every', '10ms', '--count', '3', '-o', d).status).toBe(0);
    writeFileSync(join(d, 'README'), 'my notes');
    writeFileSync(join(d, 'disk.img'), 'another tool\'s image');
    const old = readFileSync(join(d, 'ckpt-0000.img'));
    const e = oneLineError(rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '50ms', '-o', d));
    expect(e).toBe(`rtcr: ${d} already holds 3 checkpoint image(s) (ckpt-0000.img, ckpt-0001.img, ckpt-0002.img): --force replaces them, or choose another directory`);
    expect(readFileSync(join(d, 'ckpt-0000.img'))).toEqual(old);
    const f = rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '50ms', '-o', d, '--force');
    expect(f.status, f.stderr).toBe(0);
    expect(readdirSync(d).sort()).toEqual(['README', 'ckpt-0000.img', 'disk.img']);
    expect(readFileSync(join(d, 'README'), 'utf8')).toBe('my notes');
    expect(readFileSync(join(d, 'disk.img'), 'utf8')).toBe('another tool\'s image');
    const img = decodeImage(readFileSync(join(d, 'ckpt-0000.img')));
    expect(img.ok && img.image.checkpoint.time.cycles).toBe(5_000_000); // the new one: 50 ms at 100 MHz
  });

  it('a file that is no image where an image would go: never overwritten, even with --force', () => {
    const d = join(tmp, 'squatter');
    mkdirSync(d);
    writeFileSync(join(d, 'ckpt-0000.img'), 'precious');
    const e = oneLineError(rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '50ms', '-o', d, '--force'));
    expect(e).toBe(`rtcr: ${join(d, 'ckpt-0000.img')} is not a checkpoint image: not overwriting it`);
    expect(readFileSync(join(d, 'ckpt-0000.img'), 'utf8')).toBe('precious');
  });

  it('an existing file as -o, a directory as the scenario: one line each', () => {
    expect(oneLineError(rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '50ms', '-o', 'programs/hello.json')))
      .toBe('rtcr: programs/hello.json: is a file, not a directory');
    expect(oneLineError(rtcr('checkpoint', 'programs', '--at', '50ms', '-o', join(tmp, 'never'))))
      .toBe('rtcr: programs: is a directory, not a scenario file');
    expect(() => readdirSync(join(tmp, 'never'))).toThrow();
  });

  it('-o under /proc: one line at once (it hung), nothing written', () => {
    const t0 = Date.now();
    const r = rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '50ms', '-o', '/proc/xx');
    expect(oneLineError(r)).toBe('rtcr: /proc/xx: cannot create the directory: the file system does not allow it');
    expect(Date.now() - t0).toBeLessThan(15_000);
  });
});

describe('--at after the scenario ended', () => {
  it('every component ended: says when, writes no image and leaves no directory', () => {
    const d = join(tmp, 'after-exit');
    const r = rtcr('checkpoint', 'programs/hello.json', '--at', '50ms', '-o', d);
    expect(r.status).toBe(2);
    expect(lines(r.stderr).at(-1)).toBe('rtcr: the scenario ended at 1.580 us (every component ended): no checkpoint at 50.000 ms');
    expect(() => readdirSync(d)).toThrow();
  });

  it('every thread waits forever: says when', () => {
    const r = rtcr('checkpoint', 'programs/uart_echo.json', '--at', '50ms', '-o', join(tmp, 'after-idle'));
    expect(r.status).toBe(2);
    expect(lines(r.stderr).at(-1)).toBe('rtcr: the scenario ended at 10.008 ms (every thread waits for something that can never come): no checkpoint at 50.000 ms');
  });

  it('with --every: the images before the end are written, none after', () => {
    const d = join(tmp, 'partly');
    const r = rtcr('checkpoint', 'programs/irq_counter.json', '--at', '50ms', '--every', '40ms', '--count', '3', '-o', d);
    expect(r.status).toBe(2);
    expect(lines(r.stderr).at(-1)).toBe('rtcr: the scenario ended at 100.037 ms (every component ended): no checkpoint at 130.000 ms or after (2 of 3 written)');
    expect(readdirSync(d).sort()).toEqual(['ckpt-0000.img', 'ckpt-0001.img']);
  });
});

describe('the checkpoint period', () => {
  it('a scenario whose rtcr.every is 1 ns is refused by rtcr run and rtcr checkpoint (it hung)', () => {
    const f = join(tmp, 'every-1ns.json');
    writeFileSync(f, JSON.stringify({
      components: [{ name: 'sheep', program: resolve('programs/sheep_counter.s') }],
      rtcr: { granularity: 1, every: '1ns' },
    }));
    const want = `rtcr: ${f}: rtcr.every: at least 10us (1000 instructions at this clock), not 1ns`;
    expect(oneLineError(rtcr('run', f, '--until', '1s'))).toBe(want);
    expect(oneLineError(rtcr('checkpoint', f, '--at', '1s', '--count', '2', '-o', join(tmp, 'never-1ns')))).toBe(want);
  });

  it('the shortest --every is accepted and each checkpoint reports as it is written', () => {
    const d = join(tmp, 'dense');
    const r = rtcr('checkpoint', 'programs/threads.json', '--at', '100us', '--every', '10us', '--count', '5', '--granularity', '1', '-o', d);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr).slice(1).map((l) => l.split(':')[0])).toEqual([
      'ckpt-0000.img full at 100.000 us', 'ckpt-0001.img incremental at 110.000 us', 'ckpt-0002.img incremental at 120.000 us',
      'ckpt-0003.img incremental at 130.000 us', 'ckpt-0004.img incremental at 140.000 us',
    ]);
    expect(readdirSync(d)).toHaveLength(5);
  });
});
