// `rtcr restore`, `inspect` and `merge` guard rails, end to end: a directory with unrelated files,
// --until not after the checkpoint, IRQ sources that moved without --irq-map, files and
// directories in the wrong place.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// A timeout: a hang (the moved-IRQ restore spun forever) fails the test instead of hanging it.
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8', timeout: 20_000 });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const stateHash = (stderr: string) => /^state-hash: ([0-9a-f]+)$/m.exec(stderr)?.[1];
let tmp: string;
let sheep: string;
let irq: string;

const oneLineError = (r: ReturnType<typeof rtcr>): string => {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(lines(r.stderr)).toHaveLength(1);
  return r.stderr.trim();
};

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-restore-guards-'));
  sheep = join(tmp, 'sheep');
  irq = join(tmp, 'irq');
  for (const [scenario, dir, extra] of [['sheep_counter', sheep, ['--at', '1s', '--every', '1s', '--count', '2', '--granularity', '1']],
    ['irq_counter', irq, ['--at', '35ms']]] as const) {
    const r = rtcr('checkpoint', `programs/${scenario}.json`, ...extra, '-o', dir);
    if (r.status !== 0) throw new Error(r.stderr);
  }
});

describe('restore DIR', () => {
  it('with a README, another tool\'s *.img and another chain\'s image beside the chain: restores the chain and says which', () => {
    const d = join(tmp, 'crowded');
    mkdirSync(d);
    for (const f of readdirSync(sheep)) copyFileSync(join(sheep, f), join(d, f));
    copyFileSync(join(irq, 'ckpt-0000.img'), join(d, 'other.img'));
    writeFileSync(join(d, 'README'), 'these are my checkpoints\n');
    writeFileSync(join(d, 'disk.img'), 'not an rtcr image');
    const r = rtcr('restore', d, '--until', '3s', '--hash');
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual(['[init -> sheep_counter] 3 sheeps. zzZ']);
    expect(lines(r.stderr)[0]).toBe(`restoring ${join(d, 'ckpt-0001.img')} (incremental, sequence 1, at 2.000 s, the newest image of the directory) ` +
      'with its chain of 2: ckpt-0000.img > ckpt-0001.img; ignored 2 other *.img file(s): disk.img, other.img');
    expect(stateHash(r.stderr)).toBe(stateHash(rtcr('run', 'programs/sheep_counter.json', '--until', '3s', '--hash').stderr));
  });

  it('inspect DIR shows the image restore DIR takes, and says which', () => {
    const r = rtcr('inspect', sheep);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([`inspecting ${join(sheep, 'ckpt-0001.img')} (incremental, sequence 1, at 2.000 s, ` +
      'the newest image of the directory) with its chain of 2: ckpt-0000.img > ckpt-0001.img']);
    expect(r.stdout).toBe(rtcr('inspect', join(sheep, 'ckpt-0001.img')).stdout);
  });
});

describe('restore --until', () => {
  it('at or before the checkpoint\'s virtual time: an error naming both times', () => {
    expect(oneLineError(rtcr('restore', sheep, '--until', '2s'))).toBe(
      `rtcr: --until 2.000 s is not after the checkpoint's virtual time 2.000 s (${join(sheep, 'ckpt-0001.img')}); --until counts from boot`);
    expect(oneLineError(rtcr('restore', join(sheep, 'ckpt-0000.img'), '--until', '500ms'))).toMatch(
      /^rtcr: --until 500\.000 ms is not after the checkpoint's virtual time 1\.000 s /);
  });
});

describe('a board whose IRQ sources moved', () => {
  it('without --irq-map: refused at once, naming the map (it spun forever)', () => {
    const e = oneLineError(rtcr('restore', irq, '--irqsrc-first-source', '5'));
    expect(e).toBe(`rtcr: ${irq}: the IRQ source device drove PLIC sources 1-4 where the checkpoint was taken and drives 5-8 ` +
      'on this board, and IRQ sessions wait on 1: restore with the IRQ map 1=5 (--irq-map 1=5)');
  });

  it('with the map it names: runs to the end like the uninterrupted run', () => {
    const r = rtcr('restore', irq, '--irqsrc-first-source', '5', '--irq-map', '1=5');
    expect(r.status, r.stderr).toBe(0);
    const straight = lines(rtcr('run', 'programs/irq_counter.json').stdout);
    expect(lines(r.stdout)).toEqual(straight.slice(straight.length - lines(r.stdout).length));
    expect(lines(r.stdout).slice(-2)).toEqual(['[init -> irq_counter] done', '[init] irq_counter exited with status 0']);
  });
});

describe('files and directories in the wrong place: one line each', () => {
  it('merge -o an existing directory, and a missing image', () => {
    expect(oneLineError(rtcr('merge', sheep, '-o', tmp))).toBe(`rtcr: ${tmp}: is a directory, not a file to write`);
    expect(oneLineError(rtcr('merge', join(tmp, 'gone.img'), '-o', join(tmp, 'm.img')))).toBe(`rtcr: ${join(tmp, 'gone.img')}: no such file or directory`);
    expect(oneLineError(rtcr('inspect', join(tmp, 'gone')))).toBe(`rtcr: ${join(tmp, 'gone')}: no such file or directory`);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp') || f === 'm.img')).toEqual([]);
  });
});
