#!/usr/bin/env bash
# connectors logs: the SQL for the Fivetran Platform Connector's LOG table (exact text,
# --schema, the connector ID quoted), kinds by name (a bad one is a usage error listing
# the valid ones), bad IDs refused, and --parse printing result rows (JSON lines on a
# pipe, a table on a terminal). No API call: it runs without credentials or a server.
. "$(dirname "$0")/lib.sh"

# No credentials, no server: the verb must not ask for them.
unset FIVETRAN_API_KEY FIVETRAN_API_SECRET
export FIVETRAN_BASE_URL=http://127.0.0.1:9/v1

run connectors logs speak_inexpensive --query recent_syncs --schema fivetran_log
expect_rc 0 "logs ID --query recent_syncs, without credentials"
CHECKS=$((CHECKS + 1))
cat >"$TMP/want" <<'SQL'
SELECT
  time_stamp,
  event,
  message_event,
  message_data
FROM fivetran_log.log
WHERE connector_id = 'speak_inexpensive'
ORDER BY time_stamp DESC
LIMIT 10;
SQL
if cmp -s "$TMP/want" "$OUT"; then pass "exact SQL of recent_syncs"; else fail "SQL differs: $(diff "$TMP/want" "$OUT")"; fi

run connectors logs "o'brien" --query sync_duration
expect_rc 0 "logs --query sync_duration"
expect_out "^  AND connector_id = 'o''brien'$" "a quote in the ID is doubled"
expect_out "^  FROM fivetran_metadata\.log$" "default schema fivetran_metadata"

run -o json connectors logs --query failed_syncs
expect_rc 0 "logs --query failed_syncs -o json (no ID: every connector)"
py "JSON: query, schema, connector_id, sql" '
assert doc["query"] == "failed_syncs" and doc["schema"] == "fivetran_metadata", doc
assert doc["connector_id"] is None, doc
assert "WHERE event = '"'"'SEVERE'"'"'\n" in doc["sql"] and doc["sql"].endswith("LIMIT 50;\n"), doc'

run connectors logs speak_inexpensive --query recent_sync
expect_rc 2 "unknown --query kind"
expect_err "unknown --query 'recent_sync'; use one of: recent_syncs, failed_syncs, sync_duration, schema_changes" \
    "the error lists the valid kinds"

run connectors logs --query recent_syncs
expect_rc 2 "recent_syncs without an ID"
expect_err "needs a connector ID" "says the ID is needed"
run connectors logs speak_inexpensive --query schema_changes
expect_rc 2 "an ID with an account-wide kind is refused, not ignored"

for bad in 'a\b' "$(printf 'a\nb')" ""; do
    run connectors logs "$bad"
    expect_rc 2 "bad connector ID refused: $(printf %q "$bad")"
    expect_err "invalid connector ID" "says the ID is invalid"
    CHECKS=$((CHECKS + 1))
    if [ -s "$OUT" ]; then fail "SQL printed for a bad ID"; else pass "nothing on stdout"; fi
done
run connectors logs speak_inexpensive --schema 'x; DROP TABLE y'
expect_rc 2 "bad --schema refused"
expect_err "^fivetrex: connectors logs: --schema: " "the error names --schema"

run connectors logs --list-queries
expect_rc 0 "--list-queries"
py "every kind, with needs_id" '
assert [(l["query"], l["needs_id"]) for l in lines] == [("recent_syncs", True),
    ("failed_syncs", False), ("sync_duration", True), ("schema_changes", False)], lines'

cat >"$TMP/rows.json" <<'JSON'
[{"ID": "a1", "TIME_STAMP": "2024-01-15 10:30:00", "CONNECTOR_ID": "speak_inexpensive",
  "EVENT": "INFO", "MESSAGE_EVENT": "sync_start", "MESSAGE_DATA": "{\"a\":1}"},
 {"id": 2, "time_stamp": "2024-01-15T10:35:00Z", "connector_id": "speak_inexpensive",
  "event": "WARNING", "message_event": "sync_end", "message_data": {"status": "SUCCESSFUL"}}]
JSON
run connectors logs --parse "$TMP/rows.json"
expect_rc 0 "--parse FILE"
py "parsed rows as JSON lines, every field" '
assert lines == [
 {"id": "a1", "time_stamp": "2024-01-15 10:30:00", "connector_id": "speak_inexpensive",
  "event": "INFO", "message_event": "sync_start", "message_data": {"a": 1}},
 {"id": "2", "time_stamp": "2024-01-15T10:35:00Z", "connector_id": "speak_inexpensive",
  "event": "WARNING", "message_event": "sync_end", "message_data": {"status": "SUCCESSFUL"}}], lines'

printf '{"event":"SEVERE","message_event":"sync_failed","message_data":"disk full"}\n\n{"EVENT":"INFO"}\n' >"$TMP/rows.jsonl"
run_in "$TMP/rows.jsonl" connectors logs --parse - --jq .event
expect_rc 0 "--parse - (JSON lines on stdin) with --jq"
CHECKS=$((CHECKS + 1))
if [ "$(cat "$OUT")" = "$(printf 'SEVERE\nINFO')" ]; then pass "--jq on the parsed rows"; else fail "--jq output"; fi

run_in "$TMP/rows.json" connectors logs --parse - -o table
expect_rc 0 "--parse -o table"
py "table: header and the rows cells" '
rows = [l.split() for l in out.splitlines()]
assert rows[0] == ["TIME_STAMP", "CONNECTOR_ID", "EVENT", "MESSAGE_EVENT", "MESSAGE_DATA"], rows
assert rows[2] == ["2024-01-15T10:35:00Z", "speak_inexpensive", "WARNING", "sync_end",
                   "{\"status\":\"SUCCESSFUL\"}"], rows
assert rows[1][0:2] == ["2024-01-15", "10:30:00"] and rows[1][3:] == ["INFO", "sync_start", "{\"a\":1}"], rows'

if command -v script >/dev/null 2>&1; then
    script -qec "$FIVETREX connectors logs --parse $TMP/rows.json" /dev/null >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "--parse on a terminal"
    expect_out "TIME_STAMP +CONNECTOR_ID +EVENT +MESSAGE_EVENT +MESSAGE_DATA" "a table on a terminal"
    expect_out "^2024-01-15T10:35:00Z +speak_inexpensive +WARNING +sync_end +\{\"status\":\"SUCCESSFUL\"\}" \
        "the row in the table"
fi

echo '[{"event":"INFO"}, 3]' >"$TMP/bad.json"
run connectors logs --parse "$TMP/bad.json"
expect_rc 2 "--parse: an element that is not an object"
expect_err "not a JSON object" "says what is wrong"
CHECKS=$((CHECKS + 1))
if [ -s "$OUT" ]; then fail "half a result printed"; else pass "nothing printed for bad rows"; fi
printf '{"event":"INFO"}\nnot json\n' >"$TMP/bad.jsonl"
run connectors logs --parse "$TMP/bad.jsonl"
expect_rc 2 "--parse: a line that is not JSON"
expect_err "line 2 is not a JSON object" "names the line"
run connectors logs --parse "$TMP/missing.json"
expect_rc 2 "--parse: a missing file"
run connectors logs speak_inexpensive --parse "$TMP/rows.json"
expect_rc 2 "--parse with an ID is refused"
run --dry-run connectors logs speak_inexpensive
expect_rc 2 "--dry-run refused (nothing is sent)"

finish
