#!/usr/bin/env bash
# Fail when our sources call a banned function (unbounded string writes or unchecked
# conversions): sprintf vsprintf strcpy strcat atoi atol gets.
# Use snprintf, ftx__buf, memcpy with a known length, strtol/strtoll instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

banned='sprintf|vsprintf|strcpy|strcat|atoi|atol|gets'
mapfile -t files < <(find src include cli sandbox tests bench examples \
  -path tests/fuzz/corpus -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print \
  2>/dev/null | sort)
[[ ${#files[@]} -eq 0 ]] && { echo "check-banned.sh: no files"; exit 0; }

# A call is the name as a whole word followed by "(". Lines that are only comments
# are skipped.
if hits="$(grep -nHE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" "${files[@]}" \
    | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)')"; then
  echo "check-banned.sh: banned functions used ($banned):" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check-banned.sh: ${#files[@]} files clean"
