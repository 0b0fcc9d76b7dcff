#!/usr/bin/env bash
# The demo account's failing connection (netsuite, upriver_avoid) is set up, so that
# `connectors sync ID --wait` against `--seed demo` shows a failing sync (exit 12) without
# editing its config first; afterwards the connection reads broken, as after any failure.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo --sync-duration-ms 200

run connectors get upriver_avoid
expect_rc 0 "the failing demo connection exists"
py "it is set up (setup_state connected) and not paused" '
c = doc.get("data", doc)
assert c["status"]["setup_state"] == "connected", c["status"]
assert c["paused"] is False'

run connectors sync upriver_avoid --wait --poll-interval 0.1 --deadline 20
expect_rc 12 "sync --wait of the demo's failing connection exits 12"
py "result JSON says failed, with a failed_at" '
assert doc["outcome"] == "failed" and doc["failed_at"] > "2026-06-01T04:00:00.000Z", doc'
expect_err "the sync of upriver_avoid failed" "the failure is explained on stderr"

run connectors get upriver_avoid
py "after the failed sync the connection reads broken" '
c = doc.get("data", doc)
assert c["status"]["setup_state"] == "broken", c["status"]'

finish
