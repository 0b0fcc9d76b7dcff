#!/usr/bin/env bash
# webhooks: management verbs, sign/verify, and `listen` receiving real deliveries.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo --sync-duration-ms 300

export HOOK_SECRET=cli-test-webhook-secret-77a1

# sign / verify against the fact sheet's vector.
printf '%s' '{"event":"sync_end","connector_id":"abc123"}' >"$TMP/body"
MY_SECRET=my_webhook_secret run_in "$TMP/body" -o table webhooks sign --secret-env MY_SECRET
expect_rc 0 "webhooks sign"
expect_out '^2F735ED96CE6FEA9FEB2518D442109ACD8FDD1E0EFB9FF748663FBFED454CDBD$' \
    "sign gives the documented HMAC-SHA256 (uppercase hex)"
MY_SECRET=my_webhook_secret run_in "$TMP/body" -o json webhooks sign --secret-env MY_SECRET
py "sign JSON names the header" '
assert lines[0]["header"] == "X-Fivetran-Signature-256" and len(lines[0]["signature"]) == 64'
MY_SECRET=my_webhook_secret run_in "$TMP/body" webhooks verify --secret-env MY_SECRET \
    --signature 2f735ed96ce6fea9feb2518d442109acd8fdd1e0efb9ff748663fbfed454cdbd
expect_rc 0 "verify accepts the signature (lower case too)"
MY_SECRET=wrong run_in "$TMP/body" webhooks verify --secret-env MY_SECRET \
    --signature 2F735ED96CE6FEA9FEB2518D442109ACD8FDD1E0EFB9FF748663FBFED454CDBD
expect_rc 1 "verify refuses a wrong secret"
expect_no "wrong" "verify never prints the secret"
printf '%s\n' '{"event":"sync_end","connector_id":"abc123"}' >"$TMP/body_nl"
MY_SECRET=my_webhook_secret run_in "$TMP/body_nl" webhooks verify --secret-env MY_SECRET \
    --signature 2F735ED96CE6FEA9FEB2518D442109ACD8FDD1E0EFB9FF748663FBFED454CDBD
expect_rc 1 "a trailing newline changes the signature"
printf 'my_webhook_secret\n' >"$TMP/secret"
run_in "$TMP/body" webhooks sign --secret-file "$TMP/secret" -o table
expect_out '^2F735ED9' "--secret-file (trailing newline stripped)"
env -u FIVETRAN_WEBHOOK_SECRET "$FIVETREX" webhooks sign <"$TMP/body" >"$OUT" 2>"$ERR"
RC=$?
expect_rc 2 "sign without a secret is a usage error"

run webhooks list
expect_rc 0 "webhooks list"
py "webhooks as JSON lines" 'assert {w["id"] for w in lines} >= {"copper_sparrow", "willow_quartz"}'
run -o table webhooks list
py "webhooks table" '
rows = out.splitlines()
assert rows[0].split() == ["ID", "TYPE", "GROUP", "ACTIVE", "EVENTS", "URL"]'

# listen: start the receiver first (the sandbox test-POSTs a new active webhook).
"$FIVETREX" webhooks listen --port 0 --secret-env HOOK_SECRET --events sync_start,sync_end \
    --connector speak_inexpensive --count 2 --timeout 20 -o json \
    >"$TMP/events" 2>"$TMP/listen.err" &
LPID=$!
PIDS="$PIDS $LPID"
URL=$(listen_url "$TMP/listen.err")
case "$URL" in http://127.0.0.1:*/webhook) pass "listen prints its URL first" ;;
*) fail "listen URL: '$URL'" ;; esac

run webhooks create --url "$URL" --events sync_start,sync_end --group decent_dropsy \
    --secret-env HOOK_SECRET
expect_rc 0 "webhooks create (group)"
py "create returns the webhook, secret masked" '
assert doc["type"] == "group" and doc["group_id"] == "decent_dropsy"
assert doc["events"] == ["sync_start", "sync_end"] and doc["active"] is True
assert doc.get("secret") in (None, "******")'
WID=$(jget 'd["id"]')
expect_no "$HOOK_SECRET" "the webhook secret is never printed"

