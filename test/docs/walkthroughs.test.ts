// The walkthroughs in docs/ stay true: every file and command they show is run, in order, in a
// temporary directory set up like a clone's top directory (a copy of programs/), against the
// built CLI, and every output they show is checked.
//
// What a walkthrough's fenced blocks mean to this test:
//   ```LANG file=PATH   the file PATH (relative to the directory) with the block as contents
//   ```sh               commands, one a line (`#` lines are comments); each must exit 0
//   ```console          `$ command` lines, each followed by the output it prints (stdout and
//                       stderr as one stream); each command must exit 0
// `npx rtcr` runs the built CLI (node bin/rtcr.mjs). In expected output, a line `...` stands
// for any number of lines and `...` inside a line for any text; runs of spaces compare as one.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

type Step =
  | { kind: 'file'; path: string; text: string }
  | { kind: 'sh'; command: string }
  | { kind: 'console'; command: string; expected: string[] };

/** The steps of a walkthrough, in document order. */
export function parseWalkthrough(markdown: string): Step[] {
  const steps: Step[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(markdown); m !== null; m = fence.exec(markdown)) {
    const info = m[1]!.trim();
    const body = m[2]!;
    const file = /(?:^|\s)file=(\S+)/.exec(info);
    if (file !== null) steps.push({ kind: 'file', path: file[1]!, text: body });
    else if (info === 'sh') {
      for (const line of body.split('\n')) if (line.trim() !== '' && !line.trim().startsWith('#')) steps.push({ kind: 'sh', command: line.trim() });
    } else if (info === 'console') {
      for (const line of body.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1)) {
        if (line.startsWith('$ ')) steps.push({ kind: 'console', command: line.slice(2), expected: [] });
        else {
          const last = steps[steps.length - 1];
          if (last?.kind !== 'console') throw new Error(`output before any command: ${line}`);
          last.expected.push(line);
        }
      }
    }
  }
  return steps;
}

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `actual` lines match `expected` (with `...` as described at the top). */
export function matches(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === 0) return actual.length === 0;
  const [e, ...rest] = expected;
  if (e!.trim() === '...') {
    for (let skip = 0; skip <= actual.length; skip++) if (matches(rest, actual.slice(skip))) return true;
    return false;
  }
  if (actual.length === 0) return false;
  const re = new RegExp(`^${squeeze(e!).split('...').map(escape).join('.*')}$`);
  return re.test(squeeze(actual[0]!)) && matches(rest, actual.slice(1));
}

const repo = resolve('.');
const cli = `node ${JSON.stringify(join(repo, 'bin', 'rtcr.mjs'))}`;

interface Ran { command: string; status: number | null; output: string }

/** Runs a walkthrough's steps in a fresh directory with a copy of programs/; returns every command's result. */
function runWalkthrough(doc: string): Ran[] {
  const dir = mkdtempSync(join(tmpdir(), 'rtcr-walk-'));
  cpSync(join(repo, 'programs'), join(dir, 'programs'), { recursive: true });
  const ran: Ran[] = [];
  for (const step of parseWalkthrough(readFileSync(doc, 'utf8'))) {
    if (step.kind === 'file') {
      mkdirSync(dirname(join(dir, step.path)), { recursive: true });
      writeFileSync(join(dir, step.path), step.text);
      continue;
    }
    const command = step.command.replace(/\bnpx rtcr\b/g, cli);
    const r = spawnSync('sh', ['-c', `exec 2>&1\n${command}`], { cwd: dir, encoding: 'utf8' });
    ran.push({ command: step.command, status: r.status, output: r.stdout });
    if (r.status !== 0) throw new Error(`\`${step.command}' exited ${r.status}:\n${r.stdout}`);
    if (step.kind === 'console') {
      const actual = r.stdout.split('\n');
      if (actual[actual.length - 1] === '') actual.pop();
      if (!matches(step.expected, actual)) {
        throw new Error(`\`${step.command}' printed:\n${r.stdout}\nbut ${doc} shows:\n${step.expected.join('\n')}`);
      }
    }
  }
  return ran;
}

const hashOf = (r: Ran | undefined) => /^state-hash: ([0-9a-f]{16})$/m.exec(r?.output ?? '')?.[1];
const logOf = (r: Ran | undefined) => (r?.output ?? '').split('\n').filter((l) => l.startsWith('['));
const hasGcc = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0;

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
});

describe('the walkthrough reader', () => {
  it('matches `...` lines and `...` inside lines, and nothing else', () => {
    expect(matches(['a', '...', 'd'], ['a', 'b', 'c', 'd'])).toBe(true);
    expect(matches(['a', '...', 'd'], ['a', 'd'])).toBe(true);
    expect(matches(['x ... z'], ['x  yy   z'])).toBe(true);
    expect(matches(['a', 'd'], ['a', 'b', 'd'])).toBe(false);
    expect(matches(['a'], ['a', 'b'])).toBe(false);
    expect(matches(['x ... z'], ['x y'])).toBe(false);
    expect(matches(['a.c'], ['abc'])).toBe(false);
  });

  it('reads files, commands and shown output', () => {
    const md = '```asm file=d/a.s\nnop\n```\n\n```sh\n# comment\nmkdir d\n```\n\n```console\n$ cat d/a.s\nnop\n$ true\n```\n';
    expect(parseWalkthrough(md)).toEqual([
      { kind: 'file', path: 'd/a.s', text: 'nop\n' },
      { kind: 'sh', command: 'mkdir d' },
      { kind: 'console', command: 'cat d/a.s', expected: ['nop'] },
      { kind: 'console', command: 'true', expected: [] },
    ]);
  });
});

describe('docs/first-component.md', () => {
  it('runs as shown; restored runs print the uninterrupted run\'s tail and end in its state hash', () => {
    const ran = runWalkthrough('docs/first-component.md');
    const find = (re: RegExp) => ran.filter((r) => re.test(r.command));
    const [straight] = find(/^npx rtcr run first\/ticker\.json --hash$/);
    const restores = find(/^npx rtcr restore .* --hash$/);
    expect(restores).toHaveLength(2);
    expect(hashOf(straight)).toBeDefined();
    const full = logOf(straight);
    expect(full).toHaveLength(11);
    for (const r of restores) {
      expect(hashOf(r)).toBe(hashOf(straight));
      const tail = logOf(r);
      expect(tail.length).toBeGreaterThan(0);
      expect(tail).toEqual(full.slice(full.length - tail.length));
    }
    // The checkpoints' logs are the heads that the restores continue.
    for (const [ck, rs] of [[/checkpoint .* -o first\/ck$/, restores[0]], [/-o first\/ck2$/, restores[1]]] as const) {
      const head = logOf(find(ck)[0]);
      expect([...head, ...logOf(rs)]).toEqual(full);
    }
  });
});

describe('docs/c-program.md', () => {
  it.skipIf(!hasGcc)('compiles, runs and traces as shown', () => {
    const ran = runWalkthrough('docs/c-program.md');
    expect(ran.some((r) => r.command.startsWith('riscv64-unknown-elf-gcc ') && r.command.includes('-T programs/c/link.ld'))).toBe(true);
  });
});
