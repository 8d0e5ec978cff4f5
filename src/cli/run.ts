// `rtcr run FILE.elf`: run a bare-metal program on the board.
// `rtcr run SCENARIO.json`: boot the kernel and init with the scenario's components.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Machine } from '../dev/machine';
import { parseElf } from '../elf/reader';
import { Init, PROGRAM_BASE } from '../kernel/init';
import { parseTimeNs } from '../kernel/scenario';
import { Rtcr } from '../rtcr/rtcr';
import {
  EXIT_IDLE, EXIT_LIMIT, EXIT_PIPE, EXIT_USAGE, formatNs, loadScenario, logPrinter, OutputBuffer, positiveInt,
  runAndReport, usage, virtualTime, writeStderr,
} from './common';
import { EXIT_COMPONENT_STATUS, EXIT_FAULT } from './outcome';
import { fileErrorText, writeAllSync } from './output';
import { traceOptions, Tracer, type TraceFlags } from './trace';

/** Instructions per Machine.run() call, so output streams out while the guest runs. */
const CHUNK = 20_000_000;
/** RAM of the board for an ELF run when --ram-mib is not given. */
const DEFAULT_RAM_MIB = 128;

interface RunFlags extends TraceFlags {
  until?: number;
  stats?: boolean;
  maxInsns?: number;
  hash?: boolean;
  json?: boolean;
  ramMib?: number;
  input?: string;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a bare-metal RISC-V ELF32 executable on the virt board (UART output to stdout), ' +
      'or a scenario (.json): the kernel and init start its components, their log lines go to stdout')
    .argument('[file]', 'an ELF32 RISC-V (RV32IMA) executable, or a scenario file ending in .json')
    .option('--until <time>', 'scenario: stop at this virtual time, e.g. 5s, 250ms, 10us (exclusive: see below)', virtualTime)
    .option('--stats', 'scenario: print instructions, page faults, syscalls, context switches and IRQs per component on stderr')
    .option('--max-insns <n>', 'stop after n instructions (a scenario: those its components retire, all together; ' +
      'exit status 124); at most 2^53-1, which is as good as forever', positiveInt('--max-insns'))
    .option('--trace [component]', 'print one line per executed instruction on stderr (see below); ' +
      'a scenario: every component, or only the one named as --trace=NAME')
    .option('--trace-component <name>', 'scenario: trace only this component (repeatable)', collect)
    .option('--trace-file <path>', 'write the trace lines to a file instead of stderr (implies --trace)')
    .option('--hash', 'print the final state hash on stderr')
    .option('--json', 'print one JSON document on stdout instead of the output (see below)')
    .option('--ram-mib <n>', `ELF: RAM size in MiB (default ${DEFAULT_RAM_MIB}; a scenario sets "ramMiB")`, positiveInt('--ram-mib', 2047))
    .option('--input <file>', 'ELF: bytes for the UART to receive (a scenario sets "uart")')
    .addHelpText('after', HELP)
    .action((file: string | undefined, flags: RunFlags) => {
      // `rtcr run --trace prog.elf`: commander took the file as --trace's optional value.
      if (file === undefined && typeof flags.trace === 'string' && /\.(json|elf)$|\//.test(flags.trace)) {
        file = flags.trace;
        flags.trace = true;
      }
      if (file === undefined) {
        process.exitCode = usage('run needs a file: an ELF executable or a scenario (.json)');
        return;
      }
      process.exitCode = file.endsWith('.json') ? runScenario(file, flags) : runElf(file, flags);
    });
}

