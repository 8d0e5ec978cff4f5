// The `rtcr run` command, end to end: the built CLI in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleText } from '../../src/asm/index';

const guest = (name: string) => join('test/guests/elf', `${name}.elf`);
const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'latin1' });
let dir: string;

/** Writes an ELF assembled from `src` into the temp dir and returns its path. */
function elf(name: string, src: string): string {
  const r = assembleText(src);
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

  it('traces one line per instruction: pc, word, mnemonic, register written', () => {
    const prog = elf('trace.elf', [
      '_start: li a0, 5', ' addi a1, a0, 3', ' ecall',
      ' .balign 4', 'handler: li t0, 0x100000', ' li t1, 0x5555', ' sw t1, 0(t0)',
    ].join('\n'));
    const tf = join(dir, 'trace.txt');
    // mtvec is 0 at reset: the ecall traps to address 0, which is not RAM: a fetch access fault
    // traps again to 0 ... so stop by instruction count.
    const r = rtcr('run', prog, '--trace-file', tf, '--max-insns', '5');
    expect(r.status).toBe(124);
    const lines = readFileSync(tf, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^80000000 00500513 li a0,5\s+a0=0x00000005$/);
    // binutils 2.40 objdump spells addi with an immediate as `add`; the disassembler follows it.
    expect(lines[1]).toMatch(/^80000004 00350593 add a1,a0,3\s+a1=0x00000008$/);
    expect(lines[2]).toMatch(/^80000008 00000073 ecall\s+trap: environment call from M-mode$/);
    expect(lines[3]).toMatch(/^00000000 00000000 .*trap: instruction access fault$/);
  });

  it('refuses a missing file, a non-ELF and a bad option with one line and status 2', () => {
    const missing = rtcr('run', join(dir, 'nope.elf'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^rtcr: .*nope\.elf/);
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
    for (const opt of ['--max-insns', '--trace', '--hash', '--ram-mib', '--input', '124', '125']) {
      expect(r.stdout).toContain(opt);
    }
  });
});
