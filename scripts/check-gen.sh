#!/usr/bin/env bash
# Check that the generated files are exactly what tools/gen produces (what `make gen` writes):
#   api/fivetran-api.json  from Fivetran's OpenAPI definition + tools/gen/overrides.json
#   the C layer            (include/fivetrex/api.h, include/fivetrex/api/, src/gen/) from
#                          api/fivetran-api.json + overrides.json (tools/gen/cgen.py)
#   docs/api-coverage.md   from api/fivetran-api.json + the coverage table + the sources
#   sandbox/routes_gen.c   from api/fivetran-api.json (and the list in sandbox/README.md)
# The definition is $FIVETRAN_OPENAPI, else ../shared/openapi/fivetran-openapi.json next to
# the clone, else /work/shared/openapi/fivetran-openapi.json. A clone without it still
# checks the coverage page, and says that it skipped only the definition comparison.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"

def="${FIVETRAN_OPENAPI:-}"
if [[ -z "$def" ]]; then
  for c in "$PWD/../shared/openapi/fivetran-openapi.json" /work/shared/openapi/fivetran-openapi.json; do
    if [[ -f "$c" ]]; then def="$c"; break; fi
  done
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
skipped=0

api=api/fivetran-api.json
if [[ -n "$def" && -f "$def" ]]; then
  "$PYTHON" tools/gen/extract.py "$def" -o "$tmp/fivetran-api.json"
  if ! cmp -s "$tmp/fivetran-api.json" "$api"; then
    echo "check-gen.sh: $api differs from what tools/gen/extract.py writes from $def:" >&2
    diff -u "$api" "$tmp/fivetran-api.json" | head -40 >&2 || true
    fail=1
  fi
  api="$tmp/fivetran-api.json"
else
  echo "check-gen.sh: OpenAPI definition not found (${def:-../shared/openapi/fivetran-openapi.json});" \
    "skipped only the comparison of $api with the definition"
  skipped=1
fi

# The generated C layer: every file as cgen.py writes it, and no other file in its directories.
mkdir -p "$tmp/c"
"$PYTHON" tools/gen/cgen.py --api "$api" -o "$tmp/c"
c_files() {
  (cd "$1" && { [[ -f include/fivetrex/api.h ]] && echo include/fivetrex/api.h;
    find include/fivetrex/api src/gen -type f 2>/dev/null; } | sort)
}
if ! diff -u <(c_files .) <(c_files "$tmp/c") >"$tmp/c-files.diff"; then
  echo "check-gen.sh: the generated C files differ from what tools/gen/cgen.py writes (+ missing, - extra):" >&2
  head -40 "$tmp/c-files.diff" >&2
  fail=1
fi
while read -r f; do
  if [[ -f "$f" ]] && ! cmp -s "$tmp/c/$f" "$f"; then
    echo "check-gen.sh: $f differs from what tools/gen/cgen.py writes:" >&2
    diff -u "$f" "$tmp/c/$f" | head -40 >&2 || true
    fail=1
  fi
done < <(c_files "$tmp/c")

# The generated operation tests (tests/unit/gen/test_gen_*.c, gen_main.c), as ctests.py writes
# them; their data comes from the definition's examples, so they are compared only with it.
if [[ $skipped -eq 0 ]]; then
  mkdir -p "$tmp/ctests"
  "$PYTHON" tools/gen/ctests.py --api "$api" --definition "$def" -o "$tmp/ctests" >/dev/null
  t_files() { (cd "$1" && ls test_gen_*.c gen_main.c 2>/dev/null | sort); }
  if ! diff -u <(t_files tests/unit/gen) <(t_files "$tmp/ctests") >"$tmp/t-files.diff"; then
    echo "check-gen.sh: the generated tests differ from what tools/gen/ctests.py writes (+ missing, - extra):" >&2
    head -40 "$tmp/t-files.diff" >&2
    fail=1
  fi
  while read -r f; do
    if [[ -f "tests/unit/gen/$f" ]] && ! cmp -s "$tmp/ctests/$f" "tests/unit/gen/$f"; then
      echo "check-gen.sh: tests/unit/gen/$f differs from what tools/gen/ctests.py writes:" >&2
      diff -u "tests/unit/gen/$f" "$tmp/ctests/$f" | head -40 >&2 || true
      fail=1
    fi
  done < <(t_files "$tmp/ctests")
else
  echo "check-gen.sh: skipped the generated tests (tests/unit/gen), made from the definition"
fi

"$PYTHON" tools/gen/coverage.py --api "$api" -o "$tmp/api-coverage.md"
if ! cmp -s "$tmp/api-coverage.md" docs/api-coverage.md; then
  echo "check-gen.sh: docs/api-coverage.md differs from what tools/gen/coverage.py writes:" >&2
  diff -u docs/api-coverage.md "$tmp/api-coverage.md" | head -40 >&2 || true
  fail=1
fi

# The CLI's generated verbs (cli/verbs_gen.c) and the man page's generated section.
cp docs/fivetrex.1 "$tmp/fivetrex.1"
"$PYTHON" tools/gen/cli.py --api "$api" -o "$tmp/verbs_gen.c" --man "$tmp/fivetrex.1"
for pair in "cli/verbs_gen.c:$tmp/verbs_gen.c" "docs/fivetrex.1:$tmp/fivetrex.1"; do
  if ! cmp -s "${pair%%:*}" "${pair#*:}"; then
    echo "check-gen.sh: ${pair%%:*} differs from what tools/gen/cli.py writes:" >&2
    diff -u "${pair%%:*}" "${pair#*:}" | head -40 >&2 || true
    fail=1
  fi
done

# sandbox/routes_gen.c and the operation list in sandbox/README.md (tools/gen/sandbox.py)
"$PYTHON" tools/gen/sandbox.py --api "$api" -o "$tmp/routes_gen.c" \
  --readme sandbox/README.md --readme-output "$tmp/sandbox-README.md"
for pair in "routes_gen.c:sandbox/routes_gen.c" "sandbox-README.md:sandbox/README.md"; do
  if ! cmp -s "$tmp/${pair%%:*}" "${pair#*:}"; then
    echo "check-gen.sh: ${pair#*:} differs from what tools/gen/sandbox.py writes:" >&2
    diff -u "${pair#*:}" "$tmp/${pair%%:*}" | head -40 >&2 || true
    fail=1
  fi
done

if [[ $fail -ne 0 ]]; then
  echo "check-gen.sh: run 'make gen' and commit the result" >&2
  exit 1
fi
if [[ $skipped -ne 0 ]]; then
  echo "check-gen.sh: the generated C layer and docs/api-coverage.md are up to date"
else
  echo "check-gen.sh: generated files are up to date"
fi
