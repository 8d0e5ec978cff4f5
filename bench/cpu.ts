// npm run bench:cpu: the CPU-bound guest (bench/guests/cpu.c) on our Machine, bare in M-mode and
// in U-mode under Sv32 with 4 KiB pages (TLB in use); prints MIPS for both and, where
// qemu-system-riscv32 is installed, QEMU's wall time for the same ELF in the same run and the
// ratio ours/QEMU. QEMU runs in its normal (fastest) mode, without -icount; its start-up time
// (a one-iteration run of the same ELF) is measured too and taken off for the ratio.
//
// Options: --iters N (patch the guest's iteration count; default as built, about 355 M
// instructions per ELF), --no-qemu.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Machine } from '../src/dev/machine';
import { QEMU, QEMU_CPU, qemuVersion, readImage } from '../test/guests/qemu';

const args = process.argv.slice(2);
const itersArg = args.indexOf('--iters');
const iters = itersArg >= 0 ? Number(args[itersArg + 1]) : null;
const useQemu = !args.includes('--no-qemu');
const dir = join(process.cwd(), 'bench', 'guests');

function loadElf(name: string, n: number | null = iters): Uint8Array {
  const bytes = new Uint8Array(readFileSync(join(dir, `${name}.elf`)));
  if (n !== null) {
    if (!Number.isInteger(n) || n <= 0 || n > 0xffff_ffff) throw new Error(`bad --iters ${n}`);
    const img = readImage(bytes);
    const sym = img.symbol('iterations');
    const off = sym === null ? null : img.offsetOf(sym);
    if (off === null) throw new Error(`${name}.elf has no patchable 'iterations'`);
    new DataView(bytes.buffer).setUint32(off, n, true);
  }
  return bytes;
}

const field = (out: string, key: string): string | null => new RegExp(`^${key}: (\\S+)$`, 'm').exec(out)?.[1] ?? null;

interface Ours {
  seconds: number;
  insns: number;
  checksum: string | null;
}

function runOurs(bytes: Uint8Array): Ours {
  const m = new Machine({});
  const loaded = m.loadElf(bytes);
  if (!loaded.ok) throw new Error(loaded.error);
  const t0 = performance.now();
  let r = m.run({ maxInsns: 100_000_000 });
  while (r.reason === 'limit') r = m.run({ maxInsns: 100_000_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.reason !== 'exit' || r.exitCode !== 0) throw new Error(`run ended by ${r.reason}, exit ${r.exitCode}`);
  const out = m.outputText();
  return { seconds, insns: Number(field(out, 'retired') ?? NaN), checksum: field(out, 'checksum') };
}

function runQemu(bytes: Uint8Array, name: string): { seconds: number; checksum: string | null } | null {
  // QEMU reads the kernel from a file: give it the (possibly patched) bytes.
  const tmp = mkdtempSync(join(tmpdir(), 'rtcr-bench-'));
  const path = join(tmp, `${name}.elf`);
  writeFileSync(path, bytes);
  const t0 = performance.now();
  const r = spawnSync(QEMU, ['-machine', 'virt', '-cpu', QEMU_CPU, '-bios', 'none', '-nographic', '-kernel', path], {
    timeout: 600_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - t0) / 1000;
  rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0) return null;
  return { seconds, checksum: field(r.stdout.toString('latin1'), 'checksum') };
}

const qv = useQemu ? qemuVersion() : null;
const rows: [string, string][] = [
  ['cpu_bare', 'M-mode, bare'],
  ['cpu_sv32', 'U-mode, Sv32 4 KiB pages'],
];
for (const [name, what] of rows) {
  const bytes = loadElf(name);
  const ours = runOurs(bytes);
  const mips = ours.insns / ours.seconds / 1e6;
  let line = `${name.padEnd(9)} (${what}): ${(ours.insns / 1e6).toFixed(1)} M instructions in ${ours.seconds.toFixed(2)} s = ${mips.toFixed(1)} MIPS`;
  if (qv !== null) {
    const q = runQemu(bytes, name);
    // QEMU's start-up and shut-down, measured with a one-iteration run and taken off
    const base = runQemu(loadElf(name, 1), name);
    if (q === null || base === null) line += ` | QEMU ${qv}: failed`;
    else {
      const qs = Math.max(q.seconds - base.seconds, 1e-3);
      line += ` | QEMU ${qv}: ${q.seconds.toFixed(2)} s (${qs.toFixed(2)} s without its ${base.seconds.toFixed(2)} s start-up)` +
        ` | ours/QEMU: ${(ours.seconds / qs).toFixed(1)}x`;
      if (q.checksum !== ours.checksum) line += ` | CHECKSUM DIFFERS (ours ${ours.checksum}, QEMU ${q.checksum})`;
    }
  } else if (useQemu) {
    line += ' | QEMU not installed';
  }
  process.stdout.write(line + '\n');
}
