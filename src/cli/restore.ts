// `rtcr restore`: restore a checkpoint (an image and its chain) on a fresh kernel and run on.
import { InvalidArgumentError, type Command } from 'commander';
import { parseIrqMap, type IrqMap } from '../rtcr/irqmap';
import { Rtcr } from '../rtcr/rtcr';
import { formatNs, logPrinter, OutputBuffer, positiveInt, runAndReport, usage, virtualTime } from './common';
import { describeChain, imageTimeNs, loadChain } from './images';
import { traceOptions, type TraceFlags } from './trace';

interface RestoreFlags extends TraceFlags {
  until?: number;
  maxInsns?: number;
  hash?: boolean;
  stats?: boolean;
  json?: boolean;
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
    .argument('<image>', 'an image file, or a directory: the newest image of its chain')
    .option('--until <time>', 'run on to this virtual time, counted from boot (after the checkpoint\'s)', virtualTime)
    .option('--hash', 'print the state hash on stderr at the end')
    .option('--stats', 'print per-component counters on stderr at the end')
    .option('--json', 'print one JSON document on stdout instead of the log: the log lines after the checkpoint ' +
      'and their virtual times, the state hash, the statistics and the exit reason')
    .option('--max-insns <n>', 'stop after the components retire n more instructions, all together (exit status 124)', positiveInt('--max-insns'))
    .option('--trace', 'print one line per executed instruction on stderr, as rtcr run --trace does')
    .option('--trace-component <name>', 'trace only this component (repeatable; implies --trace)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--trace-file <path>', 'write the trace lines to a file instead of stderr (implies --trace)')
    .option('--irq-map <map>', 'interrupt sources that moved on this board: OLD=NEW PLIC sources, e.g. 1=5,2=6', irqMapOption)
    .option('--irqsrc-first-source <n>', 'this board wires the IRQ source device from PLIC source n (default 1)', positiveInt('--irqsrc-first-source', 31))
    .addHelpText('after', `
An incremental image needs its parents: they are looked up by hash among the images in the same
directory. Given a directory, restore takes the newest image that ends a whole chain (preferring
the ckpt-NNNN.img names rtcr checkpoint writes); other files there are left aside. Which image
and chain it restores is printed on stderr. --until must lie after the checkpoint's time.
Without --until the run goes on until every component has ended or waits for something that can
never come. A board whose IRQ source device is wired elsewhere (--irqsrc-first-source) needs
--irq-map for the sources the components' IRQ sessions use; without it the restore is refused
and the map to give is named.`)
    .action((path: string, flags: RestoreFlags) => {
      process.exitCode = restoreCommand(path, flags);
    });
}

function restoreCommand(path: string, flags: RestoreFlags): number {
  const chain = loadChain(path);
  if (!chain.ok) return usage(chain.error);
  const images = chain.value.images;
  const last = images[images.length - 1];
  const atNs = imageTimeNs(last.image);
  if (flags.until !== undefined && flags.until <= atNs) {
    return usage(`--until ${formatNs(flags.until)} is not after the checkpoint's virtual time ${formatNs(atNs)} (${last.path}); --until counts from boot`);
  }
  const components = last.image.checkpoint.components.map((c) => c.name);
  const traced = traceOptions(flags, components, last.path);
  if (!traced.ok) return usage(traced.error);
  const out = new OutputBuffer(1, flags.json === true);
  const board = flags.irqsrcFirstSource === undefined ? undefined : { irqsrcFirstSource: flags.irqsrcFirstSource };
  const r = Rtcr.restore(images.map((f) => f.image), flags.json ? undefined : logPrinter(out), { board, irqMap: flags.irqMap });
  if (!r.ok) return usage(`${path}: ${r.error}`);
  process.stderr.write(describeChain('restoring', chain.value) + '\n');
  return runAndReport(r.rtcr.init, out, {
    untilNs: flags.until ?? Infinity, stats: flags.stats, hash: flags.hash, json: flags.json,
    trace: traced.value, maxInsns: flags.maxInsns,
  });
}
