#!/usr/bin/env bash
# Every `fivetrex ...` example of README.md, run against a sandbox started with
# `--seed demo`: exit status and something specific of the output for each.
#
# Each example is named by its exact README text (`ex TEXT`); the run that follows may
# substitute placeholders with ids taken from the sandbox (USER_ID, TEAM_ID, KEY_ID, ...),
# `...` credentials with the test's, and a fixed port with port 0. Examples that cannot run
# here are `not_run TEXT REASON`. At the end the examples found in README.md (lines of its
# ```sh blocks that run fivetrex, and inline `fivetrex ...` spans) must be exactly the
# ones named here: a new or changed README example fails this test until it is run.
. "$(dirname "$0")/lib.sh"

README=$(dirname "$0")/../../README.md
EXAMPLES=$TMP/examples.named
: >"$EXAMPLES"

# ex TEXT: the README example the next checks run.
ex() {
    printf '%s\n' "$1" >>"$EXAMPLES"
    echo "# example: $1"
}

# not_run TEXT REASON: an example this test cannot run, and why.
not_run() {
    printf '%s\n' "$1" >>"$EXAMPLES"
    echo "# not run: $1 -- $2"
}

# ---- the sandbox section: start it as the README says, use it as it says ----
ex 'build/sandbox/fivetrex-sandbox --port 0 --seed demo &'
# (the sandbox binary of this build; a short sync so `sync --wait` ends quickly)
start_sandbox --seed demo --sync-duration-ms 150
CHECKS=$((CHECKS + 1))
case "$BASE" in
http://127.0.0.1:[0-9]*/v1) pass "the sandbox's first line is its base URL ($BASE)" ;;
*) fail "sandbox base URL: '$BASE'" ;;
esac
ex 'FIVETRAN_BASE_URL=http://127.0.0.1:PORT/v1 FIVETRAN_API_KEY=k FIVETRAN_API_SECRET=s build/cli/fivetrex groups list'
FIVETRAN_BASE_URL=$BASE FIVETRAN_API_KEY=k FIVETRAN_API_SECRET=s "$FIVETREX" groups list \
    >"$OUT" 2>"$ERR"
RC=$?
expect_rc 0 "groups list with the README's environment"
py "the four demo groups, as JSON lines (stdout is not a terminal)" '
assert [g["id"] for g in lines] == ["decent_dropsy", "projected_sickle", "deck_enjoy",
                                    "amber_lagoon"], lines'

# ---- the command-line tool section ----
not_run 'export FIVETRAN_API_KEY=... FIVETRAN_API_SECRET=...' \
    "not a fivetrex command: lib.sh exports test credentials the sandbox accepts"

ex 'fivetrex groups list'
pty_run "" --no-color groups list
expect_rc 0 "groups list on a terminal"
py "a table on a terminal: header and the demo groups" '
rows = out.splitlines()
assert rows[0].split() == ["ID", "NAME", "CREATED_AT"], rows
assert rows[1].split()[:2] == ["decent_dropsy", "Primary_Snowflake"], rows
assert len(rows) == 5, rows'

ex 'fivetrex connectors list --group decent_dropsy -o json'
run connectors list --group decent_dropsy -o json
expect_rc 0 "connectors list --group -o json"
py "JSON lines, the connectors of decent_dropsy only" '
assert [c["id"] for c in lines] == ["speak_inexpensive", "program_quoth", "lumber_tomato"], lines
assert all(c["group_id"] == "decent_dropsy" for c in lines), lines'

ex 'fivetrex connectors sync speak_inexpensive --wait'
# --poll-interval 0.05: the default (5 s) would make the test wait real seconds.
pty_run "" --no-color connectors sync speak_inexpensive --wait --poll-interval 0.05 --deadline 30
expect_rc 0 "sync --wait (live progress on a terminal) ends with the sync"
expect_out 'succeeded' "the result says the sync succeeded"
run connectors status speak_inexpensive
py "the connector is back to scheduled, succeeded_at moved" '
assert doc["sync_state"] == "scheduled", doc
assert doc["succeeded_at"] > "2026-06-01T03:05:12.441Z", doc'

