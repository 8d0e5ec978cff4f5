// `rtcr run FILE.elf`: run a bare-metal program on the board.
// `rtcr run SCENARIO.json`: boot the kernel and init with the scenario's components.
import { readFileSync, writeSync, openSync, closeSync } from 'node:fs';
import type { Command } from 'commander';
import { disassemble } from '../asm/disasm';
import { CAUSE_NAMES } from '../cpu/trap';
import { ABI_NAMES } from '../asm/registers';
import { Machine, type TraceEntry } from '../dev/machine';
import { Init } from '../kernel/init';
import { parseTimeNs } from '../kernel/scenario';
import { Rtcr } from '../rtcr/rtcr';
import {
  EXIT_IDLE, EXIT_LIMIT, EXIT_USAGE, formatNs, loadScenario, logPrinter, OutputBuffer, positiveInt,
  runAndReport, usage, virtualTime,
} from './common';

/** Instructions per Machine.run() call, so output streams out while the guest runs. */
const CHUNK = 20_000_000;

interface RunFlags {
  until?: number;
  stats?: boolean;
  maxInsns?: number;
  trace?: boolean;
  traceFile?: string;
  hash?: boolean;
  ramMib: number;
  input?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a bare-metal RISC-V ELF32 executable on the virt board (UART output to stdout), ' +
      'or a scenario (.json): the kernel and init start its components, their log lines go to stdout')
    .argument('<file>', 'an ELF32 RISC-V (RV32IMA) executable, or a scenario file ending in .json')
    .option('--until <time>', 'scenario: stop at this virtual time, e.g. 5s, 250ms, 10us', virtualTime)
    .option('--stats', 'scenario: print instructions, page faults, syscalls, context switches and IRQs per component on stderr')
    .option('--max-insns <n>', 'stop after n instructions (exit status 124)', positiveInt('--max-insns'))
    .option('--trace', 'print one line per executed instruction on stderr: pc, word, mnemonic, register written')
    .option('--trace-file <path>', 'write the --trace lines to a file instead of stderr')
    .option('--hash', 'print the final state hash on stderr')
    .option('--ram-mib <n>', 'RAM size in MiB', positiveInt('--ram-mib', 2047), 128)
    .option('--input <file>', 'bytes for the UART to receive')
    .addHelpText('after', `
Exit status: the guest's (SiFive test finisher or HTIF tohost; codes above 255 print as 255),
${EXIT_LIMIT} when --max-insns ran out, ${EXIT_IDLE} when the hart waits for an interrupt nothing can send,
${EXIT_USAGE} for a bad file or option. Time is virtual: two runs print the same bytes.`)
    .action((file: string, flags: RunFlags) => {
      process.exitCode = file.endsWith('.json') ? runScenario(file, flags) : runElf(file, flags);
    });
}

/** Boots a scenario and runs it to --until (or until every component ended or waits forever). */
function runScenario(file: string, flags: RunFlags): number {
  for (const [opt, set] of [['--max-insns', flags.maxInsns], ['--trace', flags.trace], ['--trace-file', flags.traceFile], ['--input', flags.input]] as const) {
    if (set !== undefined) return usage(`${opt} applies to ELF files; a scenario gives UART input in its "uart" field`);
  }
  const loaded = loadScenario(file);
  if (!loaded.ok) return usage(loaded.error);
  const out = new OutputBuffer(1);
  const opts = { scenario: loaded.scenario, readFile: loaded.readFile, onLog: logPrinter(out) };
  const underRtcr = loaded.scenario.rtcr;
  const booted = underRtcr === undefined ? undefined : Rtcr.boot(opts, { granularity: underRtcr.granularity, mode: underRtcr.mode });
  if (booted !== undefined && !booted.ok) return usage(`${file}: ${booted.message}`);
  const created = booted !== undefined && booted.ok ? { ok: true as const, init: booted.rtcr.init } : Init.create(opts);
  if (!created.ok) return usage(`${file}: ${created.message}`);
  const rtcr = booted?.ok ? booted.rtcr : undefined;
  return runAndReport(created.init, out, {
    untilNs: flags.until ?? Infinity,
    stats: flags.stats,
    hash: flags.hash,
    // Under Rtcr with `every`: a checkpoint (kept in memory) at each multiple of it.
    every: underRtcr?.every === undefined || rtcr === undefined ? undefined : parseTimeNs(underRtcr.every),
    atEvery: (t: number) => {
      const c = rtcr!.checkpoint();
      if (!flags.stats) return;
      const f = c.figures;
      process.stderr.write(`checkpoint ${c.kind} at ${formatNs(t)}: copied ${f.bytesCopied} bytes (${f.dataspacesCopied} dataspaces, ` +
        `${f.dataspacesSkipped} skipped), ${f.faults} tracking faults, image ${c.bytes.length} bytes\n`);
    },
  });
}

