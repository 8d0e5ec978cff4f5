# lib/rt.s: the guest runtime. A program includes it first and defines `main`:
#
#   .include "lib/rt.s"
#   .text
#   .globl main
#   main:           # main(config, config_len) -> exit code
#
# Files: abi.s (constants), start.s (_start), sys.s (system calls and service methods),
# fmt.s (strings, numbers, configuration), line.s (log lines, fail), thread.s (threads).

.include "abi.s"
.include "start.s"
.include "sys.s"
.include "fmt.s"
.include "line.s"
.include "thread.s"
