// Helpers the rtcr subcommands share: exit statuses, option parsers, output, scenario loading.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Init, LogLine } from '../kernel/init';
import { kernelStateHash } from '../kernel/statehash';
import { safeText } from '../kernel/sanitize';
import { parseScenario, parseTimeNs, type Scenario } from '../kernel/scenario';

import { fileErrorText, OutputBuffer, writeAllSync, writeStderr } from './output';
import { cyclesToNs, EXIT_USAGE, runDocument, scenarioOutcome, type Outcome, type StopReason } from './outcome';
import { Tracer, type TraceOptions } from './trace';

// Exit statuses of our own (a guest's exit code otherwise passes through, capped at 255).
export { EXIT_IDLE, EXIT_LIMIT, EXIT_PIPE, EXIT_USAGE } from './outcome';
export { OutputBuffer, writeStderr } from './output';

/** A commander parser for a whole number from 1 to `max`. */
export function positiveInt(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0 || n > max) {
      throw new InvalidArgumentError(`${what} must be a whole number from 1 to ${max}`);
    }
    return n;
  };
}

/** A commander parser for a virtual time (`5s`, `250ms`): nanoseconds. */
export function virtualTime(v: string): number {
  const ns = parseTimeNs(v);
  if (ns === undefined || ns <= 0) throw new InvalidArgumentError('a virtual time is a positive number with a unit: ns, us, ms or s (e.g. 5s)');
  return ns;
}

/** Prints `rtcr: message` on stderr; returns the usage exit status. */
export function usage(message: string): number {
  writeStderr(`rtcr: ${message}\n`);
  return EXIT_USAGE;
}

/** A virtual time for people. */
export function formatNs(ns: number): string {
  return ns >= 1e9 ? `${(ns / 1e9).toFixed(3)} s` : ns >= 1e6 ? `${(ns / 1e6).toFixed(3)} ms` : `${(ns / 1e3).toFixed(3)} us`;
}

/** Per-component counters and the virtual time, on stderr (--stats). */
export function printStats(init: Init): void {
  const rows = [['component', 'instructions', 'page faults', 'syscalls', 'ctx switches', 'irqs']];
  for (const { task } of init.components.values()) {
    const s = task.stats;
    rows.push([task.label.replace(/^init -> /, ''), s.instructions, s.pageFaults, s.syscalls, s.contextSwitches, s.irqs].map(String));
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  writeStderr(`virtual time ${formatNs(nowNs(init))}\n${lines.join('\n')}\n`);
}

/** Reads and validates a scenario; programs are read relative to it. */
export function loadScenario(file: string): { ok: true; scenario: Scenario; readFile: (p: string) => Uint8Array | undefined } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, error: `${file}: ${fileErrorText(e)}` };
  }
  const parsed = parseScenario(text, file);
  if (!parsed.ok) return parsed;
  const dir = dirname(resolve(file));
  return {
    ok: true,
    scenario: parsed.scenario,
    readFile: (p) => { try { return readFileSync(resolve(dir, p)); } catch { return undefined; } },
  };
}

/**
 * Prints log lines as `[label] text` through `out`, with control characters shown as `\xNN`
 * (safeText): a guest's text or a crafted image's label cannot forge lines or drive the terminal.
 */
export function logPrinter(out: OutputBuffer): (line: LogLine) => void {
  return (line) => { for (const ch of `[${safeText(line.label)}] ${safeText(line.text)}\n`) out.push(ch.charCodeAt(0) & 0xff); };
}

/** Virtual nanoseconds of `init`'s clock now. */
export function nowNs(init: Init): number {
  return cyclesToNs(init, init.kernel.now());
}

