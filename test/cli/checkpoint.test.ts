// `rtcr checkpoint`, `rtcr restore` and `rtcr inspect`, end to end: the built CLI in child
// processes, images in a temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8' });
const lines = (s: string) => s.split('\n').filter((l) => l !== '');
const stateHash = (stderr: string) => /^state-hash: ([0-9a-f]+)$/m.exec(stderr)?.[1];

let tmp: string;
let dir: string;
let ckpt: ReturnType<typeof rtcr>;
let run6: ReturnType<typeof rtcr>;
const img = (i: number) => join(dir, `ckpt-${String(i).padStart(4, '0')}.img`);

interface InspectJson {
  hash: string;
  version: number;
  head: { kind: string; sequence: number; parent?: string };
  checkpoint: {
    time: { cycles: number };
    components: { name: string; threads: { name: string }[]; caps: { slot: number }[] }[];
    memory: { dataspace: number; pages: number[]; bytes: number; sha256: string }[];
  };
}
const inspectJson = (path: string): InspectJson => {
  const r = rtcr('inspect', path, '--json');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as InspectJson;
};

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  tmp = mkdtempSync(join(tmpdir(), 'rtcr-ckpt-cli-'));
  dir = join(tmp, 'images');
  ckpt = rtcr('checkpoint', 'programs/sheep_counter.json', '--at', '2s', '--every', '1s', '--count', '3', '--granularity', '1', '-o', dir);
  run6 = rtcr('run', 'programs/sheep_counter.json', '--until', '6s', '--hash');
});

