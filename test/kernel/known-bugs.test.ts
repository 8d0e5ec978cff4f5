// Kernel behaviour that contradicts docs/abi.md or DESIGN.md ("nothing a guest does may throw
// out of the kernel ... or touch another component"). Each test fails until the kernel is fixed.
import { describe, expect, it } from 'vitest';
import { boot, E, raw, tryBoot, withRt } from './harness';

describe('known kernel bugs', () => {
  it('CPU session: an unknown opcode is E_BAD_OPCODE whatever the arguments', () => {
    // services/cpu.ts looks up the thread slot (a2) before the opcode: op 8 with a2 = 0 gives
    // E_BAD_SLOT, with a2 = SLOT_PD E_BAD_ARG.
    const b = boot([{ name: 'a', asm: raw(`
    inv SLOT_CPU, 8, 0
    inv SLOT_CPU, 8, SLOT_PD
    inv SLOT_CPU, -1, 0
    park`) }]);
    b.runMs(1);
    expect(b.statuses('a', 3)).toEqual([E.BAD_OPCODE, E.BAD_OPCODE, E.BAD_OPCODE]);
  });

  it('a RAM quota too small for the main thread\'s UTCB is an init error, not a throw', () => {
    // kernel.ts createTask throws "cannot create the main thread" out of Init.create.
    let r: ReturnType<typeof tryBoot> | undefined;
    expect(() => { r = tryBoot([{ name: 'a', ram: 100, asm: raw('    park') }]); }).not.toThrow();
    expect(r?.ok).toBe(false);
    if (r !== undefined && !r.ok) expect(r.message).toMatch(/components\[0\] \(a\).*quota/);
  });

  it('a page fault needing a page-table frame when physical RAM is exhausted does not throw', () => {
    // Quotas may exceed the board's RAM (init does not check the sum). Component a allocates
    // every free frame, then touches a dataspace attached in a fresh 4 MiB region: the page-fault
    // path needs a level-0 table frame and pagetable.ts throws 'kernel frame pool exhausted'
    // out of Kernel.run. Expected: that component faults (or the attach/alloc is refused), b
    // keeps running.
    const b = boot([
      { name: 'a', ram: '64M', asm: raw(`
    inv SLOT_RAM, RAM_ALLOC, 4096
1:  li a0, SLOT_RAM
    li a1, RAM_ALLOC
    li a2, 0x10000
    sys SYS_INVOKE
    beqz a0, 1b
    rec
2:  li a0, SLOT_RAM
    li a1, RAM_ALLOC
    li a2, 4096
    sys SYS_INVOKE
    beqz a0, 2b
    rec
    inv SLOT_RM, RM_ATTACH, 8, 0x40000000, 0, 0, RM_WRITE
    li t0, 0x40000000
    li t1, 7
    sw t1, 0(t0)
    park`) },
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
    expect(b.statuses('a', 3)).toEqual([0, E.QUOTA, E.QUOTA]);
    expect(b.texts('b')).toEqual(['1', '2', '3', '4']);
  });

  it('IO_MEM does not hand out the PLIC the kernel drives (another component\'s IRQs stay intact)', () => {
    // services/sessions.ts IO_MEM accepts any device range: component b maps the PLIC and clears
    // the kernel's enable bits for context 0; a's UART interrupts are never delivered again.
    const uart = withRt(`
    la a0, n_io
    la a1, m_uart
    call parent_session
    call io_mem_dataspace
    call ds_attach
    mv s0, a0
    la a0, n_irq
    la a1, i10
    call parent_session
    mv s1, a0
    li a0, 1
    call signal_context
    mv a1, a0
    mv a0, s1
    call irq_sigh
    li t0, UART_IER_RX
    sb t0, UART_IER(s0)
1:  li a0, SLOT_SIGNALS
    call sys_wait
    call line_reset
2:  lbu t0, UART_LSR(s0)
    andi t0, t0, UART_LSR_DR
    beqz t0, 3f
    lbu a0, UART_RBR(s0)
    call line_char
    j 2b
3:  call line_log
    mv a0, s1
    call irq_ack
    j 1b`, `.section .rodata
n_io: .asciz "IO_MEM"
n_irq: .asciz "IRQ"
i10: .asciz "irq=10"
m_uart: .asciz "base=0x10000000, size=0x1000"
`);
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
});
