// `rtcr checkpoint`: run a scenario under Rtcr and write checkpoint images. (`restore`, `inspect`
// and `merge` live in their own files; they are re-exported here for main.ts.)
import { unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatDuration, minEveryNs, MIN_EVERY_INSNS, parseTimeNs, type Scenario } from '../kernel/scenario';
import type { Image } from '../rtcr/image';
import { Rtcr } from '../rtcr/rtcr';
import type { TrackMode } from '../rtcr/tracking';
import { formatNs, loadScenario, logPrinter, nowNs, OutputBuffer, positiveInt, usage, virtualTime } from './common';
import { ensureDirectory, fsWords, pathKind, readInput, removeIfEmpty, writeAtomically, type Checked } from './files';
import { imageName, loadChain as loadImageChain, scanDirectory } from './images';
import { EXIT_USAGE, runDocument, scenarioOutcome, type Outcome, type RunDocument } from './outcome';

export { registerRestore } from './restore';
export { registerInspect } from './inspect';
export { registerMerge } from './merge';

/**
 * The chain ending at `path` (an image file, or a directory's newest image), root first, as
 * images only: the signature this module had before images.ts (kept for other subcommands).
 */
export function loadChain(path: string): { ok: true; images: Image[] } | { ok: false; error: string } {
  const c = loadImageChain(path);
  return c.ok ? { ok: true, images: c.value.images.map((f) => f.image) } : c;
}

interface CheckpointFlags {
  at: number;
  every?: number;
  count?: number;
  granularity?: number;
  mode?: TrackMode;
  output: string;
  force?: boolean;
  json?: boolean;
}

const granularity = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new InvalidArgumentError('granularity is a whole number of 4 KiB pages from 0 (no tracking) to 65536');
  return n;
};

export function registerCheckpoint(program: Command): void {
  program
    .command('checkpoint')
    .description('run a scenario with its components under Rtcr and write checkpoint images')
    .argument('<scenario>', 'a scenario file (.json)')
    .requiredOption('--at <time>', 'virtual time of the first checkpoint (from boot), e.g. 2s', virtualTime)
    .option('--every <time>', `then one checkpoint every <time> (default: the scenario's rtcr.every; at least ${MIN_EVERY_INSNS} instructions)`, virtualTime)
    .option('--count <n>', 'checkpoints in all (needs --every or the scenario\'s rtcr.every)', positiveInt('--count', 100_000))
    .option('--granularity <g>', 'dirty tracking in designated dataspaces of g x 4 KiB; 0 copies everything every time ' +
      '(default: the scenario\'s rtcr.granularity, else 0)', granularity)
    .addOption(new Option('--mode <mode>', 'access: any access marks a granule; write: only writes do ' +
      '(default: the scenario\'s rtcr.mode, else access)').choices(['access', 'write']))
    .requiredOption('-o, --output <dir>', 'directory for the images (created if missing; must hold no images unless --force)')
    .option('--force', 'replace the checkpoint images already in the output directory (only those: other files stay)')
    .option('--json', 'print one JSON document on stdout instead of the log: the images written and their figures, ' +
      'the log, the state hash and statistics at the last checkpoint, the exit reason')
    .addHelpText('after', `
Tracking: --granularity and --mode override the scenario's "rtcr" section, which gives the
defaults (its "every" is the default for --every); the tracking in effect is printed on stderr.
Without tracking (granularity 0) every image is full; with it, every one after the first is
incremental and names its parent by hash. Images are named ckpt-NNNN.img and written whole or
not at all (a temporary file, then renamed).

Prints the components' log up to the last checkpoint on stdout and each checkpoint's figures on
stderr. Exit status: as rtcr run's at the last checkpoint (0; 1 a component exited non-zero; 3 a
component faulted); ${EXIT_USAGE} for a bad file or option, or when the scenario ends (every
component ended, or every thread waits for something that can never come) before a checkpoint's
time: the images before it are written, none after. --json documents the log, the state hash and
the statistics at the last checkpoint (or where the scenario ended).`)
    .action((file: string, flags: CheckpointFlags) => {
      process.exitCode = checkpoint(file, flags);
    });
}

/** The tracking and checkpoint times in effect: the options, else the scenario's rtcr section. */
interface Plan {
  granularity: number;
  mode: TrackMode;
  /** Where granularity and mode came from. */
  from: 'options' | 'scenario' | 'default';
  at: number;
  every: number;
  count: number;
}

