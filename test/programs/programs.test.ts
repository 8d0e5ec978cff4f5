// Every guest program under programs/: (a) assembles with our assembler and, where GNU binutils
// are installed, GNU as accepts it too and the loaded bytes are identical; every scenario file
// parses and names a program beside it. (b) Each scenario runs under the kernel and init for a
// bounded virtual time with the log lines it must print (memwalk's checksums against a
// TypeScript model of its walk).
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gnuBuild, hasGnu } from '../asm/gnu';
import { loadedBytes } from '../asm/elfsections';
import { Init, type LogLine } from '../../src/kernel/init';
import { parseScenario, parseTimeNs } from '../../src/kernel/scenario';
import { shmRegistry } from '../../src/kernel/services/shm';
import { kernelStateHash } from '../../src/kernel/statehash';
import { assembleProgram, PROGRAM_BASE, PROGRAMS } from './guest';

const sources = readdirSync(PROGRAMS).filter((f) => f.endsWith('.s')).sort();
const scenarios = readdirSync(PROGRAMS).filter((f) => f.endsWith('.json')).sort();

describe('(a) programs/*.s assemble', () => {
  it('the programs of issue 4 are all there, each with its scenario', () => {
    for (const p of ['hello', 'sheep_counter', 'memwalk', 'threads', 'crash', 'uart_echo']) {
      expect(sources).toContain(`${p}.s`);
      expect(scenarios).toContain(`${p}.json`);
    }
  });
  for (const p of sources) {
    const path = join(PROGRAMS, p);
    it(`${p}: our assembler, entry _start`, () => {
      const { elf, symbols } = assembleProgram(path);
      expect(elf.length).toBeGreaterThan(52);
      expect(symbols.get('_start')).toBe(PROGRAM_BASE);
      expect(symbols.has('main')).toBe(true);
    });
    it.skipIf(!hasGnu)(`${p}: GNU as accepts it and loads the same bytes`, () => {
      const gnu = gnuBuild([path], PROGRAM_BASE, [PROGRAMS, join(PROGRAMS, 'lib')]);
      if (!gnu.ok) throw new Error(gnu.stderr);
      const ours = loadedBytes(assembleProgram(path).elf);
      const theirs = loadedBytes(gnu.elf);
      expect(ours.size).toBe(theirs.size);
      for (const [a, b] of theirs) if (ours.get(a) !== b) throw new Error(`${p}: byte at 0x${a.toString(16)} differs`);
    });
  }
  for (const s of scenarios) {
    it(`${s}: a valid scenario whose programs exist`, () => {
      const parsed = parseScenario(readFileSync(join(PROGRAMS, s), 'utf8'), s);
      if (!parsed.ok) throw new Error(parsed.error);
      for (const c of parsed.scenario.components) expect(existsSync(join(PROGRAMS, c.program)), c.program).toBe(true);
    });
  }
});

// ---------------------------------------------------------------- (b) running the scenarios

interface Run { init: Init; stop: string; lines: LogLine[]; seconds: (l: LogLine) => number }

/** Boots a scenario (a file in programs/, or its parsed JSON with overrides) and runs it. */
function runScenario(file: string, until: string, edit?: (json: { components: { config?: string }[] }) => void): Run {
  const json = JSON.parse(readFileSync(join(PROGRAMS, file), 'utf8')) as { components: { config?: string }[] };
  edit?.(json);
  const parsed = parseScenario(JSON.stringify(json), file);
  if (!parsed.ok) throw new Error(parsed.error);
  const created = Init.create({
    scenario: parsed.scenario,
    readFile: (p) => { const f = join(PROGRAMS, p); return existsSync(f) ? new Uint8Array(readFileSync(f)) : undefined; },
  });
  if (!created.ok) throw new Error(created.message);
  const init = created.init;
  const stop = init.runUntilNs(parseTimeNs(until)!);
  const hz = parsed.scenario.clock.insnsPerSecond;
  return { init, stop, lines: init.log, seconds: (l) => l.cycles / hz };
}

const text = (lines: LogLine[]): string[] => lines.map((l) => `[${l.label}] ${l.text}`);

