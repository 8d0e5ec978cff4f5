// The SHM service: sessions for the same name share one dataspace (a write by one component is
// read by another), the argument rules (name, size, mismatches), routes, the quota charged to
// the first requester, CLOSE (the region stays), and the per-kernel registry.
import { describe, expect, it } from 'vitest';
import { assemble, formatError } from '../../src/asm/index';
import { Dataspace } from '../../src/kernel/dataspace';
import { Init, PROGRAM_BASE } from '../../src/kernel/init';
import { unwrap } from '../../src/kernel/object';
import { parseScenario } from '../../src/kernel/scenario';
import { ShmSession, shmCreate, shmRegistry } from '../../src/kernel/services/shm';
import { Booted, boot, E, fileReader, raw, scenarioOf, type Snippet } from './harness';

const OBJ_SHM = 15;
const OBJ_DATASPACE = 9;

/** SESSION("SHM", args symbol, args length) into the next slot, rec. */
const shm = (args: string, alen: number) => `
    li a0, SLOT_PARENT
    li a1, PARENT_SESSION
    la a2, shm_name
    li a3, 3
    la a4, s_${args}
    li a5, ${alen}
    sys SYS_INVOKE
    rec`;

/** Argument strings: [symbol, text]. */
const ARGS: [string, string][] = [
  ['buf4k', 'name=buf, size=4096'],
  ['buf_nosize', 'name=buf'],
  ['buf8k', 'name=buf, size=8192'],
  ['buf_small', 'name=buf, size=100'],
  ['buf_hex', 'name=buf, size=0x1000'],
  ['no_name', 'size=4096'],
  ['bad_name', 'name=a/b, size=4096'],
  ['empty_name', 'name=, size=4096'],
  ['zero', 'name=z, size=0'],
  ['bad_size', 'name=z, size=4k'],
  ['other_nosize', 'name=other'],
  ['big', 'name=big, size=0x200000'],
  ['odd', 'name=odd, size=5000'],
  ['quoted', 'name="buf", size=4096'],
];
const STRINGS = `.section .rodata
shm_name: .ascii "SHM"
${ARGS.map(([sym, text]) => `s_${sym}: .ascii "${text.replace(/"/g, '\\"')}"`).join('\n')}
`;
const len = (sym: string): number => ARGS.find(([s]) => s === sym)![1].length;
const open = (sym: string) => shm(sym, len(sym));

/** Attaches the dataspace in `slot` anywhere, writable; the address goes to s1. rec. */
const attach = (slot: number) => `
    inv SLOT_RM, RM_ATTACH, ${slot}, -1, 0, 0, RM_WRITE
    mv s1, a1`;

/** Boots snippets whose routes may name SHM (the harness's Snippet type predates it). */
function bootRoutes(snippets: (Snippet & { shmRoutes?: Record<string, 'core'> })[]): Booted {
  const sc = scenarioOf(snippets) as { components: Record<string, unknown>[] };
  snippets.forEach((s, i) => { if (s.shmRoutes !== undefined) sc.components[i].routes = s.shmRoutes; });
  const parsed = parseScenario(JSON.stringify(sc), 'test.json');
  if (!parsed.ok) throw new Error(parsed.error);
  const readFile = fileReader(snippets);
  const created = Init.create({ scenario: parsed.scenario, readFile });
  if (!created.ok) throw new Error(created.message);
  const symbols = new Map<string, Map<string, number>>();
  for (const s of snippets) {
    const r = assemble([{ name: `${s.name}.s`, text: s.asm }], {
      base: PROGRAM_BASE,
      readFile: (p) => { const f = readFile(p); return f === undefined ? undefined : String.fromCharCode(...f); },
    });
    if (!r.ok) throw new Error(r.errors.map(formatError).join('\n'));
    symbols.set(s.name, r.symbols);
  }
  return new Booted(created.init, symbols);
}

describe('SHM: one dataspace per name', () => {
  it('two components get the same dataspace: a write by one is read by the other', () => {
    // a runs first (same priority, started first): opens, attaches, writes, parks; then b.
    const b = boot([
      { name: 'a', asm: raw(`${open('buf4k')}
    inv 8, 0
    inv 9, DS_SIZE
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 9
${attach(9)}
    li t0, 0x5eed1234
    sw t0, 0(s1)
    li t0, 0xabcd
    sw t0, 2044(s1)
    park`, STRINGS) },
      { name: 'b', asm: raw(`${open('buf_nosize')}
    inv 8, 0
