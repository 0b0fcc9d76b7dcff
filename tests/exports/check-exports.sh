#!/usr/bin/env bash
# The shared library exports exactly the symbols listed in fivetrex.exports (after
# jansson's check-exports): an accidental export or a removed function fails. Every
# exported symbol carries the version node FIVETREX_0 (src/fivetrex.map, docs/abi.md).
#   check-exports.sh <libfivetrex.so> <fivetrex.exports>
set -euo pipefail
lib="$1"
want="$2"
got="$(mktemp)"
raw="$(mktemp)"
trap 'rm -f "$got" "$raw"' EXIT
# nm prints "name@@VERSION" for versioned symbols (binutils 2.35+); older ones print the
# bare name, and then objdump -T below still checks the version.
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' >"$raw"
sed 's/@.*//' "$raw" | sort >"$got"
if ! diff -u "$want" "$got"; then
    echo "check-exports: exported symbols differ from $want (+ new, - missing)." >&2
    echo "  If the change is intended, update the list: nm -D --defined-only $lib |" >&2
    echo "  awk '\$2 ~ /^[TDBR]\$/ {print \$3}' | sed 's/@.*//' | sort > $want" >&2
    exit 1
fi
unversioned="$(objdump -T "$lib" | awk '$2 == "g" && $NF ~ /^ftx_/ && $(NF-1) != "FIVETREX_0" {print $NF}')"
if [ -n "$unversioned" ]; then
    echo "check-exports: symbols without the version node FIVETREX_0 (src/fivetrex.map):" >&2
    echo "$unversioned" >&2
    exit 1
fi
echo "check-exports: $(wc -l <"$got") symbols, as listed, all FIVETREX_0"