describe('(b) scenarios under the kernel', () => {
  it('hello logs its greeting and exits with 0', () => {
    const r = runScenario('hello.json', '1s');
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual(['[init -> hello] Hello from rtcr-vm!', '[init] hello exited with status 0']);
  });

  it('sheep_counter: one line per virtual second, 5 lines in 5 s', () => {
    const r = runScenario('sheep_counter.json', '5s');
    expect(r.stop).toBe('until');
    expect(text(r.lines)).toEqual([1, 2, 3, 4, 5].map((n) => `[init -> sheep_counter] ${n} sheeps. zzZ`));
    // the first at start-up, then each one second (virtual) after the previous
    r.lines.slice(0, 3).forEach((l, i) => {
      expect(r.seconds(l)).toBeGreaterThanOrEqual(i);
      expect(r.seconds(l)).toBeLessThan(i + 0.001);
    });
  });

  it('crash: the store to 0 ends crash with a page fault; sheep_counter keeps counting', () => {
    const r = runScenario('crash.json', '4s');
    expect(r.stop).toBe('until');
    const t = text(r.lines);
    expect(t.filter((l) => l.startsWith('[init -> sheep_counter]'))).toEqual([1, 2, 3, 4].map((n) => `[init -> sheep_counter] ${n} sheeps. zzZ`));
    expect(t.filter((l) => !l.startsWith('[init -> sheep_counter]'))).toEqual([
      '[init -> crash] about to store to 0x00000000',
      expect.stringMatching(/^\[init\] crash faulted: .*write.*0x0+\b/),
      // init's register dump of the faulting thread: the store's pc, cause 15 with tval 0, t0 = 0x5eed
      expect.stringMatching(/^\[init\] crash: thread main pc 0x[0-9a-f]{8} cause 15 \(store\/AMO page fault\) tval 0x00000000$/),
      expect.stringMatching(/^\[init\] crash: zero=0x00000000 ra=0x[0-9a-f]{8} sp=0x7e[0-9a-f]{6} gp=.* t0=0x00005eed t1=.* t2=0x[0-9a-f]{8}$/),
      expect.stringMatching(/^\[init\] crash: s0=.* a5=0x[0-9a-f]{8}$/),
      expect.stringMatching(/^\[init\] crash: a6=.* s2=0x00000000 .* s7=0x[0-9a-f]{8}$/),
      expect.stringMatching(/^\[init\] crash: s8=.* t6=0x[0-9a-f]{8}$/),
    ]);
    const fault = r.lines.findIndex((l) => l.label === 'init');
    expect(r.seconds(r.lines[fault]!)).toBeGreaterThanOrEqual(1.5);
    expect(r.seconds(r.lines[fault]!)).toBeLessThan(1.501);
    expect(t.slice(fault + 6)).toEqual(['[init -> sheep_counter] 3 sheeps. zzZ', '[init -> sheep_counter] 4 sheeps. zzZ']);
    // crash never got past the store
    expect(t.some((l) => l.includes('still alive'))).toBe(false);
  });

  const threadsLines = (workers: number, iterations: number): string[] => {
    const n = workers * iterations, mask = 2 ** workers - 1;
    return [
      `[init -> threads] started ${workers} workers, ${iterations} iterations each`,
      `[init -> threads] amoadd counter: ${n} (expected ${n})`,
      `[init -> threads] lr/sc counter: ${n} (expected ${n})`,
      `[init -> threads] locked counter: ${n} (expected ${n})`,
      `[init -> threads] amomax: ${n} (expected ${n})`,
      `[init -> threads] done mask: ${mask} (expected ${mask})`,
      `[init -> threads] worker threads ended: ${workers} (expected ${workers})`,
      '[init -> threads] all results as expected',
      '[init] threads exited with status 0',
    ];
  };
  it('threads: three workers on shared counters (AMOs, LR/SC, a spinlock) signal main; exact results', () => {
    const r = runScenario('threads.json', '2s');
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual(threadsLines(3, 1000));
  });
  it('threads: eight workers', () => {
    const r = runScenario('threads.json', '2s', (j) => { j.components[0]!.config = 'workers=8 iterations=300'; });
    expect(text(r.lines)).toEqual(threadsLines(8, 300));
  });
  it('threads: a bad config fails with a message and exit status 1', () => {
    const r = runScenario('threads.json', '1s', (j) => { j.components[0]!.config = 'workers=9'; });
    expect(text(r.lines)).toEqual(['[init -> threads] workers failed: error -4', '[init] threads exited with status 1']);
  });

  it('uart_echo: echoes each line the UART receives through LOG', () => {
    const r = runScenario('uart_echo.json', '1s');
    expect(text(r.lines)).toEqual(['[init -> uart_echo] got: hello', '[init -> uart_echo] got: world']);
    for (const l of r.lines) expect(r.seconds(l)).toBeGreaterThanOrEqual(0.01);
  });
});

