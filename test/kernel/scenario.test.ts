// Scenario files: validation errors name the field path; init refuses missing programs,
// programs that do not assemble and quotas too small, naming the component.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/kernel/scenario';
import { Init } from '../../src/kernel/init';
import { fileReader, raw, tryBoot } from './harness';

const ok = { components: [{ name: 'a', program: 'a.s' }] };
const errorOf = (v: unknown): string => {
  const r = parseScenario(JSON.stringify(v), 'demo.json');
  if (r.ok) throw new Error('accepted');
  return r.error;
};
const withComponent = (extra: Record<string, unknown>) => ({ components: [{ name: 'a', program: 'a.s', ...extra }] });

describe('parseScenario', () => {
  it('accepts a minimal scenario and fills the defaults', () => {
    const r = parseScenario(JSON.stringify(ok), 'demo.json');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.scenario.clock).toEqual({ insnsPerSecond: 100_000_000, mtimeHz: 10_000_000 });
    expect(r.scenario.ramMiB).toBe(64);
    expect(r.scenario.components[0]).toMatchObject({ ram: 1024 * 1024, priority: 100, config: '' });
    expect(r.scenario.components[0].routes).toBeUndefined();
  });

  it('parses sizes with suffixes', () => {
    const r = parseScenario(JSON.stringify(withComponent({ ram: '64K' })), 'demo.json');
    expect(r.ok && r.scenario.components[0].ram).toBe(65536);
    const m = parseScenario(JSON.stringify(withComponent({ ram: '2M' })), 'demo.json');
    expect(m.ok && m.scenario.components[0].ram).toBe(2 * 1024 * 1024);
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', undefined, /^demo\.json: not JSON/],
    ['no components', {}, /^demo\.json: components: /],
    ['empty components', { components: [] }, /^demo\.json: components: /],
    ['bad size', withComponent({ ram: 'lots' }), /^demo\.json: components\[0\]\.ram: not a size: "lots"/],
    ['zero size', withComponent({ ram: 0 }), /^demo\.json: components\[0\]\.ram: not a size/],
    ['priority too high', withComponent({ priority: 300 }), /^demo\.json: components\[0\]\.priority: /],
    ['priority not an integer', withComponent({ priority: 1.5 }), /^demo\.json: components\[0\]\.priority: /],
    ['bad name', withComponent({ name: 'a b' }), /^demo\.json: components\[0\]\.name: letters, digits/],
    ['missing program', { components: [{ name: 'a' }] }, /^demo\.json: components\[0\]\.program: /],
    ['config too long', withComponent({ config: 'x'.repeat(1025) }), /^demo\.json: components\[0\]\.config: /],
    ['unknown route', withComponent({ routes: { FOO: 'core' } }), /^demo\.json: components\[0\]\.routes(\.FOO)?: /],
    ['route not to core', withComponent({ routes: { LOG: 'elsewhere' } }), /^demo\.json: components\[0\]\.routes\.LOG: /],
    ['unknown component field', withComponent({ colour: 'red' }), /^demo\.json: components\[0\]: .*colour/],
    ['unknown top-level field', { ...ok, extra: 1 }, /^demo\.json: .*extra/],
    ['duplicate names', { components: [{ name: 'a', program: 'a.s' }, { name: 'a', program: 'b.s' }] }, /^demo\.json: components\[1\]\.name: duplicate component name "a"/],
    ['clock not a multiple', { ...ok, clock: { insnsPerSecond: 100_000_001, mtimeHz: 10_000_000 } }, /^demo\.json: clock\.insnsPerSecond: must be a multiple of clock\.mtimeHz/],
    ['clock negative', { ...ok, clock: { insnsPerSecond: -5 } }, /^demo\.json: clock\.insnsPerSecond: /],
    ['ram too large', { ...ok, ramMiB: 4096 }, /^demo\.json: ramMiB: /],
    ['bad input time', { ...ok, uart: { input: 'x', inputAt: 'soon' } }, /^demo\.json: uart\.inputAt: not a time/],
    ['unknown uart field', { ...ok, uart: { baud: 9600 } }, /^demo\.json: uart: .*baud/],
    ['second component bad', { components: [{ name: 'a', program: 'a.s' }, { name: 'b', program: 'b.s', priority: -1 }] }, /^demo\.json: components\[1\]\.priority: /],
  ])('names the path: %s', (_what, value, pattern) => {
    const text = value === undefined ? '{ components: [' : JSON.stringify(value);
    const r = parseScenario(text, 'demo.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(pattern);
  });

  it('errorOf helper sanity', () => {
    expect(errorOf({ components: 5 })).toMatch(/^demo\.json: components: /);
  });
});