ex 'fivetrex connectors schema show speak_inexpensive'
pty_run "" --no-color connectors schema show speak_inexpensive
expect_rc 0 "schema show on a terminal"
expect_out '^ *public' "the tree shows schema public"
expect_out 'users' "... and its table users"
run connectors schema show speak_inexpensive
py "schema show as JSON: schemas, tables, columns" '
s = doc["schemas"]
assert sorted(s) == ["billing", "public"], sorted(s)
assert sorted(s["public"]["tables"]) == ["order_items", "orders", "users"], s["public"]'

# The demo seed has no users: invite two, one of them not active.
run users invite --email ann@example.com --given-name Ann --family-name Lee \
    --role 'Account Administrator'
expect_rc 0 "(setup) users invite"
USER_ID=$(jget 'd["id"]')
run users invite --email bo@example.com --given-name Bo --family-name Ng --role 'Account Reviewer'
expect_rc 0 "(setup) a second user"
USER2=$(jget 'd["id"]')
run api patch "users/$USER2" -F active=false
expect_rc 0 "(setup) the second user made inactive"

ex 'fivetrex users list --active true'
run users list --active true
expect_rc 0 "users list --active true"
py "only the active user" '
assert [u["id"] for u in lines] == ["'"$USER_ID"'"], lines
assert lines[0]["email"] == "ann@example.com" and lines[0]["active"] is True, lines'

ex 'fivetrex api /users --paginate'
run api /users --paginate
expect_rc 0 "api /users --paginate"
py "one item a line, every page: both users" '
assert sorted(u["email"] for u in lines) == ["ann@example.com", "bo@example.com"], lines'
run api '/users?limit=1' --paginate
expect_rc 0 "api /users --paginate with pages of one"
py "... still both users (the cursor of the first page followed)" '
assert sorted(u["email"] for u in lines) == ["ann@example.com", "bo@example.com"], lines'

ex "fivetrex connectors list --jq 'select(.paused) | .id'"
run connectors list --jq 'select(.paused) | .id'
expect_rc 0 "connectors list --jq"
CHECKS=$((CHECKS + 1))
if [ "$(cat "$OUT")" = "nostalgic_cumin" ]; then
    pass "the paused connector's id, printed raw"
else
    fail "--jq printed '$(cat "$OUT")', not nostalgic_cumin"
fi

ex 'fivetrex groups delete deck_enjoy --dry-run'
run groups delete deck_enjoy --dry-run
expect_rc 0 "groups delete --dry-run"
py "the request, nothing sent" '
assert lines == [{"dry_run": True, "method": "DELETE", "path": "/groups/deck_enjoy",
                  "body": None}], lines'
run groups get deck_enjoy
expect_rc 0 "the group is still there after --dry-run"

ex 'fivetrex groups delete deck_enjoy'
run groups delete deck_enjoy
expect_rc 2 "without a terminal it refuses without --yes"
expect_err 'needs confirmation' "... and says so"
pty_run n --no-color groups delete deck_enjoy
expect_rc 1 "on a terminal it asks; n keeps the group"
expect_out 'Delete group deck_enjoy \("Finance_Redshift"\)\?' "the question names the group"
expect_out '^  its destination \(redshift\)$' "... and lists what goes with it: the destination,"
expect_out '^  2 connectors$' "... the connectors"
pty_run y --no-color groups delete deck_enjoy
expect_rc 0 "y deletes"
run groups get deck_enjoy
expect_rc 5 "the group is gone"

ex "fivetrex api patch users/USER_ID -f role='Account Reviewer'"
run api patch "users/$USER_ID" -f role='Account Reviewer'
expect_rc 0 "api patch users/USER_ID -f role=..."
py "the response envelope with the new role" '
assert doc["code"] == "Success", doc
assert doc["data"]["id"] == "'"$USER_ID"'" and doc["data"]["role"] == "Account Reviewer", doc'
run users get "$USER_ID"
py "the change is stored" 'assert doc["role"] == "Account Reviewer", doc'