// ---------------------------------------------------------------- memwalk against a model

/** memwalk's walk in TypeScript (see the comment at the top of programs/memwalk.s). */
function memwalkModel(cfg: { size: number; pattern: string; stride: number; seed: number; touches?: number }, walks: number): string[] {
  const size = cfg.size & ~3, words = size / 4, stride = cfg.stride;
  const mem = new Uint32Array(words);
  const touches = cfg.touches ?? words;
  let x = cfg.seed === 0 ? 1 : cfg.seed >>> 0, cur = 0, lane = 0, c = 0;
  const out: string[] = [];
  for (let w = 1; w <= walks; w++) {
    for (let i = 0; i < touches; i++) {
      let off: number;
      if (cfg.pattern === 'random') {
        x = (x ^ (x << 13)) >>> 0;
        x = (x ^ (x >>> 17)) >>> 0;
        x = (x ^ (x << 5)) >>> 0;
        off = (x % words) * 4;
      } else if (cfg.pattern === 'strided') {
        off = cur;
        cur += stride;
        if (cur >= size) {
          lane += 4;
          if (lane >= stride || lane >= size) lane = 0;
          cur = lane;
        }
      } else {
        off = cur;
        cur += 4;
        if (cur >= size) cur = 0;
      }
      const v = mem[off / 4]!;
      c = (Math.imul(c, 31) + v + w) >>> 0;
      c = (c ^ (c >>> 15)) >>> 0;
      mem[off / 4] = ((v ^ c) + w) >>> 0;
    }
    out.push(`walk ${w}: checksum 0x${c.toString(16).padStart(8, '0')}`);
  }
  return out;
}

describe('(b) memwalk: checksums as the model computes them, one walk per period', () => {
  const cases: [string, { size: number; pattern: string; stride: number; seed: number; touches?: number }, string, number][] = [
    ['memwalk.json as committed', { size: 262144, pattern: 'random', stride: 4096, seed: 1 }, '', 100000],
    ['sequential', { size: 16384, pattern: 'sequential', stride: 4096, seed: 1, touches: 5000 }, 'size=16K pattern=sequential touches=5000 period=10ms', 10000],
    ['strided', { size: 20480, pattern: 'strided', stride: 4096, seed: 1, touches: 3000 }, 'size=20K, pattern=strided, stride=0x1000, touches=3000, period=10ms', 10000],
    ['random, seed 0', { size: 12288, pattern: 'random', stride: 4096, seed: 0, touches: 4000 }, 'size=12K pattern=random seed=0 touches=4000 period=10ms', 10000],
    ['memwalk_rtcr.json\'s walk: fresh memory every walk', { size: 1048576, pattern: 'sequential', stride: 4096, seed: 1, touches: 4096 }, 'size=1M pattern=sequential period=100ms touches=4096', 100000],
  ];
  for (const [name, cfg, config, periodUs] of cases) {
    it(name, () => {
      const walks = 5;
      const until = `${(walks + 0.5) * periodUs}us`;
      const r = runScenario('memwalk.json', until, config === '' ? undefined : (j) => { j.components[0]!.config = config; });
      const t = r.lines.map((l) => l.text);
      const touches = cfg.touches ?? cfg.size / 4;
      expect(t[0]).toBe(`memwalk: ${cfg.size} bytes, ${cfg.pattern}, stride ${cfg.stride}, seed ${cfg.seed === 0 ? 1 : cfg.seed}, period ${periodUs} us, touches ${touches}`);
      expect(t.slice(1)).toEqual(memwalkModel(cfg, walks));
      // walk k ends within one period after k periods
      r.lines.slice(1).forEach((l, i) => {
        expect(r.seconds(l)).toBeGreaterThan((i + 1) * periodUs / 1e6);
        expect(r.seconds(l)).toBeLessThan((i + 2) * periodUs / 1e6);
      });
    });
  }
  it('the checksum changes from walk to walk, also where every walk touches memory never touched before', () => {
    // memwalk_rtcr.json's walk: 4096 fresh words per walk for 64 walks (zero memory once gave
    // checksum 0 every time, so a wrongly restored page could not show in the log).
    const r = runScenario('memwalk_rtcr.json', '1050ms');
    const sums = r.lines.slice(1).map((l) => /checksum (0x[0-9a-f]{8})$/.exec(l.text)?.[1]);
    expect(sums).toHaveLength(10);
    expect(new Set(sums).size).toBe(10);
    expect(sums).not.toContain('0x00000000');
  });
  it('a bad pattern fails with a message and exit status 1', () => {
    const r = runScenario('memwalk.json', '1s', (j) => { j.components[0]!.config = 'pattern=zigzag'; });
    expect(text(r.lines)).toEqual(['[init -> memwalk] pattern failed: error -4', '[init] memwalk exited with status 1']);
  });
});

