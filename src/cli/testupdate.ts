// `rtcr test --update`: rewrites a test file's `expect` section with what the run produced. The
// rest of the file keeps its text; the file is replaced atomically (temp file + rename).
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { formatAt, logText } from './expect';
import type { ElfActual, ScenarioActual } from './testrun';
import type { TestSpec } from './testspec';
import { traceFileText } from './testtrace';

const SCENARIO_CHECKS = ['status', 'log', 'stateHash', 'instructions'] as const;
const ELF_CHECKS = ['status', 'uart', 'stateHash', 'instructions'] as const;

/**
 * The new `expect` object of a scenario: `until` is kept; the checked fields present are
 * rewritten (all of them if none is present).
 */
export function scenarioExpectation(old: Record<string, unknown>, a: ScenarioActual): Record<string, unknown> {
  const all = !SCENARIO_CHECKS.some((k) => k in old);
  const produced: Record<string, unknown> = {
    status: a.outcome.status,
    log: a.log.map((l) => ({ at: formatAt(l.cycles, a.insnsPerSecond), line: logText(l) })),
    stateHash: a.stateHash,
    instructions: a.instructions,
  };
  const next: Record<string, unknown> = {};
  if (old.until !== undefined) next.until = old.until;
  for (const k of SCENARIO_CHECKS) if (all || k in old) next[k] = produced[k];
  return next;
}

/** The new `expect` object of an ELF spec (as scenarioExpectation; `trace` keeps its file name). */
export function elfExpectation(old: Record<string, unknown>, a: ElfActual): Record<string, unknown> {
  const all = !ELF_CHECKS.some((k) => k in old) && !('trace' in old);
  const produced: Record<string, unknown> = { status: a.status, uart: a.uart, stateHash: a.stateHash, instructions: a.instructions };
  const next: Record<string, unknown> = {};
  for (const k of ELF_CHECKS) if (all || k in old) next[k] = produced[k];
  if (old.trace !== undefined) next.trace = old.trace;
  return next;
}

/**
 * Writes `expect` into the test file (and the trace file, if the spec names one) atomically.
 * Returns an error message, or undefined.
 */
export function writeExpectation(spec: TestSpec, expect: Record<string, unknown>, trace?: readonly string[]): string | undefined {
  try {
    if (typeof expect.trace === 'string' && trace !== undefined) {
      atomicWrite(resolve(dirname(resolve(spec.file)), expect.trace), traceFileText(trace));
    }
    atomicWrite(spec.file, replaceExpect(spec.text, expect));
    return undefined;
  } catch (e) {
    return `${spec.file}: cannot write: ${(e as Error).message}`;
  }
}

/** Writes `text` to `path` through a temp file beside it, so readers see the old or the new file. */
function atomicWrite(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try { unlinkSync(tmp); } catch { /* never created */ }
    throw e;
  }
}

/** `text` (a JSON object) with its top-level `expect` member's value replaced (or added last). */
export function replaceExpect(text: string, expect: Record<string, unknown>): string {
  const value = formatExpect(expect);
  const span = topLevelMember(text, 'expect');
  if (span !== undefined) return text.slice(0, span.start) + value + text.slice(span.end);
  const close = text.lastIndexOf('}');
  const body = text.slice(0, close).trimEnd();
  const sep = body.endsWith('{') ? '' : ',';
  return `${body}${sep}\n  "expect": ${value}\n${text.slice(close)}`;
}

/**
 * An expectation as JSON, indented for a top-level member (2 spaces): one log entry per line,
 * the instruction counts on one line.
 */
export function formatExpect(expect: Record<string, unknown>): string {
  const rows = Object.entries(expect).map(([k, v]) => {
    let s: string;
    if (k === 'log' && Array.isArray(v)) {
      s = v.length === 0 ? '[]' : `[\n${v.map((e) => `      ${inline(e)}`).join(',\n')}\n    ]`;
    } else s = inline(v);
    return `    ${JSON.stringify(k)}: ${s}`;
  });
  return rows.length === 0 ? '{}' : `{\n${rows.join(',\n')}\n  }`;
}

/** A value as one line of JSON with a space after `:` and `,` (outside strings). */
function inline(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/** Where the value of top-level member `key` is in JSON object text (already known to parse). */
export function topLevelMember(text: string, key: string): { start: number; end: number } | undefined {
  let i = text.indexOf('{') + 1;
  const ws = () => { while (/\s/.test(text[i] ?? '')) i++; };
  for (;;) {
    ws();
    if (text[i] !== '"') return undefined;
    const kEnd = skipValue(text, i);
    const name = JSON.parse(text.slice(i, kEnd)) as string;
    i = kEnd;
    ws();
    i++; // ':'
    ws();
    const start = i;
    i = skipValue(text, i);
    if (name === key) return { start, end: i };
    ws();
    if (text[i] !== ',') return undefined;
    i++;
  }
}

/** The index just after the JSON value that starts at `i`. */
function skipValue(text: string, i: number): number {
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      if (depth === 0) return i + 1;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
      if (depth < 0) return i;
    } else if (depth === 0 && (c === ',' || /\s/.test(c))) return i;
  }
  return i;
}
