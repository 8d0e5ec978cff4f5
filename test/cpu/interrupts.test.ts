// Interrupts from the board's devices reaching the hart through Machine: CLINT timer and
// software interrupts, PLIC external interrupts from the UART (M and S contexts), WFI and idle.

import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/dev/machine';
import { enterMode, MSTATUS, run } from '../helpers/run';

const CLINT_MSIP = 0x02000000;
const MTIMECMP = 0x02004000;
const MTIME = 0x0200bff8;
const PLIC = 0x0c000000;
const UART = 0x10000000;

/** Sets mtimecmp = mtime + `ticks` (clobbers t0, t1, t2). */
const timerIn = (ticks: number) => `
  li t0, ${MTIME}
  lw t1, 0(t0)
  li t2, ${ticks}
  add t1, t1, t2
  li t0, ${MTIMECMP}
  sw zero, 4(t0)
  sw t1, 0(t0)
`;

describe('CLINT', () => {
  it('mtimecmp reached: MTIP pending, the timer interrupt is taken (cause 7)', () => {
    const o = run(`
      ${timerIn(100)}
      li t0, ${1 << 7}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
    1: addi a0, a0, 1
      j 1b
    `).expectTrap({ cause: 7, interrupt: true, tval: 0 });
    expect(o.csr('mip') & (1 << 7)).toBe(1 << 7);
    // not before the deadline: 100 ticks = 1000 cycles on the default board
    expect(o.machine.clint.mtime()).toBeGreaterThanOrEqual(100);
    expect(o.hart.cycles).toBeGreaterThanOrEqual(1000);
    expect(o.hart.cycles).toBeLessThan(1015);
    expect(o.reg('a0')).toBeGreaterThan(400);
  });

  it('MTIP follows mtimecmp: a later mtimecmp clears it; mip.MTIP cannot be written', () => {
    run(`
      li t0, ${MTIMECMP}
      sw zero, 4(t0)
      sw zero, 0(t0)        # mtimecmp = 0 <= mtime
      nop
      csrr a0, mip
      li t1, -1
      sw t1, 4(t0)          # mtimecmp far away
      nop
      csrr a1, mip
      li t1, ${1 << 7}
      csrs mip, t1          # read-only bit
      csrr a2, mip
    `).expectNoTrap().expectRegs({ a0: 1 << 7, a1: 0, a2: 0 });
  });

  it('msip raises the software interrupt (cause 3) right after the store', () => {
    run(`
      li t0, ${1 << 3}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      li t0, ${CLINT_MSIP}
      li t1, 1
      sw t1, 0(t0)
    after:
      li a0, 1
    `).expectTrap({ cause: 3, interrupt: true, epc: 'after' }).expectReg('a0', 0);
  });

  it('a handler that clears msip returns and the program continues', () => {
    run(`
      la t0, h
      csrw mtvec, t0
      li t0, ${1 << 3}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      li s0, ${CLINT_MSIP}
      li t1, 1
      sw t1, 0(s0)
      li a0, 1
      j _done
      .balign 4
    h:
      addi a1, a1, 1
      sw zero, 0(s0)
      mret
    `).expectNoTrap().expectRegs({ a0: 1, a1: 1 });
  });

  it('a periodic timer: three interrupts, each re-arming mtimecmp', () => {
    run(`
      la t0, h
      csrw mtvec, t0
      ${timerIn(20)}
      li t0, ${1 << 7}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      li a1, 0
    1: li t3, 3
      blt a1, t3, 1b
      j _done
      .balign 4
    h:
      addi a1, a1, 1
      ${timerIn(20)}
      mret
    `).expectNoTrap().expectReg('a1', 3);
  });
});

