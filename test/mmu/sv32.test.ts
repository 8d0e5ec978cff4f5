// Sv32 translation through the hart: page tables are written into RAM from TypeScript before the
// program runs (test/helpers/sv32.ts), then M-mode code sets satp and drops to S or U.
//
// Layout (1 MiB of RAM): code and data at 0x80000000 (identity-mapped by a megapage), page
// tables from 0x80080000, test frames at 0x80040000 (A), 0x80041000 (B), 0x80042000 (C).

import { describe, expect, it } from 'vitest';
import { enterMode, MSTATUS, run, type Outcome } from '../helpers/run';
import { PageTables, PTE, ROOT, VAD } from '../helpers/sv32';

const FA = 0x80040000;
const FB = 0x80041000;
const FC = 0x80042000;
const VA = 0x40000000;
const VA2 = 0x40401000; // another 4 MiB region (and another slot of the direct-mapped TLB)
const RET = 0x00008067; // jalr x0, 0(ra)
const SATP = (0x80000000 | (ROOT >>> 12)) >>> 0;

/** Identity megapage over the image for S-mode code (it may also edit the page tables). */
const CODE_S = VAD | PTE.R | PTE.W | PTE.X;
/** The same for U-mode code. */
const CODE_U = VAD | PTE.R | PTE.W | PTE.X | PTE.U;

/**
 * An M-mode handler at `mh` logging page and access faults as bits of s10 (bit cause - 12 for
 * page faults, bit 4 + cause for access faults) and counting them in s11; it resumes after the
 * faulting instruction, or at ra for a fetch fault (the test reached the page by jalr ra).
 */
const MH = `
  j _done
  .balign 4
mh:
  addi s11, s11, 1
  csrr t6, mcause
  csrr s9, mtval
  li t5, 12
  bltu t6, t5, 1f
  addi t6, t6, -12
  j 2f
1: addi t6, t6, 4
2: li t5, 1
  sll t5, t5, t6
  or s10, s10, t5
  beqz t6, 3f             # instruction page fault (12 -> bit 0)
  li t5, 5
  beq t5, t6, 3f          # instruction access fault (1 -> bit 5)
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  mret
3: csrw mepc, ra
  mret
`;
const FETCH_PF = 1 << 0;
const LOAD_PF = 1 << 1;
const STORE_PF = 1 << 3;

interface Sv32Opts {
  mode?: 'S' | 'U';
  /** mstatus bits set before dropping (SUM, MXR, ...). */
  mstatus?: number;
  /** Use the logging handler MH as mtvec (default: stop at the first trap). */
  log?: boolean;
  /** Extra M-mode code after satp is set. */
  pre?: string;
}

function sv32(body: string, build: (pt: PageTables) => void, o: Sv32Opts = {}): Outcome {
  const mode = o.mode ?? 'S';
  return run(`
    ${o.log === true ? 'la t0, mh\n csrw mtvec, t0' : ''}
    li t0, ${SATP}
    csrw satp, t0
    li t0, ${o.mstatus ?? 0}
    csrs mstatus, t0
    ${o.pre ?? ''}
    ${enterMode(mode, 'body')}
  body:
    ${body}
    ${o.log === true ? MH : ''}
  `, {
    setup: (m) => {
      const pt = new PageTables(m.bus);
      pt.mapMega(0x80000000, 0x80000000, mode === 'S' ? CODE_S : CODE_U);
      m.bus.writeRam(FA - 0x80000000, 4, 0xaaaa0001);
      m.bus.writeRam(FA - 0x80000000 + 0x10, 4, RET);
      m.bus.writeRam(FB - 0x80000000, 4, 0xbbbb0002);
      m.bus.writeRam(FB - 0x80000000 + 0x10, 4, RET);
      m.bus.writeRam(FC - 0x80000000, 4, 0xcccc0003);
      build(pt);
    },
  });
}

