// The address-space rules a restore checks images against are the kernel's own (regionFits):
// nothing is attached below the null guard (0x10000, docs/abi.md), and device memory is never
// executable whatever ATTACH asked (the region records it so, as a checkpoint then shows).
import { describe, expect, it } from 'vitest';
import { UART_BASE } from '../../src/dev/memlayout';
import { Dataspace } from '../../src/kernel/dataspace';
import { Init } from '../../src/kernel/init';
import { NULL_GUARD, regionFits } from '../../src/kernel/regionmap';

function task() {
  const init = Init.empty({ ramMiB: 4, clock: { insnsPerSecond: 100_000_000, mtimeHz: 10_000_000 } });
  const t = init.kernel.createTask('init -> t', 1 << 20, 100);
  if (!t.ok) throw new Error(t.error);
  const ds = init.kernel.allocDataspace(t.value, 4096);
  if (!ds.ok) throw new Error(ds.error);
  return { task: t.value, ds: ds.value };
}

describe('the null guard', () => {
  it.each([0, 0x1000, NULL_GUARD - 0x1000])('an attach at 0x%s in an address space is REGION_CONFLICT', (addr) => {
    const { task: t, ds } = task();
    const r = t.as.attach({ target: ds, addr, offset: 0, size: 0, writable: true, executable: false });
    expect(r).toEqual({ ok: false, error: 'REGION_CONFLICT' });
    expect(t.as.regions.some((x) => x.base < NULL_GUARD)).toBe(false);
  });

  it('an attach at the guard itself is fine', () => {
    const { task: t, ds } = task();
    expect(t.as.attach({ target: ds, addr: NULL_GUARD, offset: 0, size: 0, writable: true, executable: false })).toEqual({ ok: true, value: NULL_GUARD });
  });

  it('regionFits is the rule: below the floor, past the map, past the target, unaligned', () => {
    expect(regionFits(0x8000_0000, NULL_GUARD, { base: 0, size: 4096, offset: 0 }, 4096)).toBe('REGION_CONFLICT');
    expect(regionFits(0x8000_0000, NULL_GUARD, { base: 0x7fff_f000, size: 8192, offset: 0 }, 8192)).toBe('REGION_CONFLICT');
    expect(regionFits(0x8000_0000, NULL_GUARD, { base: 0x10000, size: 8192, offset: 0 }, 4096)).toBe('BAD_ARG');
    expect(regionFits(0x8000_0000, NULL_GUARD, { base: 0x10800, size: 4096, offset: 0 }, 4096)).toBe('BAD_ARG');
    expect(regionFits(0x8000_0000, NULL_GUARD, { base: 0x10000, size: 4096, offset: 0 }, 4096)).toBeUndefined();
  });
});

describe('device memory', () => {
  it('attached executable, the region records it not executable and resolves not executable', () => {
    const { task: t } = task();
    const io = new Dataspace(UART_BASE, 4096, true);
    const r = t.as.attach({ target: io, addr: 0x2000_0000, offset: 0, size: 0, writable: true, executable: true });
    expect(r.ok).toBe(true);
    expect(t.as.regions.find((x) => x.target === io)?.executable).toBe(false);
    const res = t.as.resolve(0x2000_0000);
    expect(res.kind === 'mapped' && res.executable).toBe(false);
  });
});
