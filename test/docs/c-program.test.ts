// docs/c-program.md stays true (where gcc for RISC-V is installed): its files and commands run as
// shown (test/docs/walkthrough.ts), and the C component's restored run ends in the state of the
// uninterrupted one.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasGcc, hashOf, logOf, runWalkthrough } from './walkthrough';

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
});

describe('docs/c-program.md', () => {
  it.skipIf(!hasGcc)('compiles, runs and traces as shown; the C component restores to the uninterrupted run\'s state', () => {
    const ran = runWalkthrough('docs/c-program.md');
    const gcc = ran.filter((r) => r.command.startsWith('riscv64-unknown-elf-gcc '));
    expect(gcc.map((r) => /-T (\S+)/.exec(r.command)?.[1])).toEqual(['programs/c/link.ld', 'programs/c/component.ld']);
    const straight = ran.find((r) => r.command === 'npx rtcr run tick.json --hash');
    const restored = ran.find((r) => r.command === 'npx rtcr restore tick-ck --hash');
    const checkpoint = ran.find((r) => r.command.startsWith('npx rtcr checkpoint tick.json'));
    expect(hashOf(straight)).toBeDefined();
    expect(hashOf(restored)).toBe(hashOf(straight));
    expect([...logOf(checkpoint), ...logOf(restored)]).toEqual(logOf(straight));
  });
});