const HELP = `
A scenario (.json): init starts its components; their log lines go to stdout as [label] text.
The run ends at --until, or when every component has ended or every thread waits for something
that can never come. --until is exclusive: the run covers virtual time [0, T), so a line logged
at exactly T is not printed (a checkpoint at T holds the state before it; its restore prints it).
--until accepts any time (10^20s runs as good as forever). With an "rtcr" section the components
run under Rtcr with its dirty tracking ("granularity", "mode"); "every" takes a checkpoint (kept
in memory) at each multiple of that virtual time, the same boundary rule as --until; --stats
prints each checkpoint's figures on stderr.

Exit status of a scenario: 0 the run went as the scenario says (--until reached, or every
component exited with status 0); ${EXIT_COMPONENT_STATUS} a component exited with a non-zero status;
${EXIT_FAULT} a component faulted (init logs its registers: pc, cause, tval and all 32); ${EXIT_LIMIT} --max-insns
ran out; ${EXIT_IDLE} every thread waits for something that can never come; ${EXIT_USAGE} a bad file or option.
Exit status of an ELF: the guest's (SiFive test finisher or HTIF tohost; codes above 255 print
as 255), ${EXIT_LIMIT} when --max-insns ran out, ${EXIT_IDLE} when the hart waits for an interrupt nothing can
send, ${EXIT_USAGE} for a bad file or option. Either: ${EXIT_PIPE} when the reader of stdout or stderr closed
the pipe (e.g. | head -1): the run stops there, quietly.

--trace lines: [component/thread] pc word priv mnemonic effects, where priv is U, S or M and
effects are the register written (a0=0x...), a load or store (load [addr]=value, store
[addr]=value) or a trap (trap: cause tval=0x...); an ELF's lines have no [component/thread].

--json: a scenario prints {exit: {status, reason, component?, detail?}, virtualTimeNs,
stateHash, log: [{cycles, timeNs, label, text}], stats: {component: counters}}; an ELF prints
{exit: {status, reason, kind?}, uart, stateHash, instructions}.

Time is virtual: two runs print the same bytes.`;

/** An option given where it does not apply: the usage error, or undefined if all apply. */
function scenarioOptionError(flags: RunFlags): string | undefined {
  if (flags.input !== undefined) return '--input applies to ELF files; a scenario gives the UART its input in its "uart" field';
  if (flags.ramMib !== undefined) return '--ram-mib applies to ELF files; a scenario sets the board\'s RAM in its "ramMiB" field';
  return undefined;
}

/** Boots a scenario and runs it to --until (or until every component ended or waits forever). */
function runScenario(file: string, flags: RunFlags): number {
  const bad = scenarioOptionError(flags);
  if (bad !== undefined) return usage(bad);
  const loaded = loadScenario(file);
  if (!loaded.ok) return usage(loaded.error);
  const traced = traceOptions(flags, loaded.scenario.components.map((c) => c.name), file);
  if (!traced.ok) return usage(traced.error);
  const trace = traced.value;
  const out = new OutputBuffer(1, flags.json === true);
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
    json: flags.json,
    trace,
    maxInsns: flags.maxInsns,
    // Under Rtcr with `every`: a checkpoint (kept in memory) at each multiple of it.
    every: underRtcr?.every === undefined || rtcr === undefined ? undefined : parseTimeNs(underRtcr.every),
    atEvery: (t: number) => {
      const c = rtcr!.checkpoint();
      if (!flags.stats) return;
      const f = c.figures;
      writeStderr(`checkpoint ${c.kind} at ${formatNs(t)}: copied ${f.bytesCopied} bytes (${f.dataspacesCopied} dataspaces, ` +
        `${f.dataspacesSkipped} skipped), ${f.faults} tracking faults, image ${c.bytes.length} bytes\n`);
    },
  });
}

/** An option given to an ELF run that applies to scenarios only: the usage error. */
function elfOptionError(file: string, flags: RunFlags): string | undefined {
  if (/\.[sS]$/.test(file)) return `${file} is assembly source, not a program: assemble it first (rtcr asm ${file} -o OUT.elf)`;
  if (flags.until !== undefined) return '--until applies to scenarios (.json); an ELF runs until it exits (bound it with --max-insns)';
  if (flags.stats) return '--stats applies to scenarios (.json); for an ELF, --json gives the instruction count';
  if (typeof flags.trace === 'string' || flags.traceComponent !== undefined) {
    return '--trace=NAME and --trace-component name scenario components; an ELF runs no components (use --trace)';
  }
  return undefined;
}