describe('Sv32 translation', () => {
  it('4 KiB pages: loads and stores reach the mapped frames', () => {
    const o = sv32(`
      li s0, ${VA}
      lw a0, 0(s0)
      li s1, ${VA + 4096}
      lw a1, 0(s1)
      li t1, 0x5555
      sw t1, 8(s0)
      lw a2, 8(s0)
    `, (pt) => {
      pt.map(VA, FA, VAD | PTE.R | PTE.W);
      pt.map(VA + 4096, FB, VAD | PTE.R);
    }).expectNoTrap().expectRegs({ a0: 0xaaaa0001, a1: 0xbbbb0002, a2: 0x5555 });
    o.expectMem(FA + 8, 0x5555);
  });

  it('two virtual pages aliasing one frame see each other\'s stores', () => {
    sv32(`
      li s0, ${VA}
      li s1, ${VA2 + 0x3000}
      li t1, 77
      sw t1, 64(s0)
      lw a0, 64(s1)
    `, (pt) => {
      pt.map(VA, FC, VAD | PTE.R | PTE.W);
      pt.map(VA2 + 0x3000, FC, VAD | PTE.R);
    }).expectNoTrap().expectReg('a0', 77);
  });

  it('execution from a mapped page at a different virtual address', () => {
    sv32(`
      li s0, ${VA + 0x10}
      jalr ra, 0(s0)        # the frame holds ret
      li a0, 1
    `, (pt) => pt.map(VA, FA, VAD | PTE.X)).expectNoTrap().expectReg('a0', 1);
  });

  it('4 MiB megapages', () => {
    sv32(`
      li s0, 0xc0000000
      li t0, ${FA - 0x80000000}
      add s0, s0, t0
      lw a0, 0(s0)
      li t0, 4096
      add s1, s0, t0
      lw a1, 0(s1)
      li t1, 0x66
      add s1, s1, t0
      sw t1, 0(s1)
    `, (pt) => pt.mapMega(0xc0000000, 0x80000000, VAD | PTE.R | PTE.W)).expectNoTrap()
      .expectRegs({ a0: 0xaaaa0001, a1: 0xbbbb0002 }).expectMem(FC, 0x66);
  });

  it('a misaligned megapage (ppn[0] != 0) is a page fault for load, store and fetch', () => {
    const o = sv32(`
      li s0, 0xc0000000
      lw a0, 0(s0)
      sw a0, 4(s0)
      jalr ra, 16(s0)
    `, (pt) => pt.mapMega(0xc0000000, FA, VAD | PTE.R | PTE.W | PTE.X), { log: true }).expectNoTrap();
    expect(o.reg('s10')).toBe(LOAD_PF | STORE_PF | FETCH_PF);
  });

  it('page faults carry the faulting virtual address in mtval (13, 15, 12)', () => {
    sv32(`li s0, ${VA}\nat: lw a0, 0x123(s0)`, () => {}).expectTrap({ cause: 13, tval: VA + 0x123, epc: 'at' });
    sv32(`li s0, ${VA}\nat: sh a0, 0x7fe(s0)`, () => {}).expectTrap({ cause: 15, tval: VA + 0x7fe, epc: 'at' });
    sv32(`li s0, ${VA + 0x40}\n jalr ra, 0(s0)`, () => {}).expectTrap({ cause: 12, tval: VA + 0x40, epc: VA + 0x40 });
  });

  it('atomics: an AMO or SC on a read-only page is a store page fault; LR on an unreadable one a load page fault', () => {
    const ro = (pt: PageTables) => pt.map(VA, FA, VAD | PTE.R);
    sv32(`li s0, ${VA}\n li a0, 5\nat: amoadd.w a0, a0, (s0)`, ro).expectTrap({ cause: 15, tval: VA, epc: 'at' }).expectReg('a0', 5);
    sv32(`li s0, ${VA}\n lr.w a0, (s0)\nat: sc.w a1, a0, (s0)`, ro).expectTrap({ cause: 15, tval: VA, epc: 'at' });
    sv32(`li s0, ${VA}\nat: lr.w a0, (s0)`, (pt) => pt.map(VA, FA, VAD | PTE.W | PTE.R | PTE.U)).expectTrap({ cause: 13, tval: VA });
  });

  it('a misaligned access whose second page is unmapped faults with the second page\'s address; nothing is written', () => {
    sv32(`li s0, ${VA + 0xffe}\n li t1, -1\nat: lw a0, 0(s0)`, (pt) => pt.map(VA, FA, VAD | PTE.R | PTE.W))
      .expectTrap({ cause: 13, tval: VA + 0x1000, epc: 'at' });
    sv32(`li s0, ${VA + 0xffe}\n li t1, -1\nat: sw t1, 0(s0)`, (pt) => {
      pt.map(VA, FA, VAD | PTE.R | PTE.W);
      pt.map(VA + 0x1000, FB, VAD | PTE.R);
    }).expectTrap({ cause: 15, tval: VA + 0x1000, epc: 'at' }).expectMem(FA + 0xffc, 0).expectMem(FB, 0xbbbb0002);
  });

  it('a misaligned access across two mapped pages reaches both frames', () => {
    sv32(`li s0, ${VA + 0xffe}\n li t1, 0x11223344\n sw t1, 0(s0)\n lw a0, 0(s0)`, (pt) => {
      pt.map(VA, FC, VAD | PTE.R | PTE.W);
      pt.map(VA + 0x1000, FA, VAD | PTE.R | PTE.W);
    }).expectNoTrap().expectReg('a0', 0x11223344).expectMem(FC + 0xffe, 0x3344, 2).expectMem(FA, 0xaaaa1122);
  });

  it('M-mode ignores satp', () => {
    run(`li t0, ${SATP}\n csrw satp, t0\n la s0, v\n lw a0, 0(s0)\n .data\nv: .word 99`).expectNoTrap().expectReg('a0', 99);
  });
});

