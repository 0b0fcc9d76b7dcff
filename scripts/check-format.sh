#!/usr/bin/env bash
# Fail when a C source or header in our trees is not clang-format clean.
#   scripts/check-format.sh         check (CI)
#   scripts/check-format.sh --fix   reformat in place (same as `make format`)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

clang_format="${CLANG_FORMAT:-clang-format}"
if ! command -v "$clang_format" >/dev/null 2>&1; then
  echo "check-format.sh: $clang_format not found (scripts/install-deps.sh installs it)" >&2
  exit 1
fi

mapfile -t files < <(find src include cli sandbox tests bench examples \
  -path tests/fuzz/corpus -prune -o -type f \( -name '*.c' -o -name '*.h' \) -print \
  2>/dev/null | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check-format.sh: no files"
  exit 0
fi

if [[ "${1:-}" == --fix ]]; then
  "$clang_format" -i "${files[@]}"
  echo "check-format.sh: formatted ${#files[@]} files"
  exit 0
fi

bad=()
for f in "${files[@]}"; do
  if ! "$clang_format" --dry-run --Werror "$f" >/dev/null 2>&1; then
    bad+=("$f")
  fi
done
if [[ ${#bad[@]} -gt 0 ]]; then
  echo "check-format.sh: not clang-format clean (run 'make format'):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "check-format.sh: ${#files[@]} files clean"