run -o table webhooks test "$WID" --event sync_end
expect_rc 0 "webhooks test reaches the listener"
expect_out '^succeed: +true$' "test succeeded"

run connectors sync speak_inexpensive --wait --poll-interval 0.1 --deadline 20
expect_rc 0 "sync to make the sandbox deliver sync_start and sync_end"

wait "$LPID"
RC=$?
expect_rc 0 "listen --count 2 exits 0 after two events"
cp "$TMP/events" "$OUT"
py "listen printed the signed sync_start and sync_end it verified" '
assert [e["event"] for e in lines] == ["sync_start", "sync_end"], lines
assert all(e["connector_id"] == "speak_inexpensive" for e in lines)
assert lines[0]["sync_id"] == lines[1]["sync_id"]
assert lines[1]["data"]["status"] == "SUCCESSFUL"'
grep -q 'rejected' "$TMP/listen.err" && pass "listen reports counters on exit" ||
    fail "listen counters"

# A forged delivery (bad signature) is refused and never printed.
"$FIVETREX" webhooks listen --port 0 --secret-env HOOK_SECRET --count 1 --timeout 3 -o json \
    >"$TMP/events2" 2>"$TMP/listen2.err" &
LPID=$!
PIDS="$PIDS $LPID"
URL=$(listen_url "$TMP/listen2.err")
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'X-Fivetran-Signature-256: 00' \
    -H 'Content-Type: application/json' --data '{"event":"sync_end"}' "$URL")
[ "$code" = 401 ] && pass "forged delivery answered 401" || fail "forged delivery got $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
    --data '{"event":"sync_end"}' "$URL")
[ "$code" = 400 ] && pass "unsigned delivery answered 400" || fail "unsigned delivery got $code"
wait "$LPID"
RC=$?
expect_rc 9 "listen --count with --timeout exits 9 when nothing verified arrives"
[ ! -s "$TMP/events2" ] && pass "nothing unverified was printed" || fail "printed a forged event"

# listen runs until SIGTERM (or SIGINT) and then stops cleanly with exit 0.
"$FIVETREX" webhooks listen --port 0 --secret-env HOOK_SECRET -o json \
    >"$TMP/events3" 2>"$TMP/listen3.err" &
LPID=$!
PIDS="$PIDS $LPID"
URL=$(listen_url "$TMP/listen3.err")
BODY='{"event":"sync_end","created":"2026-05-22T00:06:08.638Z","connector_id":"c1","sync_id":"s1","data":{"status":"SUCCESSFUL"}}'
SIG=$(printf '%s' "$BODY" | "$FIVETREX" -o table webhooks sign --secret-env HOOK_SECRET)
for _ in 1 2; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Fivetran-Signature-256: $SIG" \
        -H 'Content-Type: application/json' --data-binary "$BODY" "$URL")
    [ "$code" = 200 ] && pass "signed delivery answered 200" || fail "signed delivery got $code"
done
kill -TERM "$LPID"
wait "$LPID"
RC=$?
expect_rc 0 "listen stops cleanly on SIGTERM"
cp "$TMP/events3" "$OUT"
py "a re-delivered event is printed once" '
assert len(lines) == 1 and lines[0]["connector_id"] == "c1", lines'
grep -q '1 delivered, 1 duplicates' "$TMP/listen3.err" && pass "duplicate counted" ||
    fail "duplicate not counted: $(cat "$TMP/listen3.err")"

run webhooks update "$WID" --active false
expect_rc 0 "webhooks update"
py "update deactivates" 'assert doc["active"] is False'
run -o table webhooks get "$WID"
expect_out '^active: +false$' "get shows the change"
run webhooks delete -y "$WID"
expect_rc 0 "webhooks delete"
run webhooks get "$WID"
expect_rc 5 "deleted webhook is not found"

finish
