// `rtcr run SCENARIO.json` for scripts, end to end (the built CLI in a child process): exit
// statuses, --json, a closed pipe, --trace and --max-insns on scenarios, errors, --until's boundary.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

// A run that hangs fails its test (killed: status null) instead of hanging the suite.
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'latin1', timeout: 60_000 });
let dir: string;

/** Writes a one-component scenario running `main` (on the runtime library) and returns its path. */
function scenario(name: string, main: string, extra: { routes?: Record<string, string>; config?: string; data?: string } = {}): string {
  writeFileSync(join(dir, `${name}.s`), `.include "lib/rt.s"\n.text\n.globl main\nmain:\n${main}\n${extra.data ?? ''}\n`);
  const component = { name, program: `${name}.s`, ram: '1M', routes: extra.routes ?? { LOG: 'core' }, config: extra.config ?? '' };
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ components: [component] }));
  return path;
}

const doc = (stdout: string) => JSON.parse(stdout) as {
  exit: { status: number; reason: string; component?: string; detail?: string };
  virtualTimeNs: number; stateHash: string; log: { cycles: number; timeNs: number; label: string; text: string }[];
  stats: Record<string, { instructions: number }>;
};

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  dir = mkdtempSync(join(tmpdir(), 'rtcr-scn-'));
  symlinkSync(resolve('programs/lib'), join(dir, 'lib'));
});

describe('rtcr run SCENARIO: exit statuses', () => {
  it('0 when every component exited with 0', () => {
    const r = rtcr('run', 'programs/hello.json');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('[init -> hello] Hello from rtcr-vm!\n[init] hello exited with status 0\n');
    expect(r.stderr).toBe('');
  });

  it('1 when a component exits with a non-zero status', () => {
    const r = rtcr('run', scenario('three', '    li a0, 3\n    ret'));
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('[init] three exited with status 3\n');
    expect(r.stderr).toMatch(/^rtcr: at [\d.]+ us component three exited with status 3\n$/);
  });

  it('3 when a component faults, with its registers in the log', () => {
    const r = rtcr('run', 'programs/crash.json', '--until', '2s');
    expect(r.status).toBe(3);
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => l.startsWith('[init] crash faulted: '));
    expect(lines[i + 1]).toMatch(/^\[init\] crash: thread main pc 0x[0-9a-f]{8} cause 15 \(store\/AMO page fault\) tval 0x00000000$/);
    const regs = lines.slice(i + 2, i + 6).join(' ');
    expect(regs.match(/\b[a-z0-9]+=0x[0-9a-f]{8}\b/g)).toHaveLength(32);
    expect(regs).toContain('t0=0x00005eed'); // the value crash stores
    expect(r.stderr).toMatch(/^rtcr: at 2\.000 s component crash faulted: unresolvable write page fault at 0x00000000/);
  });

  it('125 when every thread waits for something that can never come', () => {
    const r = rtcr('run', scenario('waiter', '    li a0, SLOT_SIGNALS\n    call sys_wait\n    ret'));
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/every thread waits for something that can never come/);
  });

  it('124 when --max-insns runs out: after exactly that many instructions', () => {
    const spin = scenario('spin', '1:  j 1b');
    const r = rtcr('run', spin, '--max-insns', '12345', '--json');
    expect(r.status).toBe(124);
    const d = doc(r.stdout);
    expect(d.exit).toMatchObject({ status: 124, reason: 'limit' });
    expect(d.stats.spin.instructions).toBe(12345);
    expect(d.virtualTimeNs).toBe(123450); // 100 M instructions per virtual second
    expect(r.stderr).toMatch(/^rtcr: stopped after 12345 instructions \(--max-insns\)/);
  });

  it('runs as asked with --max-insns 2^53-1 and --until 10^20 s', () => {
    const spin = join(dir, 'spin.json');
    const r = rtcr('run', spin, '--max-insns', '9007199254740991', '--until', '10ms', '--json');
    expect(r.status).toBe(0);
    expect(doc(r.stdout).stats.spin.instructions).toBe(1_000_000);
    const far = rtcr('run', 'programs/hello.json', '--until', '100000000000000000000s');
    expect(far.status).toBe(0);
    expect(far.stdout).toContain('Hello from rtcr-vm!');
  });
});

