// The RAM session (slot 4): ALLOC (rounded to pages, zeroed), FREE (quota back, detached
// everywhere), QUOTA, exhaustion of the quota and of the board's RAM.
import { describe, expect, it } from 'vitest';
import { boot, E, raw, withRt } from './harness';

describe('RAM session', () => {
  it('ALLOC rounds up to 4 KiB and charges the quota; FREE gives it back', () => {
    const b = boot([{ name: 'a', ram: '1M', asm: raw(`
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_ALLOC, 1
    inv 8, DS_SIZE
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_ALLOC, 0x5001
    inv 9, DS_SIZE
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RAM, RAM_QUOTA
    inv 8, DS_SIZE
    inv SLOT_PD, PD_CAP_INFO, 9
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 11);
    const used0 = r[0][2];
    expect(r[0].slice(0, 2)).toEqual([0, 1024 * 1024]);
    // QUOTA's "used" counts dataspaces and page tables (docs/abi.md): before the two allocations
    expect(used0).toBe(b.task('a').ramCharged - 0x6000);
    expect(r[1].slice(0, 2)).toEqual([0, 8]);
    expect(r[2].slice(0, 2)).toEqual([0, 4096]);
    expect(r[3][2]).toBe(used0 + 4096);
    expect(r[5].slice(0, 2)).toEqual([0, 0x6000]);
    expect(r[6][2]).toBe(used0 + 0x7000);
    expect(r[7][0]).toBe(0);
    expect(r[8][2]).toBe(used0 + 0x6000);
    expect(r[9][0]).toBe(E.BAD_SLOT);
    expect(r[10].slice(0, 3)).toEqual([0, 9, 7]); // a dataspace, all rights
  });

  it('ALLOC refuses 0 (E_BAD_ARG) and more than the quota (E_QUOTA), charging nothing', () => {
    const b = boot([{ name: 'a', ram: '256K', asm: raw(`
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_ALLOC, 0
    inv SLOT_RAM, RAM_ALLOC, 0x40000
    inv SLOT_RAM, RAM_ALLOC, -1
    inv SLOT_RAM, RAM_ALLOC, 0x7ffff000
    inv SLOT_RAM, RAM_QUOTA
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 6);
    expect(r.slice(1, 5).map((x) => x[0])).toEqual([E.BAD_ARG, E.QUOTA, E.QUOTA, E.QUOTA]);
    expect(r[5].slice(0, 3)).toEqual(r[0].slice(0, 3));
  });

  it('page tables are charged to the quota: running out of it faults only that component', () => {
    // a attaches one page in each of many 4 MiB regions: each needs a level-0 page table, charged
    // to a's quota at ATTACH; once none fits, ATTACH is E_QUOTA, and touching the unattached page
    // faults a alone.
    const b = boot([
      { name: 'a', ram: '160K', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
    li s2, 0x20000000
    li s3, 0x400000
1:  li a0, SLOT_RM
    li a1, RM_ATTACH
    li a2, 8
    mv a3, s2
    li a4, 0
    li a5, 0
    li a6, RM_WRITE
    sys SYS_INVOKE
    sw s2, 0(s2)
    add s2, s2, s3
    j 1b`) },
      { name: 'b', asm: withRt(`
    call sleep_init
    li s1, 0
1:  li a0, 1000
    call sleep_us
    addi s1, s1, 1
    mv a0, s1
    call log_num
    j 1b`) },
    ], { ramMiB: 2 });
    expect(() => b.runMs(5)).not.toThrow();
    const a = b.task('a');
    expect(a.end?.kind).toBe('fault');
    expect(b.initTexts()[0]).toMatch(/^a faulted: unresolvable write page fault/);
    expect(a.ramCharged).toBeLessThanOrEqual(a.ramQuota);
    expect(b.texts('b')).toEqual(['1', '2', '3', '4']);
  });

  it('new dataspaces read zero, also after another dataspace was freed in their frames', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 0, 0, RM_WRITE
    li t0, 0x20000000
    li t1, 0x5a5a5a5a
    sw t1, 0(t0)
    sw t1, 2044(t0)
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_RM, RM_ATTACH, 8, 0x20000000, 0, 0, RM_WRITE
    li t0, 0x20000000
    lw a0, 0(t0)
    lw a1, 2044(t0)
    rec
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 6);
    expect(r.slice(0, 5).map((x) => x[0])).toEqual([0, 0, 0, 0, 0]);
    expect(r[4][1]).toBe(0x20000000);
    expect(r[5].slice(0, 2)).toEqual([0, 0]);
  });

  it('FREE detaches the dataspace: a later access faults the component', () => {
    const b = boot([
      { name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 8192
    inv SLOT_RM, RM_ATTACH, 8, -1, 0, 0, RM_WRITE
    li t0, 0x10001000
    li t1, 9
    sw t1, 0(t0)
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RM, RM_DETACH, 0x10000000
    li t0, 0x10001000
    lw a0, 0(t0)
    rec
    park`) },
      { name: 'b', asm: raw('    park') },
    ]);
    b.runMs(1);
    const r = b.results('a', 5);
    expect(r.slice(0, 4).map((x) => x[0])).toEqual([0, 0, 0, E.NOT_FOUND]);
    expect(b.recCount('a')).toBe(4);
    expect(b.task('a').end?.kind).toBe('fault');
    expect(b.initTexts()).toEqual([
      expect.stringMatching(/^a faulted: unresolvable read page fault at 0x10001000/),
      expect.stringMatching(/^a: thread main pc 0x[0-9a-f]{8} cause 13 \(load page fault\) tval 0x10001000$/),
      expect.stringMatching(/^a: zero=/), expect.stringMatching(/^a: s0=/), expect.stringMatching(/^a: a6=/), expect.stringMatching(/^a: s8=/),
    ]);
    expect(b.task('b').alive).toBe(true);
  });

  it('FREE refuses empty slots and objects that are not RAM dataspaces of this session', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_FREE, 0
    inv SLOT_RAM, RAM_FREE, 100
    inv SLOT_RAM, RAM_FREE, SLOT_PD
    inv SLOT_RM, RM_DATASPACE
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_PD, PD_CAP_DERIVE, 9, 7
    inv SLOT_RAM, RAM_FREE, 10
    inv SLOT_RAM, RAM_FREE, 10
    inv SLOT_RAM, RAM_QUOTA
    inv SLOT_RAM, RAM_FREE, 8
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 11);
    expect(r.slice(0, 3).map((x) => x[0])).toEqual([E.BAD_SLOT, E.BAD_SLOT, E.BAD_ARG]);
    expect(r[3].slice(0, 2)).toEqual([0, 8]);
    expect(r[4][0]).toBe(E.BAD_ARG); // a managed dataspace is not RAM
    expect(r[7][0]).toBe(0); // freeing through a derived capability
    expect(r[8][0]).toBe(E.BAD_SLOT);
    expect(b.task('a').alive).toBe(true);
  });

  it('a dataspace freed through one capability is gone for its other capabilities too', () => {
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
    inv SLOT_PD, PD_CAP_DERIVE, 8, 7
    inv SLOT_RAM, RAM_FREE, 8
    inv SLOT_RAM, RAM_FREE, 9
    inv SLOT_RAM, RAM_QUOTA
    park`) }]);
    b.runMs(1);
    const r = b.results('a', 5);
    expect(r[2][0]).toBe(0);
    expect(r[3][0]).not.toBe(0); // no double free
    expect(r[4][2]).toBe(b.task('a').ramCharged);
    expect(b.task('a').ramUsed).toBeGreaterThan(0);
  });
});
