# lib/start.s: start-up code. The kernel starts the main thread at `_start` with a0 = the
# configuration string (NUL-terminated, on the stack), a1 = its length, sp 16-byte aligned below
# it (docs/abi.md, "Address space"). `_start` records both in `__config`/`__config_len`, calls
# `main(config, len)` and ends the component with main's return value as exit code.

.text
.globl _start
_start:
    la t0, __config
    sw a0, 0(t0)
    sw a1, 4(t0)
    call main
    # exit(main's return value); a0 already holds it
    li a7, SYS_EXIT
    ecall
1:  j 1b                        # EXIT does not return

.bss
.balign 4
.globl __config
.globl __config_len
__config:       .space 4        # pointer to the configuration string
__config_len:   .space 4        # its length without the NUL
