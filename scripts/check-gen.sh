#!/usr/bin/env bash
# Check that the generated files are exactly what tools/gen produces (what `make gen` writes):
#   api/fivetran-api.json  from Fivetran's OpenAPI definition + tools/gen/overrides.json
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

"$PYTHON" tools/gen/coverage.py --api "$api" -o "$tmp/api-coverage.md"
if ! cmp -s "$tmp/api-coverage.md" docs/api-coverage.md; then
  echo "check-gen.sh: docs/api-coverage.md differs from what tools/gen/coverage.py writes:" >&2
  diff -u docs/api-coverage.md "$tmp/api-coverage.md" | head -40 >&2 || true
  fail=1
fi

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
  echo "check-gen.sh: docs/api-coverage.md is up to date"
else
  echo "check-gen.sh: generated files are up to date"
fi
