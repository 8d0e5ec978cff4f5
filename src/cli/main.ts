// The `rtcr` command: one subcommand per file, registered here.
import { Command } from 'commander';
import { registerRun } from './run';
import { registerAsm } from './asm';
import { registerCheckpoint, registerInspect, registerMerge, registerRestore } from './checkpoint';
import { registerTest } from './test';
import { programsHelp } from './paths';
import { exitClosedPipe, isClosedPipe } from './output';

// A reader that closed our stdout or stderr (`rtcr ... | head -1`) ends the run quietly (status
// 141, see output.ts); any other stream error is a bug and shows as one.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (isClosedPipe(e)) exitClosedPipe();
    throw e;
  });
}

const program = new Command();
program
  .name('rtcr')
  .description('rtcr-vm: a deterministic RV32IMA/Sv32 machine for studying checkpoint, restore and migration')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) })
  // Usage errors exit 2 (commander's default is 1, which a guest can also return).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .addHelpText('afterAll', programsHelp);

registerRun(program);
// Further subcommands register here, one line each.
registerAsm(program);
registerCheckpoint(program);
registerRestore(program);
registerMerge(program);
registerInspect(program);
registerTest(program);

await program.parseAsync(process.argv);