// ---------------------------------------------------------------- pager: its own pager

describe('(b) pager: main pages a managed dataspace for its worker, 50 ms per fault', () => {
  const pages = 16, delay = 0.05;
  const expected = (): string[] => {
    const out = [`pager: ${pages} pages managed at 0x10000000`];
    for (let i = 0; i < pages; i++) {
      out.push(`fault at +0x${(i * 4096 + i * 4).toString(16)} (${i % 2 === 1 ? 'read' : 'write'})`);
      if (i === pages - 1) out.push('pager done'); // main goes on after the last attach
      out.push(`page ${i}: ok`);
    }
    return out.map((l) => `[init -> pager] ${l}`).concat('[init] pager exited with status 0');
  };

  it('pager.json: the exact log with its virtual times, exit 0', () => {
    const r = runScenario('pager.json', '2s');
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual(expected());
    // page i faults at once after page i-1 is done (i * 50 ms) and is done 50 ms later
    const at = (t: string) => r.seconds(r.lines.find((l) => l.text === t)!);
    for (let i = 0; i < pages; i++) {
      const fault = at(`fault at +0x${(i * 4096 + i * 4).toString(16)} (${i % 2 === 1 ? 'read' : 'write'})`);
      expect(fault).toBeGreaterThanOrEqual(i * delay);
      expect(fault).toBeLessThan(i * delay + 0.001);
      const ok = at(`page ${i}: ok`);
      expect(ok).toBeGreaterThanOrEqual(fault + delay);
      expect(ok).toBeLessThan(fault + delay + 0.001);
    }
    const end = r.seconds(r.lines.at(-1)!);
    expect(end).toBeGreaterThanOrEqual(pages * delay);
    expect(end).toBeLessThan(pages * delay + 0.001);
  });

  it('between two attaches the worker is blocked in a managed-dataspace fault (state 2)', () => {
    const r = runScenario('pager.json', '425ms');
    expect(r.stop).toBe('until');
    const threads = r.init.components.get('pager')!.task.threads;
    const worker = threads.find((t) => t.name === 'worker')!;
    expect(worker.stateWord).toBe(2); // THREAD_FAULTED (docs/abi.md)
    expect(worker.faultIn).toBeDefined();
    expect(threads[0]!.stateWord).toBe(1); // main waits for the timer
    expect(text(r.lines).at(-1)).toBe('[init -> pager] fault at +0x8020 (write)');
  });

  it('pages=3 delay=0: attaches at once, same shape', () => {
    const r = runScenario('pager.json', '1s', (j) => { j.components[0]!.config = 'pages=3 delay=0'; });
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual([
      '[init -> pager] pager: 3 pages managed at 0x10000000',
      '[init -> pager] fault at +0x0 (write)', '[init -> pager] page 0: ok',
      '[init -> pager] fault at +0x1004 (read)', '[init -> pager] page 1: ok',
      '[init -> pager] fault at +0x2008 (write)', '[init -> pager] pager done', '[init -> pager] page 2: ok',
      '[init] pager exited with status 0',
    ]);
    expect(r.seconds(r.lines.at(-1)!)).toBeLessThan(0.001);
  });

  it('a bad page count fails with a message and exit status 1', () => {
    const r = runScenario('pager.json', '1s', (j) => { j.components[0]!.config = 'pages=65'; });
    expect(text(r.lines)).toEqual(['[init -> pager] pages failed: error -4', '[init] pager exited with status 1']);
  });
});