describe('rtcr run SCENARIO --json', () => {
  it('prints one document: exit, virtual time, state hash, log with virtual times, stats', () => {
    const r = rtcr('run', 'programs/sheep_counter.json', '--until', '3s', '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const d = doc(r.stdout); // the whole of stdout is the document
    expect(d.exit).toEqual({ status: 0, reason: 'until' });
    expect(d.virtualTimeNs).toBe(3e9);
    expect(d.log.map((l) => l.text)).toEqual(['1 sheeps. zzZ', '2 sheeps. zzZ', '3 sheeps. zzZ']);
    for (const l of d.log) {
      expect(l.label).toBe('init -> sheep_counter');
      expect(l.timeNs).toBe(l.cycles * 10);
    }
    // the nth line comes just after n-1 virtual seconds
    d.log.forEach((l, n) => expect(Math.floor(l.timeNs / 1e9)).toBe(n));
    expect(d.stats.sheep_counter.instructions).toBeGreaterThan(0);
    const hashed = rtcr('run', 'programs/sheep_counter.json', '--until', '3s', '--hash');
    expect(d.stateHash).toBe(/state-hash: (\w+)/.exec(hashed.stderr)?.[1]);
  });

  it('names the faulted component and carries the register dump in its log', () => {
    const r = rtcr('run', 'programs/crash.json', '--until', '2s', '--json');
    expect(r.status).toBe(3);
    const d = doc(r.stdout);
    expect(d.exit).toMatchObject({ status: 3, reason: 'fault', component: 'crash' });
    expect(d.log.filter((l) => l.label === 'init' && /^crash: /.test(l.text))).toHaveLength(5);
  });
});

describe('rtcr run SCENARIO: errors', () => {
  it('says a scenario is missing in one line', () => {
    const r = rtcr('run', join(dir, 'nope.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rtcr: ${join(dir, 'nope.json')}: no such file or directory\n`);
  });

  it('points --input and --ram-mib to the scenario fields that do their job', () => {
    const input = rtcr('run', 'programs/hello.json', '--input', 'README.md');
    expect(input.status).toBe(2);
    expect(input.stderr).toBe('rtcr: --input applies to ELF files; a scenario gives the UART its input in its "uart" field\n');
    const ram = rtcr('run', 'programs/hello.json', '--ram-mib', '64');
    expect(ram.status).toBe(2);
    expect(ram.stderr).toBe('rtcr: --ram-mib applies to ELF files; a scenario sets the board\'s RAM in its "ramMiB" field\n');
  });

  it('logs a session request without a route, naming component, service and scenario field', () => {
    const r = rtcr('run', scenario('lonely', '    la a0, n_timer\n    li a1, 0\n    call parent_session\n    li a0, 0\n    call exit', {
      data: '.section .rodata\nn_timer: .asciz "Timer"',
    }));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[init] lonely: no route for service "Timer" (scenario components[0].routes)\n');
  });
});

describe('rtcr run SCENARIO --until', () => {
  it('is exclusive: a line logged at exactly --until is not printed, one cycle later it is', () => {
    const d = doc(rtcr('run', 'programs/hello.json', '--json').stdout);
    const at = d.log[0].timeNs; // "Hello from rtcr-vm!"
    const before = rtcr('run', 'programs/hello.json', '--until', `${at}ns`, '--json');
    expect(before.status).toBe(0);
    expect(doc(before.stdout).log).toEqual([]);
    expect(doc(before.stdout).virtualTimeNs).toBe(at);
    const after = doc(rtcr('run', 'programs/hello.json', '--until', `${at + 10}ns`, '--json').stdout);
    expect(after.log.map((l) => l.text)).toEqual(['Hello from rtcr-vm!']);
  });

  it('documents the boundary, the rtcr section and the statuses in --help', () => {
    const h = rtcr('run', '--help').stdout;
    expect(h).toMatch(/--until is exclusive/);
    expect(h).toMatch(/"rtcr" section/);
    expect(h).toMatch(/"every" takes a checkpoint/);
    for (const s of ['0 the run went as the scenario says', '1 a component exited', '3 a component faulted', '124 --max-insns', '125 every thread waits', '141 when the reader']) {
      expect(h.replace(/\s+/g, ' ')).toContain(s);
    }
  });
});