/**
 * How runAndReport runs and reports. The fields a caller (`rtcr run`, `rtcr restore`) sets from
 * its options:
 * - untilNs    --until, in ns (Infinity without it)
 * - stats      --stats: per-component counters on stderr
 * - hash       --hash: the state hash on stderr
 * - json       --json: the run document (outcome.ts runDocument) on stdout, and nothing else
 *              there; create the OutputBuffer given to the log printer with `quiet` set too, so
 *              no log line written before runAndReport (e.g. during a restore) reaches stdout
 * - trace      --trace/--trace-component/--trace-file: { file?: path, components?: names }
 *              (undefined: no tracing; components undefined: every component)
 * - maxInsns   --max-insns: stop after this many guest instructions of this run (status 124)
 * - every, atEvery  Rtcr's periodic checkpoints (rtcr.every of a scenario)
 */
export interface RunReport {
  /**
   * Stop at this virtual time (ns); Infinity: until every component ended or waits forever. The
   * run covers [0, untilNs): what happens at exactly untilNs (a log line, a checkpoint's next
   * instruction) is left for a later run, so a restore of a checkpoint at T prints it.
   */
  untilNs: number;
  stats?: boolean;
  hash?: boolean;
  json?: boolean;
  trace?: TraceOptions;
  maxInsns?: number;
  /** Also stop at every multiple of `every` ns and call `atEvery` there (Rtcr's checkpoints). */
  every?: number;
  atEvery?: (ns: number) => void;
}

/**
 * Runs `init` in slices that end at whole virtual seconds (so the log streams out during a long
 * run) and at multiples of `every`; then prints --stats, --hash and a notice for a failed run on
 * stderr, or with --json the run document on stdout. Returns the exit status (outcome.ts), or
 * EXIT_USAGE if the trace file cannot be opened (then nothing ran).
 */
export function runAndReport(init: Init, out: OutputBuffer, r: RunReport): number {
  if (r.json) out.quiet = true;
  let tracer: Tracer | undefined;
  if (r.trace !== undefined) {
    const opened = Tracer.open(r.trace.file);
    if (!opened.ok) return usage(opened.error);
    tracer = opened.tracer;
    tracer.attach(init.kernel, r.trace.components);
  }
  if (r.maxInsns !== undefined) init.kernel.insnLimit = init.kernel.executed + r.maxInsns;
  let stop: StopReason;
  try {
    stop = runSlices(init, out, r, tracer);
  } finally {
    tracer?.close();
    init.kernel.traceThread = undefined;
  }
  const outcome = scenarioOutcome(init, stop);
  if (r.stats) printStats(init);
  if (r.hash) writeStderr(`state-hash: ${kernelStateHash(init.kernel)}\n`);
  const notice = failureNotice(init, outcome);
  if (notice !== undefined) writeStderr(`rtcr: ${notice}\n`);
  if (r.json) writeAllSync(1, JSON.stringify(runDocument(init, outcome), null, 2) + '\n');
  return outcome.status;
}

/** The slices of runAndReport; returns why the run stopped. */
function runSlices(init: Init, out: OutputBuffer, r: RunReport, tracer: Tracer | undefined): StopReason {
  const every = r.every !== undefined && r.every > 0 ? r.every : Infinity;
  let next = every;
  while (next <= nowNs(init)) next += every;
  for (let t = nowNs(init); ;) {
    t = Math.min(Math.floor(t / 1e9) * 1e9 + 1e9, r.untilNs, next);
    const stop = init.runUntilNs(t);
    out.flush();
    tracer?.flush();
    if (t === next && stop === 'until') {
      r.atEvery?.(t);
      next += every;
    }
    if (stop !== 'until' || t >= r.untilNs) return stop;
  }
}

/** One line for stderr about a run that did not go as the scenario says (undefined: it did). */
function failureNotice(init: Init, o: Outcome): string | undefined {
  const at = `at ${formatNs(nowNs(init))}`;
  switch (o.reason) {
    case 'fault': return `${at} component ${o.component} faulted: ${o.detail}`;
    case 'component-status': return `${at} component ${o.component} ${o.detail}`;
    case 'idle': return `${at} every thread waits for something that can never come`;
    case 'limit': return `stopped after ${init.kernel.executed} instructions (--max-insns) ${at}`;
    default: return undefined;
  }
}