describe('PLIC and UART', () => {
  const PLIC_SETUP = (ctx: number) => `
    li t0, ${PLIC + 4 * 10}
    li t1, 1
    sw t1, 0(t0)            # priority of source 10 (UART)
    li t0, ${PLIC + 0x2000 + 0x80 * ctx}
    li t1, ${1 << 10}
    sw t1, 0(t0)            # enable for context ${ctx}
    li t0, ${PLIC + 0x200000 + 0x1000 * ctx}
    sw zero, 0(t0)          # threshold 0
    li t0, ${UART + 1}
    li t1, 1
    sb t1, 0(t0)            # UART IER: received data available
  `;

  it('UART input raises MEIP through PLIC context 0; the handler claims, reads, completes', () => {
    const o = run(`
      la t0, h
      csrw mtvec, t0
      la s0, buf
      ${PLIC_SETUP(0)}
      li t0, ${1 << 11}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
    1: li t2, 3
      blt s1, t2, 1b        # wait for three bytes
      j _done
      .balign 4
    h:
      csrr t3, mcause
      sw t3, 0(s0)
      li t4, ${PLIC + 0x200004}
      lw t5, 0(t4)          # claim
      sw t5, 4(s0)
      li t6, ${UART}
      lbu t6, 0(t6)         # read the byte: the UART drops its request when empty
      sb t6, 8(s0)
      sw t5, 0(t4)          # complete
      addi s0, s0, 12
      addi s1, s1, 1
      mret
      .data
    buf: .space 48
    `, { uartInput: new TextEncoder().encode('abc') }).expectNoTrap();
    const b = o.sym('buf');
    for (let i = 0; i < 3; i++) {
      expect(o.mem(b + 12 * i)).toBe(0x8000000b);
      expect(o.mem(b + 12 * i + 4)).toBe(10);
      expect(o.mem(b + 12 * i + 8, 1)).toBe('abc'.charCodeAt(i));
    }
    expect(o.machine.uart.inputPending()).toBe(0);
  });

  it('no input: no interrupt', () => {
    run(`
      ${PLIC_SETUP(0)}
      li t0, ${1 << 11}
      csrw mie, t0
      li t0, ${MSTATUS.MIE}
      csrs mstatus, t0
      nop
      nop
      csrr a0, mip
    `).expectNoTrap().expectReg('a0', 0);
  });

  it('S-mode external interrupt: PLIC context 1 drives SEIP, delegated to S (cause 9)', () => {
    const o = run(`
      ${PLIC_SETUP(1)}
      li t0, ${1 << 9}
      csrw mideleg, t0
      csrw mie, t0
      li t0, ${MSTATUS.SIE}
      csrs mstatus, t0
      ${enterMode('S', 's')}
    s:
      nop
    `, { uartInput: new Uint8Array([0x5a]) }).expectTrap({ cause: 9, interrupt: true, to: 'S' });
    expect(o.csr('mip') & (1 << 9)).toBe(1 << 9);
    expect(o.csr('sip') & (1 << 9)).toBe(1 << 9);
    expect(o.machine.plic.read(0x201004, 4)).toBe(10); // S context claims source 10
  });

  it('SEIP reads as the OR of the PLIC line and the software bit; csrc cannot clear the line', () => {
    run(`
      ${PLIC_SETUP(1)}
      nop
      csrr a0, mip
      li t0, ${1 << 9}
      csrc mip, t0
      csrr a1, mip
      csrs mip, t0          # software SEIP
      li t1, ${PLIC + 0x201004}
      lw t2, 0(t1)          # claim: the PLIC line drops
      nop
      csrr a2, mip          # still pending: the software bit
      csrc mip, t0
      csrr a3, mip
    `, { uartInput: new Uint8Array([1]) }).expectNoTrap().expectRegs({ a0: 1 << 9, a1: 1 << 9, a2: 1 << 9, a3: 0, t2: 10 });
  });
});

describe('WFI and idle', () => {
  it('Machine.run returns idle when WFI can never wake', () => {
    run('wfi\n li a0, 1').expectStop('idle').expectReg('a0', 0);
    run(`li t0, ${1 << 7}\n csrw mie, t0\n wfi`).expectStop('idle'); // MTIE but mtimecmp never reached
    run(`li t0, ${1 << 11}\n csrw mie, t0\n wfi`).expectStop('idle'); // MEIE and nothing will come
  });

  it('WFI waiting for the timer: virtual time jumps to the deadline, not idle', () => {
    const o = run(`
      ${timerIn(100000)}
      li t0, ${1 << 7}
      csrw mie, t0
      wfi
      li a0, 1
    `).expectNoTrap().expectReg('a0', 1);
    expect(o.executed).toBeLessThan(20);
    expect(o.machine.clint.mtime()).toBeGreaterThanOrEqual(100000);
  });

  it('Machine.run itself: idle result, and the hart keeps waiting', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    // wfi at RAM base: 0x10500073
    m.bus.writeRam(0, 4, 0x10500073);
    const r = m.run({ maxInsns: 1000 });
    expect(r.reason).toBe('idle');
    expect(m.hart.waiting).toBe(true);
    expect(m.hart.pc >>> 0).toBe(0x80000004);
    expect(m.run({ maxInsns: 1000 }).reason).toBe('idle');
  });
});
