#!/usr/bin/env bash
# Instructions (and heap allocations) per call for each variant of benchmark 1,
# measured with valgrind --tool=callgrind.
#
#   bench/callgrind.sh [BUILD_DIR]        (default: build-bench next to bench/)
#   CALLGRIND_VARIANTS="raw_groups groups_get" bench/callgrind.sh   (a subset)
#
# Only the calling thread inside measure_loop() is collected (--collect-atstart=no
# --toggle-collect=measure_loop), so the in-process server is not counted. Each variant
# runs twice, with N1 and N2 calls; the per-call figure is the difference divided by
# N2 - N1, which cancels the warm-up, the first connection and start-up costs.
# Allocations are the calls to malloc/calloc/realloc/strdup... made inside the loop.
# Prints a table and one JSON line per variant ({"bench":"callgrind",...}).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
build="${1:-$here/../build-bench}"
bin="$build/bench/bench_call_overhead"
N1="${CALLGRIND_N1:-200}"
N2="${CALLGRIND_N2:-1200}"
WARMUP="${CALLGRIND_WARMUP:-50}"
variants=(curl_baseline raw_groups groups_get raw_connectors connectors_get raw_users users_get)
# CALLGRIND_VARIANTS="raw_groups groups_get" measures only those.
if [ -n "${CALLGRIND_VARIANTS:-}" ]; then
    read -r -a variants <<<"$CALLGRIND_VARIANTS"
fi

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind not installed" >&2; exit 1; }
[ -x "$bin" ] || { echo "callgrind.sh: $bin not built (run bench/run or cmake --build)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# "<Ir> <allocation calls>" from a callgrind output file.
# (bench/callgrind_summary.py: how names and allocations are read.)
summarise() {
    python3 "$here/callgrind_summary.py" "$1"
}

printf '# callgrind: instructions per call (calling thread only), N2-N1 = %d calls\n' $((N2 - N1))
printf '%-16s %14s %14s\n' variant instr/call allocs/call
for v in "${variants[@]}"; do
    for n in "$N1" "$N2"; do
        valgrind --tool=callgrind --collect-atstart=no --toggle-collect=measure_loop \
            --callgrind-out-file="$tmp/$v.$n.out" \
            "$bin" --variant "$v" --n "$n" --warmup "$WARMUP" >/dev/null 2>"$tmp/$v.$n.err" || {
            echo "callgrind.sh: $v failed:" >&2
            tail -5 "$tmp/$v.$n.err" >&2
            exit 1
        }
    done
    read -r ir1 al1 < <(summarise "$tmp/$v.$N1.out")
    read -r ir2 al2 < <(summarise "$tmp/$v.$N2.out")
    ipc=$(( (ir2 - ir1) / (N2 - N1) ))
    apc=$(python3 -c "print(f'{($al2 - $al1) / ($N2 - $N1):.2f}')")
    printf '%-16s %14d %14s\n' "$v" "$ipc" "$apc"
    printf '{"bench":"callgrind","variant":"%s","instructions_per_call":%d,"allocs_per_call":%s,"n1":%d,"n2":%d}\n' \
        "$v" "$ipc" "$apc" "$N1" "$N2"
done
