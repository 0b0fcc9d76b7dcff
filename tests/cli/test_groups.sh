#!/usr/bin/env bash
# groups: every verb, table and JSON output, not found.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

run groups list
expect_rc 0 "groups list"
py "groups list prints JSON lines, one group each" '
assert len(lines) == 4, lines
ids = [g["id"] for g in lines]
assert ids == ["decent_dropsy", "projected_sickle", "deck_enjoy", "amber_lagoon"], ids
assert all("name" in g and "created_at" in g for g in lines)'

run -o table groups list
expect_rc 0 "groups list -o table"
py "groups table: header then one fixed-width row per group" '
rows = out.splitlines()
assert rows[0].split() == ["ID", "NAME", "CREATED_AT"], rows[0]
assert len(rows) == 5, rows
assert rows[1].startswith("decent_dropsy ") and "Primary_Snowflake" in rows[1]
col = rows[0].index("NAME")
assert all(r[col - 2:col] == "  " for r in rows[1:]), rows
assert rows[1][col:].startswith("Primary_Snowflake")'

# Paging: --limit N (<= 1000) is one page and names the next cursor; --page follows it.
run groups list --limit 3
expect_rc 0 "groups list --limit 3"
py "--limit 3 prints three groups" 'assert [g["id"] for g in lines] == ["decent_dropsy", "projected_sickle", "deck_enjoy"]'
expect_err '^next page: --page [A-Za-z0-9_=-]+$' "--limit names the next page's cursor on stderr"
CURSOR=$(sed -n 's/^next page: --page //p' "$ERR")
run groups list --limit 3 --page "$CURSOR"
expect_rc 0 "groups list --page CURSOR"
py "--page gives the rest" 'assert [g["id"] for g in lines] == ["amber_lagoon"], lines'
CHECKS=$((CHECKS + 1))
if [ -s "$ERR" ]; then fail "the last page names no next cursor"; else pass "the last page names no next cursor"; fi
run groups list --page not-a-cursor
expect_rc 3 "a bad cursor is rejected by the API (400, exit 3)"

run groups create --name cli_test_group
expect_rc 0 "groups create"
py "groups create prints the new group as JSON" '
assert doc["name"] == "cli_test_group" and doc["id"] and doc["created_at"]'
GID=$(jget 'd["id"]')

run -o table groups get "$GID"
expect_rc 0 "groups get -o table"
expect_out "^id: +$GID\$" "groups get table shows the id"
expect_out "^name: +cli_test_group\$" "groups get table shows the name"

run groups update "$GID" --name renamed_group
expect_rc 0 "groups update"
py "groups update returns the renamed group" 'assert doc["name"] == "renamed_group"'

printf '{"name": "from_data_file"}' >"$TMP/g.json"
run groups update "$GID" --data "@$TMP/g.json"
expect_rc 0 "groups update --data @file"
py "--data @file is the body" 'assert doc["name"] == "from_data_file"'
run_in "$TMP/g.json" groups update "$GID" --data - --name flag_wins
py "flags override --data" 'assert doc["name"] == "flag_wins"'

run groups connectors decent_dropsy
expect_rc 0 "groups connectors"
py "groups connectors lists the group's connectors" '
assert len(lines) == 3 and all(c["group_id"] == "decent_dropsy" for c in lines)'

run --yes groups delete "$GID"
expect_rc 0 "groups delete"
py "groups delete confirms in JSON" 'assert lines[0]["ok"] is True and lines[0]["id"]'
run -o table groups get "$GID"
expect_rc 5 "deleted group is not found"
expect_err "not_found" "not found is named"
expect_err "hint:" "not found has a hint"

# Hostile ids never reach another endpoint: percent-encoded as one path segment.
run groups get "../connections"
expect_rc 5 "an id with ../ is one path segment (404, not a listing)"

finish
