// Running the walkthroughs in docs/ so that they stay true: every file and command they show is
// run, in order, in a temporary directory set up like a clone's top directory (a copy of
// programs/), against the built CLI, and every output they show is checked.
//
// What a walkthrough's fenced blocks mean here:
//   ```LANG file=PATH   the file PATH (relative to the directory) with the block as contents
//   ```sh               commands, one a line (`#` lines are comments); each must exit 0
//   ```console          `$ command` lines, each followed by the output it prints (stdout and
//                       stderr as one stream); each command must exit 0
// `npx rtcr` runs the built CLI (node bin/rtcr.mjs). In expected output, a line `...` stands
// for any number of lines and `...` inside a line for any text; runs of spaces compare as one.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export type Step =
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

export interface Ran { command: string; status: number | null; output: string }

/** Runs a walkthrough's steps in a fresh directory with a copy of programs/; returns every command's result. */
export function runWalkthrough(doc: string): Ran[] {
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

export const hashOf = (r: Ran | undefined) => /^state-hash: ([0-9a-f]{16})$/m.exec(r?.output ?? '')?.[1];
export const logOf = (r: Ran | undefined) => (r?.output ?? '').split('\n').filter((l) => l.startsWith('['));
export const hasGcc = spawnSync('riscv64-unknown-elf-gcc', ['--version']).status === 0;
