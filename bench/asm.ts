// Assembler benchmark: a generated file of 100,000 lines, assembled and linked by our assembler;
// prints lines per second, and GNU as's time for the same file where binutils is installed.
//
//   npm run bench:asm [-- --lines N]

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble } from '../src/asm/index';

const argLines = process.argv.indexOf('--lines');
const LINES = argLines > 0 ? Number(process.argv[argLines + 1]) : 100_000;

/** A deterministic mix of instructions, pseudo-instructions, labels, branches and data. */
function generate(lines: number): string {
  const regs = ['a0', 'a1', 'a2', 'a3', 't0', 't1', 's0', 's1', 'sp', 'ra'];
  const out: string[] = ['.option norelax', '.text', '.globl _start', '_start:'];
  let seed = 1;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
  const r = (): string => regs[rnd(regs.length)]!;
  let label = 0;
  while (out.length < lines - 8) {
    switch (rnd(16)) {
      case 0: out.push(`L${label++}:`); break;
      case 1: out.push(`    addi ${r()}, ${r()}, ${rnd(4096) - 2048}`); break;
      case 2: out.push(`    add ${r()}, ${r()}, ${r()}    # comment`); break;
      case 3: out.push(`    lw ${r()}, ${rnd(512) * 4}(${r()})`); break;
      case 4: out.push(`    sw ${r()}, ${rnd(512) * 4}(sp)`); break;
      case 5: out.push(`    li ${r()}, 0x${(rnd(0x1000000) * 251).toString(16)}`); break;
      case 6: out.push(label > 0 ? `    bne ${r()}, ${r()}, L${label - 1}` : '    nop'); break;
      case 7: out.push(`    call f${rnd(4)}`); break;
      case 8: out.push(`    slli ${r()}, ${r()}, ${rnd(32)}`); break;
      case 9: out.push(`    mul ${r()}, ${r()}, ${r()}`); break;
      case 10: out.push(`    csrr ${r()}, mstatus`); break;
      case 11: out.push(`    amoadd.w.aqrl ${r()}, ${r()}, (${r()})`); break;
      case 12: out.push(`    la ${r()}, data${rnd(4)}`); break;
      case 13: out.push(`    mv ${r()}, ${r()}`); break;
      case 14: out.push(`    beqz ${r()}, 1f`, `1:  xori ${r()}, ${r()}, -1`); break;
      default: out.push(`    jal ra, f${rnd(4)}`); break;
    }
  }
  out.push('f0: ret', 'f1: ret', 'f2: ret', 'f3: ret', '.data');
  for (let i = 0; i < 4; i++) out.push(`data${i}: .word ${i}, data${i}`);
  return out.join('\n') + '\n';
}

const text = generate(LINES);
const lineCount = text.split('\n').length - 1;

// Warm up once, then time a few runs and take the best.
assemble([{ name: 'bench.s', text: generate(2000) }]);
const times: number[] = [];
let size = 0;
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const r = assemble([{ name: 'bench.s', text }]);
  times.push(performance.now() - t0);
  if (!r.ok) { console.error(r.errors.slice(0, 5)); process.exit(1); }
  size = r.sections[0]!.size;
}
const best = Math.min(...times);
console.log(`rtcr asm:  ${lineCount} lines, .text ${size} bytes, best of 3: ${best.toFixed(0)} ms = ${Math.round(lineCount / (best / 1000)).toLocaleString('en-US')} lines/s`);

const gnu = spawnSync('riscv64-unknown-elf-as', ['--version'], { stdio: 'ignore' });
if (gnu.status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'rtcr-bench-'));
  const src = join(dir, 'bench.s');
  writeFileSync(src, text);
  const gt: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const a = spawnSync('riscv64-unknown-elf-as', ['-march=rv32ima_zicsr_zifencei', '-mabi=ilp32', src, '-o', join(dir, 'bench.o')], { encoding: 'utf8' });
    if (a.status !== 0) { console.error(a.stderr.slice(0, 500)); break; }
    const l = spawnSync('riscv64-unknown-elf-ld', ['-m', 'elf32lriscv', '--no-relax', '-Ttext=0x80000000', join(dir, 'bench.o'), '-o', join(dir, 'bench.elf')], { encoding: 'utf8' });
    if (l.status !== 0) { console.error(l.stderr.slice(0, 500)); break; }
    gt.push(performance.now() - t0);
  }
  if (gt.length > 0) {
    const g = Math.min(...gt);
    console.log(`GNU as+ld: same file, best of 3: ${g.toFixed(0)} ms = ${Math.round(lineCount / (g / 1000)).toLocaleString('en-US')} lines/s (process start included)`);
  }
} else {
  console.log('GNU as: not installed (riscv64-unknown-elf-as), no comparison');
}
