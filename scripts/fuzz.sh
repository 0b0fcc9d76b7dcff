#!/usr/bin/env bash
# Build the libFuzzer targets with clang into build-fuzz/ and run them.
#
#   scripts/fuzz.sh [seconds]   run each fuzzer for N seconds (default 60): long runs
#   scripts/fuzz.sh --smoke     run each fuzzer for a fixed -runs=20000 (what CI runs)
#
# Long run (what to do before a release, or after touching a parser), e.g. an hour per
# target, or only some targets (names are tests/fuzz/fuzz_<name>.c without the prefix):
#   scripts/fuzz.sh 3600
#   FTX_FUZZ_ONLY="cli_args sandbox_seed" scripts/fuzz.sh 3600
# The corpus grows in build-fuzz/corpus/<name>/ from run to run; to keep an input that
# found something, copy it (minimised with `<name>_fuzzer -minimize_crash=1`) into
# tests/fuzz/corpus/<name>/, where ctest's fuzz.<name> replays it on every build.
#
# New interesting inputs go to build-fuzz/corpus/<name>/; the seed corpus in
# tests/fuzz/corpus/<name>/ is read but never written. Crashes are written to
# build-fuzz/artifacts/ and make the script fail. Each target's executions and time
# are printed, and the total time at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FTX_FUZZ_BUILD_DIR:-$root/build-fuzz}"

mode=time
seconds=60
case "${1:-}" in
  --smoke) mode=smoke ;;
  ''|-h|--help)
    if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
      sed -n '2,20p' "$0"; exit 0
    fi ;;
  *[!0-9]*) echo "usage: $0 [seconds] | --smoke" >&2; exit 2 ;;
  *) seconds="$1" ;;
esac

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz.sh: clang is not installed; libFuzzer targets need clang" >&2
  exit 1
fi

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFTX_FUZZ=ON -DFTX_SANITIZE=OFF >/dev/null
cmake --build "$build" --target fuzzers -j"$(nproc 2>/dev/null || echo 2)"

shopt -s nullglob
targets=()
for src in "$root"/tests/fuzz/fuzz_*.c; do
  name="$(basename "$src" .c)"
  if [[ -n "${FTX_FUZZ_ONLY:-}" && " $FTX_FUZZ_ONLY " != *" ${name#fuzz_} "* ]]; then
    continue
  fi
  targets+=("$src")
done
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz targets in tests/fuzz/"
  exit 0
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
mkdir -p "$build/artifacts"
failed=()
start_all=$SECONDS
for src in "${targets[@]}"; do
  start=$SECONDS
  name="$(basename "$src" .c)"
  name="${name#fuzz_}"
  bin="$build/tests/fuzz/${name}_fuzzer"
  work="$build/corpus/$name"
  seed="$root/tests/fuzz/corpus/$name"
  mkdir -p "$work"
  dirs=("$work")
  [[ -d "$seed" ]] && dirs+=("$seed")
  if [[ $mode == smoke ]]; then
    limit=(-runs=20000)
  else
    limit=(-max_total_time="$seconds")
  fi
  echo "== fuzz $name (${limit[*]})"
  if ! "$bin" "${limit[@]}" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/${name}-" "${dirs[@]}" \
      >"$build/fuzz-$name.log" 2>&1; then
    tail -n 60 "$build/fuzz-$name.log" >&2
    failed+=("$name")
  else
    grep -E '^(Done|stat::number_of_executed_units)' "$build/fuzz-$name.log" || true
  fi
  echo "   $name: $((SECONDS - start)) s"
done
echo "fuzz.sh: ${#targets[@]} targets in $((SECONDS - start_all)) s"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: FAILED: ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} fuzz targets passed"
