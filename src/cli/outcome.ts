// How a scenario run (or a restored one) ended, as an exit status and as a JSON document. One
// place for both, so `rtcr run`, `rtcr restore` and `rtcr test` agree on what a run's result is.
import type { Init, LogLine } from '../kernel/init';
import type { KernelStop } from '../kernel/kernel';
import { kernelStateHash } from '../kernel/statehash';
import type { ComponentStats } from '../kernel/task';

/**
 * Exit statuses of `rtcr run`/`rtcr restore` on a scenario (an ELF's own status passes through
 * instead of EXIT_COMPONENT_STATUS/EXIT_FAULT). 0: the run went as the scenario says.
 */
export const EXIT_OK = 0;
/** A component exited with a non-zero status (and none faulted). */
export const EXIT_COMPONENT_STATUS = 1;
/** Bad input or option: nothing ran. */
export const EXIT_USAGE = 2;
/** A component faulted (an exception its thread could not take, or a fault nobody resolved). */
export const EXIT_FAULT = 3;
/** --max-insns ran out before the run ended. */
export const EXIT_LIMIT = 124;
/** Every thread waits for something that can never come. */
export const EXIT_IDLE = 125;
/** The reader of our output closed the pipe (as for a command killed by SIGPIPE): the run stopped. */
export const EXIT_PIPE = 141;

/** Why a run stopped: the kernel's reason, or 'limit' when --max-insns ran out. */
export type StopReason = KernelStop | 'limit';

export type OutcomeReason = 'until' | 'exited' | 'idle' | 'limit' | 'fault' | 'component-status';

export interface Outcome {
  status: number;
  reason: OutcomeReason;
  /** The first component (in scenario order) that faulted or exited non-zero, and why. */
  component?: string;
  detail?: string;
}

/**
 * The result of a run that stopped for `stop`: a fault anywhere wins, then a non-zero exit, then
 * the stop itself ('idle' and 'limit' are failures; 'until' and 'exited' are success).
 */
export function scenarioOutcome(init: Init, stop: StopReason): Outcome {
  let exited: Outcome | undefined;
  for (const c of init.components.values()) {
    const end = c.task.end;
    if (end?.kind === 'fault') return { status: EXIT_FAULT, reason: 'fault', component: c.name, detail: end.reason };
    if (end?.kind === 'exit' && end.code !== 0 && exited === undefined) {
      exited = { status: EXIT_COMPONENT_STATUS, reason: 'component-status', component: c.name, detail: `exited with status ${end.code}` };
    }
  }
  if (exited !== undefined) return exited;
  switch (stop) {
    case 'idle': return { status: EXIT_IDLE, reason: 'idle', detail: 'every thread waits for something that can never come' };
    case 'limit': return { status: EXIT_LIMIT, reason: 'limit', detail: '--max-insns ran out' };
    default: return { status: EXIT_OK, reason: stop };
  }
}

/** A log line for JSON: virtual cycles and nanoseconds, the label, the text. */
export interface JsonLogLine {
  cycles: number;
  timeNs: number;
  label: string;
  text: string;
}

/** The JSON document of a scenario run or restore (`--json`). */
export interface RunDocument {
  exit: Outcome;
  virtualTimeNs: number;
  stateHash: string;
  log: JsonLogLine[];
  stats: Record<string, ComponentStats>;
}

/** Virtual nanoseconds of `cycles` at `init`'s clock (exact when a cycle is a whole number of ns). */
export function cyclesToNs(init: Init, cycles: number): number {
  const ips = init.scenario.clock.insnsPerSecond;
  const nsPerCycle = 1e9 / ips;
  return Number.isInteger(nsPerCycle) ? cycles * nsPerCycle : (cycles * 1e9) / ips;
}

/** The log lines of `init` (those this init wrote; a restore's start after the checkpoint). */
export function jsonLog(init: Init, lines: readonly LogLine[] = init.log): JsonLogLine[] {
  return lines.map((l) => ({ cycles: l.cycles, timeNs: cyclesToNs(init, l.cycles), label: l.label, text: l.text }));
}

/** Everything a script needs to know about a finished run. */
export function runDocument(init: Init, outcome: Outcome): RunDocument {
  const stats: Record<string, ComponentStats> = {};
  for (const c of init.components.values()) stats[c.name] = { ...c.task.stats };
  return {
    exit: outcome,
    virtualTimeNs: cyclesToNs(init, init.kernel.now()),
    stateHash: kernelStateHash(init.kernel),
    log: jsonLog(init),
    stats,
  };
}
