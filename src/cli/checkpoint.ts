// `rtcr checkpoint`, `rtcr restore` and `rtcr inspect`: Rtcr from the command line.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { mergeChain } from '../rtcr/chain';
import { decodeImage, encodeImage, type Image } from '../rtcr/image';
import { describeImage } from '../rtcr/inspect';
import { parseIrqMap, type IrqMap } from '../rtcr/irqmap';
import { Rtcr } from '../rtcr/rtcr';
import {
  formatNs, loadScenario, logPrinter, nowNs, OutputBuffer, positiveInt, runAndReport, usage, virtualTime,
} from './common';

interface CheckpointFlags {
  at: number;
  every?: number;
  count?: number;
  granularity: number;
  mode: 'access' | 'write';
  output: string;
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
    .requiredOption('--at <time>', 'virtual time of the first checkpoint, e.g. 2s', virtualTime)
    .option('--every <time>', 'then one checkpoint every <time> (with --count)', virtualTime)
    .option('--count <n>', 'checkpoints in all (with --every)', positiveInt('--count', 100_000))
    .option('--granularity <g>', 'dirty tracking in designated dataspaces of g x 4 KiB; 0 copies everything every time', granularity, 0)
    .addOption(new Option('--mode <mode>', 'access: any access marks a granule; write: only writes do').choices(['access', 'write']).default('access'))
    .requiredOption('-o, --output <dir>', 'directory for the images (created if missing)')
    .addHelpText('after', `
Prints the components' log up to the last checkpoint on stdout and each checkpoint's figures on
stderr. Images are named ckpt-NNNN.img; with tracking, every one after the first is incremental
and names its parent by hash.`)
    .action((file: string, flags: CheckpointFlags) => {
      process.exitCode = checkpoint(file, flags);
    });
}

function checkpoint(file: string, flags: CheckpointFlags): number {
  if ((flags.every === undefined) !== (flags.count === undefined)) return usage('--every and --count go together');
  const loaded = loadScenario(file);
  if (!loaded.ok) return usage(loaded.error);
  const out = new OutputBuffer(1);
  const booted = Rtcr.boot({ scenario: loaded.scenario, readFile: loaded.readFile, onLog: logPrinter(out) },
    { granularity: flags.granularity, mode: flags.mode });
  if (!booted.ok) return usage(`${file}: ${booted.message}`);
  try {
    mkdirSync(flags.output, { recursive: true });
  } catch (e) {
    return usage((e as Error).message);
  }
  const rtcr = booted.rtcr;
  const count = flags.count ?? 1;
  for (let i = 0; i < count; i++) {
    const at = flags.at + i * (flags.every ?? 0);
    rtcr.init.runUntilNs(at);
    out.flush();
    const t0 = performance.now();
    const c = rtcr.checkpoint();
    const pauseMs = performance.now() - t0;
    const name = join(flags.output, `ckpt-${String(i).padStart(4, '0')}.img`);
    writeFileSync(name, c.bytes);
    const f = c.figures;
    process.stderr.write(`${basename(name)} ${c.kind} at ${formatNs(nowNs(rtcr.init))}: pause ${pauseMs.toFixed(2)} ms, ` +
      `copied ${f.bytesCopied} bytes (${f.dataspacesCopied} dataspaces, ${f.dataspacesSkipped} skipped), ` +
      `${f.faults} tracking faults since the last, image ${c.bytes.length} bytes\n`);
  }
  return 0;
}

interface RestoreFlags {
  until?: number;
  hash?: boolean;
  stats?: boolean;
  irqMap?: IrqMap;
  irqsrcFirstSource?: number;
}

const irqMapOption = (v: string): IrqMap => {
  const m = parseIrqMap(v);
  if (m === undefined) throw new InvalidArgumentError('an IRQ map is OLD=NEW pairs of PLIC sources, comma separated, e.g. 1=5,2=6');
  return m;
};

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('restore a checkpoint on a fresh kernel and run on (the clock continues from the checkpoint)')
    .argument('<image>', 'an image file, or a directory: its newest checkpoint')
    .option('--until <time>', 'run on to this virtual time (from boot)', virtualTime)
    .option('--hash', 'print the state hash on stderr at the end')
    .option('--stats', 'print per-component counters on stderr at the end')
    .option('--irq-map <map>', 'interrupt sources that moved on this board: OLD=NEW PLIC sources, e.g. 1=5,2=6', irqMapOption)
    .option('--irqsrc-first-source <n>', 'this board wires the IRQ source device from PLIC source n (default 1)', positiveInt('--irqsrc-first-source', 31))
    .addHelpText('after', `
An incremental image needs its parents: they are looked up by hash among the images in the same
directory. Without --until the run goes on until every component has ended or waits for
something that can never come.`)
    .action((path: string, flags: RestoreFlags) => {
      process.exitCode = restoreCommand(path, flags);
    });
}

