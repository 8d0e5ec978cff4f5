// docs/abi.md's table of scenario defaults against what the schema fills in for a scenario that
// leaves every optional field out.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/kernel/scenario';

/** The docs table's `| `field` | `default` | ... |` rows: field -> the default's code text. */
function documentedDefaults(): Map<string, string> {
  const docs = readFileSync('docs/abi.md', 'utf8');
  const at = docs.indexOf('Defaults of the fields a scenario may leave out');
  expect(at).toBeGreaterThan(0);
  const rows = new Map<string, string>();
  for (const line of docs.slice(at).split('\n').slice(1)) {
    const m = /^\| `([^`]+)` \| `([^`]+)`/.exec(line);
    if (m !== null) rows.set(m[1]!, m[2]!);
    else if (rows.size > 0 && !line.startsWith('|')) break;
  }
  return rows;
}

describe('scenario defaults', () => {
  it('are the ones docs/abi.md states', () => {
    const r = parseScenario('{"components":[{"name":"a","program":"a.s"}],"uart":{},"rtcr":{}}', 'min.json');
    if (!r.ok) throw new Error(r.error);
    const s = r.scenario;
    const d = documentedDefaults();
    expect(Number(d.get('clock.insnsPerSecond'))).toBe(s.clock.insnsPerSecond);
    expect(Number(d.get('clock.mtimeHz'))).toBe(s.clock.mtimeHz);
    expect(Number(d.get('ramMiB'))).toBe(s.ramMiB);
    expect(d.get('components[].ram')).toBe('"1M"');
    expect(s.components[0]!.ram).toBe(1024 * 1024);
    expect(Number(d.get('components[].priority'))).toBe(s.components[0]!.priority);
    expect(JSON.parse(d.get('components[].config')!)).toBe(s.components[0]!.config);
    expect(s.components[0]!.routes).toBeUndefined(); // documented: every core service
    expect(s.uart?.inputAt).toBe('0s');
    expect(s.rtcr).toEqual({ granularity: 0, mode: 'access' });
  });
});
