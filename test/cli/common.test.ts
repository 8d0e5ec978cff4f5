// runAndReport in-process: the boundary rule of --until and Rtcr's periodic checkpoints (a
// checkpoint at T holds the state before anything at T, as --until T does), --max-insns, statuses.
import { describe, expect, it } from 'vitest';
import { loadScenario, OutputBuffer, runAndReport } from '../../src/cli/common';
import { EXIT_LIMIT, EXIT_OK } from '../../src/cli/outcome';
import { kernelStateHash } from '../../src/kernel/statehash';
import { Rtcr } from '../../src/rtcr/rtcr';

/** hello.json under Rtcr (its log line is due at 1470 ns: 147 instructions at 100 MHz). */
function bootHello(): Rtcr {
  const loaded = loadScenario('programs/hello.json');
  if (!loaded.ok) throw new Error(loaded.error);
  const booted = Rtcr.boot({ scenario: loaded.scenario, readFile: loaded.readFile });
  if (!booted.ok) throw new Error(booted.message);
  return booted.rtcr;
}

const quiet = () => new OutputBuffer(1, true);

describe('runAndReport', () => {
  it('takes a periodic checkpoint at T before a line due at exactly T, as --until T stops before it', () => {
    const first = bootHello();
    expect(runAndReport(first.init, quiet(), { untilNs: Infinity })).toBe(EXIT_OK);
    const lineNs = first.init.log[0].cycles * 10;
    expect(first.init.log[0].text).toBe('Hello from rtcr-vm!');

    const every = bootHello();
    const seen: { ns: number; lines: number; hash: string }[] = [];
    runAndReport(every.init, quiet(), {
      untilNs: Infinity, every: lineNs,
      atEvery: (ns) => { seen.push({ ns, lines: every.init.log.length, hash: kernelStateHash(every.init.kernel) }); every.checkpoint(); },
    });
    expect(seen[0]).toMatchObject({ ns: lineNs, lines: 0 });
    expect(every.init.log.map((l) => l.text)).toEqual(first.init.log.map((l) => l.text));

    const until = bootHello();
    expect(runAndReport(until.init, quiet(), { untilNs: lineNs })).toBe(EXIT_OK);
    expect(until.init.log).toEqual([]);
    expect(kernelStateHash(until.init.kernel)).toBe(seen[0].hash);
  });

  it('counts --max-insns from where the run starts', () => {
    const r = bootHello();
    r.init.runUntilNs(500); // 50 instructions
    expect(runAndReport(r.init, quiet(), { untilNs: Infinity, maxInsns: 60 })).toBe(EXIT_LIMIT);
    expect(r.init.kernel.executed).toBe(110);
  });
});

describe('logPrinter', () => {
  it('shows control characters in labels and text as \\xNN, so a line cannot forge another or drive the terminal', async () => {
    const { mkdtempSync, openSync, closeSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { logPrinter } = await import('../../src/cli/common');
    const file = join(mkdtempSync(join(tmpdir(), 'rtcr-log-')), 'log.txt');
    const fd = openSync(file, 'w');
    const out = new OutputBuffer(fd);
    const print = logPrinter(out);
    print({ cycles: 0, label: 'init -> a\n[init] x', text: 'ok\x1b[2J\ttab\r\n[init] forged' });
    out.flush();
    closeSync(fd);
    expect(readFileSync(file, 'latin1')).toBe('[init -> a\\x0a[init] x] ok\\x1b[2J\ttab\\x0d\\x0a[init] forged\n');
  });
});
