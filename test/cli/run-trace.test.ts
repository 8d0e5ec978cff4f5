// `rtcr run SCENARIO.json` output for scripts, end to end (the built CLI in a child process):
// --trace on scenarios (all components or named ones) and a closed pipe ending the run quietly.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// A run that hangs fails its test (killed: status null) instead of hanging the suite.
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'latin1', timeout: 60_000 });
let dir: string;

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  dir = mkdtempSync(join(tmpdir(), 'rtcr-trace-'));
});

describe('rtcr run SCENARIO into a closed pipe', () => {
  it('stops at once, quietly, with status 141', () => {
    // --stats would print at the end of the run: an empty stderr shows the run did not go on
    const r = spawnSync('bash', ['-c', 'node bin/rtcr.mjs run programs/sheep_counter.json --until 100s --stats | head -1; echo "status=${PIPESTATUS[0]}" >&2'],
      { encoding: 'latin1', timeout: 60_000 });
    expect(r.stdout).toBe('[init -> sheep_counter] 1 sheeps. zzZ\n');
    expect(r.stderr).toBe('status=141\n');
  });

  it('stops quietly when the trace reader goes away too', () => {
    const r = spawnSync('bash', ['-c', 'node bin/rtcr.mjs run programs/sheep_counter.json --until 100s --trace 2>&1 >/dev/null | head -2 >/dev/null; echo "status=${PIPESTATUS[0]}"'],
      { encoding: 'latin1', timeout: 60_000 });
    expect(r.stdout).toBe('status=141\n');
    expect(r.stderr).toBe('');
  });
});

describe('rtcr run SCENARIO --trace', () => {
  it('traces every component with --trace, naming component and thread; the run is unchanged', () => {
    const plain = rtcr('run', 'programs/hello.json', '--hash');
    const r = rtcr('run', 'programs/hello.json', '--trace', '--hash');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(plain.stdout);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-1)).toBe(plain.stderr.trim()); // the state hash
    const trace = lines.slice(0, -1);
    expect(trace.every((l) => /^\[hello\/main\] [0-9a-f]{8} [0-9a-f]{8} U \S/.test(l))).toBe(true);
    expect(trace.some((l) => / sw .*store \[0x[0-9a-f]{8}\]=0x[0-9a-f]{8}$/.test(l))).toBe(true);
    expect(trace.some((l) => / lw .*load \[0x[0-9a-f]{8}\]=0x[0-9a-f]{8}$/.test(l))).toBe(true);
    expect(trace.some((l) => / ecall +trap: environment call from U-mode tval=0x00000000$/.test(l))).toBe(true);
  });

  it('traces only the components named by --trace=NAME or --trace-component, with the trap tval', () => {
    const tf = join(dir, 'crash.trace');
    const r = rtcr('run', 'programs/crash.json', '--until', '2s', '--trace=crash', '--trace-file', tf);
    expect(r.status).toBe(3);
    const lines = readFileSync(tf, 'latin1').trim().split('\n');
    expect(lines.every((l) => l.startsWith('[crash/main] '))).toBe(true);
    // the store to 0 traps with tval 0; the kernel cannot resolve it: the trace ends there
    expect(lines.at(-1)).toMatch(/^\[crash\/main\] [0-9a-f]{8} [0-9a-f]{8} U sw t0,0\(s2\)\s+trap: store\/AMO page fault tval=0x00000000$/);
    const sheep = rtcr('run', 'programs/crash.json', '--until', '1s', '--trace-component', 'sheep_counter');
    const names = new Set(sheep.stderr.trim().split('\n').map((l) => /^\[([^\]]+)\]/.exec(l)?.[1]));
    expect([...names]).toEqual(['sheep_counter/main']);
  });

  it('says so in one line and runs nothing when the trace file cannot be created', () => {
    const tf = join(dir, 'missing', 'x.trace');
    const r = rtcr('run', 'programs/hello.json', '--trace-file', tf);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rtcr: --trace-file ${tf}: no such file or directory\n`);
    expect(r.stdout).toBe('');
  });

  it('takes the component after --trace with a space too', () => {
    const r = rtcr('run', 'programs/crash.json', '--until', '100ms', '--trace', 'crash');
    expect(r.status).toBe(0);
    const names = new Set(r.stderr.trim().split('\n').map((l) => /^\[([^\]]+)\]/.exec(l)?.[1]));
    expect([...names]).toEqual(['crash/main']);
  });

  it('refuses a component the scenario does not have', () => {
    const r = rtcr('run', 'programs/crash.json', '--trace-component', 'nobody');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('rtcr: --trace: programs/crash.json has no component "nobody" (it has sheep_counter, crash)\n');
  });
});
