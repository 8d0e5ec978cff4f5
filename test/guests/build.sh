#!/bin/sh
# Rebuilds every guest ELF (test/guests/elf/*.elf and bench/guests/*.elf) from source with
# Debian's gcc-riscv64-unknown-elf. Deterministic: fixed flags, relative paths, no build id.
set -eu
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
ARCH="-march=rv32ima_zicsr_zifencei -mabi=ilp32"
LIBGCC=$($CC -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
CFLAGS="$ARCH -nostdlib -ffreestanding -fno-builtin -O2 -g0 -fno-pic -fno-common -mcmodel=medany \
  -mstrict-align -fno-asynchronous-unwind-tables -Wall -Wextra -Wno-unused-parameter -Werror -Irt"
LDFLAGS="-Wl,--no-relax -Wl,--build-id=none -Wl,-T,rt/link.ld -Wl,--no-warn-rwx-segments"
RT="rt/start.S rt/rt.c"
mkdir -p elf

for src in src/*.c src/*.S; do
  [ -e "$src" ] || continue
  name=$(basename "$src"); name=${name%.*}
  case "$name" in
    htif) # riscv-tests style: its own entry, trap vector and tohost; no runtime
      $CC $CFLAGS $LDFLAGS "$src" -o "elf/$name.elf" ;;
    *)
      $CC $CFLAGS $LDFLAGS $RT "$src" "$LIBGCC" -o "elf/$name.elf" ;;
  esac
  echo "built elf/$name.elf"
done

# The CPU benchmark: the same workload bare in M-mode and in U-mode under Sv32.
[ -e ../../bench/guests/cpu.c ] || exit 0
B=../../bench/guests
$CC $CFLAGS $LDFLAGS $RT $B/cpu.c "$LIBGCC" -o $B/cpu_bare.elf
$CC $CFLAGS -DSV32 $LDFLAGS $RT $B/cpu.c "$LIBGCC" -o $B/cpu_sv32.elf
echo "built bench/guests/cpu_bare.elf bench/guests/cpu_sv32.elf"
