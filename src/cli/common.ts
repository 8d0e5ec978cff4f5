// Helpers the rtcr subcommands share: exit statuses, option parsers, output, scenario loading.
import { readFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import type { Init, LogLine } from '../kernel/init';
import { kernelStateHash } from '../kernel/statehash';
import { parseScenario, parseTimeNs, type Scenario } from '../kernel/scenario';

// Exit statuses of our own (a guest's exit code otherwise passes through, capped at 255).
export { EXIT_IDLE, EXIT_LIMIT, EXIT_USAGE } from './outcome';
import { EXIT_USAGE, runDocument, scenarioOutcome } from './outcome';

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
  process.stderr.write(`rtcr: ${message}\n`);
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
  process.stderr.write(`virtual time ${formatNs(nowNs(init))}\n${lines.join('\n')}\n`);
}

/** Collects output bytes and writes them synchronously, so they stream during a long run. */
export class OutputBuffer {
  private buf = new Uint8Array(4096);
  private len = 0;
  constructor(private readonly fd: number) {}
  push(b: number): void {
    this.buf[this.len++] = b;
    if (this.len === this.buf.length || b === 10) this.flush();
  }
  flush(): void {
    let off = 0;
    while (off < this.len) off += writeSync(this.fd, this.buf, off, this.len - off);
    this.len = 0;
  }
}

/** Reads and validates a scenario; programs are read relative to it. */
export function loadScenario(file: string): { ok: true; scenario: Scenario; readFile: (p: string) => Uint8Array | undefined } | { ok: false; error: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, error: (e as Error).message };
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

/** Prints log lines as `[label] text` through `out`. */
export function logPrinter(out: OutputBuffer): (line: LogLine) => void {
  return (line) => { for (const ch of `[${line.label}] ${line.text}\n`) out.push(ch.charCodeAt(0) & 0xff); };
}

/** Virtual nanoseconds of `init`'s clock now. */
export function nowNs(init: Init): number {
  return (init.kernel.now() / init.scenario.clock.insnsPerSecond) * 1e9;
}

export interface RunReport {
  /** Stop at this virtual time (ns); Infinity: until every component ended or waits forever. */
  untilNs: number;
  stats?: boolean;
  hash?: boolean;
  /** Also stop at every multiple of `every` ns and call `atEvery` there (Rtcr's checkpoints). */
  every?: number;
  atEvery?: (ns: number) => void;
  /** Print the run document (outcome.ts) on stdout at the end, and return its exit status. */
  json?: boolean;
}

/**
 * Runs `init` on in slices that end at whole virtual seconds (so the log streams out during a
 * long run) and at multiples of `every`; then prints --stats, --hash and an idle notice on
 * stderr. Returns the exit status (0).
 */
export function runAndReport(init: Init, out: OutputBuffer, r: RunReport): number {
  const every = r.every !== undefined && r.every > 0 ? r.every : Infinity;
  let next = every;
  while (next <= nowNs(init)) next += every;
  let stop;
  for (let t = nowNs(init); ;) {
    t = Math.min(Math.floor(t / 1e9) * 1e9 + 1e9, r.untilNs, next);
    stop = init.runUntilNs(t);
    out.flush();
    if (t === next && stop === 'until') {
      r.atEvery?.(t);
      next += every;
    }
    if (stop !== 'until' || t >= r.untilNs) break;
  }
  if (r.stats) printStats(init);
  if (r.hash) process.stderr.write(`state-hash: ${kernelStateHash(init.kernel)}\n`);
  if (stop === 'idle') process.stderr.write(`rtcr: at ${formatNs(nowNs(init))} every thread waits for something that can never come\n`);
  if (!r.json) return 0;
  const outcome = scenarioOutcome(init, stop);
  process.stdout.write(JSON.stringify(runDocument(init, outcome), null, 2) + '\n');
  return outcome.status;
}
