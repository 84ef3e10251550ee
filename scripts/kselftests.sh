#!/bin/sh
# Verifies every case of the kernel's verifier selftests (converted by
# ../shared/tools/kselftests/generate.sh) and prints the agreement by tier.
# Usage: scripts/kselftests.sh [OUTDIR] [--list] [--min-t12 PERCENT]
set -eu
cd "$(dirname "$0")/.."
dir=${1:-target/kselftests}
[ $# -gt 0 ] && shift
if [ ! -f "$dir/INDEX.tsv" ]; then
    gen=../shared/tools/kselftests/generate.sh
    [ -x "$gen" ] || { echo "no $dir/INDEX.tsv and no $gen" >&2; exit 2; }
    "$gen" "$dir"
fi
cargo build --quiet --release -p unwind-kselftests
exec target/release/unwind-kselftests "$dir" "$@"
