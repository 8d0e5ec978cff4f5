#!/bin/sh
# Rebuilds every guest ELF (test/guests/elf/*.elf and bench/guests/*.elf) from source with
# Debian's gcc-riscv64-unknown-elf. Deterministic: fixed flags, relative paths, stable object
# names, no build id; building twice gives identical bytes.
set -eu
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
ARCH="-march=rv32ima_zicsr_zifencei -mabi=ilp32"
LIBGCC=$($CC -march=rv32im -mabi=ilp32 -print-libgcc-file-name)
CFLAGS="$ARCH -nostdlib -ffreestanding -fno-builtin -O2 -g0 -fno-pic -fno-common -mcmodel=medany \
  -mstrict-align -fno-asynchronous-unwind-tables -Wall -Wextra -Wno-unused-parameter -Werror -Irt"
LDFLAGS="$ARCH -nostdlib -static -Wl,--no-relax -Wl,--build-id=none -Wl,-T,rt/link.ld -Wl,--no-warn-rwx-segments"
O=$(mktemp -d)
trap 'rm -rf "$O"' EXIT
mkdir -p elf

obj() { # obj SOURCE OBJECT [extra flags]: compile one file under a stable object name
  src=$1; out=$2; shift 2
  $CC $CFLAGS "$@" -c "$src" -o "$O/$out"
}

obj rt/start.S start.o
obj rt/rt.c rt.o

for src in src/*.c src/*.S; do
  [ -e "$src" ] || continue
  name=$(basename "$src"); name=${name%.*}
  obj "$src" "$name.o"
  case "$name" in
    htif|trapflow|sv32walk) # standalone: their own entry and trap vectors; no runtime
      $CC $LDFLAGS "$O/$name.o" -o "elf/$name.elf" ;;
    *)
      $CC $LDFLAGS "$O/start.o" "$O/rt.o" "$O/$name.o" "$LIBGCC" -o "elf/$name.elf" ;;
  esac
  echo "built elf/$name.elf"
done

# The CPU benchmark: the same workload bare in M-mode and in U-mode under Sv32.
B=../../bench/guests
[ -e $B/cpu.c ] || exit 0
obj $B/cpu.c cpu_bare.o
obj $B/cpu.c cpu_sv32.o -DSV32
$CC $LDFLAGS "$O/start.o" "$O/rt.o" "$O/cpu_bare.o" "$LIBGCC" -o $B/cpu_bare.elf
$CC $LDFLAGS "$O/start.o" "$O/rt.o" "$O/cpu_sv32.o" "$LIBGCC" -o $B/cpu_sv32.elf
echo "built bench/guests/cpu_bare.elf bench/guests/cpu_sv32.elf"