function plan(flags: CheckpointFlags, scenario: Scenario): Checked<Plan> {
  const s = scenario.rtcr;
  const every = flags.every ?? (s?.every === undefined ? undefined : parseTimeNs(s.every));
  if (flags.every !== undefined && flags.count === undefined) return { ok: false, error: '--every and --count go together' };
  if (flags.count !== undefined && every === undefined) return { ok: false, error: '--every and --count go together (the scenario has no rtcr.every)' };
  const min = minEveryNs(scenario.clock.insnsPerSecond);
  if (flags.every !== undefined && flags.every < min) {
    return { ok: false, error: `--every ${formatDuration(flags.every)}: at least ${formatDuration(min)} (${MIN_EVERY_INSNS} instructions at the scenario's clock)` };
  }
  const given = flags.granularity !== undefined || flags.mode !== undefined;
  return {
    ok: true,
    value: {
      granularity: flags.granularity ?? s?.granularity ?? 0,
      mode: flags.mode ?? s?.mode ?? 'access',
      from: given ? 'options' : s !== undefined ? 'scenario' : 'default',
      at: flags.at,
      every: every ?? 0,
      count: flags.count ?? 1,
    },
  };
}

/** The stderr line that says what will be done. */
function planLine(p: Plan): string {
  const tracking = p.granularity === 0 ? 'off (granularity 0: every image full)' : `granularity ${p.granularity} (${p.granularity * 4} KiB), mode ${p.mode}`;
  const from = { options: 'from the options', scenario: 'from the scenario\'s rtcr section', default: 'the default' }[p.from];
  const times = p.count === 1 ? `at ${formatNs(p.at)}` : `${p.count} from ${formatNs(p.at)} every ${formatNs(p.every)}`;
  return `tracking ${tracking}, ${from}; checkpoints ${times}\n`;
}

/**
 * Checks the output directory before anything runs: it must be a directory or absent, and hold
 * no checkpoint images unless --force (then those go before the first image is written). A file
 * that is no image where an image would go is never overwritten. Returns the images to clear.
 */
function checkOutput(dir: string, p: Plan, force: boolean): Checked<string[]> {
  const kind = pathKind(dir);
  if (!kind.ok) return kind;
  if (kind.value === 'absent') return { ok: true, value: [] }; // created once the scenario booted
  if (kind.value === 'file') return { ok: false, error: `${dir}: is a file, not a directory` };
  const scan = scanDirectory(dir);
  if (!scan.ok) return scan;
  const ours = [...scan.value.images.map((f) => f.path), ...scan.value.damaged.map((d) => d.path)];
  if (ours.length > 0 && !force) {
    const names = ours.slice(0, 3).map((f) => basename(f)).join(', ') + (ours.length > 3 ? ', …' : '');
    return { ok: false, error: `${dir} already holds ${ours.length} checkpoint image(s) (${names}): --force replaces them, or choose another directory` };
  }
  const others = new Set(scan.value.others.map((f) => basename(f)));
  for (let i = 0; i < p.count; i++) {
    if (others.has(imageName(i))) return { ok: false, error: `${join(dir, imageName(i))} is not a checkpoint image: not overwriting it` };
  }
  return { ok: true, value: ours };
}

/** One image written, as the --json document lists it. */
interface WrittenImage {
  file: string;
  kind: 'full' | 'incremental';
  sequence: number;
  timeNs: number;
  cycles: number;
  bytesCopied: number;
  dataspacesCopied: number;
  dataspacesSkipped: number;
  faults: number;
  imageBytes: number;
  pauseMs: number;
}

/** `rtcr checkpoint --json`: a run document at the last checkpoint, with the images and tracking. */
interface CheckpointDocument extends RunDocument {
  scenario: string;
  tracking: { granularity: number; mode: TrackMode; from: Plan['from'] };
  images: WrittenImage[];
}

