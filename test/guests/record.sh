#!/bin/sh
# Re-records the QEMU expectations (expected/*.out, expected/*.json) and the golden traces
# (traces/*.trace.gz) from the committed ELFs. Needs qemu-system-riscv32 (QEMU 7.2, Debian's
# qemu-system-misc) and the project's node_modules. Rebuild the ELFs first with ./build.sh if
# sources changed. Arguments: [--no-traces] [program...]
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/node_modules/.bin/esbuild" test/guests/record.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$tmp/record.mjs" --log-level=warning
node "$tmp/record.mjs" "$@"
