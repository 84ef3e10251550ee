#!/usr/bin/env bash
# Builds the C fixtures of crates/object/tests/fixtures into BPF objects with Debian's clang-19
# (`make objects`), as the kernel selftests build theirs: clang -target bpf -O2 -g.
#
#   scripts/build-objects.sh           rebuild every fixture's .o beside its .c
#   scripts/build-objects.sh --check   build into a temporary folder and compare: exit 1 when a
#                                      committed .o is not what its .c builds to
#
# clang-19 is found as $CLANG, on PATH, or in the kselftests generator's cache
# (${KSELFTESTS_CACHE:-$HOME/.cache/kselftests}/toolroot, where ../shared/tools/kselftests
# unpacks Debian's packages). Without it the script exits 77 (skipped).
set -euo pipefail
cd "$(dirname "$0")/../crates/object/tests/fixtures"

CACHE=${KSELFTESTS_CACHE:-$HOME/.cache/kselftests}
if [ -n "${CLANG:-}" ]; then :
elif command -v clang-19 >/dev/null 2>&1; then CLANG=$(command -v clang-19)
elif [ -x "$CACHE/toolroot/usr/lib/llvm-19/bin/clang" ]; then
    T="$CACHE/toolroot"
    CLANG="$T/usr/lib/llvm-19/bin/clang"
    export LD_LIBRARY_PATH="$T/usr/lib/x86_64-linux-gnu:$T/lib/x86_64-linux-gnu:$T/usr/lib/llvm-19/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
else
    echo "note: clang-19 not found (set CLANG, or run ../shared/tools/kselftests/generate.sh once); objects not built" >&2
    exit 77
fi
"$CLANG" --version >/dev/null 2>&1 || { echo "note: $CLANG does not run; objects not built" >&2; exit 77; }

check=0
[ "${1:-}" = "--check" ] && check=1
out=.
if [ $check = 1 ]; then out=$(mktemp -d); trap 'rm -rf "$out"' EXIT; fi

stale=0
for c in *.c; do
    o="${c%.c}.o"
    # Relative names and a fixed prefix map: the object does not depend on where the
    # repository is.
    "$CLANG" -target bpf -O2 -g -fdebug-prefix-map="$PWD"=. -c "$c" -o "$out/$o"
    if [ $check = 1 ] && ! cmp -s "$out/$o" "$o"; then
        echo "stale: crates/object/tests/fixtures/$o is not what $c builds to (run make objects)" >&2
        stale=1
    fi
done
[ $check = 1 ] && [ $stale = 0 ] && echo "objects up to date ($("$CLANG" --version | head -n1))"
exit $stale
