/* c/board.h: the little a bare-metal C program needs to talk on the board's UART (16550 at
   0x10000000, QEMU virt). Header only; no libc. */
#ifndef RTCR_BOARD_H
#define RTCR_BOARD_H

#define UART ((volatile unsigned char *)0x10000000)
#define UART_LSR 5           /* line status register */
#define UART_LSR_THR_EMPTY 0x20

/* Writes one byte to the UART once it can take it. */
static inline void board_putc(char c) {
  while ((UART[UART_LSR] & UART_LSR_THR_EMPTY) == 0) {}
  UART[0] = (unsigned char)c;
}

/* Writes a NUL-terminated string. */
static inline void board_puts(const char *s) {
  while (*s != '\0') board_putc(*s++);
}

/* Writes an unsigned number in decimal. */
static inline void board_putu(unsigned v) {
  char buf[10];
  int n = 0;
  do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v != 0);
  while (n > 0) board_putc(buf[--n]);
}

#endif