ex 'WEBHOOK_SECRET=... fivetrex webhooks listen --port 8080 --secret-env WEBHOOK_SECRET'
# Port 0 instead of 8080 (a test binds no fixed port); --count 1 so it ends.
export WEBHOOK_SECRET=readme-hook-secret-5d1e
"$FIVETREX" webhooks listen --port 0 --secret-env WEBHOOK_SECRET --count 1 --timeout 30 \
    -o json >"$TMP/events" 2>"$TMP/listen.err" &
LPID=$!
PIDS="$PIDS $LPID"
URL=$(listen_url "$TMP/listen.err")
CHECKS=$((CHECKS + 1))
case "$URL" in http://127.0.0.1:*/webhook) pass "listen prints its URL" ;;
*) fail "listen URL: '$URL' ($(cat "$TMP/listen.err"))" ;; esac
run webhooks create --url "$URL" --events sync_end --secret-env WEBHOOK_SECRET
expect_rc 0 "(setup) an account webhook pointing at the listener"
wait "$LPID"
RC=$?
expect_rc 0 "listen --count 1 exits after one verified delivery"
cp "$TMP/events" "$OUT"
py "the sandbox's signed test delivery was received" '
assert len(lines) == 1 and lines[0]["event"] == "test", lines'
expect_no "$WEBHOOK_SECRET" "the webhook secret is never printed"

# ---- inline examples in the prose ----
ex 'fivetrex <resource> <verb>'
ex 'fivetrex [global options] <resource> <verb> [arguments]'
run -o json groups get decent_dropsy
expect_rc 0 "global option, resource, verb, argument"
py "groups get" 'assert doc["name"] == "Primary_Snowflake", doc'

ex 'fivetrex users invite'
run users invite --email cy@example.com --given-name Cy --family-name Ok --role 'Account Reviewer'
expect_rc 0 "users invite"
py "the invited user" 'assert doc["email"] == "cy@example.com" and doc["id"], doc'

ex 'fivetrex teams users list TEAM_ID'
run teams create --name readme-team --role 'Account Reviewer'
expect_rc 0 "(setup) teams create"
TEAM_ID=$(jget 'd["id"]')
run teams users add "$TEAM_ID" --user-id "$USER_ID" --role 'Team Member'
expect_rc 0 "(setup) teams users add"
run teams users list "$TEAM_ID"
expect_rc 0 "teams users list TEAM_ID"
py "the member, with its role" '
assert [(m["user_id"], m["role"]) for m in lines] == [("'"$USER_ID"'", "Team Member")], lines'

ex 'fivetrex system-keys rotate KEY_ID'
run system-keys create --name readme-key --expiration-period ONE_WEEK
expect_rc 0 "(setup) system-keys create"
KEY_ID=$(jget 'd["id"]')
OLD_KEY=$(jget 'd["key"]')
run system-keys rotate "$KEY_ID"
expect_rc 2 "system-keys rotate asks first (it replaces the credentials): no terminal, no --yes"
run system-keys rotate "$KEY_ID" --yes
expect_rc 0 "system-keys rotate KEY_ID"
py "a new key, its secret masked in the output" '
assert doc["id"] == "'"$KEY_ID"'" and doc["key"] != "'"$OLD_KEY"'", doc
assert doc["secret"] == "******", doc'

ex 'fivetrex connectors logs ID [--query KIND] [--schema SCHEMA]'
run connectors logs speak_inexpensive --query recent_syncs --schema fivetran_log
expect_rc 0 "connectors logs ID --query --schema"
expect_out "^FROM fivetran_log\.log$" "the SQL reads the schema's LOG table"
expect_out "WHERE connector_id = 'speak_inexpensive'" "... for the connector"
run connectors logs --list-queries
expect_rc 0 "connectors logs --list-queries"
expect_out 'recent_syncs' "lists the kinds"

ex 'fivetrex connectors logs --parse rows.json'
printf '%s\n' '{"time_stamp":"2026-06-01T03:00:00Z","event":"INFO","message_event":"sync_end","message_data":"{}"}' \
    >"$TMP/rows.json"