// ---------------------------------------------------------------- the IRQ source device (issue 6)

describe('(b) irq_counter: counts the IRQ source\'s periodic interrupts, acknowledging each', () => {
  const head = 'irq_counter: channel 0 (irq 1), period 10000 us = 100000 ticks, 10 interrupts';
  const expected = [head, ...Array.from({ length: 10 }, (_, i) => `irq ${i + 1}: count ${i + 1}, status 3`), 'done']
    .map((l) => `[init -> irq_counter] ${l}`).concat('[init] irq_counter exited with status 0');

  it('irq_counter.json: the exact log, one line per 10 ms of virtual time, exit 0', () => {
    const r = runScenario('irq_counter.json', '1s');
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual(expected);
    const irqLines = r.lines.filter((l) => l.text.startsWith('irq '));
    irqLines.forEach((l, i) => {
      expect(r.seconds(l)).toBeGreaterThanOrEqual((i + 1) * 0.01);
      expect(r.seconds(l)).toBeLessThan((i + 1) * 0.01 + 0.0001);
    });
    // The device fires at exact cycles and the same code runs each time: lines 1..9 (one digit
    // each) are exactly 10 ms = 1e6 cycles apart.
    for (let i = 1; i < 9; i++) expect(irqLines[i]!.cycles - irqLines[i - 1]!.cycles).toBe(1_000_000);
    expect(r.init.components.get('irq_counter')!.task.stats.irqs).toBe(10);
    const s = r.init.machine.irqsrc.saveState().channels[0]!;
    expect(s).toMatchObject({ control: 0, count: 10, pending: 0 }); // disarmed, all acknowledged
    expect(r.init.machine.plic.saveState()).toMatchObject({ pending: 0, claimed: 0 });
  });

  it('two runs: the same lines at the same cycles', () => {
    const a = runScenario('irq_counter.json', '1s');
    const b = runScenario('irq_counter.json', '1s');
    expect(b.lines).toEqual(a.lines);
  });

  it('channel=3 period=1ms count=3: PLIC source 4, every millisecond', () => {
    const r = runScenario('irq_counter.json', '1s', (j) => { j.components[0]!.config = 'channel=3 period=1ms count=3'; });
    expect(text(r.lines)).toEqual([
      'irq_counter: channel 3 (irq 4), period 1000 us = 10000 ticks, 3 interrupts',
      'irq 1: count 1, status 3', 'irq 2: count 2, status 3', 'irq 3: count 3, status 3', 'done',
    ].map((l) => `[init -> irq_counter] ${l}`).concat('[init] irq_counter exited with status 0'));
    r.lines.filter((l) => l.text.startsWith('irq ')).forEach((l, i) => {
      expect(r.seconds(l)).toBeGreaterThanOrEqual((i + 1) * 0.001);
      expect(r.seconds(l)).toBeLessThan((i + 1) * 0.001 + 0.0001);
    });
  });

  it('a bad channel or period fails with a message and exit status 1', () => {
    for (const [config, key] of [['channel=4', 'channel'], ['channel=x', 'channel'], ['period=0', 'period'], ['count=0', 'count']]) {
      const r = runScenario('irq_counter.json', '1s', (j) => { j.components[0]!.config = config; });
      expect(text(r.lines), config).toEqual([`[init -> irq_counter] ${key} failed: error -4`, '[init] irq_counter exited with status 1']);
    }
  });
});

