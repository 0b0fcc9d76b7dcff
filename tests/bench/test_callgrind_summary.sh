#!/usr/bin/env bash
# bench/callgrind_summary.py reads callgrind's compressed names from fn= lines as well
# as cfn= lines, and counts an allocator called by another allocator once.
# CALLGRIND_SUMMARY=path overrides the script under test.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
summary="${CALLGRIND_SUMMARY:-$here/../../bench/callgrind_summary.py}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0

check() { # name file expected
    local got
    got="$(python3 "$summary" "$2")"
    if [ "$got" != "$3" ]; then
        echo "FAIL $1: got '$got', want '$3'" >&2
        fail=1
    else
        echo "ok   $1: $got"
    fi
}

# malloc is first named on its own fn= line (its cost block), then called by
# measure_loop through cfn=(2) with no name: 7 + 3 allocations. strdup (named on a
# cfn= line) calls malloc inside itself: counted once, as strdup (5).
cat >"$tmp/fn_first.out" <<'OUT'
version: 1
creator: callgrind-3.19.0
cmd: bench_call_overhead
events: Ir
fl=(1) /usr/src/glibc/malloc.c
fn=(2) malloc
10 40
fl=(3) bench_call_overhead.c
fn=(4) measure_loop
cfn=(2)
calls=7 0
20 280
cfn=(5) strdup
calls=5 0
21 100
cfn=(2)
calls=3 0
22 120
fn=(5)
cfn=(2)
calls=5 0
30 200
totals: 1000
OUT
check fn_first "$tmp/fn_first.out" "1000 15"

# the same program with ids in another order (as a second run may number them): the
# figure must not depend on where a name was first defined
cat >"$tmp/cfn_first.out" <<'OUT'
version: 1
events: Ir
fl=(1) bench_call_overhead.c
fn=(1) measure_loop
cfn=(2) malloc
calls=7 0
20 280
cfn=(3) strdup
calls=5 0
21 100
cfn=(2)
calls=3 0
22 120
fl=(2) /usr/src/glibc/malloc.c
fn=(2)
10 40
fn=(3)
cfn=(2)
calls=5 0
30 200
summary: 1200
totals: 1200
OUT
check cfn_first "$tmp/cfn_first.out" "1200 15"

# recursion suffixes ('2) name the same function; no allocations here
cat >"$tmp/none.out" <<'OUT'
events: Ir
fn=(1) measure_loop
cfn=(2) helper'2
calls=4 0
5 10
fn=(2)
totals: 10
OUT
check no_allocs "$tmp/none.out" "10 0"
exit "$fail"