function runElf(file: string, flags: RunFlags): number {
  if (flags.until !== undefined || flags.stats) return usage('--until and --stats apply to scenario files (.json)');
  let bytes: Uint8Array;
  let input: Uint8Array | undefined;
  try {
    bytes = readFileSync(file);
    if (flags.input !== undefined) input = readFileSync(flags.input);
  } catch (e) {
    process.stderr.write(`rtcr: ${(e as Error).message}\n`);
    return EXIT_USAGE;
  }
  const out = new OutputBuffer(1);
  const m = new Machine({ ramSize: flags.ramMib * 1024 * 1024, uartInput: input, onOutput: (b) => out.push(b) });
  const loaded = m.loadElf(bytes);
  if (!loaded.ok) {
    process.stderr.write(`rtcr: ${file}: ${loaded.error}\n`);
    return EXIT_USAGE;
  }
  const tracer = flags.trace || flags.traceFile !== undefined ? new Tracer(m, flags.traceFile) : undefined;
  const limit = flags.maxInsns ?? Infinity;
  let result;
  try {
    do {
      result = m.run({ maxInsns: Math.min(CHUNK, limit - m.executed), trace: tracer?.entry });
      out.flush();
    } while (result.reason === 'limit' && m.executed < limit);
  } finally {
    out.flush();
    tracer?.close();
  }
  if (flags.hash) process.stderr.write(`state-hash: ${m.stateHash()}\n`);
  switch (result.reason) {
    case 'exit':
      return Math.min(result.exitCode, 255);
    case 'limit':
      process.stderr.write(`rtcr: stopped after ${m.executed} instructions (--max-insns) at pc 0x${hex(m.hart.pc)}; the guest did not exit\n`);
      return EXIT_LIMIT;
    case 'idle':
      process.stderr.write(`rtcr: the hart waits (wfi) at pc 0x${hex(m.hart.pc)} for an interrupt that nothing can send\n`);
      return EXIT_IDLE;
  }
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** Formats --trace lines: `pc word mnemonic [rd=value | trap: cause]`. */
class Tracer {
  private readonly fd: number;
  private readonly owned: boolean;
  private lines: string[] = [];
  constructor(private readonly m: Machine, path: string | undefined) {
    this.owned = path !== undefined;
    this.fd = path !== undefined ? openSync(path, 'w') : 2;
  }
  readonly entry = (e: TraceEntry): void => {
    const text = disassemble(e.word, e.pc);
    let effect = '';
    if (e.trapped) {
      const cause = this.m.hart.priv === 3 ? this.m.hart.mcause : this.m.hart.scause;
      effect = `trap: ${CAUSE_NAMES[cause & 0x7fffffff] ?? `cause ${cause}`}`;
    } else if (e.rd >= 0) {
      effect = `${ABI_NAMES[e.rd]}=0x${hex(e.value)}`;
    }
    this.lines.push(`${hex(e.pc)} ${hex(e.word)} ${text.padEnd(32)} ${effect}`.trimEnd());
    if (this.lines.length >= 1024) this.flushLines();
  };
  private flushLines(): void {
    if (this.lines.length === 0) return;
    writeSync(this.fd, this.lines.join('\n') + '\n');
    this.lines = [];
  }
  close(): void {
    this.flushLines();
    if (this.owned) closeSync(this.fd);
  }
}
