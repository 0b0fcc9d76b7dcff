#!/usr/bin/env bash
# connectors sync --wait: success, failure, deadline; progress on stderr, result on stdout.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo --sync-duration-ms 400

run connectors sync speak_inexpensive --wait --poll-interval 0.1 --deadline 20
expect_rc 0 "sync --wait success exits 0"
py "result JSON says succeeded" '
assert doc["outcome"] == "succeeded" and doc["polls"] >= 1 and doc["succeeded_at"]'
expect_err 'poll 1 ' "plain progress lines when stderr is not a terminal"
expect_err 'syncing' "progress shows the state"

run -o table connectors sync speak_inexpensive --wait --poll-interval 0.1 --deadline 20
expect_rc 0 "sync --wait -o table"
expect_out '^OK sync of speak_inexpensive succeeded in [0-9]{2}:[0-9]{2}\.[0-9] \([0-9]+ polls\)$' \
    "table result line"

# A connector configured to fail (sandbox: config.sandbox_fail).
run connectors update lumber_tomato --config sandbox_fail=true
expect_rc 0 "configure a failing connector"
run connectors sync lumber_tomato --wait --poll-interval 0.1 --deadline 20
expect_rc 12 "sync --wait failure exits 12"
py "result JSON says failed" 'assert doc["outcome"] == "failed" and doc["failed_at"]'
expect_err "the sync of lumber_tomato failed" "failure is explained on stderr"

# Deadline shorter than the sync.
run connectors sync program_quoth --wait --poll-interval 0.1 --deadline 0.2
expect_rc 13 "deadline exits 13"
expect_err "deadline passed" "deadline is explained"

run connectors sync no_such_connector --wait --poll-interval 0.1
expect_rc 5 "sync --wait on a missing connector exits 5"

# On a terminal: a live line (spinner, elapsed, state) redrawn with \r.
if command -v script >/dev/null 2>&1; then
    script -qec "$FIVETREX connectors sync assimilate_seem --wait --poll-interval 0.2 --deadline 20" \
        /dev/null >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "sync --wait on a terminal"
    py "the live line is redrawn in place with a spinner and elapsed time" '
import re
assert "\r\x1b[K" in out
assert re.search(r"[|/\\-]\S* 00:0\d\.\d", out), out[:300]
assert "succeeded" in out'
fi

finish
