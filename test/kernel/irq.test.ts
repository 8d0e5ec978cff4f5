// IRQ and IO_MEM sessions: the UART's received-data interrupt (PLIC source 10) with input from
// the scenario's "uart" field, delivered as a signal; the line stays masked until ACK.
import { describe, expect, it } from 'vitest';
import { boot, E, raw, UART_ECHO, withRt } from './harness';

/** Opens IO_MEM for the UART (s0 = registers), IRQ 10 (s1) with context 1 on slot 6, enables RX. */
const SETUP = `
    la a0, n_io_mem
    la a1, a_io_mem
    call parent_session
    rec
    call io_mem_dataspace
    rec
    call ds_attach
    rec
    mv s0, a0
    la a0, n_irq
    la a1, a_irq
    call parent_session
    rec
    mv s1, a0
    li a0, 1
    call signal_context
    mv a1, a0
    mv a0, s1
    call irq_sigh
    rec
    li t0, UART_IER_RX
    sb t0, UART_IER(s0)`;

/** drain: logs every byte the UART holds as one line ("" if none). */
const DRAIN = `
drain:
    addi sp, sp, -16
    sw ra, 12(sp)
    call line_reset
1:  lbu t0, UART_LSR(s0)
    andi t0, t0, UART_LSR_DR
    beqz t0, 2f
    lbu a0, UART_RBR(s0)
    call line_char
    j 1b
2:  call line_log
    lw ra, 12(sp)
    addi sp, sp, 16
    ret`;

const STRINGS = `.section .rodata
n_io_mem: .asciz "IO_MEM"
a_io_mem: .asciz "base=0x10000000, size=0x1000"
n_irq:    .asciz "IRQ"
a_irq:    .asciz "irq=10"
`;

describe('UART receive interrupts', () => {
  it('are delivered as signals once the input arrives, and again after each ACK', () => {
    const b = boot([{ name: 'u', asm: withRt(`${SETUP}
1:  li a0, SLOT_SIGNALS
    call sys_wait
    call drain
    mv a0, s1
    call irq_ack
    j 1b
${DRAIN}`, STRINGS) }], { uart: { input: 'hello', inputAt: '5ms' } });
    b.runMs(4);
    expect(b.statuses('u', 5).every((s) => s >= 0)).toBe(true);
    expect(b.texts('u')).toEqual([]);
    expect(b.task('u').stats.irqs).toBe(0);
    b.runMs(10);
    expect(b.texts('u')).toEqual(['hello']);
    const line = b.lines('u')[0];
    expect(b.ns(line)).toBeGreaterThanOrEqual(5e6);
    expect(b.ns(line)).toBeLessThan(5e6 + 20_000); // a few hundred instructions after the input
    expect(b.task('u').stats.irqs).toBe(1);
    // more input later: one more interrupt
    b.init.machine.uart.pushInput([0x41, 0x42]);
    b.runMs(20);
    expect(b.texts('u')).toEqual(['hello', 'AB']);
    expect(b.task('u').stats.irqs).toBe(2);
    expect(b.task('u').alive).toBe(true);
  });

  it('are not delivered again before ACK; ACK with data still pending delivers again', () => {
    const b = boot([{ name: 'u', asm: withRt(`${SETUP}
    call sleep_init
    li a0, SLOT_SIGNALS
    call sys_wait
    rec
    li a0, 3000
    call sleep_us
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    mv a0, s1
    call irq_ack
    rec
    li a0, 1000
    call sleep_us
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    call drain
    mv a0, s1
    call irq_ack
    rec
    li a0, 3000
    call sleep_us
    li a0, SLOT_SIGNALS
    call sys_poll
    rec
    mv a0, s1
    call irq_ack
    rec
    park
${DRAIN}`, STRINGS) }], { uart: { input: 'xyz', inputAt: '1ms' } });
    b.runMs(20);
    const r = b.results('u', 12);
    expect(r[5].slice(0, 3)).toEqual([0, 1, 1]); // the first interrupt
    expect(r[6][0]).toBe(E.WOULD_BLOCK); // masked: no second delivery while unacknowledged
    expect(r[7][0]).toBe(0);
    expect(r[8].slice(0, 3)).toEqual([0, 1, 1]); // the line was still high: delivered again
    expect(r[9][0]).toBe(0);
    expect(r[10][0]).toBe(E.WOULD_BLOCK); // drained: nothing more
    expect(r[11][0]).toBe(0); // ACK without a pending claim is harmless
    expect(b.texts('u')).toEqual(['xyz']);
    expect(b.task('u').stats.irqs).toBe(2);
  });

  it('input before the handler exists waits in the UART and is delivered once IRQ and IER are set up', () => {
    const b = boot([{ name: 'u', asm: withRt(`
    call sleep_init
    li a0, 2000
    call sleep_us
${SETUP}
1:  li a0, SLOT_SIGNALS
    call sys_wait
    call drain
    mv a0, s1
    call irq_ack
    j 1b
${DRAIN}`, STRINGS) }], { uart: { input: 'early', inputAt: '0ms' } });
    b.runMs(5);
    expect(b.texts('u')).toEqual(['early']);
    expect(b.ns(b.lines('u')[0])).toBeGreaterThanOrEqual(2e6);
  });
});