function restoreCommand(path: string, flags: RestoreFlags): number {
  const chain = loadChain(path);
  if (!chain.ok) return usage(chain.error);
  const out = new OutputBuffer(1);
  const board = flags.irqsrcFirstSource === undefined ? undefined : { irqsrcFirstSource: flags.irqsrcFirstSource };
  const r = Rtcr.restore(chain.images, logPrinter(out), { board, irqMap: flags.irqMap });
  if (!r.ok) return usage(`${path}: ${r.error}`);
  return runAndReport(r.rtcr.init, out, { untilNs: flags.until ?? Infinity, stats: flags.stats, hash: flags.hash });
}

/**
 * The chain ending at `path` (an image file, or a directory's newest image), root first: parents
 * are found by hash among the images of the same directory.
 */
export function loadChain(path: string): { ok: true; images: Image[] } | { ok: false; error: string } {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
  const dir = isDir ? path : dirname(path);
  const byHash = new Map<string, Image>();
  const byFile = new Map<string, Image>();
  const broken: string[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.img')).sort();
  for (const f of files) {
    const p = join(dir, f);
    const d = decodeImage(readFileSync(p));
    if (!d.ok) {
      // Another image of the directory: it matters only if it turns out to be a needed parent.
      if (!isDir && p !== path) { broken.push(`${p}: ${d.error}`); continue; }
      return { ok: false, error: `${p}: ${d.error}` };
    }
    byHash.set(d.image.hash, d.image);
    byFile.set(p, d.image);
  }
  let last: Image | undefined;
  if (isDir) {
    for (const img of byFile.values()) if (last === undefined || img.head.sequence > last.head.sequence) last = img;
    if (last === undefined) return { ok: false, error: `${path}: no checkpoint images (*.img)` };
  } else {
    const d = decodeImage(readFileSync(path));
    if (!d.ok) return { ok: false, error: `${path}: ${d.error}` };
    last = d.image;
  }
  const chain = [last];
  while (chain[0].head.kind === 'incremental') {
    const parent = byHash.get(chain[0].head.parent!);
    if (parent === undefined) {
      const why = broken.length > 0 ? `; unreadable there: ${broken.join('; ')}` : '';
      return { ok: false, error: `parent image ${chain[0].head.parent!.slice(0, 16)}… of sequence ${chain[0].head.sequence} is not in ${dir}${why}` };
    }
    chain.unshift(parent);
  }
  return { ok: true, images: chain };
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge a chain of checkpoints (full + incremental) into one full image')
    .argument('<image>', 'the last image of the chain, or a directory: its newest checkpoint')
    .requiredOption('-o, --output <file>', 'the full image to write')
    .action((path: string, flags: { output: string }) => {
      const chain = loadChain(path);
      if (!chain.ok) { process.exitCode = usage(chain.error); return; }
      const merged = mergeChain(chain.images);
      if (!merged.ok) { process.exitCode = usage(`${path}: ${merged.error}`); return; }
      const last = chain.images[chain.images.length - 1];
      const bytes = encodeImage({ kind: 'full', sequence: last.head.sequence }, merged.checkpoint);
      try {
        writeFileSync(flags.output, bytes);
      } catch (e) {
        process.exitCode = usage((e as Error).message);
        return;
      }
      process.stderr.write(`merged ${chain.images.length} image(s) into ${flags.output} (${bytes.length} bytes, full, sequence ${last.head.sequence})\n`);
    });
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what a checkpoint image holds (like CRIU\'s crit)')
    .argument('<image>', 'an image file')
    .option('--json', 'the whole checkpoint as JSON (page bytes summarised)')
    .action((path: string, flags: { json?: boolean }) => {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(path);
      } catch (e) {
        process.exitCode = usage((e as Error).message);
        return;
      }
      const d = decodeImage(bytes);
      if (!d.ok) {
        process.exitCode = usage(`${path}: ${d.error}`);
        return;
      }
      process.stdout.write(describeImage(d.image, flags.json === true) + '\n');
    });
}
