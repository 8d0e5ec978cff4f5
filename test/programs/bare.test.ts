// The bare-metal programs that ship in programs/: bare/hello.elf is bare/hello.s assembled (so
// the shipped binary is what its source says) and runs on the board; with GNU binutils and gcc
// installed, GNU as accepts bare/hello.s too, and programs/c (link.ld, crt0.s, board.h) build a
// C program whose output and exit status come through (main's return value is the status).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble } from '../../src/asm/index';
import { Machine } from '../../src/dev/machine';
import { hasGnu } from '../asm/gnu';
import { PROGRAMS } from './guest';

const hasGcc = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0;

/** Runs an ELF on a fresh board: reason, exit code, UART output. */
function runElf(elf: Uint8Array): { reason: string; exitCode: number; output: string } {
  const m = new Machine({});
  const loaded = m.loadElf(elf);
  if (!loaded.ok) throw new Error(loaded.error);
  const r = m.run({ maxInsns: 1_000_000 });
  return { reason: r.reason, exitCode: r.exitCode, output: m.outputText() };
}

describe('programs/bare', () => {
  const source = readFileSync(join(PROGRAMS, 'bare', 'hello.s'), 'utf8');
  const shipped = new Uint8Array(readFileSync(join(PROGRAMS, 'bare', 'hello.elf')));

  it('hello.elf is hello.s assembled (rtcr asm, default base 0x80000000)', () => {
    const r = assemble([{ name: 'programs/bare/hello.s', text: source }], { base: 0x8000_0000 });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    expect(Buffer.from(r.elf).equals(Buffer.from(shipped))).toBe(true);
  });

  it('hello.elf prints its line and exits 0 through the finisher', () => {
    expect(runElf(shipped)).toEqual({ reason: 'exit', exitCode: 0, output: 'Hello from bare metal!\n' });
  });

  it.skipIf(!hasGnu)('GNU as accepts hello.s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtcr-bare-'));
    const r = spawnSync('riscv64-unknown-elf-as', ['-march=rv32ima_zicsr', '-mabi=ilp32', join(PROGRAMS, 'bare', 'hello.s'), '-o', join(dir, 'hello.o')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('programs/c', () => {
  it.skipIf(!hasGcc)('builds a C program with .data and .bss whose output and exit status come through', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtcr-c-'));
    writeFileSync(join(dir, 'prog.c'), [
      '#include "board.h"',
      'static unsigned counter = 41;  /* .data */',
      'static unsigned zeros[64];     /* .bss: crt0 clears it */',
      'int main(void) {',
      '  unsigned sum = 0;',
      '  for (int i = 0; i < 64; i++) sum += zeros[i];',
      '  board_puts("counter ");',
      '  board_putu(++counter + sum);',
      '  board_putc(\'\\n\');',
      '  return 7;',
      '}',
      '',
    ].join('\n'));
    const c = join(PROGRAMS, 'c');
    const gcc = spawnSync('riscv64-unknown-elf-gcc', ['-march=rv32ima_zicsr', '-mabi=ilp32', '-O2', '-nostdlib', '-ffreestanding',
      '-I', c, '-T', join(c, 'link.ld'), join(c, 'crt0.s'), join(dir, 'prog.c'), '-o', join(dir, 'prog.elf')], { encoding: 'utf8' });
    expect(gcc.stderr).toBe(''); // no warnings either (e.g. about RWX segments)
    expect(gcc.status).toBe(0);
    const elf = new Uint8Array(readFileSync(join(dir, 'prog.elf')));
    expect(runElf(elf)).toEqual({ reason: 'exit', exitCode: 7, output: 'counter 42\n' });
  });
});
