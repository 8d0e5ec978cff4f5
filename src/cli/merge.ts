// `rtcr merge`: a chain of checkpoints (full + incremental) becomes one full image.
import type { Command } from 'commander';
import { mergeChain } from '../rtcr/chain';
import { encodeImage, imageIdentity } from '../rtcr/image';
import { usage } from './common';
import { writeAtomically } from './files';
import { describeChain, loadChain } from './images';

/** `rtcr merge --json`: what was written, from which images. */
interface MergeDocument {
  output: string;
  kind: 'full';
  sequence: number;
  bytes: number;
  hash: string;
  images: { file: string; kind: 'full' | 'incremental'; sequence: number; hash: string }[];
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge a chain of checkpoints (full + incremental) into one full image')
    .argument('<image>', 'the last image of the chain, or a directory: the newest image of its chain')
    .requiredOption('-o, --output <file>', 'the full image to write (whole or not at all)')
    .option('--json', 'print one JSON document on stdout: the output file, the images merged, its size and kind')
    .action((path: string, flags: { output: string; json?: boolean }) => {
      process.exitCode = merge(path, flags);
    });
}

function merge(path: string, flags: { output: string; json?: boolean }): number {
  const chain = loadChain(path);
  if (!chain.ok) return usage(chain.error);
  const files = chain.value.images;
  const merged = mergeChain(files.map((f) => f.image));
  if (!merged.ok) return usage(`${path}: ${merged.error}`);
  const last = files[files.length - 1].image;
  const bytes = encodeImage({ kind: 'full', sequence: last.head.sequence }, merged.checkpoint);
  const w = writeAtomically(flags.output, bytes);
  if (!w.ok) return usage(w.error);
  process.stderr.write(describeChain('merging', chain.value) + '\n');
  process.stderr.write(`merged ${files.length} image(s) into ${flags.output} (${bytes.length} bytes, full, sequence ${last.head.sequence})\n`);
  if (flags.json) {
    const doc: MergeDocument = {
      output: flags.output, kind: 'full', sequence: last.head.sequence, bytes: bytes.length, hash: imageIdentity(bytes),
      images: files.map((f) => ({ file: f.path, kind: f.image.head.kind, sequence: f.image.head.sequence, hash: f.image.hash })),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  return 0;
}
