// `rtcr test`, end to end through the built CLI (worker threads come from the bundle), plus the
// pure parts (diffs, reports, --update's text surgery) in-process.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleText } from '../../src/asm/index';
import { formatAt } from '../../src/cli/expect';
import { testCommand, type TestFlags } from '../../src/cli/test';
import type { TestResult } from '../../src/cli/testcase';
import { junitXml, tapReport, xmlEscape } from '../../src/cli/testreport';
import { traceDiff } from '../../src/cli/testtrace';
import { replaceExpect } from '../../src/cli/testupdate';

const rtcr = (...args: string[]) => spawnSync('node', ['bin/rtcr.mjs', ...args], { encoding: 'utf8' });

/** `rtcr test` in this process (one job: no worker threads from the sources): status and output. */
async function inproc(paths: string[], flags: TestFlags = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await testCommand(paths, flags, {
    stdout: { write: (t: string) => { stdout += t; } },
    stderr: { write: (t: string) => { stderr += t; } },
  });
  return { status, stdout, stderr };
}
let dir: string;

/** hello.json's expectations as committed (programs/hello.json). */
const HELLO = JSON.parse(readFileSync('programs/hello.json', 'utf8')) as { components: unknown[]; expect: Record<string, unknown> };

/** Writes a scenario running programs/hello.s with `expect` (default: hello's own) as `name`. */
function helloScenario(name: string, change: (e: Record<string, any>) => void = () => {}): string {
  const exp = structuredClone(HELLO.expect) as Record<string, any>;
  change(exp);
  const components = [{ name: 'hello', program: resolve('programs/hello.s'), ram: '1M', routes: { LOG: 'core' } }];
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ components, expect: exp }, null, 2) + '\n');
  return path;
}

/** Assembles `src` into dir/name.elf and writes the spec dir/name.test.json beside it (1 MiB of RAM: a fast state hash). */
function elfSpec(name: string, src: string, spec: Record<string, unknown>): string {
  const r = assembleText(src);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  writeFileSync(join(dir, `${name}.elf`), r.elf);
  const path = join(dir, `${name}.test.json`);
  writeFileSync(path, JSON.stringify({ elf: `${name}.elf`, ramMiB: 1, ...spec }, null, 2) + '\n');
  return path;
}

/** A bare-metal program: prints "hi\n" on the UART, then exits 0 through the test finisher. */
const HI = [
  '_start: li t0, 0x10000000', ' li t1, 104', ' sb t1, 0(t0)', ' li t1, 105', ' sb t1, 0(t0)',
  ' li t1, 10', ' sb t1, 0(t0)', ' li t0, 0x100000', ' li t1, 0x5555', ' sw t1, 0(t0)', 'spin: j spin',
].join('\n');

/** The report block of `file` in human output: its status line and the indented lines under it. */
function block(out: string, file: string): string {
  const lines = out.split('\n');
  const i = lines.findIndex((l) => l.includes(file));
  if (i < 0) return '';
  let j = i + 1;
  while (j < lines.length && lines[j].startsWith('    ')) j++;
  return lines.slice(i, j).join('\n');
}

/**
 * A small XML well-formedness check: one root, properly nested and closed tags, quoted
 * attributes without `<` or raw `&`, only the five entities or character references, no
 * characters XML 1.0 forbids. Returns the problem, or undefined.
 */
function xmlProblem(xml: string): string | undefined {
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(xml)) return 'forbidden control character';
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/gy;
  for (let m = re.exec(body); m !== null && m.index < body.length; m = re.exec(body)) {
    if (m[6] !== undefined) return `bad markup at ${m.index}`;
    const text = m[5] ?? m[3] ?? '';
    for (const amp of text.matchAll(/&([^;]*);?/g)) {
      if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);$/.test(amp[0])) return `bad entity ${amp[0]}`;
    }
    if (m[5] !== undefined) {
      if (stack.length === 0 && m[5].trim() !== '') return 'text outside the root';
      continue;
    }
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return `mismatched </${m[2]}>`;
    } else if (m[4] !== '/') {
      if (stack.length === 0) roots++;
      stack.push(m[2]);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length > 0) return `unclosed <${stack[stack.length - 1]}>`;
  return roots === 1 ? undefined : `${roots} root elements`;
}

