// The `rtcr run` command, end to end: the built CLI in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleText } from '../../src/asm/index';

const guest = (name: string) => join('test/guests/elf', `${name}.elf`);
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'latin1' });
let dir: string;

/** Writes an ELF assembled from `src` into the temp dir and returns its path. */
function elf(name: string, src: string, base?: number): string {
  const r = assembleText(src, base);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  const path = join(dir, name);
  writeFileSync(path, r.elf);
  return path;
}

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  dir = mkdtempSync(join(tmpdir(), 'rtcr-cli-'));
});

describe('rtcr run', () => {
  it('prints the UART output on stdout and exits with the guest status', () => {
    const r = rtcr('run', guest('hello'));
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync('test/guests/expected/hello.out', 'latin1'));
  });

  it('passes the finisher exit code through', () => {
    expect(rtcr('run', guest('exitcode')).status).toBe(42);
  });

  it('says when --max-insns runs out and exits 124', () => {
    const loop = elf('loop.elf', '_start: j _start\n');
    const r = rtcr('run', loop, '--max-insns', '1000');
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/stopped after 1000 instructions \(--max-insns\)/);
  });

  it('exits 125 when the hart waits for an interrupt nothing can send', () => {
    const idle = elf('idle.elf', '_start: wfi\n j _start\n');
    const r = rtcr('run', idle);
    expect(r.status).toBe(125);
    expect(r.stderr).toMatch(/waits \(wfi\)/);
  });

  it('prints the same state hash for two runs, and a different one for a different program', () => {
    const a = rtcr('run', guest('rv32i'), '--hash');
    const b = rtcr('run', guest('rv32i'), '--hash');
    const c = rtcr('run', guest('hello'), '--hash');
    const hash = (s: string) => /state-hash: ([0-9a-f]{16})/.exec(s)?.[1];
    expect(hash(a.stderr)).toBeDefined();
    expect(hash(a.stderr)).toBe(hash(b.stderr));
    expect(a.stdout).toBe(b.stdout);
    expect(hash(c.stderr)).not.toBe(hash(a.stderr));
  });

  it('traces one line per instruction: pc, word, privilege mode, mnemonic, register written, memory access, trap', () => {
    const prog = elf('trace.elf', [
      '_start: li a0, 5', ' addi a1, a0, 3', ' li t0, 0x80001000', ' sw a1, 4(t0)', ' lw a2, 4(t0)', ' ecall',
      ' .balign 4', 'handler: li t0, 0x100000', ' li t1, 0x5555', ' sw t1, 0(t0)',
    ].join('\n'));
    const tf = join(dir, 'trace.txt');
    // mtvec is 0 at reset: the ecall traps to address 0, which is not RAM: a fetch access fault
    // traps again to 0 ... so stop by instruction count.
    const r = rtcr('run', prog, '--trace-file', tf, '--max-insns', '8');
    expect(r.status).toBe(124);
    expect(r.stderr).not.toMatch(/^\[|^8000/m); // the trace went to the file only
    const lines = readFileSync(tf, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^80000000 00500513 M li a0,5\s+a0=0x00000005$/);
    // binutils 2.40 objdump spells addi with an immediate as `add`; the disassembler follows it.
    expect(lines[1]).toMatch(/^80000004 00350593 M add a1,a0,3\s+a1=0x00000008$/);
    expect(lines[3]).toMatch(/^8000000c 00b2a223 M sw a1,4\(t0\)\s+store \[0x80001004\]=0x00000008$/);
    expect(lines[4]).toMatch(/^80000010 0042a603 M lw a2,4\(t0\)\s+a2=0x00000008 load \[0x80001004\]=0x00000008$/);
    expect(lines[5]).toMatch(/^80000014 00000073 M ecall\s+trap: environment call from M-mode tval=0x00000000$/);
    expect(lines[6]).toMatch(/^00000000 00000000 M \(no instruction fetched\)\s+trap: instruction access fault tval=0x00000000$/);
  });

  it('writes no trace and says so in one line when the trace file cannot be created', () => {
    const tf = join(dir, 'no-such-dir', 'trace.txt');
    const r = rtcr('run', guest('hello'), '--trace-file', tf);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rtcr: --trace-file ${tf}: no such file or directory\n`);
    expect(r.stdout).toBe(''); // nothing ran
  });

  it('refuses a missing file, a non-ELF and a bad option with one line and status 2', () => {
    const missing = rtcr('run', join(dir, 'nope.elf'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`rtcr: ${join(dir, 'nope.elf')}: no such file or directory\n`);
    const junk = join(dir, 'junk.elf');
    writeFileSync(junk, 'not an elf at all, just text\n');
    const bad = rtcr('run', junk);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^rtcr: .*junk\.elf: /);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    const opt = rtcr('run', guest('hello'), '--max-insns', 'lots');
    expect(opt.status).toBe(2);
    expect(opt.stderr).toMatch(/--max-insns must be a whole number/);
    const input = rtcr('run', guest('hello'), '--input', join(dir, 'nope.txt'));
    expect(input.status).toBe(2);
    expect(input.stderr).toBe(`rtcr: --input ${join(dir, 'nope.txt')}: no such file or directory\n`);
  });

  it('says a directory is not a file', () => {
    for (const path of [dir, join(dir, 'sub.json')]) {
      mkdirSync(join(dir, 'sub.json'), { recursive: true });
      const r = rtcr('run', path);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`rtcr: ${path}: is a directory, not a file\n`);
    }
  });

  it('sends assembly source to rtcr asm', () => {
    for (const name of ['prog.s', 'prog.S']) {
      const r = rtcr('run', join(dir, name));
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`rtcr: ${join(dir, name)} is assembly source, not a program: assemble it first (rtcr asm ${join(dir, name)} -o OUT.elf)\n`);
    }
  });

  it('says a component program needs a scenario', () => {
    const comp = elf('comp.elf', '_start: li a0, 0\n j _start\n', 0x10000);
    const r = rtcr('run', comp);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^rtcr: .*comp\.elf is a component program \(linked at 0x10000, in the program area 0x10000-0x10000000 of the kernel's components\), not a bare-metal one: name it in a scenario's "components"/);
  });

  it('refuses scenario-only options for an ELF, saying where they apply', () => {
    const cases: [string[], RegExp][] = [
      [['--until', '1s'], /^rtcr: --until applies to scenarios \(\.json\)/],
      [['--stats'], /^rtcr: --stats applies to scenarios \(\.json\)/],
      [['--trace=main'], /^rtcr: --trace=NAME and --trace-component name scenario components; an ELF runs no components/],
      [['--trace-component', 'x'], /^rtcr: --trace=NAME and --trace-component name scenario components/],
    ];
    for (const [opts, msg] of cases) {
      const r = rtcr('run', guest('hello'), ...opts);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('--json: one document with the UART output, exit status and reason, hash and instructions', () => {
    const r = rtcr('run', guest('hello'), '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.uart).toBe(readFileSync('test/guests/expected/hello.out', 'latin1'));
    expect(doc.exit).toMatchObject({ status: 0, reason: 'exit' });
    expect(doc.stateHash).toBe(/state-hash: (\w+)/.exec(rtcr('run', guest('hello'), '--hash').stderr)?.[1]);
    expect(doc.instructions).toBeGreaterThan(0);
    const loop = elf('loop2.elf', '_start: j _start\n');
    const lim = rtcr('run', loop, '--json', '--max-insns', '1234');
    expect(lim.status).toBe(124);
    expect(JSON.parse(lim.stdout)).toMatchObject({ exit: { status: 124, reason: 'limit' }, uart: '', instructions: 1234 });
    expect(JSON.parse(rtcr('run', guest('exitcode'), '--json').stdout).exit).toMatchObject({ status: 42, reason: 'exit' });
  });

  it('takes --max-insns up to 2^53-1 and takes the file after a bare --trace', () => {
    const r = rtcr('run', '--trace', guest('hello'), '--max-insns', '9007199254740991');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync('test/guests/expected/hello.out', 'latin1'));
    expect(r.stderr).toMatch(/^80000000 /);
  });

  it('feeds --input to the UART receiver', () => {
    const echo = elf('echo.elf', [
      '_start: li s0, 0x10000000', '1: lbu t0, 5(s0)', ' andi t0, t0, 1', ' beqz t0, 1b',
      ' lbu t1, 0(s0)', ' sb t1, 0(s0)', ' li t2, 0x0a', ' bne t1, t2, 1b',
      ' li t0, 0x100000', ' li t1, 0x5555', ' sw t1, 0(t0)',
    ].join('\n'));
    const input = join(dir, 'in.txt');
    writeFileSync(input, 'echo me\n');
    const r = rtcr('run', echo, '--input', input);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('echo me\n');
  });

  it('documents its options and exit statuses in --help', () => {
    const r = rtcr('run', '--help');
    expect(r.status).toBe(0);
    for (const opt of ['--max-insns', '--trace', '--trace-component', '--json', '--hash', '--ram-mib', '--input', '124', '125', '141', '2^53-1']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
