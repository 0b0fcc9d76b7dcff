#!/usr/bin/env bash
# Regenerate debian/libfivetrex0.symbols from tests/exports/fivetrex.exports (the list of
# exported symbols the ctest exports.check keeps in step with libfivetrex.so).
#
#   scripts/update-symbols.sh           rewrite the file
#   scripts/update-symbols.sh --check   exit 1 when the file is out of date
#
# A symbol already in the file keeps its version; a new one gets the version of the
# top debian/changelog entry (the release that introduces it). A symbol that is in the
# file but no longer exported is dropped with a warning: removing a symbol breaks the
# ABI, which needs a new soname (and package name), not just a new symbols file.
# The package build checks the file (DPKG_GENSYMBOLS_CHECK_LEVEL=4 in debian/rules):
# any difference from what the built library exports fails dpkg-buildpackage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

exports=tests/exports/fivetrex.exports
symbols=debian/libfivetrex0.symbols
version=$(dpkg-parsechangelog -S Version 2>/dev/null ||
          sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
version=${version%-*} # upstream part
# Every exported symbol carries the version node of src/fivetrex.map (docs/abi.md).
node=$(sed -n 's/^\([A-Z][A-Z0-9_]*\) *{.*/\1/p' src/fivetrex.map | tail -n 1)
[[ -n $node ]] || { echo "update-symbols: no version node in src/fivetrex.map" >&2; exit 1; }

version_node_since=""
[[ -f $symbols ]] &&
    version_node_since=$(awk -v s="$node@$node" '$1 == s {print $2; exit}' "$symbols")

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
    echo "libfivetrex.so.0 libfivetrex0 #MINVER#"
    echo "* Build-Depends-Package: libfivetrex-dev"
    echo " $node@$node ${version_node_since:-$version}"
    while read -r sym; do
        [[ -z $sym ]] && continue
        old=""
        [[ -f $symbols ]] && old=$(awk -v s="$sym@$node" '$1 == s {print $2; exit}' "$symbols")
        echo " $sym@$node ${old:-$version}"
    done <"$exports"
} >"$tmp"

if [[ -f $symbols ]]; then
    while read -r s _; do
        s=${s%@*}
        [[ $s == "$node" ]] && continue # the version node itself
        grep -qxF "$s" "$exports" ||
            echo "update-symbols: $s is no longer exported (an ABI break: bump the soname)" >&2
    done < <(grep '^ ' "$symbols")
fi

if [[ ${1:-} == --check ]]; then
    if ! diff -u "$symbols" "$tmp"; then
        echo "update-symbols: $symbols is out of date; run scripts/update-symbols.sh" >&2
        exit 1
    fi
    echo "update-symbols: $symbols matches $exports ($(grep -c '^ ' "$tmp") symbols)"
    exit 0
fi
cp "$tmp" "$symbols"
echo "update-symbols: wrote $symbols ($(grep -c '^ ' "$symbols") symbols)"
