// Compares a test file's expectations with what its run produced: one Failure per field that
// differs, each with a message (one line) and the lines of a diff for people.
import type { LogLine } from '../kernel/init';
import { parseTimeNs, type Scenario } from '../kernel/scenario';
import type { ElfActual, ScenarioActual } from './testrun';
import type { ElfExpectation } from './testspec';
import { traceDiff } from './testtrace';

export interface Failure {
  /** The expectation that failed: `status`, `log`, `stateHash`, `instructions`, `uart`, `trace`. */
  field: string;
  /** One line: what was expected and what happened. */
  message: string;
  /** Further lines: the diff around the first divergence. */
  diff: string[];
}

type ScenarioExpectation = NonNullable<Scenario['expect']>;

/** Log lines of context shown before a divergence (and after it, of each side). */
const LOG_CONTEXT = 2;

/** A log line as `rtcr run` prints it. */
export const logText = (l: LogLine): string => `[${l.label}] ${l.text}`;

/**
 * A virtual time for an expectation: seconds with 9 decimals (`"1.500000000s"`) when `cycles`
 * is a whole number of nanoseconds at `insnsPerSecond`, else the cycle count itself.
 */
export function formatAt(cycles: number, insnsPerSecond: number): string | number {
  const ns = (cycles * 1e9) / insnsPerSecond;
  if (!Number.isSafeInteger(ns)) return cycles;
  return `${Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}s`;
}

/** Cycles of an expected `at` (a time string or a cycle count) at `insnsPerSecond`. */
export function atCycles(at: string | number, insnsPerSecond: number): number {
  return typeof at === 'number' ? at : Math.round(((parseTimeNs(at) ?? NaN) * insnsPerSecond) / 1e9);
}

/** Every way the scenario run differs from `exp`. */
export function compareScenario(exp: ScenarioExpectation, actual: ScenarioActual): Failure[] {
  const failures: Failure[] = [];
  const o = actual.outcome;
  if (exp.status !== undefined && exp.status !== o.status) {
    const why = [o.reason, o.component, o.detail].filter((s) => s !== undefined).join(': ');
    failures.push({ field: 'status', message: `status: expected ${exp.status}, actual ${o.status} (${why})`, diff: [] });
  }
  if (exp.log !== undefined) {
    const f = logFailure(exp.log, actual.log, actual.insnsPerSecond);
    if (f !== undefined) failures.push(f);
  }
  if (exp.stateHash !== undefined && exp.stateHash !== actual.stateHash) {
    failures.push({ field: 'stateHash', message: `stateHash: expected ${exp.stateHash}, actual ${actual.stateHash}`, diff: [] });
  }
  for (const [name, n] of Object.entries(exp.instructions ?? {})) {
    const got = actual.instructions[name];
    if (got !== n) failures.push({ field: 'instructions', message: `instructions.${name}: expected ${n}, actual ${got}`, diff: [] });
  }
  return failures;
}

/** Every way the ELF run differs from `exp`; `trace` is the expected trace's lines if one is expected. */
export function compareElf(exp: ElfExpectation, actual: ElfActual, trace?: readonly string[]): Failure[] {
  const failures: Failure[] = [];
  if (exp.status !== undefined && exp.status !== actual.status) {
    failures.push({ field: 'status', message: `status: expected ${exp.status}, actual ${actual.status} (${actual.reason})`, diff: [] });
  }
  if (exp.uart !== undefined && exp.uart !== actual.uart) {
    const d = linesDiff(splitLines(exp.uart), splitLines(actual.uart));
    failures.push({ field: 'uart', message: `uart: output differs at line ${d.index}`, diff: d.lines });
  }
  if (exp.stateHash !== undefined && exp.stateHash !== actual.stateHash) {
    failures.push({ field: 'stateHash', message: `stateHash: expected ${exp.stateHash}, actual ${actual.stateHash}`, diff: [] });
  }
  if (exp.instructions !== undefined && exp.instructions !== actual.instructions) {
    failures.push({ field: 'instructions', message: `instructions: expected ${exp.instructions}, actual ${actual.instructions}`, diff: [] });
  }
  if (trace !== undefined && actual.trace !== undefined) {
    const d = traceDiff(trace, actual.trace);
    if (d !== undefined) {
      failures.push({ field: 'trace', message: `trace: first difference at instruction ${d.index} (line ${d.index} of ${exp.trace})`, diff: d.lines });
    }
  }
  return failures;
}

/** UART text as lines, each with its line end shown (`\n` kept as the escape, so it is visible). */
function splitLines(s: string): string[] {
  return (s.match(/[^\n]*\n|[^\n]+$/g) ?? []).map((l) => JSON.stringify(l).slice(1, -1));
}

/** The first divergent log line: its text or its time differs, or one log is longer. */
function logFailure(exp: ScenarioExpectation['log'] & object, act: readonly LogLine[], ips: number): Failure | undefined {
  const at = (l: LogLine) => formatAt(l.cycles, ips);
  const n = Math.min(exp.length, act.length);
  let i = 0;
  let what = '';
  for (; i < n; i++) {
    const e = exp[i];
    if (e.line !== logText(act[i])) { what = 'text'; break; }
    if (e.at !== undefined && atCycles(e.at, ips) !== act[i].cycles) { what = 'time'; break; }
  }
  if (i === n && exp.length === act.length) return undefined;
  const lines: string[] = [];
  const num = (k: number) => String(k + 1).padStart(4);
  const show = (t: string | number | undefined) => String(t ?? '').padEnd(14);
  for (let k = Math.max(0, i - LOG_CONTEXT); k < i; k++) lines.push(`  ${num(k)}  ${show(at(act[k]))}  ${logText(act[k])}`);
  for (let k = i; k < Math.min(exp.length, i + 1 + LOG_CONTEXT); k++) lines.push(`- ${num(k)}  ${show(exp[k].at)}  ${exp[k].line}`);
  for (let k = i; k < Math.min(act.length, i + 1 + LOG_CONTEXT); k++) lines.push(`+ ${num(k)}  ${show(at(act[k]))}  ${logText(act[k])}`);
  let message: string;
  if (i >= exp.length) message = `log: ${act.length - exp.length} more line(s) than expected, from line ${i + 1}`;
  else if (i >= act.length) message = `log: ${exp.length - act.length} expected line(s) missing, from line ${i + 1}`;
  else if (what === 'time') message = `log: line ${i + 1} at ${at(act[i])}, expected at ${exp[i].at}`;
  else message = `log: line ${i + 1} differs: expected ${JSON.stringify(exp[i].line)}, actual ${JSON.stringify(logText(act[i]))}`;
  return { field: 'log', message, diff: lines };
}

/** The first differing line of two texts' lines, with context. */
function linesDiff(exp: readonly string[], act: readonly string[]): { index: number; lines: string[] } {
  const n = Math.min(exp.length, act.length);
  let i = 0;
  while (i < n && exp[i] === act[i]) i++;
  const lines: string[] = [];
  const num = (k: number) => String(k + 1).padStart(4);
  for (let k = Math.max(0, i - LOG_CONTEXT); k < i; k++) lines.push(`  ${num(k)}  ${act[k]}`);
  lines.push(i < exp.length ? `- ${num(i)}  ${exp[i]}` : `- ${num(i)}  (the expected output ends here)`);
  lines.push(i < act.length ? `+ ${num(i)}  ${act[i]}` : `+ ${num(i)}  (the output ends here)`);
  return { index: i + 1, lines };
}
