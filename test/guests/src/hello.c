/* The smallest guest: one line on the UART, exit 0 through the finisher. */
#include "rt.h"

int main(void) {
  puts("Hello from an rtcr-vm guest!\n");
  return 0;
}
