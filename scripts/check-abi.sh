#!/usr/bin/env bash
# Compare the ABI of a built libfivetrex.so with the committed baseline (docs/abi.md).
#
#   scripts/check-abi.sh BUILD_DIR            check: fail on an incompatible change
#   scripts/check-abi.sh --update BUILD_DIR   rewrite the baseline deliberately
#
# BUILD_DIR is a RelWithDebInfo (or Debug) build with DWARF: `make build` gives one.
# Only the public headers (include/fivetrex/) count: abidw drops every other type.
# The baseline is abi/libfivetrex.abi; the growth that the ABI rules allow (fields
# appended to library-allocated models and to versioned options structs) is described
# in abi/libfivetrex.abignore and does not fail the check.
#
# abidiff's exit status is a bit mask: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible ABI change. This script fails on 1, 2 and 8, and on 4 too, except
# when the only changes are added functions or variables, which are always compatible
# (they are then listed, and pass). So removing or changing a function, changing a
# field, or growing a caller-allocated struct fails until the baseline is updated in
# the same commit, with a reviewer looking at the printed report.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
baseline="$here/abi/libfivetrex.abi"
suppr="$here/abi/libfivetrex.abignore"
headers="$here/include/fivetrex"

update=0
if [ "${1:-}" = "--update" ]; then
    update=1
    shift
fi
if [ $# -ne 1 ]; then
    echo "usage: scripts/check-abi.sh [--update] BUILD_DIR" >&2
    exit 2
fi
build="$1"

for tool in abidw abidiff readelf; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "check-abi: $tool not found; install Debian's abigail-tools and binutils" \
            "(scripts/install-deps.sh)" >&2
        exit 2
    fi
done

lib="$build/libfivetrex.so"
if [ ! -e "$lib" ]; then
    echo "check-abi: $lib does not exist; build the library first (make build)" >&2
    exit 2
fi
lib="$(readlink -f "$lib")"
sections="$(readelf -S "$lib")"
if ! grep -q '\.debug_info' <<<"$sections"; then
    echo "check-abi: $lib has no debug info; use a RelWithDebInfo build (make build)" >&2
    exit 2
fi

mkdir -p "$build/abi"
current="$build/abi/libfivetrex.abi"
# Stable output: no paths, no source locations, type ids from hashes, only what the
# public headers declare and the library exports.
abidw --headers-dir "$headers" --drop-private-types --drop-undefined-syms \
    --exported-interfaces-only --type-id-style hash --no-corpus-path --no-show-locs \
    --no-comp-dir-path --out-file "$current" "$lib"
# Translation units are named by absolute path: make them relative to the checkout, so
# the baseline is the same from any directory (abidiff ignores these names anyway).
sed -i "s|path='$here/|path='|g" "$current"

if [ "$update" = 1 ]; then
    mkdir -p "$(dirname "$baseline")"
    cp "$current" "$baseline"
    echo "check-abi: baseline updated: abi/libfivetrex.abi"
    echo "  Commit it together with the change that altered the ABI, and say in the commit"
    echo "  message why the change is compatible (or that the soname is bumped)."
    exit 0
fi

if [ ! -f "$baseline" ]; then
    echo "check-abi: no baseline at abi/libfivetrex.abi; create it with" \
        "scripts/check-abi.sh --update $build" >&2
    exit 1
fi

report="$build/abi/abidiff.txt"
set +e
abidiff --no-default-suppression --suppressions "$suppr" --no-show-locs \
    "$baseline" "$current" >"$report" 2>&1
rc=$?
set -e

how_to_update() {
    echo "  If the change is deliberate and follows docs/abi.md, update the baseline in the"
    echo "  same commit:  scripts/check-abi.sh --update $build   (or: make abi-baseline)"
}

if [ $((rc & 3)) -ne 0 ]; then
    cat "$report" >&2
    echo "check-abi: abidiff failed (exit status $rc)" >&2
    exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
    cat "$report" >&2
    echo "check-abi: INCOMPATIBLE ABI change against abi/libfivetrex.abi (abidiff status $rc)." >&2
    how_to_update >&2
    exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
    # Compatible only when nothing was removed or changed: additions alone.
    if grep -Eq '^Functions changes summary: 0 Removed, 0 Changed' "$report" &&
        grep -Eq '^Variables changes summary: 0 Removed, 0 Changed' "$report" &&
        ! grep -Eq '^Function symbols changes summary: [1-9]|^Variable symbols changes summary: [1-9]' "$report"; then
        cat "$report"
        echo "check-abi: only additions against abi/libfivetrex.abi: compatible."
        echo "  Record them in the baseline when convenient: scripts/check-abi.sh --update $build"
        exit 0
    fi
    cat "$report" >&2
    echo "check-abi: ABI change against abi/libfivetrex.abi (abidiff status $rc) that the" \
        "rules in docs/abi.md do not allow without a deliberate baseline update." >&2
    how_to_update >&2
    exit 1
fi
echo "check-abi: libfivetrex.so matches abi/libfivetrex.abi"
