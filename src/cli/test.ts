// `rtcr test [FILES|DIRS]`: runs the expectations of scenarios and ELF specs as a suite, in
// parallel worker threads, and reports in input order (for people, JUnit XML, TAP 13).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { positiveInt } from './common';
import { EXIT_USAGE } from './outcome';
import { safeRunTestFile, type TestResult } from './testcase';
import { humanResult, humanSummary, junitXml, tally, tapReport } from './testreport';
import { hasExpect } from './testspec';
import type { TestJob } from './testworker';

export interface TestFlags {
  jobs?: number;
  update?: boolean;
  junit?: string;
  /** A file for the TAP report, or `-`: stdout. */
  tap?: string;
}

/** Where `rtcr test` writes (process.stdout and process.stderr; a test passes its own). */
export interface TestIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown; isTTY?: boolean };
}

/** Exit status when some expectation did not hold. */
const EXIT_FAILED = 1;

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run the expectations of scenarios (an "expect" section) and ELF specs (NAME.test.json with an "elf" field) ' +
      'as a test suite: log lines with virtual times, exit status, state hash, instruction counts, UART output, traces')
    .argument('[paths...]', 'test files, or directories searched recursively for *.json files with an "expect" section', ['.'])
    .option('-j, --jobs <n>', 'run n test files at a time in worker threads (default: the number of CPUs)', positiveInt('--jobs', 256))
    .option('--update', 'rewrite each file\'s expectations with what its run produced (the fields it has; all if none)')
    .option('--junit <file>', 'also write a JUnit XML report to file')
    .option('--tap <file>', 'also write a TAP 13 report to file; - for stdout (the report for people then goes to stderr)')
    .addHelpText('after', `
A scenario runs to expect.until (or until every component ended or waits forever); an ELF spec
runs to its exit or maxInsns. Each field of "expect" given is compared; the first divergence is
shown as a diff. Results come in input order; on a terminal stderr shows a progress line.
Exit status: 0 every test passed, ${EXIT_FAILED} some expectation failed, ${EXIT_USAGE} a bad option or
path, or a test file that is not valid (reported per file, naming the field; the rest still run).
Files, fields and --update: docs/testing.md.`)
    .action(async (paths: string[], flags: TestFlags) => {
      process.exitCode = await testCommand(paths, flags, { stdout: process.stdout, stderr: process.stderr });
    });
}

/**
 * Runs the test files in `paths` and reports on `io`; returns the exit status. Results are
 * printed in input order as soon as every earlier file is done.
 */
export async function testCommand(paths: readonly string[], flags: TestFlags, io: TestIo): Promise<number> {
  const usage = (message: string) => { io.stderr.write(`rtcr: ${message}\n`); return EXIT_USAGE; };
  const found = findTestFiles(paths);
  if (!found.ok) return usage(found.error);
  if (found.files.length === 0) return usage(`no test files (*.json with an "expect" section) in ${paths.join(' ')}`);
  const files = found.files;
  const human = flags.tap === '-' ? io.stderr : io.stdout;
  const progress = new Progress(files.length, io.stderr);
  const results: TestResult[] = new Array(files.length);
  let printed = 0;
  const t0 = performance.now();
  await runAll(files, jobsFor(flags.jobs, files.length), flags.update === true, (i, r) => {
    results[i] = r;
    progress.count(r);
    // Print in input order: every result up to the first one still running.
    while (printed < files.length && results[printed] !== undefined) progress.write(human, humanResult(results[printed++]));
    progress.draw();
  });
  progress.clear();
  const ms = performance.now() - t0;
  const t = tally(results);
  human.write(humanSummary(t, ms));
  const wrote = writeReports(results, ms, flags, io);
  if (wrote !== undefined) return usage(wrote);
  return t.errors > 0 ? EXIT_USAGE : t.failed > 0 ? EXIT_FAILED : 0;
}

/** Writes --junit and --tap; returns an error message, or undefined. */
function writeReports(results: TestResult[], ms: number, flags: TestFlags, io: TestIo): string | undefined {
  try {
    if (flags.junit !== undefined) writeFileSync(flags.junit, junitXml(results, ms));
    if (flags.tap !== undefined && flags.tap !== '-') writeFileSync(flags.tap, tapReport(results));
  } catch (e) {
    return `cannot write the report: ${(e as Error).message}`;
  }
  if (flags.tap === '-') io.stdout.write(tapReport(results));
  return undefined;
}