describe('(b) irq_lazy: each interrupt left unacknowledged for 25 ms', () => {
  const expected = [
    'irq_lazy: channel 1 (irq 2), period 10000 us, delay 25000 us, 3 rounds',
    'round 1: signal at count 1, status 3',
    'round 1: after 25000 us unacknowledged: count 3, status 3, signals meanwhile 0',
    'round 2: signal at count 4, status 3',
    'round 2: after 25000 us unacknowledged: count 6, status 3, signals meanwhile 0',
    'round 3: signal at count 7, status 3',
    'round 3: after 25000 us unacknowledged: count 9, status 3, signals meanwhile 0',
    'done',
  ].map((l) => `[init -> irq_lazy] ${l}`).concat('[init] irq_lazy exited with status 0');

  it('irq_lazy.json: the exact log with its virtual times, exit 0', () => {
    const r = runScenario('irq_lazy.json', '1s');
    expect(r.stop).toBe('exited');
    expect(text(r.lines)).toEqual(expected);
    // signals at 10, 40, 70 ms (the next event after each acknowledgement), acks 25 ms later
    const at = r.lines.slice(1, 7).map((l) => r.seconds(l));
    [0.01, 0.035, 0.04, 0.065, 0.07, 0.095].forEach((t, i) => {
      expect(at[i]).toBeGreaterThanOrEqual(t);
      expect(at[i]).toBeLessThan(t + 0.0001);
    });
    expect(r.init.components.get('irq_lazy')!.task.stats.irqs).toBe(3);
  });

  it('inside the window the line is high, the source claimed, and the channel keeps counting', () => {
    const r = runScenario('irq_lazy.json', '22ms');
    expect(r.stop).toBe('until');
    const m = r.init.machine;
    expect(m.irqsrc.lineHigh(1)).toBe(true);
    expect(m.irqsrc.saveState().channels[1]).toMatchObject({ count: 2, pending: 1 });
    expect(m.plic.saveState()).toMatchObject({ claimed: 1 << 2, pending: 0 });
    expect(m.plic.saveState().levels & (1 << 2)).toBe(1 << 2);
    const main = r.init.components.get('irq_lazy')!.task.threads[0]!;
    expect(main.stateWord).toBe(1); // waiting for the timer
  });

  it('delay=5ms (shorter than the period): nothing fires meanwhile', () => {
    const r = runScenario('irq_lazy.json', '1s', (j) => { j.components[0]!.config = 'channel=0 delay=5ms rounds=2'; });
    expect(text(r.lines)).toEqual([
      'irq_lazy: channel 0 (irq 1), period 10000 us, delay 5000 us, 2 rounds',
      'round 1: signal at count 1, status 3',
      'round 1: after 5000 us unacknowledged: count 1, status 3, signals meanwhile 0',
      'round 2: signal at count 2, status 3',
      'round 2: after 5000 us unacknowledged: count 2, status 3, signals meanwhile 0',
      'done',
    ].map((l) => `[init -> irq_lazy] ${l}`).concat('[init] irq_lazy exited with status 0'));
  });

  it('a bad config fails with a message and exit status 1', () => {
    const r = runScenario('irq_lazy.json', '1s', (j) => { j.components[0]!.config = 'rounds=0'; });
    expect(text(r.lines)).toEqual(['[init -> irq_lazy] rounds failed: error -4', '[init] irq_lazy exited with status 1']);
  });
});

// ---------------------------------------------------------------- shm_ring: producer and consumer over SHM

