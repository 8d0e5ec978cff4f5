// Test helper: GNU binutils as the oracle (when installed). Assembles with
// -march=rv32ima_zicsr_zifencei, links with --no-relax and a script that gives our layout.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';

const PREFIX = 'riscv64-unknown-elf-';

export const hasGnu: boolean = (() => {
  for (const t of ['as', 'ld', 'objdump']) {
    const r = spawnSync(`${PREFIX}${t}`, ['--version'], { stdio: 'ignore' });
    if (r.status !== 0) return false;
  }
  return true;
})();

export function linkerScript(base: number): string {
  return `ENTRY(_start)
SECTIONS {
  . = 0x${base.toString(16)};
  .text : { *(.text .text.*) }
  . = ALIGN(0x1000);
  .rodata : { *(.rodata .rodata.* .srodata .srodata.*) }
  . = ALIGN(0x1000);
  .data : { *(.data .data.* .sdata .sdata.* .tohost) }
  . = ALIGN(0x1000);
  .bss : { *(.bss .bss.* .sbss .sbss.*) }
  /DISCARD/ : { *(.riscv.attributes) *(.comment) }
}
`;
}

/** Assembles and links files (paths) with GNU; returns the ELF bytes, or the error text. */
export function gnuBuild(paths: string[], base: number, includeDirs: string[] = []): { ok: true; elf: Uint8Array; path: string } | { ok: false; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rtcr-gnu-'));
  const objs: string[] = [];
  for (const [i, p] of paths.entries()) {
    const o = join(dir, `${i}-${basename(p)}.o`);
    const r = spawnSync(`${PREFIX}as`, ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', '-mno-relax',
      ...includeDirs.flatMap((d) => ['-I', d]), p, '-o', o], { encoding: 'utf8' });
    if (r.status !== 0) return { ok: false, stderr: r.stderr };
    objs.push(o);
  }
  const script = join(dir, 'link.ld');
  writeFileSync(script, linkerScript(base));
  const out = join(dir, 'gnu.elf');
  const r = spawnSync(`${PREFIX}ld`, ['-m', 'elf32lriscv', '--no-relax', '-T', script, ...objs, '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) return { ok: false, stderr: r.stderr };
  return { ok: true, elf: new Uint8Array(readFileSync(out)), path: out };
}

/** GNU objdump -d of an ELF given as bytes. */
export function objdump(elf: Uint8Array, args: string[] = ['-d']): string {
  const dir = mkdtempSync(join(tmpdir(), 'rtcr-objdump-'));
  const p = join(dir, 'x.elf');
  writeFileSync(p, elf);
  return execFileSync(`${PREFIX}objdump`, [...args, p], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

export { copyFileSync };