run connectors logs --parse "$TMP/rows.json"
expect_rc 0 "connectors logs --parse rows.json"
py "the row back as a JSON line" 'assert lines[0]["message_event"] == "sync_end", lines'

ex 'fivetrex config list|get|set'
run config set output json
expect_rc 0 "config set"
run config get output
expect_rc 0 "config get"
expect_out '^json$' "config get prints the value"
run config list
expect_rc 0 "config list"
expect_out 'output' "config list shows the key"

ex 'fivetrex auth status'
run auth status
expect_rc 0 "auth status against the sandbox"
expect_out 'FIVETRAN_API_SECRET' "says where the secret came from"
expect_no "$FIVETRAN_API_SECRET" "... never the secret"

ex 'fivetrex api [METHOD] PATH'
run api GET /groups/decent_dropsy
expect_rc 0 "api GET PATH"
py "the raw envelope" 'assert doc["data"]["id"] == "decent_dropsy", doc'
run api /no-such-thing
expect_rc 5 "api on a path that is not a route: not found"
expect_err 'NotFound_Route' "the server's code is shown"
expect_err 'hint: the URL is not an API route the server knows' \
    "the hint says the URL is not a route (not 'check the id')"
run groups get no_such_group
expect_rc 5 "an unknown id: not found"
expect_err 'hint: check the id' "... whose hint is to check the id"

ex 'fivetrex --help'
run --help
expect_rc 0 "fivetrex --help"
expect_out '^  users ' "lists the resources"
ex 'fivetrex <resource> --help'
run teams --help
expect_rc 0 "fivetrex teams --help"
expect_out '^  users list TEAM_ID' "lists the verbs"
ex 'fivetrex <resource> <verb> --help'
run groups delete --help
expect_rc 0 "fivetrex groups delete --help"
expect_out '^Usage: fivetrex groups delete' "usage of the verb"

# ---- the man page's examples that the README does not have (docs/fivetrex.1) ----
run connectors schema update speak_inexpensive --schema public --table orders --disable
expect_rc 0 "man: connectors schema update --schema public --table orders --disable"
run connectors schema show speak_inexpensive
py "the table is disabled" '
assert doc["schemas"]["public"]["tables"]["orders"]["enabled"] is False, doc'
body='{"event":"sync_end","connector_id":"speak_inexpensive"}'
sig=$(printf '%s' "$body" | "$FIVETREX" webhooks sign --secret-env WEBHOOK_SECRET)
printf '%s' "$body" >"$TMP/body"
run_in "$TMP/body" webhooks verify --signature "$sig" --secret-env WEBHOOK_SECRET
expect_rc 0 "man: webhooks verify --signature \$sig --secret-env WEBHOOK_SECRET"
py "the signature is valid" 'assert doc["valid"] is True, doc'
run --yes groups delete amber_lagoon
expect_rc 0 "man: groups delete ID --yes (no question)"

# ---- every example of README.md was named above ----
python3 - "$README" >"$TMP/examples.readme" <<'PYEOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
found = []
# inline code spans (may wrap over lines)
for m in re.finditer(r"`(?!`)([^`]*)`", re.sub(r"```.*?```", "", text, flags=re.S)):
    s = " ".join(m.group(1).split())
    if s.startswith("fivetrex "):
        found.append(s)
# lines of sh blocks that run fivetrex (continuations joined, comments dropped)
for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
    block = block.replace("\\\n", " ")
    for line in block.splitlines():
        line = re.sub(r"\s+#.*$", "", line)
        line = " ".join(line.split())
        if re.search(r"(^|[ /])fivetrex(-sandbox)? ", line) or line.startswith("export FIVETRAN_API_KEY"):
            found.append(line)
for s in sorted(set(found)):
    print(s)
PYEOF
sort -u "$EXAMPLES" >"$TMP/examples.sorted"
CHECKS=$((CHECKS + 1))
if diff "$TMP/examples.readme" "$TMP/examples.sorted" >"$TMP/examples.diff"; then
    pass "every README example ($(wc -l <"$TMP/examples.readme")) is run or listed here"
else
    fail "README examples (<) and this test's (>) differ: $(cat "$TMP/examples.diff")"
fi

finish