/** Reads the ELF and --input, with errors in the tool's words. */
function readElfInputs(file: string, flags: RunFlags): { ok: true; bytes: Uint8Array; input?: Uint8Array } | { ok: false; error: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { ok: false, error: `${file}: ${fileErrorText(e)}` };
  }
  if (flags.input === undefined) return { ok: true, bytes };
  try {
    return { ok: true, bytes, input: readFileSync(flags.input) };
  } catch (e) {
    return { ok: false, error: `--input ${flags.input}: ${fileErrorText(e)}` };
  }
}

/**
 * A component program (assembled or linked for the kernel's program area at 0x10000, below the
 * board's RAM) cannot run bare: the error that says so, or undefined for anything else.
 */
function componentProgramError(file: string, bytes: Uint8Array): string | undefined {
  const parsed = parseElf(bytes);
  if (!parsed.ok) return undefined;
  const { entry, segments } = parsed.elf;
  const inArea = (a: number) => a >= PROGRAM_BASE && a < 0x1000_0000;
  if (!inArea(entry) || !segments.every((s) => s.memsz === 0 || inArea(s.vaddr))) return undefined;
  return `${file} is a component program (linked at 0x${entry.toString(16)}, in the program area 0x10000-0x10000000 ` +
    'of the kernel\'s components), not a bare-metal one: name it in a scenario\'s "components" and run the scenario';
}

function runElf(file: string, flags: RunFlags): number {
  const bad = elfOptionError(file, flags);
  if (bad !== undefined) return usage(bad);
  const inputs = readElfInputs(file, flags);
  if (!inputs.ok) return usage(inputs.error);
  const component = componentProgramError(file, inputs.bytes);
  if (component !== undefined) return usage(component);
  const out = new OutputBuffer(1, flags.json === true);
  const m = new Machine({ ramSize: (flags.ramMib ?? DEFAULT_RAM_MIB) * 1024 * 1024, uartInput: inputs.input, onOutput: (b) => out.push(b) });
  const loaded = m.loadElf(inputs.bytes);
  if (!loaded.ok) return usage(`${file}: ${loaded.error}`);
  let tracer: Tracer | undefined;
  if (flags.trace !== undefined || flags.traceFile !== undefined) {
    const opened = Tracer.open(flags.traceFile);
    if (!opened.ok) return usage(opened.error);
    tracer = opened.tracer;
  }
  const limit = flags.maxInsns ?? Infinity;
  let result;
  try {
    do {
      result = m.run({ maxInsns: Math.min(CHUNK, limit - m.executed), trace: tracer?.entry });
      out.flush();
      tracer?.flush();
    } while (result.reason === 'limit' && m.executed < limit);
  } finally {
    out.flush();
    tracer?.close();
  }
  const status = result.reason === 'exit' ? Math.min(result.exitCode, 255) : result.reason === 'limit' ? EXIT_LIMIT : EXIT_IDLE;
  if (flags.hash) writeStderr(`state-hash: ${m.stateHash()}\n`);
  if (result.reason === 'limit') {
    writeStderr(`rtcr: stopped after ${m.executed} instructions (--max-insns) at pc 0x${hex(m.hart.pc)}; the guest did not exit\n`);
  } else if (result.reason === 'idle') {
    writeStderr(`rtcr: the hart waits (wfi) at pc 0x${hex(m.hart.pc)} for an interrupt that nothing can send\n`);
  }
  if (flags.json) {
    const exit = { status, reason: result.reason, ...(result.exitKind === undefined ? {} : { kind: result.exitKind }) };
    const doc = { exit, uart: m.outputText(), stateHash: m.stateHash(), instructions: m.executed };
    writeAllSync(1, Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8'));
  }
  return status;
}

const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