describe('Sv32 permissions', () => {
  /** Faults the spec's rules predict for a leaf `flags` (V set) accessed in `mode`. */
  function expected(flags: number, mode: 'S' | 'U', sum: boolean, mxr: boolean): number {
    const r = (flags & PTE.R) !== 0, w = (flags & PTE.W) !== 0, x = (flags & PTE.X) !== 0, u = (flags & PTE.U) !== 0;
    const all = LOAD_PF | STORE_PF | FETCH_PF;
    if (w && !r) return all; // reserved encoding
    if (!r && !x) return all; // a pointer at level 0
    let privOk = { load: true, store: true, fetch: true };
    if (mode === 'U' && !u) privOk = { load: false, store: false, fetch: false };
    if (mode === 'S' && u) privOk = { load: sum, store: sum, fetch: false };
    let f = 0;
    if (!privOk.load || !(r || (mxr && x))) f |= LOAD_PF;
    if (!privOk.store || !w) f |= STORE_PF;
    if (!privOk.fetch || !x) f |= FETCH_PF;
    return f;
  }

  for (const mode of ['S', 'U'] as const) {
    for (const sum of [false, true]) {
      for (const mxr of [false, true]) {
        it(`${mode}-mode, SUM=${+sum}, MXR=${+mxr}: every R/W/X/U combination`, () => {
          for (let rwx = 0; rwx < 8; rwx++) {
            for (const u of [0, PTE.U]) {
              const flags = PTE.V | PTE.A | PTE.D | (rwx << 1) | u;
              const o = sv32(`
                li s0, ${VA}
                lw a0, 0(s0)
                li t1, 0x77
                sw t1, 4(s0)
                jalr ra, 16(s0)
              `, (pt) => pt.map(VA, FA, flags), {
                mode, log: true, mstatus: (sum ? MSTATUS.SUM : 0) | (mxr ? MSTATUS.MXR : 0),
              }).expectNoTrap();
              const want = expected(flags, mode, sum, mxr);
              expect(o.reg('s10'), `flags ${flags.toString(2)}`).toBe(want);
              expect(o.mem(FA + 4), 'store landed iff permitted').toBe((want & STORE_PF) === 0 ? 0x77 : 0);
              if ((want & LOAD_PF) === 0) expect(o.ureg('a0')).toBe(0xaaaa0001);
            }
          }
        });
      }
    }
  }

  it('the W-without-R encoding faults at level 1 too', () => {
    const o = sv32(`li s0, 0xc0000000\n lw a0, 0(s0)\n sw a0, 0(s0)`,
      (pt) => pt.mapMega(0xc0000000, 0x80000000, VAD | PTE.W), { log: true }).expectNoTrap();
    expect(o.reg('s10')).toBe(LOAD_PF | STORE_PF);
  });

  it('an invalid PTE (V = 0) faults whatever its other bits', () => {
    const o = sv32(`li s0, ${VA}\n lw a0, 0(s0)\n sw a0, 0(s0)\n jalr ra, 16(s0)`,
      (pt) => pt.map(VA, FA, 0xfe), { log: true }).expectNoTrap();
    expect(o.reg('s10')).toBe(LOAD_PF | STORE_PF | FETCH_PF);
  });
});