describe('Init.create', () => {
  it('refuses a missing program, naming the component', () => {
    const parsed = parseScenario(JSON.stringify({ components: [{ name: 'a', program: 'a.s' }, { name: 'b', program: 'gone.s' }] }), 't.json');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const created = Init.create({ scenario: parsed.scenario, readFile: fileReader([{ name: 'a', asm: raw('    park') }]) });
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created.message).toBe('components[1] (b): program gone.s not found');
  });

  it('refuses a program whose include is missing', () => {
    const r = tryBoot([{ name: 'a', asm: raw('    park') }, { name: 'b', asm: raw('    park') }].map((s) =>
      s.name === 'b' ? { ...s, asm: '.include "nowhere.s"\n' } : s));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^components\[1\] \(b\): b\.s does not assemble:[\s\S]*nowhere\.s/);
  });

  it('refuses a program that does not assemble, with file and line', () => {
    const r = tryBoot([{ name: 'bad', asm: '_start:\n    addi a0, a0\n    bogus x1\n' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.message).toMatch(/^components\[0\] \(bad\): bad\.s does not assemble:/);
      expect(r.message).toMatch(/bad\.s:2/);
      expect(r.message).toMatch(/bad\.s:3/);
    }
  });

  it('refuses a quota too small for the program or the stack', () => {
    const big = raw('    park', '.data\nbig: .space 0x20000\n');
    const r = tryBoot([{ name: 'a', ram: '64K', asm: big }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^components\[0\] \(a\): program does not fit its RAM quota/);
    const s = tryBoot([{ name: 'a', ram: '32K', asm: raw('    park') }]);
    expect(s.ok).toBe(false);
    if (!s.ok) expect(s.message).toMatch(/^components\[0\] \(a\): .*(stack|quota)/);
  });

  it('starts nothing when one component is bad', () => {
    const r = tryBoot([{ name: 'good', asm: raw('    park') }, { name: 'bad', asm: 'nonsense here\n' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^components\[1\] \(bad\)/);
  });

  it('passes the config string and its length to main', () => {
    const r = tryBoot([{ name: 'a', config: 'n=5, mode=fast', asm: raw(`
    mv s1, a0
    mv a1, a1
    lbu a2, 0(s1)
    add t0, s1, a1
    lbu a3, 0(t0)
    rec
    andi a0, sp, 15
    rec
    park`) }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const b = r.booted;
    b.runMs(1);
    const [first, second] = b.results('a', 2);
    expect(first[1]).toBe(14);
    expect(first[2]).toBe('n'.charCodeAt(0));
    expect(first[3]).toBe(0); // NUL-terminated
    expect(first[0] >>> 0).toBe(0x7f000000 - 15);
    expect(second[0]).toBe(0); // sp 16-byte aligned
  });
  it('a RAM quota too small for the main thread\'s UTCB is an init error, not a throw', () => {
    let r: ReturnType<typeof tryBoot> | undefined;
    expect(() => { r = tryBoot([{ name: 'a', ram: 100, asm: raw('    park') }]); }).not.toThrow();
    expect(r?.ok).toBe(false);
    if (r !== undefined && !r.ok) expect(r.message).toMatch(/components\[0\] \(a\).*quota/);
  });

  it('refuses quotas that add up to more than the board\'s RAM', () => {
    const r = tryBoot([{ name: 'a', ram: '3M', asm: raw('    park') }, { name: 'b', ram: '2M', asm: raw('    park') }], { ramMiB: 4 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/quotas add up to 5242880 bytes, more than the board's 4194304/);
  });
});

describe('the rtcr section', () => {
  it('refuses a checkpoint period of zero (it would never let time pass)', () => {
    const text = (every: string) => JSON.stringify({ components: [{ name: 'a', program: 'a.s' }], rtcr: { granularity: 1, every } });
    const zero = parseScenario(text('0s'), 's.json');
    expect(zero.ok ? 'accepted' : zero.error).toBe('s.json: rtcr.every: must be a positive time');
    expect(parseScenario(text('500ms'), 's.json').ok).toBe(true);
  });

  it('refuses a checkpoint period under 1000 instructions of its clock (1 ns took a checkpoint per cycle)', () => {
    const text = (every: string, insnsPerSecond = 100_000_000) =>
      JSON.stringify({ clock: { insnsPerSecond, mtimeHz: 1_000_000 }, components: [{ name: 'a', program: 'a.s' }], rtcr: { every } });
    const ns1 = parseScenario(text('1ns'), 's.json');
    expect(ns1.ok ? 'accepted' : ns1.error).toBe('s.json: rtcr.every: at least 10us (1000 instructions at this clock), not 1ns');
    expect(parseScenario(text('9999ns'), 's.json').ok).toBe(false);
    expect(parseScenario(text('10us'), 's.json').ok).toBe(true);
    // A slower clock: 1000 instructions at 1 MHz last 1 ms.
    expect(parseScenario(text('500us', 1_000_000), 's.json').ok).toBe(false);
    expect(parseScenario(text('1ms', 1_000_000), 's.json').ok).toBe(true);
  });
});