${attach(9)}
    lw a0, 0(s1)
    lw a1, 2044(s1)
    rec
    li t0, 77
    sw t0, 8(s1)
    park`, STRINGS) },
    ]);
    b.runMs(2);
    const a = b.results('a', 6);
    expect(a[0].slice(0, 2)).toEqual([0, 8]); // the session
    expect(a[1].slice(0, 2)).toEqual([0, 9]); // DATASPACE
    expect(a[2].slice(0, 2)).toEqual([0, 4096]);
    expect(a[3].slice(0, 3)).toEqual([0, OBJ_SHM, 7]);
    expect(a[4].slice(0, 3)).toEqual([0, OBJ_DATASPACE, 3]); // INVOKE | WRITE, no DELEGATE
    expect(a[5][0]).toBe(0);
    const r = b.results('b', 4);
    expect(r.slice(0, 3).map((x) => x[0])).toEqual([0, 0, 0]);
    expect(r[3].slice(0, 2)).toEqual([0x5eed1234, 0xabcd]);
    // b's write is in a's memory too, and both slots name one Dataspace object
    expect(b.word('a', a[5][1] + 8)).toBe(77);
    const dsA = unwrap(b.task('a').caps.get(9)!.obj);
    const dsB = unwrap(b.task('b').caps.get(9)!.obj);
    expect(dsA).toBeInstanceOf(Dataspace);
    expect(dsA).toBe(dsB);
    const sA = unwrap(b.task('a').caps.get(8)!.obj);
    expect(sA).toBeInstanceOf(ShmSession);
    expect((sA as ShmSession).name).toBe('buf');
    expect((sA as ShmSession).dataspace).toBe(dsA);
    expect([...shmRegistry(b.kernel).keys()]).toEqual(['buf']);
    expect(shmRegistry(b.kernel).get('buf')!.charged).toBe(b.task('a'));
  });

  it('checks name and size: missing or bad name, size 0 or malformed, a size that does not match, an unknown name without size', () => {
    const b = boot([{ name: 'a', asm: raw(`${open('no_name')}${open('bad_name')}${open('empty_name')}${open('zero')}${open('bad_size')}${open('other_nosize')}
${open('buf_small')}${open('buf4k')}${open('buf_hex')}${open('buf_nosize')}${open('quoted')}${open('buf8k')}
    inv 8, 1
    inv 8, 0
    park`, STRINGS) }]);
    b.runMs(1);
    const r = b.results('a', 14);
    expect(r.slice(0, 6).map((x) => x[0])).toEqual([E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.NOT_FOUND]);
    // size=100 created "buf" (4 KiB); 4096, 0x1000, no size and "buf" quoted all match it
    expect(r.slice(6, 11).map((x) => x.slice(0, 2))).toEqual([[0, 8], [0, 9], [0, 10], [0, 11], [0, 12]]);
    expect(r[11][0]).toBe(E.BAD_ARG); // 8192 does not match
    expect(r[12][0]).toBe(E.BAD_OPCODE);
    expect(r[13].slice(0, 2)).toEqual([0, 13]);
    const ds = new Set([8, 9, 10, 11, 12].map((s) => (unwrap(b.task('a').caps.get(s)!.obj) as ShmSession).dataspace));
    expect(ds.size).toBe(1);
    expect([...ds][0].size).toBe(4096);
    expect([...shmRegistry(b.kernel).keys()]).toEqual(['buf']); // refused requests created nothing
  });

  it('is routed like any core service: allowed by a route to SHM or by no routes, denied otherwise', () => {
    const prog = raw(`${open('buf4k')}
    park`, STRINGS);
    const b = bootRoutes([
      { name: 'routed', asm: prog, shmRoutes: { SHM: 'core', LOG: 'core' } },
      { name: 'all', asm: prog },
      { name: 'unrouted', asm: prog, shmRoutes: { LOG: 'core', Timer: 'core' } },
    ]);
    b.runMs(1);
    expect(b.statuses('routed', 1)).toEqual([0]);
    expect(b.statuses('all', 1)).toEqual([0]);
    expect(b.statuses('unrouted', 1)).toEqual([E.DENIED]);
    expect(b.init.components.get('routed')!.routes).toEqual(['SHM', 'LOG']);
  });

  it('charges the first requester\'s quota (rounded up to pages), not the later ones\'; RAM FREE refuses it; QUOTA when it does not fit', () => {
    const b = boot([
      { name: 'a', ram: '1M', asm: raw(`
    inv SLOT_RAM, RAM_QUOTA
${open('odd')}
    inv SLOT_RAM, RAM_QUOTA
    inv 8, 0
    inv SLOT_RAM, RAM_FREE, 9
    inv 9, DS_SIZE
${open('big')}
    inv SLOT_RAM, RAM_QUOTA
    park`, STRINGS) },
      { name: 'b', ram: '1M', asm: raw(`
    inv SLOT_RAM, RAM_QUOTA
