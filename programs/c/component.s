# c/component.s: start-up code for a C program that runs as a component (link with
# c/component.ld). The kernel starts the main thread here with a0 = the configuration string
# (NUL-terminated), a1 = its length and sp set; main(config, length) runs and its return value
# ends the component as its exit status (SYS_EXIT, docs/abi.md).

.equ SYS_EXIT, 4

.section .text.init, "ax"
.globl _start
_start:
    call main
    li a7, SYS_EXIT             # a0 = main's return value
    ecall
1:  j 1b                        # EXIT does not return