describe('IRQ and IO_MEM session requests', () => {
  const req = (name: string, args: string) => `
    la a0, ${name}
    la a1, ${args}
    call parent_session
    rec`;
  it('refuse bad arguments, taken lines, unrouted services and non-device ranges', () => {
    const b = boot([
      { name: 'a', asm: withRt(`${req('n_irq', 'i0')}${req('n_irq', 'i32')}${req('n_irq', 'iabc')}${req('n_irq', 'inone')}${req('n_irq', 'ibad')}
${req('n_irq', 'i10')}${req('n_irq', 'i10')}${req('n_irq', 'i11')}
${req('n_io', 'm_ram')}${req('n_io', 'm_unaligned')}${req('n_io', 'm_nothing')}${req('n_io', 'm_nobase')}${req('n_io', 'm_size')}${req('n_io', 'm_uart')}
    park`, `.section .rodata
n_irq: .asciz "IRQ"
n_io: .asciz "IO_MEM"
i0: .asciz "irq=0"
i32: .asciz "irq=32"
iabc: .asciz "irq=abc"
inone: .asciz ""
ibad: .asciz "irq"
i10: .asciz "irq=10"
i11: .asciz "irq = 11"
m_ram: .asciz "base=0x80000000, size=0x1000"
m_unaligned: .asciz "base=0x10000001, size=0x1000"
m_nothing: .asciz "base=0x20000000, size=0x1000"
m_nobase: .asciz "size=0x1000"
m_size: .asciz "base=0x10000000, size=0x1001"
m_uart: .asciz "base=0x10000000"
`) },
      { name: 'b', routes: { LOG: 'core' }, asm: withRt(`${req('n_irq', 'i12')}${req('n_io', 'm_uart')}
    park`, `.section .rodata
n_irq: .asciz "IRQ"
n_io: .asciz "IO_MEM"
i12: .asciz "irq=12"
m_uart: .asciz "base=0x10000000, size=0x1000"
`) },
    ]);
    b.runMs(2);
    const r = b.statuses('a', 14);
    expect(r.slice(0, 5)).toEqual([E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG, E.BAD_ARG]);
    expect(r[5]).toBeGreaterThan(7);
    expect(r[6]).toBe(E.DENIED); // one session per line
    expect(r[7]).toBeGreaterThan(7);
    expect(r.slice(8, 13)).toEqual([E.DENIED, E.BAD_ARG, E.DENIED, E.BAD_ARG, E.BAD_ARG]);
    expect(r[13]).toBeGreaterThan(7); // size defaults to one page
    expect(b.statuses('b', 2)).toEqual([E.DENIED, E.DENIED]); // not routed
  });

  it('IRQ and IO_MEM sessions answer their opcodes; IO_MEM dataspaces cannot be freed or executed', () => {
    const b = boot([
      { name: 'a', asm: withRt(`
    la a0, n_io
    la a1, m_uart
    call parent_session
    mv s0, a0
    la a0, n_irq
    la a1, i10
    call parent_session
    mv s1, a0
    inv SLOT_PD, PD_CAP_INFO, 8
    inv SLOT_PD, PD_CAP_INFO, 9
    li a0, 8
    li a1, 1
    sys SYS_INVOKE
    rec
    li a0, 9
    li a1, 2
    sys SYS_INVOKE
    rec
    inv 9, IRQ_SIGH, 0
    inv 9, IRQ_SIGH, SLOT_RAM
    inv 8, IO_MEM_DATASPACE
    inv SLOT_PD, PD_CAP_INFO, 10
    inv 10, DS_SIZE
    inv SLOT_RAM, RAM_FREE, 10
    inv SLOT_RM, RM_ATTACH, 10, 0x20000000, 0, 0, 3
    li t0, 0x20000000
    jalr t0
    park`, `.section .rodata
n_io: .asciz "IO_MEM"
n_irq: .asciz "IRQ"
i10: .asciz "irq=10"
m_uart: .asciz "base=0x10000000, size=0x1000"
`) },
      { name: 'b', asm: raw('    park') },
    ]);
    b.runMs(2);
    const r = b.results('a', 11);
    expect(r[0].slice(0, 2)).toEqual([0, 14]);
    expect(r[1].slice(0, 2)).toEqual([0, 12]);
    expect(r[2][0]).toBe(E.BAD_OPCODE);
    expect(r[3][0]).toBe(E.BAD_OPCODE);
    expect(r[4][0]).toBe(E.BAD_SLOT);
    expect(r[5][0]).toBe(E.BAD_ARG);
    expect(r[6].slice(0, 2)).toEqual([0, 10]);
    expect(r[7].slice(0, 2)).toEqual([0, 9]);
    expect(r[8].slice(0, 2)).toEqual([0, 4096]);
    expect(r[9][0]).toBe(E.BAD_ARG); // not RAM of this session
    expect(r[10].slice(0, 2)).toEqual([0, 0x20000000]);
    expect(b.task('a').end?.kind).toBe('fault'); // device memory is never executable
    expect(b.initTexts()[0]).toMatch(/^a faulted: .*0x20000000/);
    expect(b.task('b').alive).toBe(true);
  });
});

