#!/usr/bin/env bash
# Run every unit test executable of a (non-sanitizer) build under valgrind memcheck;
# any error or definite/indirect leak fails.   scripts/valgrind.sh [build-dir]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${1:-build}"

if grep -q '^FTX_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "valgrind.sh: $build is a sanitizer build; valgrind needs a plain build" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed" >&2; exit 1; }

mapfile -t tests < <(find "$build/tests" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort)
if [[ ${#tests[@]} -eq 0 ]]; then
  echo "valgrind.sh: no unit tests in $build/tests (build first)" >&2
  exit 1
fi

failed=()
# Tests that depend on the server keeping pace skip themselves under valgrind (the
# sanitizer run covers them).
export FTX_UNDER_VALGRIND=1
for t in "${tests[@]}"; do
  name="$(basename "$t")"
  log="$build/valgrind-$name.log"
  if valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
      --log-file="$log" "$t" >"$build/valgrind-$name.out" 2>&1; then
    echo "ok    $name"
  else
    echo "FAIL  $name (see $log and $build/valgrind-$name.out)"
    tail -n 40 "$log" >&2 || true
    failed+=("$name")
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "valgrind.sh: ${#failed[@]} of ${#tests[@]} failed: ${failed[*]}" >&2
  exit 1
fi
echo "valgrind.sh: ${#tests[@]} unit tests clean"