${open('odd')}
    inv SLOT_RAM, RAM_QUOTA
    park`, STRINGS) },
    ]);
    b.runMs(1);
    const a = b.results('a', 8);
    expect(a[1].slice(0, 2)).toEqual([0, 8]);
    expect(a[2][2]).toBe(a[0][2] + 8192); // 5000 bytes -> two pages
    expect(a[3].slice(0, 2)).toEqual([0, 9]);
    expect(a[4][0]).toBe(E.BAD_ARG); // not a RAM session's dataspace
    expect(a[5].slice(0, 2)).toEqual([0, 8192]);
    expect(a[6][0]).toBe(E.QUOTA); // 2 MiB > 1 MiB quota
    expect(a[7][2]).toBe(a[2][2]); // nothing charged for it
    const r = b.results('b', 3);
    expect(r[1][0]).toBe(0);
    expect(r[2][2]).toBe(r[0][2]); // b pays nothing
    expect([...shmRegistry(b.kernel).keys()]).toEqual(['odd']);
  });

  it('CLOSE ends the session only: the dataspace, its attachments and contents stay; a new session finds them again', () => {
    const b = boot([
      { name: 'a', asm: raw(`${open('buf4k')}
    inv 8, 0
${attach(9)}
    li t0, 41
    sw t0, 0(s1)
    inv SLOT_PARENT, PARENT_CLOSE, 8
    inv 8, 0
    inv 9, DS_SIZE
    lw a0, 0(s1)
    rec
    inv SLOT_PD, PD_CAP_DELETE, 9
    inv SLOT_RM, RM_DETACH, 0x10000000
    park`, STRINGS) },
      { name: 'b', asm: raw(`${open('buf_nosize')}
    inv 8, 0
${attach(9)}
    lw a0, 0(s1)
    rec
    park`, STRINGS) },
    ]);
    b.runMs(2);
    const a = b.results('a', 9);
    expect(a.map((x) => x[0])).toEqual([0, 0, 0, 0, E.BAD_SLOT, 0, 41, 0, 0]);
    expect(a[2][1]).toBe(0x10000000);
    expect(a[5][1]).toBe(4096);
    // b opened "buf" after a closed its session and dropped its capability and mapping
    const r = b.results('b', 4);
    expect(r.slice(0, 3).map((x) => x[0])).toEqual([0, 0, 0]);
    expect(r[3][0]).toBe(41);
    expect(shmRegistry(b.kernel).get('buf')!.charged).toBe(b.task('a'));
  });

  it('names are per kernel: the same name in another boot is a fresh, zeroed dataspace', () => {
    const prog = raw(`${open('buf4k')}
    inv 8, 0
${attach(9)}
    lw a0, 0(s1)
    rec
    li t0, 9
    sw t0, 0(s1)
    park`, STRINGS);
    const one = boot([{ name: 'a', asm: prog }]);
    const two = boot([{ name: 'a', asm: prog }]);
    one.runMs(1);
    two.runMs(1);
    expect(one.results('a', 4)[3][0]).toBe(0);
    expect(two.results('a', 4)[3][0]).toBe(0);
    expect(shmRegistry(one.kernel).get('buf')!.dataspace).not.toBe(shmRegistry(two.kernel).get('buf')!.dataspace);
  });

  it('shmCreate (what a restore uses) makes a region charged to the given task that sessions then find; refuses taken or bad names and sizes', () => {
    const b = boot([
      { name: 'a', ram: '256K', asm: raw(`${open('buf_nosize')}
    park`, STRINGS) },
      { name: 'b', asm: raw(`
    park`, STRINGS) },
    ]);
    const a = b.task('a');
    const used = a.ramUsed;
    const made = shmCreate(b.kernel, a, 'buf', 5000);
    if (!made.ok) throw new Error(made.error);
    expect(made.value.dataspace.size).toBe(8192);
    expect(a.ramUsed).toBe(used + 8192);
    expect(a.dataspaces.has(made.value.dataspace)).toBe(false);
    expect(shmCreate(b.kernel, a, 'buf', 4096)).toEqual({ ok: false, error: 'BAD_ARG' });
    expect(shmCreate(b.kernel, a, 'a b', 4096)).toEqual({ ok: false, error: 'BAD_ARG' });
    expect(shmCreate(b.kernel, a, 'c', 0)).toEqual({ ok: false, error: 'BAD_ARG' });
    expect(shmCreate(b.kernel, a, 'c', 1.5)).toEqual({ ok: false, error: 'BAD_ARG' });
    expect(shmCreate(b.kernel, a, 'c', 1 << 20)).toEqual({ ok: false, error: 'QUOTA' });
    expect(a.ramUsed).toBe(used + 8192);
    b.runMs(1);
    expect(b.statuses('a', 1)).toEqual([0]); // found without a size
    expect((unwrap(a.caps.get(8)!.obj) as ShmSession).dataspace).toBe(made.value.dataspace);
    expect([...shmRegistry(b.kernel).keys()]).toEqual(['buf']);
  });
});
