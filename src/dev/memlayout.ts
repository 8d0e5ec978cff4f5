// The board's physical memory map: QEMU's `virt` machine, so that one ELF runs both on
// `qemu-system-riscv32 -machine virt -bios none` and here.
//
//   0x0000_0000 +--------------------------+
//               |        (unmapped)        |
//   0x0010_0000 +--------------------------+
//               | SiFive test finisher     |  4 KiB: 0x5555 pass, (code<<16)|0x3333 fail
//   0x0010_1000 +--------------------------+
//               |        (unmapped)        |
//   0x0200_0000 +--------------------------+
//               | CLINT                    |  64 KiB: msip +0, mtimecmp +0x4000, mtime +0xbff8
//   0x0201_0000 +--------------------------+
//               |        (unmapped)        |
//   0x0c00_0000 +--------------------------+
//               | PLIC                     |  sources 1-31; context 0 = hart 0 M, 1 = hart 0 S
//   0x1000_0000 +--------------------------+
//               | UART 16550               |  256 B, byte registers, PLIC source 10
//   0x1000_0100 +--------------------------+
//               |        (unmapped)        |
//   0x1000_1000 +--------------------------+
//               | IRQ source (our own)     |  4 KiB: 4 timer channels, PLIC sources 1-4
//   0x1000_2000 +--------------------------+   (QEMU's first virtio-mmio slot; not on QEMU)
//               |        (unmapped)        |
//   0x8000_0000 +--------------------------+
//               | RAM                      |  size configurable (default 128 MiB)
//               +--------------------------+
//
// HTIF has no address of its own: `tohost`/`fromhost` are RAM words named by ELF symbols.

export const FINISHER_BASE = 0x0010_0000;
export const FINISHER_SIZE = 0x1000;
export const CLINT_BASE = 0x0200_0000;
export const CLINT_SIZE = 0x1_0000;
export const PLIC_BASE = 0x0c00_0000;
export const PLIC_SIZE = 0x400_0000;
export const UART_BASE = 0x1000_0000;
export const UART_SIZE = 0x100;
export const UART_IRQ = 10;
/** The IRQ source device (src/dev/irqsrc.ts, docs/devices.md): channel n drives IRQSRC_IRQ_BASE + n. */
export const IRQSRC_BASE = 0x1000_1000;
export const IRQSRC_SIZE = 0x1000;
export const IRQSRC_IRQ_BASE = 1;
export const IRQSRC_CHANNELS = 4;

/**
 * Whether the IRQ source device's channels can be wired from PLIC source `first` on: they need
 * IRQSRC_CHANNELS sources in 1-31 that are not the UART's.
 */
export function irqsrcWiringOk(first: number): boolean {
  return Number.isInteger(first) && first >= 1 && first + IRQSRC_CHANNELS - 1 <= 31 &&
    !(first <= UART_IRQ && UART_IRQ < first + IRQSRC_CHANNELS);
}
export const RAM_BASE = 0x8000_0000;
export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

/** PLIC contexts of hart 0, as on QEMU virt. */
export const PLIC_CONTEXT_M = 0;
export const PLIC_CONTEXT_S = 1;
export const PLIC_SOURCES = 31;
