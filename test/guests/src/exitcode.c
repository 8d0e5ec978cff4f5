/* Exit status propagation: the finisher's (code << 16) | 0x3333 with code 42. */
#include "rt.h"

int main(void) {
  puts("exitcode: leaving through the finisher with status 42\n");
  exit(42);
}
