// Runs one test file's program for `rtcr test`, in-process with the library (no child process),
// and collects what its expectations can be compared with.
import { Machine, type RunResult } from '../dev/machine';
import { Init, type LogLine } from '../kernel/init';
import type { KernelStop } from '../kernel/kernel';
import { parseTimeNs } from '../kernel/scenario';
import { kernelStateHash } from '../kernel/statehash';
import { Rtcr } from '../rtcr/rtcr';
import { EXIT_IDLE, EXIT_LIMIT, scenarioOutcome, type Outcome } from './outcome';
import type { ElfSpec, TestSpec } from './testspec';
import { traceLine, type TraceLineFormatter } from './testtrace';

/** What a scenario run produced. */
export interface ScenarioActual {
  kind: 'scenario';
  outcome: Outcome;
  insnsPerSecond: number;
  log: LogLine[];
  stateHash: string;
  /** Instructions per component (scenario order). */
  instructions: Record<string, number>;
}

/** What an ELF run produced. */
export interface ElfActual {
  kind: 'elf';
  status: number;
  /** Why the run stopped, for people: `exit`, `--max-insns ran out`, `idle`. */
  reason: string;
  uart: string;
  stateHash: string;
  instructions: number;
  /** The trace lines, if the spec expects a trace (or `--update` writes one). */
  trace?: string[];
}

export type Actual = ScenarioActual | ElfActual;

export type RunOutcome = { ok: true; actual: Actual } | { ok: false; error: string };

/** Runs `spec`'s program as its expectations say (to `until`, or to `maxInsns`). */
export function runSpec(spec: TestSpec, format: TraceLineFormatter = traceLine): RunOutcome {
  return spec.kind === 'scenario' ? runScenarioSpec(spec) : runElfSpec(spec.file, spec.spec, spec.readFile, format);
}

/**
 * Boots the scenario (under Rtcr if it has an `rtcr` section, taking its checkpoints at every
 * multiple of `every` as `rtcr run` does) and runs it to `expect.until` or to the end.
 */
function runScenarioSpec(spec: Extract<TestSpec, { kind: 'scenario' }>): RunOutcome {
  const scenario = spec.scenario;
  const opts = { scenario, readFile: spec.readFile };
  const underRtcr = scenario.rtcr;
  const booted = underRtcr === undefined ? undefined : Rtcr.boot(opts, { granularity: underRtcr.granularity, mode: underRtcr.mode });
  if (booted !== undefined && !booted.ok) return { ok: false, error: `${spec.file}: ${booted.message}` };
  const created = booted?.ok ? { ok: true as const, init: booted.rtcr.init } : Init.create(opts);
  if (!created.ok) return { ok: false, error: `${spec.file}: ${created.message}` };
  const init = created.init;
  const untilNs = parseTimeNs(scenario.expect?.until ?? '') ?? Infinity;
  const every = booted?.ok && underRtcr?.every !== undefined ? parseTimeNs(underRtcr.every) ?? Infinity : Infinity;
  let stop: KernelStop = 'until';
  // A checkpoint at each multiple of `every` up to and including `until`, like `rtcr run`.
  for (let t = every; t <= untilNs && stop === 'until'; t += every) {
    stop = init.runUntilNs(t);
    if (stop === 'until' && booted?.ok) booted.rtcr.checkpoint();
  }
  if (stop === 'until') stop = init.runUntilNs(untilNs);
  const instructions: Record<string, number> = {};
  for (const c of init.components.values()) instructions[c.name] = c.task.stats.instructions;
  return {
    ok: true,
    actual: {
      kind: 'scenario',
      outcome: scenarioOutcome(init, stop),
      insnsPerSecond: scenario.clock.insnsPerSecond,
      log: [...init.log],
      stateHash: kernelStateHash(init.kernel),
      instructions,
    },
  };
}

/** Runs an ELF on the board for at most `maxInsns` instructions, tracing if a trace is expected. */
function runElfSpec(file: string, spec: ElfSpec, readFile: (p: string) => Uint8Array | undefined, format: TraceLineFormatter): RunOutcome {
  const bytes = readFile(spec.elf);
  if (bytes === undefined) return { ok: false, error: `${file}: elf: ${spec.elf} not found` };
  let uart = '';
  const input = spec.input === undefined ? undefined : Uint8Array.from(spec.input, (ch) => ch.charCodeAt(0) & 0xff);
  const m = new Machine({ ramSize: spec.ramMiB * 1024 * 1024, uartInput: input, onOutput: (b) => { uart += String.fromCharCode(b); } });
  const loaded = m.loadElf(bytes);
  if (!loaded.ok) return { ok: false, error: `${file}: elf: ${spec.elf}: ${loaded.error}` };
  const trace: string[] | undefined = spec.expect.trace === undefined ? undefined : [];
  const result = m.run({ maxInsns: spec.maxInsns, trace: trace === undefined ? undefined : (e) => { trace.push(format(m, e)); } });
  const { status, reason } = elfStatus(result);
  return { ok: true, actual: { kind: 'elf', status, reason, uart, stateHash: m.stateHash(), instructions: m.executed, trace } };
}

/** An ELF run's exit status as `rtcr run` gives it. */
function elfStatus(r: RunResult): { status: number; reason: string } {
  switch (r.reason) {
    case 'exit': return { status: Math.min(r.exitCode, 255), reason: `the guest exited with ${r.exitCode}` };
    case 'limit': return { status: EXIT_LIMIT, reason: 'maxInsns ran out' };
    case 'idle': return { status: EXIT_IDLE, reason: 'the hart waits for an interrupt nothing can send' };
  }
}