/** Worker threads to use: -j, else one per CPU; never more than there are files. */
function jobsFor(jobs: number | undefined, files: number): number {
  return Math.max(1, Math.min(jobs ?? availableParallelism(), files));
}

/**
 * Test files in `paths`, in order (each directory's files sorted by path; a file named twice
 * counts once). A named file is a test file; in a directory, a *.json file is one if it parses
 * as a JSON object with an "expect" member (node_modules and dot directories are not searched).
 */
export function findTestFiles(paths: readonly string[]): { ok: true; files: string[] } | { ok: false; error: string } {
  const files: string[] = [];
  for (const p of paths) {
    let dir: boolean;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      return { ok: false, error: `${p}: no such file or directory` };
    }
    if (!dir) files.push(p);
    else files.push(...walk(p).filter(isTestFile));
  }
  return { ok: true, files: [...new Set(files)] };
}

/** Every *.json file below `dir`, sorted. */
function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && !e.name.startsWith('.')) out.push(...walk(p));
    else if (e.isFile() && e.name.endsWith('.json')) out.push(p);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function isTestFile(p: string): boolean {
  try {
    return hasExpect(JSON.parse(readFileSync(p, 'utf8')));
  } catch {
    return false;
  }
}

/** Where the bundled worker is (dist/rtcr-test-worker.js beside dist/rtcr.js). */
const WORKER = new URL('./rtcr-test-worker.js', import.meta.url);

/**
 * Runs every file, calling `done(index, result)` as each finishes (in any order): in `jobs`
 * worker threads, or in this thread for one job (or when not running from the bundle).
 */
function runAll(files: string[], jobs: number, update: boolean, done: (i: number, r: TestResult) => void): Promise<void> {
  if (jobs <= 1 || !existsSync(fileURLToPath(WORKER))) {
    files.forEach((f, i) => done(i, safeRunTestFile(f, { update })));
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    let next = 0;
    let finished = 0;
    const finish = (i: number, r: TestResult) => {
      done(i, r);
      if (++finished === files.length) resolve();
    };
    const spawn = () => {
      const w = new Worker(WORKER);
      let current = -1;
      const feed = () => {
        if (next >= files.length) { void w.terminate(); return; }
        current = next++;
        w.postMessage({ index: current, file: files[current], update } satisfies TestJob);
      };
      w.on('message', (m: { index: number; result: TestResult }) => { finish(m.index, m.result); feed(); });
      // A worker that dies (out of memory, say) fails its file; a fresh one takes the rest.
      w.on('error', (e) => {
        if (current >= 0) finish(current, { file: files[current], outcome: 'error', failures: [], error: `${files[current]}: worker died: ${e.message}`, ms: 0 });
        current = -1;
        if (next < files.length) spawn();
      });
      feed();
    };
    for (let k = 0; k < jobs; k++) spawn();
  });
}

/** The `[3/12] passed 2, failed 1` line on stderr, if stderr is a terminal. */
class Progress {
  private readonly tty: boolean;
  private done = 0;
  private passed = 0;
  private failed = 0;
  private errors = 0;
  private shown = false;
  constructor(private readonly total: number, private readonly stderr: TestIo['stderr']) {
    this.tty = stderr.isTTY === true;
  }
  count(r: TestResult): void {
    this.done++;
    if (r.outcome === 'pass') this.passed++;
    else if (r.outcome === 'fail') this.failed++;
    else this.errors++;
  }
  /** Writes `text` to `stream` without mixing it into the progress line. */
  write(stream: TestIo['stdout'], text: string): void {
    this.clear();
    stream.write(text);
  }
  draw(): void {
    if (!this.tty) return;
    const errors = this.errors > 0 ? `, errors ${this.errors}` : '';
    this.stderr.write(`\r[${this.done}/${this.total}] passed ${this.passed}, failed ${this.failed}${errors}\x1b[K`);
    this.shown = true;
  }
  clear(): void {
    if (this.shown) this.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}

