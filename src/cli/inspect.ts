// `rtcr inspect`: what a checkpoint image holds (like CRIU's crit).
import type { Command } from 'commander';
import { describeImage } from '../rtcr/inspect';
import { usage } from './common';
import { describeChain, loadChain } from './images';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what a checkpoint image holds (like CRIU\'s crit)')
    .argument('<image>', 'an image file, or a directory: the newest image of its chain (as rtcr restore picks it)')
    .option('--json', 'the whole checkpoint as one JSON document (page bytes summarised)')
    .addHelpText('after', `
An incremental image shows what it holds itself (the pages written since its parent). Which
image is shown, and its chain, is printed on stderr; its parents must be in its directory.`)
    .action((path: string, flags: { json?: boolean }) => {
      const chain = loadChain(path);
      if (!chain.ok) { process.exitCode = usage(chain.error); return; }
      const images = chain.value.images;
      process.stderr.write(describeChain('inspecting', chain.value) + '\n');
      process.stdout.write(describeImage(images[images.length - 1].image, flags.json === true) + '\n');
    });
}