describe('MPRV', () => {
  const pre = (bits: number) => `li t0, ${bits}\n csrs mstatus, t0`;
  /** M-mode code (bare fetch) whose loads and stores translate as MPP says. */
  function mprv(body: string, mppBits: number, flags: number, extra = 0): Outcome {
    return run(`
      li t0, ${SATP}
      csrw satp, t0
      li t0, ${MSTATUS.MPP}
      csrc mstatus, t0
      ${pre(MSTATUS.MPRV | mppBits | extra)}
      li s0, ${VA}
      ${body}
    `, {
      setup: (m) => {
        const pt = new PageTables(m.bus);
        m.bus.writeRam(FA - 0x80000000, 4, 0xaaaa0001);
        pt.map(VA, FA, flags);
      },
    });
  }

  it('MPP = S: loads and stores use S-mode translation; fetches stay bare', () => {
    mprv('lw a0, 0(s0)\n li t1, 3\n sw t1, 4(s0)', MSTATUS.MPP_S, VAD | PTE.R | PTE.W).expectNoTrap()
      .expectReg('a0', 0xaaaa0001).expectMem(FA + 4, 3).expectPriv('M');
  });

  it('MPP = U: a supervisor page faults (13), a user page works', () => {
    mprv('at: lw a0, 0(s0)', 0, VAD | PTE.R).expectTrap({ cause: 13, tval: VA, epc: 'at' });
    mprv('lw a0, 0(s0)', 0, VAD | PTE.R | PTE.U).expectNoTrap().expectReg('a0', 0xaaaa0001);
  });

  it('MPP = S with a user page: needs SUM', () => {
    mprv('at: lw a0, 0(s0)', MSTATUS.MPP_S, VAD | PTE.R | PTE.U).expectTrap({ cause: 13, tval: VA });
    mprv('lw a0, 0(s0)', MSTATUS.MPP_S, VAD | PTE.R | PTE.U, MSTATUS.SUM).expectNoTrap().expectReg('a0', 0xaaaa0001);
  });

  it('MPP = S with MXR: an execute-only page is readable', () => {
    mprv('at: lw a0, 0(s0)', MSTATUS.MPP_S, VAD | PTE.X).expectTrap({ cause: 13 });
    mprv('lw a0, 0(s0)', MSTATUS.MPP_S, VAD | PTE.X, MSTATUS.MXR).expectNoTrap().expectReg('a0', 0xaaaa0001);
  });

  it('MPP = M: no translation', () => {
    run(`li t0, ${SATP}\n csrw satp, t0\n ${pre(MSTATUS.MPRV | MSTATUS.MPP)}\n la s0, v\n lw a0, 0(s0)\n .data\nv: .word 42`)
      .expectNoTrap().expectReg('a0', 42);
  });

  it('the trap taken on an MPRV fault sets MPP = M, so M\'s data accesses are bare again', () => {
    const o = mprv('lw a0, 0(s0)', MSTATUS.MPP_S, VAD).expectTrap({ cause: 13 });
    expect((o.hart.mstatus >>> 11) & 3).toBe(3);
    expect(o.hart.mstatus & MSTATUS.MPRV).toBe(MSTATUS.MPRV);
  });
});