describe('devices the kernel drives', () => {
  it('IO_MEM does not hand out the PLIC the kernel drives (another component\'s IRQs stay intact)', () => {
    // b asks for the PLIC to clear the kernel's enable bits: refused, a keeps its interrupts.
    const uart = UART_ECHO;
    const b = boot([
      { name: 'a', asm: uart },
      { name: 'b', asm: withRt(`
    la a0, n_io
    la a1, m_plic
    call parent_session
    rec
    bltz a0, 1f
    call io_mem_dataspace
    call ds_attach
    li t0, 0x2000
    add t0, a0, t0
    sw zero, 0(t0)
1:  park`, `.section .rodata
n_io: .asciz "IO_MEM"
m_plic: .asciz "base=0x0c000000, size=0x4000"
`) },
    ], { uart: { input: 'ping', inputAt: '2ms' } });
    b.runMs(5);
    expect(b.texts('a')).toEqual(['ping']);
    expect(b.statuses('b', 1)).toEqual([E.DENIED]);
  });

  it('IO_MEM refuses the CLINT too', () => {
    const b = boot([{ name: 'a', asm: withRt(`
    la a0, n_io
    la a1, m_clint
    call parent_session
    rec
    park`, '.section .rodata\nn_io: .asciz "IO_MEM"\nm_clint: .asciz "base=0x02000000, size=0x10000"\n') }]);
    b.runMs(1);
    expect(b.statuses('a', 1)).toEqual([E.DENIED]);
  });
});
