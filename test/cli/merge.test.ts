// `rtcr merge`: a chain of checkpoints becomes one full image that restores like the chain.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/rtcr/image';

const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8' });
const hash = (s: string) => /state-hash: ([0-9a-f]{16})/.exec(s)?.[1];
let dir: string;

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  dir = mkdtempSync(join(tmpdir(), 'rtcr-merge-'));
  const ck = rtcr('checkpoint', 'programs/memwalk_rtcr.json', '--at', '300ms', '--every', '200ms', '--count', '3',
    '--granularity', '16', '--mode', 'write', '-o', join(dir, 'chain'));
  if (ck.status !== 0) throw new Error(ck.stderr);
});

describe('rtcr merge', () => {
  it('writes one full image that restores to the same state as the chain and the straight run', () => {
    const out = join(dir, 'merged.img');
    const m = rtcr('merge', join(dir, 'chain'), '-o', out);
    expect(m.status, m.stderr).toBe(0);
    expect(m.stderr).toMatch(/merged 3 image\(s\)/);
    const img = decodeImage(readFileSync(out));
    expect(img.ok && img.image.head.kind).toBe('full');
    expect(img.ok && img.image.head.parent).toBeUndefined();
    const fromMerged = rtcr('restore', out, '--until', '1500ms', '--hash');
    const fromChain = rtcr('restore', join(dir, 'chain'), '--until', '1500ms', '--hash');
    const straight = rtcr('run', 'programs/memwalk_rtcr.json', '--until', '1500ms', '--hash');
    expect(hash(fromMerged.stderr)).toBeDefined();
    expect(hash(fromMerged.stderr)).toBe(hash(fromChain.stderr));
    expect(hash(fromMerged.stderr)).toBe(hash(straight.stderr));
    expect(fromMerged.stdout).toBe(fromChain.stdout);
  });

  it('refuses a chain whose parent is missing, with one line and status 2', () => {
    const lone = join(dir, 'lone');
    execFileSync('mkdir', ['-p', lone]);
    writeFileSync(join(lone, 'ckpt-0002.img'), readFileSync(join(dir, 'chain', 'ckpt-0002.img')));
    const m = rtcr('merge', join(lone, 'ckpt-0002.img'), '-o', join(dir, 'x.img'));
    expect(m.status).toBe(2);
    expect(m.stderr.trim().split('\n')).toHaveLength(1);
    expect(m.stderr).toMatch(/parent image .* is not in/);
  });
});
