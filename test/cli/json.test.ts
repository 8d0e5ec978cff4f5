// --json of `rtcr checkpoint`, `restore`, `inspect` and `merge`: one JSON document on stdout each,
// carrying the values the text output and the files show.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/rtcr/image';

const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8', timeout: 20_000 });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const stateHash = (stderr: string) => /^state-hash: ([0-9a-f]+)$/m.exec(stderr)?.[1];
interface LogLine { cycles: number; timeNs: number; label: string; text: string }
interface RunDoc {
  exit: { status: number; reason: string };
  virtualTimeNs: number;
  stateHash: string;
  log: LogLine[];
  stats: Record<string, { instructions: number }>;
}
interface CheckpointDoc extends RunDoc {
  scenario: string;
  tracking: { granularity: number; mode: string; from: string };
  images: { file: string; kind: string; sequence: number; timeNs: number; cycles: number; bytesCopied: number;
    dataspacesCopied: number; dataspacesSkipped: number; faults: number; imageBytes: number; pauseMs: number }[];
}

let tmp: string;
let dir: string;
let ck: ReturnType<typeof rtcr>;
let doc: CheckpointDoc;
/** The uninterrupted run to 2 s (the last checkpoint) and to 3 s. */
let run2: ReturnType<typeof rtcr>;
let run3: ReturnType<typeof rtcr>;

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-json-'));
  dir = join(tmp, 'images');
  ck = rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '1s', '--every', '1s', '--count', '2', '--granularity', '1', '-o', dir, '--json');
  doc = JSON.parse(ck.stdout) as CheckpointDoc;
  run2 = rtcr('run', 'programs/sheep_counter.json', '--until', '2s', '--hash');
  run3 = rtcr('run', 'programs/sheep_counter.json', '--until', '3s', '--hash');
});

describe('rtcr checkpoint --json', () => {
  it('is one document: the images written, as the files and the figures lines show them', () => {
    expect(ck.status, ck.stderr).toBe(0);
    expect(doc.scenario).toBe('programs/sheep_counter.json');
    expect(doc.tracking).toEqual({ granularity: 1, mode: 'access', from: 'options' });
    expect(doc.images.map((i) => [i.file, i.kind, i.sequence, i.timeNs, i.cycles])).toEqual([
      [join(dir, 'ckpt-0000.img'), 'full', 0, 1e9, 1e8],
      [join(dir, 'ckpt-0001.img'), 'incremental', 1, 2e9, 2e8],
    ]);
    const figures = lines(ck.stderr).slice(1);
    doc.images.forEach((i, n) => {
      expect(i.imageBytes).toBe(statSync(i.file).size);
      expect(figures[n]).toContain(`copied ${i.bytesCopied} bytes (${i.dataspacesCopied} dataspaces, ${i.dataspacesSkipped} skipped), ${i.faults} tracking faults`);
      expect(i.pauseMs).toBeGreaterThan(0);
    });
    expect(doc.images[1].dataspacesSkipped).toBeGreaterThan(0); // incremental: the untouched ones stay
    const last = decodeImage(readFileSync(doc.images[1].file));
    expect(last.ok && last.image.head).toMatchObject({ kind: 'incremental', sequence: 1 });
  });

  it('carries the log, the state hash and the statistics at the last checkpoint: those of a run to the same time', () => {
    expect(doc.exit).toEqual({ status: 0, reason: 'until' });
    expect(doc.virtualTimeNs).toBe(2e9);
    expect(stateHash(run2.stderr)).toMatch(/^[0-9a-f]{16}$/);
    expect(doc.stateHash).toBe(stateHash(run2.stderr));
    expect(doc.log.map((l) => `[${l.label}] ${l.text}`)).toEqual(lines(run2.stdout));
    for (const l of doc.log) expect(l.timeNs).toBeCloseTo(l.cycles * 10, 6); // 100 MHz
    expect(doc.stats.sheep_counter.instructions).toBeGreaterThan(0);
  });

  it('on an early end: the document says so, with the exit status 2', () => {
    const r = rtcr('checkpoint', 'programs/hello.json', '--at', '50ms', '-o', join(tmp, 'hello'), '--json');
    expect(r.status).toBe(2);
    const d = JSON.parse(r.stdout) as CheckpointDoc;
    expect(d.images).toEqual([]);
    expect(d.exit).toEqual({ status: 2, reason: 'exited', detail: 'the scenario ended at 1.580 us (every component ended): no checkpoint at 50.000 ms' });
    expect(d.log.map((l) => l.text)).toEqual(['Hello from rtcr-vm!', 'hello exited with status 0']);
  });
});

describe('rtcr restore --json', () => {
  it('is one document: the lines after the checkpoint, the state hash of the uninterrupted run', () => {
    const r = rtcr('restore', dir, '--until', '3s', '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as RunDoc;
    expect(d.exit).toEqual({ status: 0, reason: 'until' });
    expect(d.virtualTimeNs).toBe(3e9);
    expect(d.stateHash).toBe(stateHash(run3.stderr));
    expect(d.log.map((l) => `[${l.label}] ${l.text}`)).toEqual(lines(run3.stdout).slice(lines(run2.stdout).length));
    expect(d.log[0].cycles).toBeGreaterThan(2e8);
  });
});

describe('rtcr inspect --json and rtcr merge --json', () => {
  it('inspect DIR --json: one document, the newest image', () => {
    const r = rtcr('inspect', dir, '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { head: { kind: string; sequence: number } };
    expect(d.head).toMatchObject({ kind: 'incremental', sequence: 1 });
  });

  it('merge --json: the output file, the images merged, its size and kind', () => {
    const out = join(tmp, 'merged.img');
    const r = rtcr('merge', dir, '-o', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { output: string; kind: string; sequence: number; bytes: number; hash: string; images: { file: string; sequence: number }[] };
    expect(d).toMatchObject({ output: out, kind: 'full', sequence: 1, bytes: statSync(out).size });
    expect(d.images.map((i) => [i.file, i.sequence])).toEqual([[join(dir, 'ckpt-0000.img'), 0], [join(dir, 'ckpt-0001.img'), 1]]);
    const img = decodeImage(readFileSync(out));
    expect(img.ok && img.image.hash).toBe(d.hash);
    expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