describe('A and D bits', () => {
  it('a load sets A; a store sets A and D; a fetch sets A', () => {
    let ptes: number[] = [];
    const o = sv32(`
      li s0, ${VA}
      lw a0, 0(s0)
      li s1, ${VA + 0x1000}
      sw a0, 0(s1)
      li s2, ${VA + 0x2000}
      jalr ra, 16(s2)
    `, (pt) => {
      ptes = [
        pt.map(VA, FA, PTE.V | PTE.R | PTE.W),
        pt.map(VA + 0x1000, FC, PTE.V | PTE.R | PTE.W),
        pt.map(VA + 0x2000, FB, PTE.V | PTE.X),
      ];
    }).expectNoTrap();
    expect(o.mem(ptes[0]) & (PTE.A | PTE.D)).toBe(PTE.A);
    expect(o.mem(ptes[1]) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
    expect(o.mem(ptes[2]) & (PTE.A | PTE.D)).toBe(PTE.A);
  });

  it('a store after a load to the same page sets D then (the TLB entry for loads does not hide it)', () => {
    let pte = 0;
    const o = sv32(`li s0, ${VA}\n lw a0, 0(s0)\n lw a0, 4(s0)\n sw a0, 8(s0)`,
      (pt) => { pte = pt.map(VA, FA, PTE.V | PTE.R | PTE.W); }).expectNoTrap();
    expect(o.mem(pte) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });

  it('a faulting access sets neither A nor D', () => {
    let pte = 0;
    const o = sv32(`li s0, ${VA}\n sw a0, 0(s0)`, (pt) => { pte = pt.map(VA, FA, PTE.V | PTE.R); }).expectTrap({ cause: 15 });
    expect(o.mem(pte) & (PTE.A | PTE.D)).toBe(0);
    let pte2 = 0;
    const p = sv32(`li s0, ${VA}\n lw a0, 0(s0)`, (pt) => { pte2 = pt.map(VA, FA, PTE.V | PTE.R | PTE.U); }).expectTrap({ cause: 13 });
    expect(p.mem(pte2) & (PTE.A | PTE.D)).toBe(0);
  });

  it('megapage leaves get A and D too', () => {
    let pte = 0;
    const o = sv32('li s0, 0xc0040000\n sw a0, 0(s0)', (pt) => { pte = pt.mapMega(0xc0000000, 0x80000000, PTE.V | PTE.R | PTE.W); })
      .expectNoTrap();
    expect(o.mem(pte) & (PTE.A | PTE.D)).toBe(PTE.A | PTE.D);
  });
});

describe('access faults during translation', () => {
  it('a PTE outside RAM is an access fault of the access type (5, 7, 1)', () => {
    // level-1 pointer to a level-0 table beyond the end of RAM
    const bad = (pt: PageTables) => pt.setL1(VA, ((0x90000000 >>> 12) << 10) | PTE.V);
    sv32(`li s0, ${VA}\nat: lw a0, 0(s0)`, bad).expectTrap({ cause: 5, tval: VA, epc: 'at' });
    sv32(`li s0, ${VA}\nat: sw a0, 0(s0)`, bad).expectTrap({ cause: 7, tval: VA, epc: 'at' });
    sv32(`li s0, ${VA}\n jalr ra, 0(s0)`, bad).expectTrap({ cause: 1, tval: VA, epc: VA });
  });

  it('a root table outside RAM: every translated access faults with an access fault', () => {
    run(`
      li t0, ${(0x80000000 | (0x90000000 >>> 12)) >>> 0}
      csrw satp, t0
      ${enterMode('S', 's')}
    s: nop
    `).expectTrap({ cause: 1, tval: 's', epc: 's' });
  });

  it('a leaf mapping to no physical memory (incl. above 4 GiB) is an access fault with tval = the virtual address', () => {
    sv32(`li s0, ${VA + 8}\nat: lw a0, 0(s0)`, (pt) => pt.map(VA, 0x01000000, VAD | PTE.R)).expectTrap({ cause: 5, tval: VA + 8, epc: 'at' });
    sv32(`li s0, ${VA + 8}\nat: sw a0, 0(s0)`, (pt) => {
      const addr = pt.map(VA, 0, 0);
      pt.write(addr, ((0x300000 << 10) | VAD | PTE.R | PTE.W) >>> 0); // PA 0x3_0000_0000
    })
      .expectTrap({ cause: 7, tval: VA + 8, epc: 'at' });
  });
});

describe('TLB and sfence.vma', () => {
  const setup = (pt: PageTables): void => {
    pt.map(VA, FA, VAD | PTE.R);
    pt.map(VA2, FA, VAD | PTE.R);
  };
  // level-0 PTE addresses: the first table allocated serves VA, the second VA2
  const PTE1 = 0x80081000 + 4 * ((VA >>> 12) & 0x3ff);
  const PTE2 = 0x80082000 + 4 * ((VA2 >>> 12) & 0x3ff);
  const NEW_PTE = ((FB >>> 12) << 10) | VAD | PTE.R;
  const prologue = `
    li s0, ${VA}
    li s1, ${VA2}
    li s3, ${PTE1}
    li s4, ${PTE2}
    li s5, ${NEW_PTE}
    lw a0, 0(s0)            # fills the TLB: FA
    lw a1, 0(s1)
    sw s5, 0(s3)            # both now point at FB
    sw s5, 0(s4)
  `;

  // Our TLB is direct-mapped (256 entries per access kind, indexed by the low VPN bits) and is
  // flushed whole by every change of privilege, SUM/MXR/MPRV or satp; within one mode a changed
  // PTE is not seen until sfence.vma. (The spec allows either answer before the fence.)
  it('a stale translation stays visible until sfence.vma (our TLB caches translations)', () => {
    sv32(`${prologue}
      lw a2, 0(s0)            # stale: still FA
      sfence.vma
      lw a3, 0(s0)            # FB
      lw a4, 0(s1)
    `, setup).expectNoTrap().expectRegs({ a0: 0xaaaa0001, a2: 0xaaaa0001, a3: 0xbbbb0002, a4: 0xbbbb0002 });
  });

  it('sfence.vma by address flushes that address (our TLB: its 4 MiB region), not others', () => {
    sv32(`${prologue}
      sfence.vma s0, zero
      lw a2, 0(s0)            # fresh: FB
      lw a3, 0(s1)            # another region: still stale
      sfence.vma s1
      lw a4, 0(s1)
    `, setup).expectNoTrap().expectRegs({ a2: 0xbbbb0002, a3: 0xaaaa0001, a4: 0xbbbb0002 });
  });

  it('sfence.vma by ASID flushes the translations of that ASID', () => {
    sv32(`${prologue}
      li t0, 0
      sfence.vma zero, t0
      lw a2, 0(s0)
      lw a3, 0(s1)
    `, setup).expectNoTrap().expectRegs({ a2: 0xbbbb0002, a3: 0xbbbb0002 });
  });

  it('a satp write flushes the TLB', () => {
    sv32(`${prologue}
      csrr t0, satp
      csrw satp, t0
      lw a2, 0(s0)
    `, setup).expectNoTrap().expectRegs({ a2: 0xbbbb0002 });
  });

  it('a PTE made invalid faults after sfence.vma', () => {
    sv32(`
      li s0, ${VA}
      li s3, ${PTE1}
      lw a0, 0(s0)
      sw zero, 0(s3)
      sfence.vma s0
    at: lw a1, 0(s0)
    `, setup).expectTrap({ cause: 13, tval: VA, epc: 'at' }).expectReg('a0', 0xaaaa0001);
  });

  it('switching satp between two address spaces', () => {
    // root 2 at 0x80090000 maps VA to FC
    const ROOT2 = 0x80090000;
    sv32(`
      li s0, ${VA}
      lw a0, 0(s0)
      li t0, ${(0x80000000 | (1 << 22) | (ROOT2 >>> 12)) >>> 0}
      csrw satp, t0
      lw a1, 0(s0)
      li t0, ${SATP}
      csrw satp, t0
      lw a2, 0(s0)
    `, (pt) => {
      pt.map(VA, FA, VAD | PTE.R);
      const pt2 = new PageTables(pt.bus, ROOT2, 0x80091000);
      pt2.mapMega(0x80000000, 0x80000000, CODE_S);
      pt2.map(VA, FC, VAD | PTE.R);
    }).expectNoTrap().expectRegs({ a0: 0xaaaa0001, a1: 0xcccc0003, a2: 0xaaaa0001 });
  });
});
