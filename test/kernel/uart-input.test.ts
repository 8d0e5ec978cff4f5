// Scripted UART input from a scenario: text (`uart.input`) or a file (`uart.inputFile`), arriving
// at a virtual time; a missing file is an error before anything starts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Init } from '../../src/kernel/init';
import { parseScenario } from '../../src/kernel/scenario';

const base = JSON.parse(readFileSync('programs/uart_echo.json', 'utf8')) as Record<string, unknown>;
const files: Record<string, Uint8Array> = { 'in.txt': new TextEncoder().encode('line one\nline two\n') };
const readFile = (p: string) => files[p] ?? (() => { try { return readFileSync(join('programs', p)); } catch { return undefined; } })();

function boot(uart: unknown) {
  const parsed = parseScenario(JSON.stringify({ ...base, uart }), 's.json');
  if (!parsed.ok) return parsed;
  const created = Init.create({ scenario: parsed.scenario, readFile });
  return created.ok ? { ok: true as const, init: created.init } : { ok: false as const, error: created.message };
}

describe('scenario UART input', () => {
  it('delivers a file\'s bytes at inputAt', () => {
    const r = boot({ inputFile: 'in.txt', inputAt: '5ms' });
    if (!r.ok) throw new Error(r.error);
    r.init.runUntilNs(20e6);
    const lines = r.init.log.filter((l) => l.label.endsWith('uart_echo'));
    expect(lines.map((l) => l.text)).toEqual(['got: line one', 'got: line two']);
    expect(lines[0].cycles).toBeGreaterThanOrEqual(500_000); // not before 5 ms at 100 MHz
  });

  it('refuses a missing file and input given twice', () => {
    const missing = boot({ inputFile: 'nope.txt' });
    expect(missing.ok ? 'accepted' : missing.error).toMatch(/uart\.inputFile: nope\.txt not found/);
    const both = boot({ input: 'x', inputFile: 'in.txt' });
    expect(both.ok ? 'accepted' : both.error).toMatch(/uart: give input or inputFile, not both/);
  });
});
