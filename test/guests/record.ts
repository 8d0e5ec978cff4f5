// Re-records everything the differential suite compares against, from QEMU (run by record.sh,
// which bundles this file with esbuild first):
//   expected/<name>.out   the UART output the spec gives (QEMU's, with known differences fixed)
//   expected/<name>.json  exit status (spec's and QEMU's) and the known differences QEMU showed
//   traces/<name>.trace.gz  golden instruction traces of TRACED_PROGRAMS
// Usage: node record.mjs [--no-traces] [program...]

import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import {
  ELF_DIR, EXPECTED_DIR, TRACES_DIR, TRACED_PROGRAMS, QEMU, QEMU_CPU, QEMU_ICOUNT,
  formatTrace, guestPrograms, parseQemuCpuLog, qemuMachine, qemuVersion, readImage, runQemu,
  specExpectation, type ExpectedMeta,
} from './qemu';

const args = process.argv.slice(2);
const noTraces = args.includes('--no-traces');
const only = args.filter((a) => !a.startsWith('--'));
const version = qemuVersion();
if (version === null) {
  process.stderr.write(`${QEMU} is not installed\n`);
  process.exit(2);
}
mkdirSync(EXPECTED_DIR, { recursive: true });
mkdirSync(TRACES_DIR, { recursive: true });

let problems = 0;
const programs = only.length > 0 ? only : guestPrograms();
for (const name of programs) {
  const elf = join(ELF_DIR, `${name}.elf`);
  const run = runQemu(name, elf);
  if (run.timedOut) {
    process.stderr.write(`${name}: QEMU timed out\n`);
    problems++;
    continue;
  }
  const spec = specExpectation(name, run);
  for (const line of spec.unexplained) process.stderr.write(`${name}: QEMU fails a check no known difference explains: ${line}\n`);
  for (const c of spec.notObserved) process.stderr.write(`${name}: known difference not shown by QEMU: ${c}\n`);
  problems += spec.unexplained.length + spec.notObserved.length;
  const meta: ExpectedMeta = {
    program: name,
    exitCode: spec.exitCode,
    qemu: { version, machine: qemuMachine(name), exitCode: run.exitCode, knownDifferences: spec.applied },
  };
  writeFileSync(join(EXPECTED_DIR, `${name}.out`), spec.output, 'latin1');
  writeFileSync(join(EXPECTED_DIR, `${name}.json`), JSON.stringify(meta, null, 2) + '\n');
  process.stdout.write(`${name}: exit ${run.exitCode} on QEMU, ${spec.exitCode} by the spec` +
    (spec.applied.length ? ` (known: ${spec.applied.join(', ')})` : '') + '\n');
}

if (!noTraces) {
  const dir = mkdtempSync(join(tmpdir(), 'rtcr-trace-'));
  for (const name of TRACED_PROGRAMS) {
    if (only.length > 0 && !only.includes(name)) continue;
    const elf = join(ELF_DIR, `${name}.elf`);
    const log = join(dir, `${name}.log`);
    const run = runQemu(name, elf, ['-singlestep', '-d', 'cpu,int,nochain', '-D', log], 300_000);
    if (run.timedOut) {
      process.stderr.write(`${name}: QEMU timed out while tracing\n`);
      problems++;
      continue;
    }
    const steps = parseQemuCpuLog(readFileSync(log, 'latin1'), readImage(readFileSync(elf)));
    const header = [
      `golden trace of elf/${name}.elf, recorded by record.sh from QEMU ${version}:`,
      `${QEMU} -machine ${qemuMachine(name)} -cpu ${QEMU_CPU} -bios none -icount ${QEMU_ICOUNT} -singlestep -d cpu,int,nochain`,
      'one line per executed instruction from the entry point: pc, then xN=value if it wrote xN, or "trap" if it trapped',
    ];
    writeFileSync(join(TRACES_DIR, `${name}.trace.gz`), gzipSync(formatTrace(steps, header), { level: 9 }));
    process.stdout.write(`${name}: traced ${steps.length} instructions\n`);
  }
  rmSync(dir, { recursive: true, force: true });
}

if (problems > 0) {
  process.stderr.write(`${problems} problem(s): see above\n`);
  process.exit(1);
}
