// docs/first-component.md stays true: its files and commands run as shown (test/docs/walkthrough.ts),
// and its restored runs print the uninterrupted run's tail and end in its state hash.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashOf, logOf, matches, parseWalkthrough, runWalkthrough } from './walkthrough';

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