describe('(b) shm_ring: records through a ring buffer in an SHM region, none lost, doubled or torn', () => {
  const RING = 0x10000000; // both attach the region first in their attach area
  const C = '[init -> shm_consumer] ';
  const P = '[init -> shm_producer] ';
  type Json = { components: { config?: string }[] };
  /** Words of the ring header (used, head, tail, errors) as the consumer sees them. */
  const header = (r: Run): number[] => {
    const b = r.init.kernel.readUser(r.init.components.get('shm_consumer')!.task, RING, 16);
    if (!b.ok) throw new Error(b.error);
    const dv = new DataView(b.value.buffer);
    return [0, 4, 8, 12].map((o) => dv.getUint32(o, true));
  };
  /** Consumer lines "consumed N records, last seq S, errors E" as [N, S, E]. */
  const reports = (r: Run): number[][] => r.lines.filter((l) => l.text.startsWith('consumed '))
    .map((l) => /^consumed (\d+) records, last seq (\d+), errors (\d+)$/.exec(l.text)!.slice(1).map(Number));

  it('shm_ring.json: the exact log for 1 s, a report every 100 ms, errors 0', () => {
    const r = runScenario('shm_ring.json', '1s');
    expect(r.stop).toBe('until');
    const counts = [3591, 7184, 10776, 14369, 17961, 21553, 25146, 28739, 32331];
    expect(text(r.lines)).toEqual([
      `${C}consumer: ring ring0 at 0x10000000, draining every 1000 us, reporting every 100000 us`,
      `${P}producer: ring ring0 at 0x10000000, slots 64, work 150, backoff 100 us`,
      ...counts.slice(0, 2).map((n) => `${C}consumed ${n} records, last seq ${n}, errors 0`),
      `${P}produced 10000 records, ring full 0 times, sc retries 0`,
      ...counts.slice(2, 5).map((n) => `${C}consumed ${n} records, last seq ${n}, errors 0`),
      `${P}produced 20000 records, ring full 0 times, sc retries 0`,
      ...counts.slice(5, 8).map((n) => `${C}consumed ${n} records, last seq ${n}, errors 0`),
      `${P}produced 30000 records, ring full 0 times, sc retries 1`,
      `${C}consumed ${counts[8]} records, last seq ${counts[8]}, errors 0`,
    ]);
    // report k comes right after the timer's tick at k x 100 ms
    r.lines.filter((l) => l.text.startsWith('consumed ')).forEach((l, i) => {
      expect(r.seconds(l)).toBeGreaterThanOrEqual((i + 1) * 0.1);
      expect(r.seconds(l)).toBeLessThan((i + 1) * 0.1 + 0.001);
    });
    const [used, head, tail, errors] = header(r);
    expect(errors).toBe(0);
    expect(tail).toBeGreaterThanOrEqual(counts[8]);
    expect(head - tail - used).toBeGreaterThanOrEqual(0); // the producer may be between head and used
    expect(head - tail - used).toBeLessThanOrEqual(1);
    expect(used).toBeLessThanOrEqual(64);
  });

  it('both components map one dataspace, charged to the first to ask (the consumer, at the higher priority)', () => {
    const r = runScenario('shm_ring.json', '5ms');
    const shm = shmRegistry(r.init.kernel).get('ring0')!;
    expect(shm.dataspace.size).toBe(4096);
    expect(shm.charged).toBe(r.init.components.get('shm_consumer')!.task);
    for (const name of ['shm_consumer', 'shm_producer']) {
      const res = r.init.components.get(name)!.task.as.resolve(RING);
      expect(res.kind).toBe('mapped');
      if (res.kind === 'mapped') expect(res.pa).toBe(shm.dataspace.phys);
    }
    expect([...shmRegistry(r.init.kernel).keys()]).toEqual(['ring0']);
  });

  it('the same log on every run', () => {
    const a = runScenario('shm_ring.json', '300ms');
    const b = runScenario('shm_ring.json', '300ms');
    expect(a.lines).toEqual(b.lines);
    expect(kernelStateHash(a.init.kernel)).toBe(kernelStateHash(b.init.kernel));
  });

  const variants: [string, string, string][] = [
    ['a fast producer fills the ring and backs off', 'name=ring0 period=1ms report=50ms', 'name=ring0 work=1 backoff=100us report=5000'],
    ['a slow producer, a consumer at 250 us', 'name=ring0 period=250us report=50ms', 'name=ring0 work=700 report=1000'],
    ['another name, a ring that fills within a period', 'name=q.1 period=3ms report=30ms', 'name=q.1 work=20 backoff=37us report=3000'],
  ];
  for (const [what, consumer, producer] of variants) {
    it(`${what}: errors 0, every record once`, () => {
      const r = runScenario('shm_ring.json', '400ms', (j: Json) => { j.components[0]!.config = consumer; j.components[1]!.config = producer; });
      const rep = reports(r);
      expect(rep.length).toBeGreaterThanOrEqual(4);
      for (const [n, last, errors] of rep) {
        expect(errors).toBe(0);
        expect(last).toBe(n);
      }
      expect(rep.map((x) => x[0])).toEqual([...rep.map((x) => x[0])].sort((x, y) => x - y));
      expect(r.lines.some((l) => l.text.startsWith('bad record'))).toBe(false);
      expect(header(r)[3]).toBe(0);
      const produced = r.lines.filter((l) => l.text.startsWith('produced '));
      expect(produced.length).toBeGreaterThan(0);
      if (producer.includes('work=1 ')) expect(produced.every((l) => !/ring full 0 times/.test(l.text))).toBe(true);
    });
  }

  /** Runs to 50.5 ms (between two ticks), lets `edit` change the ring, runs to 250 ms (two reports). */
  function tamper(edit: (words: DataView, tail: number) => void): { r: Run; tail: number } {
    const r = runScenario('shm_ring.json', '50500us');
    const task = r.init.components.get('shm_consumer')!.task;
    const k = r.init.kernel;
    const [used, , tail] = header(r);
    expect(used).toBeGreaterThan(2);
    const at = RING + 64 + (tail % 64) * 16;
    const b = k.readUser(task, at, 16);
    if (!b.ok) throw new Error(b.error);
    const dv = new DataView(b.value.buffer);
    expect(dv.getUint32(0, true)).toBe(tail + 1);
    edit(dv, tail);
    expect(k.writeUser(task, at, b.value).ok).toBe(true);
    r.init.runUntilNs(250e6);
    return { r, tail };
  }
  const hex8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

  it('detects a torn record (a payload word changed in the ring): one error, logged', () => {
    let sums: [number, number] = [0, 0];
    const { r, tail } = tamper((w) => {
      w.setUint32(4, w.getUint32(4, true) ^ 0x100, true);
      const seq = w.getUint32(0, true);
      sums = [w.getUint32(12, true), ((seq + w.getUint32(4, true) + w.getUint32(8, true)) ^ 0xa5a5a5a5) >>> 0];
    });
    expect(text(r.lines).filter((l) => l.includes('bad record'))).toEqual([
      `${C}bad record ${tail + 1}: seq ${tail + 1} (expected ${tail + 1}), checksum 0x${hex8(sums[0])} (expected 0x${hex8(sums[1])})`,
    ]);
    expect(reports(r).map((x) => x[2])).toEqual([1, 1]); // once, not on every record after it
    expect(header(r)[3]).toBe(1);
  });

  it('detects a lost and a doubled record (a record replaced by a valid copy of the next)', () => {
    const { r, tail } = tamper((w, t) => {
      const seq = t + 2;
      w.setUint32(0, seq, true);
      w.setUint32(12, ((seq + w.getUint32(4, true) + w.getUint32(8, true)) ^ 0xa5a5a5a5) >>> 0, true);
    });
    const bad = text(r.lines).filter((l) => l.includes('bad record'));
    expect(bad.map((l) => l.replace(/, checksum.*/, ''))).toEqual([
      `${C}bad record ${tail + 1}: seq ${tail + 2} (expected ${tail + 1})`, // tail + 1 lost
      `${C}bad record ${tail + 2}: seq ${tail + 2} (expected ${tail + 3})`, // tail + 2 twice
    ]);
    expect(reports(r).map((x) => x[2])).toEqual([2, 2]);
  });

  it('bad configurations fail with a message and exit status 1', () => {
    const bad = (consumer: string, producer: string) => text(runScenario('shm_ring.json', '10ms', (j: Json) => {
      j.components[0]!.config = consumer;
      j.components[1]!.config = producer;
    }).lines);
    expect(bad('name=ring0 period=0', 'name=ring0 work=x')).toEqual([
      `${C}period failed: error -4`, '[init] shm_consumer exited with status 1',
      `${P}work failed: error -4`, '[init] shm_producer exited with status 1',
    ]);
    expect(bad(`name=${'n'.repeat(33)}`, 'name=a/b')).toEqual([
      `${C}SHM ring failed: error -4`, '[init] shm_consumer exited with status 1',
      `${P}SHM ring failed: error -4`, '[init] shm_producer exited with status 1',
    ]);
  });
});
