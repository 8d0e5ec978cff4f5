// One test file, start to end: load and validate it, run it, compare (or --update) its
// expectations. The result is plain data, so a worker thread can post it back.
import { compareElf, compareScenario, type Failure } from './expect';
import { runSpec } from './testrun';
import { loadTestSpec } from './testspec';
import { traceFileLines, traceFileText } from './testtrace';
import { elfExpectation, scenarioExpectation, writeExpectation } from './testupdate';

export interface TestResult {
  file: string;
  /** pass: every expectation held (or --update rewrote them); fail: some did not; error: bad file. */
  outcome: 'pass' | 'fail' | 'error';
  failures: Failure[];
  /** For 'error': one line naming the file and field. */
  error?: string;
  /** --update changed the file. */
  updated?: boolean;
  /** Host time of the test in milliseconds. */
  ms: number;
}

export interface TestCaseOptions {
  update?: boolean;
}

/** Runs the test in `file`. Never throws for bad input: that is an 'error' result. */
export function runTestFile(file: string, opts: TestCaseOptions = {}): TestResult {
  const t0 = performance.now();
  const r = runTest(file, opts);
  return { ...r, file, ms: performance.now() - t0 };
}

/**
 * runTestFile, with a host exception (a bug in rtcr, never the guest's doing) turned into an
 * 'error' result, so one broken test does not stop the suite.
 */
export function safeRunTestFile(file: string, opts: TestCaseOptions = {}): TestResult {
  try {
    return runTestFile(file, opts);
  } catch (e) {
    return { file, outcome: 'error', failures: [], error: `${file}: internal error: ${(e as Error).message}`, ms: 0 };
  }
}

function runTest(file: string, opts: TestCaseOptions): Omit<TestResult, 'file' | 'ms'> {
  const loaded = loadTestSpec(file);
  if (!loaded.ok) return { outcome: 'error', failures: [], error: loaded.error };
  const spec = loaded.spec;
  let expectedTrace: string[] | undefined;
  if (spec.kind === 'elf' && spec.spec.expect.trace !== undefined && !opts.update) {
    const bytes = spec.readFile(spec.spec.expect.trace);
    if (bytes === undefined) return { outcome: 'error', failures: [], error: `${file}: expect.trace: ${spec.spec.expect.trace} not found` };
    expectedTrace = traceFileLines(Buffer.from(bytes).toString('utf8'));
  }
  const ran = runSpec(spec);
  if (!ran.ok) return { outcome: 'error', failures: [], error: ran.error };
  const a = ran.actual;
  if (opts.update) {
    const old = (JSON.parse(spec.text) as { expect: Record<string, unknown> }).expect ?? {};
    const next = a.kind === 'scenario' ? scenarioExpectation(old, a) : elfExpectation(old, a);
    const changed = JSON.stringify(old) !== JSON.stringify(next) || traceChanged(spec.readFile, next.trace, a.kind === 'elf' ? a.trace : undefined);
    const err = changed ? writeExpectation(spec, next, a.kind === 'elf' ? a.trace : undefined) : undefined;
    if (err !== undefined) return { outcome: 'error', failures: [], error: err };
    return { outcome: 'pass', failures: [], updated: changed };
  }
  const failures = a.kind === 'scenario'
    ? compareScenario(spec.kind === 'scenario' ? spec.scenario.expect ?? {} : {}, a)
    : compareElf(spec.kind === 'elf' ? spec.spec.expect : {}, a, expectedTrace);
  return { outcome: failures.length === 0 ? 'pass' : 'fail', failures };
}

/** True if the trace file `name` does not hold `trace` yet. */
function traceChanged(readFile: (p: string) => Uint8Array | undefined, name: unknown, trace: readonly string[] | undefined): boolean {
  if (typeof name !== 'string' || trace === undefined) return false;
  const bytes = readFile(name);
  return bytes === undefined || Buffer.from(bytes).toString('utf8') !== traceFileText(trace);
}