beforeAll(() => {
  execFileSync('node', ['scripts/build.mjs']);
  dir = mkdtempSync(join(tmpdir(), 'rtcr-test-'));
});

describe('rtcr test on the programs', () => {
  it('every programs/*.json carries expectations, and they all hold', () => {
    const scenarios = readdirSync('programs').filter((f) => f.endsWith('.json'));
    for (const f of scenarios) expect(JSON.parse(readFileSync(join('programs', f), 'utf8')), f).toHaveProperty('expect.until');
    const r = rtcr('test', 'programs/');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const n = scenarios.length;
    expect(r.stdout).toMatch(new RegExp(`^${n} files: ${n} passed, 0 failed, 0 errors`, 'm'));
  }, 30_000);

  it('runs a scenario as rtcr run does: the same state hash (under Rtcr, with its checkpoints)', () => {
    const spec = JSON.parse(readFileSync('programs/memwalk_rtcr.json', 'utf8')) as { expect: { until: string; stateHash: string } };
    const r = rtcr('run', 'programs/memwalk_rtcr.json', '--until', spec.expect.until, '--hash');
    expect(r.stderr).toContain(`state-hash: ${spec.expect.stateHash}\n`);
  }, 30_000);
});

describe('rtcr test (built CLI, worker threads)', () => {
  it('reports each kind of failure with its diff, in input order (a slow test first), and exits 1', () => {
    const slow = join(dir, 'slow.json');
    const text = readFileSync('programs/shm_ring.json', 'utf8').replace(/"(shm_\w+\.s)"/g, (_, p: string) => JSON.stringify(resolve('programs', p)));
    writeFileSync(slow, text);
    const files = [
      slow,
      helloScenario('text.json', (e) => { e.log[0].line = '[init -> hello] Hullo'; }),
      helloScenario('time.json', (e) => { e.log[1].at = '0.000001590s'; }),
      helloScenario('status.json', (e) => { e.status = 1; }),
      helloScenario('hash.json', (e) => { e.stateHash = '0123456789abcdef'; }),
      helloScenario('insns.json', (e) => { e.instructions.hello = 157; }),
      helloScenario('missing.json', (e) => { e.log.push({ line: '[init] more' }); }),
      helloScenario('extra.json', (e) => { e.log.pop(); }),
      helloScenario('ok.json'),
    ];
    const r = rtcr('test', '-j', '2', ...files);
    expect(r.status).toBe(1);
    const text1 = block(r.stdout, 'text.json').split('\n');
    expect(text1[0]).toMatch(/^FAIL .*text\.json \(/);
    expect(text1.slice(1)).toEqual([
      '    log: line 1 differs: expected "[init -> hello] Hullo", actual "[init -> hello] Hello from rtcr-vm!"',
      '      -    1  0.000001470s    [init -> hello] Hullo',
      '      -    2  0.000001580s    [init] hello exited with status 0',
      '      +    1  0.000001470s    [init -> hello] Hello from rtcr-vm!',
      '      +    2  0.000001580s    [init] hello exited with status 0',
    ]);
    expect(block(r.stdout, 'time.json')).toContain('    log: line 2 at 0.000001580s, expected at 0.000001590s');
    expect(block(r.stdout, 'time.json')).toContain('           1  0.000001470s    [init -> hello] Hello from rtcr-vm!');
    expect(block(r.stdout, 'status.json')).toContain('    status: expected 1, actual 0 (exited)');
    expect(block(r.stdout, 'hash.json')).toContain(`    stateHash: expected 0123456789abcdef, actual ${HELLO.expect.stateHash as string}`);
    expect(block(r.stdout, 'insns.json')).toContain('    instructions.hello: expected 157, actual 158');
    expect(block(r.stdout, 'missing.json')).toContain('    log: 1 expected line(s) missing, from line 3');
    expect(block(r.stdout, 'missing.json')).toContain('      -    3                  [init] more');
    expect(block(r.stdout, 'extra.json')).toContain('    log: 1 more line(s) than expected, from line 2');
    expect(block(r.stdout, 'ok.json')).toMatch(/^ok /);
    expect(block(r.stdout, 'slow.json')).toMatch(/^ok /);
    // Input order, although the slow first file finishes last.
    const order = r.stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l)).map((l) => /([a-z]+\.json)/.exec(l)![1]);
    expect(order).toEqual(files.map((f) => f.replace(/.*\//, '')));
    expect(r.stdout).toMatch(/9 files: 2 passed, 7 failed, 0 errors/);
    expect(r.stderr).toBe(''); // not a terminal: no progress line
  }, 30_000);

});

describe('rtcr test (built CLI): the worker threads', () => {
  it('runs the files in worker threads of the bundle with -j 2', () => {
    // A wrapper that counts the jobs the bundle posts to worker threads (a missing worker script
    // would make rtcr test fall back to one thread without saying so).
    const probe = join(dir, 'probe.mjs');
    writeFileSync(probe, [
      "import { Worker } from 'node:worker_threads';",
      'const post = Worker.prototype.postMessage;',
      'let jobs = 0;',
      'Worker.prototype.postMessage = function (m) { jobs++; return post.call(this, m); };',
      "process.on('exit', () => process.stderr.write(`jobs posted: ${jobs}\\n`));",
      `await import(${JSON.stringify(resolve('dist/rtcr.js'))});`,
    ].join('\n'));
    const files = [helloScenario('w1.json'), helloScenario('w2.json'), helloScenario('w3.json')];
    const r = spawnSync('node', [probe, 'test', '-j', '2', ...files], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('jobs posted: 3\n');
    expect(r.stdout).toMatch(/3 files: 3 passed/);
  }, 30_000);
});

describe('rtcr test (in-process)', () => {
  it('prints TAP 13 on stdout with --tap -: version, plan, ok / not ok lines with a YAML diagnostic', async () => {
    const files = [helloScenario('t1.json'), helloScenario('t2.json', (e) => { e.instructions.hello = 1; })];
    const r = await inproc(files, { tap: '-' });
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['TAP version 13', '1..2', `ok 1 - ${files[0]}`, `not ok 2 - ${files[1]}`]);
    expect(lines.slice(4, 7)).toEqual(['  ---', '  message: "instructions.hello: expected 1, actual 158"', '  severity: fail']);
    expect(lines.slice(-2)).toEqual(['  ...', '']);
    // The report for people goes to stderr then.
    expect(r.stderr).toMatch(/2 files: 1 passed, 1 failed/);
  });

  it('exits 2 for a path that does not exist, with one line', async () => {
    const r = await inproc([join(dir, 'nothing-here')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`rtcr: ${join(dir, 'nothing-here')}: no such file or directory\n`);
  });
  it('passes a scenario whose expectations hold (a time given in cycles too), and exits 0', async () => {
    const r = await inproc([helloScenario('pass.json'), helloScenario('cycles.json', (e) => { e.log[0].at = 147; })]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ok .*pass\.json \(\d+\.\d\d s\)$/m);
    expect(r.stdout).toMatch(/2 files: 2 passed, 0 failed, 0 errors/);
  });

  it('compares an ELF spec: status, UART text, hash, instructions, and the first differing trace instruction', async () => {
    const spec = elfSpec('hi', HI, { maxInsns: 1000, expect: { trace: 'hi.trace' } });
    expect((await inproc([spec], { update: true })).status).toBe(0);
    const written = JSON.parse(readFileSync(spec, 'utf8')) as { expect: Record<string, unknown> };
    expect(written.expect).toEqual({ trace: 'hi.trace' });
    const trace = readFileSync(join(dir, 'hi.trace'), 'utf8').split('\n');
    expect(trace[0]).toMatch(/^80000000 100002b7 lui t0,0x10000\s+t0=0x10000000$/);
    expect((await inproc([spec])).status).toBe(0);
    // One instruction of the expected trace changed: that is the first difference.
    trace[4] = trace[4].replace(/t0\)$/, 't1)');
    writeFileSync(join(dir, 'hi.trace'), trace.join('\n'));
    let r = await inproc([spec]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('    trace: first difference at instruction 5 (line 5 of hi.trace)');
    expect(r.stdout).toContain(`               2  ${trace[1]}`);
    expect(r.stdout).toContain(`      -        5  ${trace[4]}`);
    expect(r.stdout).toMatch(/^ {6}\+ {8}5 {2}80000010 00628023 sb t1,0\(t0\)$/m);

    const other = elfSpec('hi2', HI, { expect: { status: 1, uart: 'hi\nho\n', instructions: 3, stateHash: '0000000000000000' } });
    r = await inproc([other]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('    status: expected 1, actual 0 (the guest exited with 0)');
    expect(r.stdout).toContain('    uart: output differs at line 2');
    expect(r.stdout).toContain('      -    2  ho\\n');
    expect(r.stdout).toMatch(/^ {4}instructions: expected 3, actual \d+$/m);
    expect(r.stdout).toMatch(/^ {4}stateHash: expected 0000000000000000, actual [0-9a-f]{16}$/m);
  });

  it('reports a bad test file naming the field, runs the others, and exits 2', async () => {
    const badAt = helloScenario('bad-at.json', (e) => { e.log[0].at = 'soon'; });
    const badKey = helloScenario('bad-key.json', (e) => { e.instructions = { nobody: 1 }; });
    const badElf = join(dir, 'bad.test.json');
    writeFileSync(badElf, JSON.stringify({ elf: 'hi.elf', expect: { stateHash: 'xyz' } }));
    const longTrace = join(dir, 'long.test.json');
    writeFileSync(longTrace, JSON.stringify({ elf: 'hi.elf', expect: { trace: 'hi.trace' } }));
    const noExpect = join(dir, 'plain.json');
    writeFileSync(noExpect, JSON.stringify({ components: HELLO.components }));
    const good = helloScenario('good.json');
    const r = await inproc([badAt, badKey, badElf, longTrace, noExpect, good]);
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`ERROR ${badAt}: expect.log[0].at: not a time: use a number and a unit, e.g. "10ms"`);
    expect(r.stdout).toContain(`ERROR ${badKey}: expect.instructions.nobody: no component named "nobody"`);
    expect(r.stdout).toContain(`ERROR ${badElf}: expect.stateHash: a state hash is 16 lowercase hex digits`);
    expect(r.stdout).toContain(`ERROR ${longTrace}: maxInsns: with expect.trace, give maxInsns of at most 1000000`);
    expect(r.stdout).toContain(`ERROR ${noExpect}: expect: no expect section`);
    expect(r.stdout).toMatch(/^ok .*good\.json/m);
    expect(r.stdout).toMatch(/6 files: 1 passed, 0 failed, 5 errors/);
  });

  it('writes well-formed JUnit XML with the right counts, the diff escaped', async () => {
    const weird = helloScenario('weird.json', (e) => { e.log[0].line = 'a <b> & "c" \u0001 \'d\''; });
    const good = helloScenario('good2.json');
    const bad = helloScenario('bad2.json', (e) => { e.status = 'zero'; });
    const xmlFile = join(dir, 'report.xml');
    const r = await inproc([weird, good, bad], { junit: xmlFile });
    expect(r.status).toBe(2);
    const xml = readFileSync(xmlFile, 'utf8');
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xml).toMatch(/<testsuite name="rtcr test" tests="3" failures="1" errors="1" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toContain('a &lt;b&gt; &amp; &quot;c&quot; \\x01 &apos;d&apos;');
    expect(xml).toMatch(/<failure message="log: line 1 differs[^"]*" type="log">/);
    expect(xml).toMatch(/<error message="[^"]*bad2\.json: expect\.status: [^"]*" type="spec"/);
    // The checker itself rejects what it should.
    expect(xmlProblem('<a><b></a></b>')).toBeDefined();
    expect(xmlProblem('<a>x & y</a>')).toBeDefined();
    expect(xmlProblem('<a>\u0001</a>')).toBeDefined();
  });

  it('shows a progress line on stderr when it is a terminal, and clears it before each result', async () => {
    let stdout = '';
    let stderr = '';
    const files = [helloScenario('p1.json'), helloScenario('p2.json', (e) => { e.status = 5; })];
    const status = await testCommand(files, {}, {
      stdout: { write: (t: string) => { stdout += t; } },
      stderr: { write: (t: string) => { stderr += t; }, isTTY: true },
    });
    expect(status).toBe(1);
    expect(stderr).toBe('\r[1/2] passed 1, failed 0\x1b[K\r\x1b[K\r[2/2] passed 1, failed 1\x1b[K\r\x1b[K');
    expect(stdout).toMatch(/^ok .*p1\.json[^]*^FAIL .*p2\.json/m);
  });

  it('writes TAP 13 to a file with --tap FILE', async () => {
    const tapFile = join(dir, 'out.tap');
    const file = helloScenario('t3.json');
    expect((await inproc([file], { tap: tapFile })).status).toBe(0);
    expect(readFileSync(tapFile, 'utf8')).toBe(`TAP version 13\n1..1\nok 1 - ${file}\n`);
  });

  it('--update rewrites the expectations in place (the rest of the text as it was); then they hold', async () => {
    const path = helloScenario('upd.json', (e) => { e.status = 7; e.instructions.hello = 1; e.log = [{ line: 'nothing' }]; });
    const before = readFileSync(path, 'utf8');
    const head = before.slice(0, before.indexOf('"expect"'));
    expect((await inproc([path])).status).toBe(1);
    const r = await inproc([path], { update: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^updated .*upd\.json/m);
    const after = readFileSync(path, 'utf8');
    expect(after).toBe(readFileSync('programs/hello.json', 'utf8').replace(/^[\s\S]*?"expect"/, head + '"expect"'));
    expect((await inproc([path])).stdout).toMatch(/^ok /m);
    // Unchanged expectations leave the file alone.
    expect((await inproc([path], { update: true })).stdout).toMatch(/^ok /m);
    // Only the fields present are rewritten; `until` stays.
    const partial = helloScenario('partial.json', (e) => { delete e.log; delete e.stateHash; e.status = 9; });
    await inproc([partial], { update: true });
    expect(JSON.parse(readFileSync(partial, 'utf8')).expect).toEqual({ until: '1s', status: 0, instructions: { hello: 158 } });
  });

  it('in a directory, finds *.json files with an expect section recursively, skipping the rest', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'sub', 'deeper'), { recursive: true });
    mkdirSync(join(root, 'node_modules'));
    mkdirSync(join(root, '.git'));
    cpSync(helloScenario('x.json'), join(root, 'sub', 'a.json'));
    cpSync(helloScenario('y.json'), join(root, 'sub', 'deeper', 'b.json'));
    cpSync(helloScenario('z.json'), join(root, 'node_modules', 'c.json'));
    cpSync(helloScenario('w.json'), join(root, '.git', 'd.json'));
    writeFileSync(join(root, 'plain.json'), JSON.stringify({ components: HELLO.components }));
    writeFileSync(join(root, 'tsconfig.json'), '{ // comments: not JSON\n}');
    writeFileSync(join(root, 'notes.txt'), '{"expect": {}}');
    const r = await inproc([root]);
    expect(r.status).toBe(0);
    const listed = r.stdout.split('\n').filter((l) => l.startsWith('ok ')).map((l) => l.split(' ')[1]);
    expect(listed).toEqual([join(root, 'sub', 'a.json'), join(root, 'sub', 'deeper', 'b.json')]);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'plain.json'), '{}');
    const none = await inproc([empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toBe(`rtcr: no test files (*.json with an "expect" section) in ${empty}\n`);
  });
});

describe('rtcr test reports and diffs (in-process)', () => {
  const results: TestResult[] = [
    { file: 'a.json', outcome: 'pass', failures: [], ms: 10 },
    { file: 'b#1.json', outcome: 'fail', failures: [{ field: 'log', message: 'log: x', diff: ['- 1  a\u0007', '+ 1  b'] }], ms: 20 },
    { file: 'c.json', outcome: 'error', failures: [], error: 'c.json: expect.until: bad', ms: 0 },
  ];

  it('JUnit: counts, escaped text, well-formed', () => {
    const xml = junitXml(results, 30);
    expect(xmlProblem(xml)).toBeUndefined();
    expect(xml).toContain('tests="3" failures="1" errors="1"');
    expect(xml).toContain('<failure message="log: x" type="log">log: x\n- 1  a\\x07\n+ 1  b</failure>');
    expect(xmlEscape('\r<\ud800')).toBe('&#13;&lt;\ufffd');
    const multi = junitXml([{ file: 'm.json', outcome: 'error', failures: [], error: 'm.json: bad\nline 2', ms: 1 }], 1);
    expect(multi).toContain('<error message="m.json: bad&#10;line 2" type="spec">m.json: bad\nline 2</error>');
  });

  it('TAP: a # in a name is escaped, a control character in the diff is shown as an escape', () => {
    const tap = tapReport(results).split('\n');
    expect(tap).toContain('not ok 2 - b\\#1.json');
    expect(tap).toContain('    - 1  a\\x07');
    expect(tap).toContain('not ok 3 - c.json');
    expect(tap).toContain('  severity: error');
  });

  it('trace diff: the first differing instruction with context, or a trace that ends early', () => {
    expect(traceDiff(['a', 'b'], ['a', 'b'])).toBeUndefined();
    const d = traceDiff(['1', '2', '3', '4', '5', 'x'], ['1', '2', '3', '4', '5', 'y', 'z']);
    expect(d).toEqual({ index: 6, lines: ['         3  3', '         4  4', '         5  5', '-        6  x', '+        6  y'] });
    expect(traceDiff(['a'], ['a', 'b'])?.lines.at(-2)).toBe('-        2  (the expected trace ends here)');
  });

  it('virtual times are exact nanoseconds, else cycles', () => {
    expect(formatAt(150, 100_000_000)).toBe('0.000001500s');
    expect(formatAt(300_000_001, 100_000_000)).toBe('3.000000010s');
    expect(formatAt(1, 3_000_000_000)).toBe(1);
  });

  it('--update replaces only the expect member of the text, or adds one', () => {
    const text = '{\n  "a": { "b": [1, "}"] },\n  "expect": {"x":1},\n  "z": "expect"\n}\n';
    expect(replaceExpect(text, { status: 0 })).toBe('{\n  "a": { "b": [1, "}"] },\n  "expect": {\n    "status": 0\n  },\n  "z": "expect"\n}\n');
    expect(replaceExpect('{\n  "a": 1\n}\n', { status: 0, log: [] })).toBe('{\n  "a": 1,\n  "expect": {\n    "status": 0,\n    "log": []\n  }\n}\n');
  });
});