function checkpoint(file: string, flags: CheckpointFlags): number {
  const ready = prepare(file, flags);
  if (!ready.ok) return usage(ready.error);
  const { rtcr, plan: p, replace, created, out } = ready.value;
  process.stderr.write(planLine(p));
  const run = takeAll(rtcr, p, flags.output, replace, out);
  if (!run.ok) return usage(run.error);
  const { written, ended } = run.value;
  if (written.length === 0 && created) removeIfEmpty(flags.output);
  if (ended !== undefined) usage(ended.detail!);
  const outcome = ended ?? scenarioOutcome(rtcr.init, 'until');
  if (flags.json) {
    const doc: CheckpointDocument = {
      scenario: file,
      tracking: { granularity: p.granularity, mode: p.mode, from: p.from },
      images: written,
      ...runDocument(rtcr.init, outcome),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  return outcome.status;
}

/** Everything checked and booted before the run: nothing is written unless all of it holds. */
interface Ready {
  rtcr: Rtcr;
  plan: Plan;
  /** Images --force replaces. */
  replace: string[];
  /** Whether the output directory was created now. */
  created: boolean;
  out: OutputBuffer;
}

function prepare(file: string, flags: CheckpointFlags): Checked<Ready> {
  const input = readInput(file, 'a scenario file');
  if (!input.ok) return input;
  const loaded = loadScenario(file);
  if (!loaded.ok) return loaded;
  const p = plan(flags, loaded.scenario);
  if (!p.ok) return p;
  const replace = checkOutput(flags.output, p.value, flags.force === true);
  if (!replace.ok) return replace;
  const out = new OutputBuffer(1);
  const booted = Rtcr.boot({ scenario: loaded.scenario, readFile: loaded.readFile, onLog: flags.json ? undefined : logPrinter(out) },
    { granularity: p.value.granularity, mode: p.value.mode });
  if (!booted.ok) return { ok: false, error: `${file}: ${booted.message}` };
  const made = ensureDirectory(flags.output);
  if (!made.ok) return made;
  return { ok: true, value: { rtcr: booted.rtcr, plan: p.value, replace: replace.value, created: made.value, out } };
}

/**
 * Runs to each checkpoint time and writes the image there; stops early (with the outcome that
 * says when) if the scenario ends first. An error if an image cannot be written.
 */
function takeAll(rtcr: Rtcr, p: Plan, dir: string, replace: readonly string[], out: OutputBuffer):
  Checked<{ written: WrittenImage[]; ended?: Outcome }> {
  const written: WrittenImage[] = [];
  for (let i = 0; i < p.count; i++) {
    const at = p.at + i * p.every;
    const stop = rtcr.init.runUntilNs(at);
    out.flush();
    if (stop !== 'until') return { ok: true, value: { written, ended: endedEarly(rtcr, stop, at, i, p.count) } };
    // The old images go only now that a new one is due (an early end leaves them).
    const cleared = i === 0 ? clearImages(replace) : undefined;
    const w = cleared ?? writeOne(rtcr, join(dir, imageName(i)));
    if (!w.ok) return w;
    written.push(w.value);
  }
  return { ok: true, value: { written } };
}

/** The outcome when the scenario ended before checkpoint `i` (at `at`): an error naming when. */
function endedEarly(rtcr: Rtcr, stop: 'idle' | 'exited' | 'limit', at: number, i: number, count: number): Outcome {
  // 'limit' cannot happen here (checkpoint sets no instruction limit); named for completeness.
  const why = stop === 'exited' ? 'every component ended' : stop === 'idle' ? 'every thread waits for something that can never come' : 'the instruction limit ran out';
  const which = count === 1 ? `no checkpoint at ${formatNs(at)}` : `no checkpoint at ${formatNs(at)} or after (${i} of ${count} written)`;
  return { status: EXIT_USAGE, reason: stop, detail: `the scenario ended at ${formatNs(nowNs(rtcr.init))} (${why}): ${which}` };
}

/** Removes the images --force replaces; an error if one cannot be. */
function clearImages(files: readonly string[]): { ok: false; error: string } | undefined {
  for (const f of files) {
    try { unlinkSync(f); } catch (e) { return { ok: false, error: `${f}: cannot remove it: ${fsWords(e)}` }; }
  }
  return undefined;
}

/** Takes a checkpoint now and writes it to `path` whole; its figures line goes to stderr. */
function writeOne(rtcr: Rtcr, path: string): Checked<WrittenImage> {
  const t0 = performance.now();
  const c = rtcr.capture();
  const bytes = rtcr.encode(c);
  const pauseMs = performance.now() - t0;
  const w = writeAtomically(path, bytes);
  if (!w.ok) return w;
  const f = c.figures;
  const cycles = rtcr.init.kernel.now();
  const timeNs = nowNs(rtcr.init);
  process.stderr.write(`${basename(path)} ${c.kind} at ${formatNs(timeNs)}: pause ${pauseMs.toFixed(2)} ms, ` +
    `copied ${f.bytesCopied} bytes (${f.dataspacesCopied} dataspaces, ${f.dataspacesSkipped} skipped), ` +
    `${f.faults} tracking faults since the last, image ${bytes.length} bytes\n`);
  return {
    ok: true,
    value: {
      file: path, kind: c.kind, sequence: c.sequence, timeNs, cycles, bytesCopied: f.bytesCopied,
      dataspacesCopied: f.dataspacesCopied, dataspacesSkipped: f.dataspacesSkipped, faults: f.faults,
      imageBytes: bytes.length, pauseMs,
    },
  };
}
