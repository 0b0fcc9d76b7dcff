#!/usr/bin/env bash
# Demo placeholder: the CLI and sandbox land later and replace this script with a
# demo of `fivetrex` against `fivetrex-sandbox`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build="${BUILD_DIR:-build}"

echo "fivetrex: library built in $build/."
if [[ -n "${FIVETRAN_API_KEY:-}" && -n "${FIVETRAN_API_SECRET:-}" && -x "$build/examples/groups_example" ]]; then
  echo "Listing groups with examples/groups_example (credentials from the environment):"
  exec "$build/examples/groups_example"
fi
echo "The demo (CLI against the local sandbox) lands with the CLI."
echo "Meanwhile: FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=... $build/examples/groups_example"
