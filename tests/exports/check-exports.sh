#!/usr/bin/env bash
# The shared library exports exactly the symbols listed in fivetrex.exports (after
# jansson's check-exports): an accidental export or a removed function fails.
#   check-exports.sh <libfivetrex.so> <fivetrex.exports>
set -euo pipefail
lib="$1"
want="$2"
got="$(mktemp)"
trap 'rm -f "$got"' EXIT
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sort >"$got"
if ! diff -u "$want" "$got"; then
    echo "check-exports: exported symbols differ from $want (+ new, - missing)." >&2
    echo "  If the change is intended, update the list: nm -D --defined-only $lib |" >&2
    echo "  awk '\$2 ~ /^[TDBR]\$/ {print \$3}' | sort > $want" >&2
    exit 1
fi
echo "check-exports: $(wc -l <"$got") symbols, as listed"