describe('rtcr checkpoint', () => {
  it('writes three images, the first full and the others incremental, each naming the one before', () => {
    expect(ckpt.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['ckpt-0000.img', 'ckpt-0001.img', 'ckpt-0002.img']);
    const [a, b, c] = [0, 1, 2].map((i) => inspectJson(img(i)));
    expect(a.head).toEqual({ kind: 'full', sequence: 0 });
    expect(b.head).toEqual({ kind: 'incremental', sequence: 1, parent: a.hash });
    expect(c.head).toEqual({ kind: 'incremental', sequence: 2, parent: b.hash });
    expect(new Set([a.hash, b.hash, c.hash]).size).toBe(3);
    for (const [i, x] of [a, b, c].entries()) {
      expect(x.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(x.version).toBe(1);
      expect(x.checkpoint.time.cycles).toBe((2 + i) * 100_000_000); // 100 MHz
    }
  });

  it('prints the log up to the last checkpoint on stdout', () => {
    const all = lines(run6.stdout);
    expect(all).toHaveLength(6);
    expect(lines(ckpt.stdout)).toEqual(all.slice(0, 4)); // 1 s .. 4 s: the last checkpoint is at 4 s
    expect(lines(ckpt.stdout)[3]).toBe('[init -> sheep_counter] 4 sheeps. zzZ');
  });

  it('prints the tracking in effect, then one figures line per checkpoint on stderr', () => {
    const [first, ...err] = lines(ckpt.stderr);
    expect(first).toBe('tracking granularity 1 (4 KiB), mode access, from the options; checkpoints 3 from 2.000 s every 1.000 s');
    expect(err).toHaveLength(3);
    const re = /^ckpt-(\d{4})\.img (full|incremental) at (\d\.\d{3}) s: pause [\d.]+ ms, copied (\d+) bytes \((\d+) dataspaces, (\d+) skipped\), (\d+) tracking faults since the last, image (\d+) bytes$/;
    err.forEach((l, i) => {
      const m = re.exec(l);
      expect(m, l).not.toBeNull();
      expect(m![1]).toBe(String(i).padStart(4, '0'));
      expect(m![2]).toBe(i === 0 ? 'full' : 'incremental');
      expect(m![3]).toBe(`${2 + i}.000`);
      expect(Number(m![8])).toBe(readFileSync(img(i)).length);
    });
  });

  it('--help says what it does and lists its options', () => {
    const r = rtcr('checkpoint', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: rtcr checkpoint \[options\] <scenario>/);
    for (const o of ['--at <time>', '--every <time>', '--count <n>', '--granularity <g>', '--mode <mode>', '-o, --output <dir>', '--force', '--json']) {
      expect(r.stdout).toContain(o);
    }
    expect(r.stdout).toMatch(/incremental/);
    expect(r.stdout).toMatch(/override the scenario's "rtcr" section/);
    expect(r.stdout).toMatch(/at least 1000 instructions/);
  });

  describe('bad options exit 2 with a clear message and write nothing', () => {
    const bad = (args: string[], message: RegExp) => {
      const out = join(tmp, `bad-${Math.random().toString(36).slice(2)}`);
      const r = rtcr('checkpoint', 'programs/sheep_counter.json', ...args, '-o', out);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(() => readdirSync(out)).toThrow();
    };
    it('--mode bogus', () => bad(['--at', '1s', '--mode', 'bogus'], /'bogus' is invalid\. Allowed choices are access, write/));
    it('--every without --count', () => bad(['--at', '1s', '--every', '1s'], /^rtcr: --every and --count go together$/m));
    it('--count without --every (and no rtcr.every in the scenario)', () =>
      bad(['--at', '1s', '--count', '2'], /^rtcr: --every and --count go together \(the scenario has no rtcr\.every\)$/m));
    it('--every shorter than 1000 instructions', () =>
      bad(['--at', '1s', '--every', '1ns', '--count', '3'], /^rtcr: --every 1ns: at least 10us \(1000 instructions at the scenario's clock\)$/m));
    it('negative granularity', () => bad(['--at', '1s', '--granularity', '-1'], /granularity is a whole number of 4 KiB pages from 0/));
    it('fractional granularity', () => bad(['--at', '1s', '--granularity=1.5'], /granularity is a whole number/));
    it('granularity beyond 65536', () => bad(['--at', '1s', '--granularity', '65537'], /granularity is a whole number/));
    it('no --at', () => bad([], /required option '--at <time>' not specified/));
    it('a time without a unit', () => bad(['--at', '2'], /a virtual time is a positive number with a unit/));
    it('--count 0', () => bad(['--at', '1s', '--every', '1s', '--count', '0'], /--count must be a whole number from 1/));
    it('a scenario that does not exist', () => {
      const r = rtcr('checkpoint', join(tmp, 'nope.json'), '--at', '1s', '-o', join(tmp, 'nope'));
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`rtcr: ${join(tmp, 'nope.json')}: no such file or directory\n`);
      expect(() => readdirSync(join(tmp, 'nope'))).toThrow();
    });
  });
});

describe('rtcr restore', () => {
  const after = (fromLine: number) => lines(run6.stdout).slice(fromLine);

  it('from the directory (its newest image) prints the lines after the checkpoint and the same state hash as an uninterrupted run', () => {
    const r = rtcr('restore', dir, '--until', '6s', '--hash');
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(after(4));
    expect(stateHash(run6.stderr)).toMatch(/^[0-9a-f]{16}$/);
    expect(stateHash(r.stderr)).toBe(stateHash(run6.stderr));
  });

  it('from a middle image (parents found by hash in its directory)', () => {
    const r = rtcr('restore', img(1), '--until', '6s', '--hash');
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(after(3));
    expect(stateHash(r.stderr)).toBe(stateHash(run6.stderr));
  });

  it('from the full image', () => {
    const r = rtcr('restore', img(0), '--until', '6s', '--hash');
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(after(2));
    expect(stateHash(r.stderr)).toBe(stateHash(run6.stderr));
  });

  it('finds parents by hash whatever the files are called', () => {
    const d = join(tmp, 'renamed');
    mkdirSync(d);
    copyFileSync(img(0), join(d, 'zz-root.img'));
    copyFileSync(img(1), join(d, 'aa-middle.img'));
    copyFileSync(img(2), join(d, 'mm-last.img'));
    const r = rtcr('restore', join(d, 'mm-last.img'), '--until', '6s', '--hash');
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(after(4));
    expect(stateHash(r.stderr)).toBe(stateHash(run6.stderr));
  });

  /** A copy of the image directory with one file replaced. */
  const variant = (name: string, i: number, bytes: Uint8Array) => {
    const d = join(tmp, name);
    mkdirSync(d);
    for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(d, f));
    writeFileSync(join(d, `ckpt-${String(i).padStart(4, '0')}.img`), bytes);
    return d;
  };
  const oneLineError = (r: ReturnType<typeof rtcr>) => {
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(lines(r.stderr)).toHaveLength(1);
    return r.stderr.trim();
  };

  it('a corrupted image file: exit 2, one line naming the file and the problem', () => {
    const bytes = readFileSync(img(2));
    bytes[bytes.length - 100] ^= 0x10; // in the pages section
    const d = variant('corrupt', 2, bytes);
    const file = join(d, 'ckpt-0002.img');
    expect(oneLineError(rtcr('restore', file))).toBe(`rtcr: ${file}: section "pages": checksum mismatch`);
  });

  it('a truncated image file: exit 2, one line naming the file', () => {
    const d = variant('truncated', 2, readFileSync(img(2)).subarray(0, 5000));
    const file = join(d, 'ckpt-0002.img');
    expect(oneLineError(rtcr('restore', file))).toMatch(new RegExp(`^rtcr: ${file}: section "\\w+" lies outside the file \\(truncated\\?\\)$`));
  });

  it('a directory holding a corrupted image names that image', () => {
    const bytes = readFileSync(img(1));
    bytes[20] ^= 1; // the head section's name
    const d = variant('corrupt-dir', 1, bytes);
    expect(oneLineError(rtcr('restore', d))).toBe(`rtcr: ${join(d, 'ckpt-0001.img')}: section "head" is missing`);
  });

  it('a corrupted parent of the image asked for: exit 2, one line naming the corrupted file and its problem', () => {
    const bytes = readFileSync(img(0));
    bytes[5000] ^= 4;
    const d = variant('corrupt-parent', 0, bytes);
    const e = oneLineError(rtcr('restore', join(d, 'ckpt-0002.img')));
    expect(e).toMatch(/^rtcr: .*parent/);
    expect(e).toContain(`${join(d, 'ckpt-0000.img')}: section "pages": checksum mismatch`);
  });

  it('an incremental image without its parent: exit 2, one line', () => {
    const d = join(tmp, 'orphan');
    mkdirSync(d);
    copyFileSync(img(2), join(d, 'ckpt-0002.img'));
    const parent = inspectJson(img(1)).hash;
    expect(oneLineError(rtcr('restore', join(d, 'ckpt-0002.img')))).toBe(`rtcr: parent image ${parent.slice(0, 16)}… of sequence 2 is not in ${d}`);
  });

  it('a file that is no image, and one that does not exist', () => {
    const f = join(tmp, 'not-an-image.img');
    writeFileSync(f, 'hello, world\n'.repeat(10));
    expect(oneLineError(rtcr('restore', f))).toBe(`rtcr: ${f}: not an rtcr image (bad magic)`);
    expect(oneLineError(rtcr('restore', join(tmp, 'missing.img')))).toMatch(/^rtcr: .*missing\.img/);
  });

  it('--help', () => {
    const r = rtcr('restore', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: rtcr restore \[options\] <image>/);
    for (const o of ['--until <time>', '--hash', '--stats']) expect(r.stdout).toContain(o);
    expect(r.stdout).toMatch(/parents/);
  });
});

describe('rtcr inspect', () => {
  it('text: image, time, tracking, components, threads, slots, regions, objects, memory, scheduler', () => {
    const r = rtcr('inspect', img(1));
    expect(r.status).toBe(0);
    const out = r.stdout;
    const parent = inspectJson(img(0)).hash;
    expect(out).toMatch(new RegExp(`^image [0-9a-f]{64}  version 1  incremental  sequence 1  parent ${parent}$`, 'm'));
    expect(out).toMatch(/^virtual time 3\.000000 s \(300000000 cycles at 100 MHz\), board RAM \d+ MiB$/m);
    // Two: the counter's RAM dataspace and the stack, which Rtcr also tracks.
    expect(out).toMatch(/^tracking: granularity 1 \(4 KiB\), mode access, 2 managed dataspace\(s\)$/m);
    expect(out).toMatch(/^component 0: sheep_counter  "init -> sheep_counter"  quota 1048576  priority 100  alive$/m);
    expect(out).toMatch(/^ {2}thread 0 main: pc 0x[0-9a-f]{8} waiting sp 0x[0-9a-f]{8} a0 0x[0-9a-f]{8}$/m);
    expect(out).toMatch(/^ {2}slot {3}1 iwd Parent session #\d+$/m);
    expect(out).toMatch(/^ {2}slot +\d+ iwd Timer session #\d+$/m);
    expect(out).toMatch(/^ {2}slot +\d+ iwd LOG session #\d+ "init -> sheep_counter"$/m);
    expect(out).toMatch(/^ {2}0x00010000-0x00011000 r-x dataspace #\d+ \(4096 bytes\)$/m);
    expect(out).toMatch(/^ {2}0x10000000-0x10001000 rw- region map #\d+ \(4096 bytes, 1 regions\)$/m);
    expect(out).toMatch(/^objects: \d+ \(.*dataspace \d+.*\)$/m);
    expect(out).toMatch(/^memory: \d+ dataspace\(s\), \d+ page\(s\), \d+ bytes$/m);
    expect(out).toMatch(/^scheduler: order 0:0/m);
  });

  it('--json: the whole checkpoint, page bytes summarised by size and hash', () => {
    const j = inspectJson(img(0));
    expect(j.checkpoint.components.map((c) => c.name)).toEqual(['sheep_counter']);
    expect(j.checkpoint.components[0].threads.map((t) => t.name)).toEqual(['main']);
    expect(j.checkpoint.components[0].caps.length).toBeGreaterThan(5);
    for (const m of j.checkpoint.memory) {
      expect(m.bytes).toBe(m.pages.length * 4096);
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('a corrupted image: exit 2, one line naming the file and the problem', () => {
    const f = join(tmp, 'inspect-bad.img');
    const bytes = readFileSync(img(0));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, 2, true);
    writeFileSync(f, bytes);
    const r = rtcr('inspect', f);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`rtcr: ${f}: image version 2; this rtcr reads version 1\n`);
  });

  it('--help', () => {
    const r = rtcr('inspect', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: rtcr inspect \[options\] <image>/);
    expect(r.stdout).toContain('--json');
  });
});
