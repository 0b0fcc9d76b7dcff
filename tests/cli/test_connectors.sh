#!/usr/bin/env bash
# connectors: list/get/create/update/delete, pause/resume, status, state, frequency,
# schema show|update|reload, columns, test, resync.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo --sync-duration-ms 300

run connectors list
expect_rc 0 "connectors list (account)"
py "all connectors as JSON lines" '
assert len(lines) == 8, len(lines)
assert {"speak_inexpensive", "cedar_harbor"} <= {c["id"] for c in lines}'

run -o table connectors list --group decent_dropsy
expect_rc 0 "connectors list --group -o table"
py "connectors table has the columns and three rows" '
rows = out.splitlines()
assert rows[0].split() == ["ID", "GROUP", "SERVICE", "SCHEMA", "STATE", "PAUSED", "SUCCEEDED_AT"]
assert len(rows) == 4 and all("decent_dropsy" in r for r in rows[1:])'

run connectors list --group no_such_group
expect_rc 5 "connectors of a missing group"

run -o table connectors get speak_inexpensive
expect_rc 0 "connectors get -o table"
expect_out '^service: +postgres$' "get shows the service"
expect_out '^sync_state: +scheduled$' "get shows the sync state"
run connectors get speak_inexpensive
py "connectors get JSON is the connector" '
assert doc["id"] == "speak_inexpensive" and doc["service"] == "postgres"
assert doc["status"]["setup_state"] == "connected"'

run connectors create --group amber_lagoon --service postgres --schema cli_pg \
    --config host=db.internal --config port=5432 --sync-frequency 60
expect_rc 0 "connectors create"
py "create sends flags as fields and config" '
assert doc["group_id"] == "amber_lagoon" and doc["service"] == "postgres"
assert doc["sync_frequency"] == 60
assert doc["schema"] == "cli_pg" or doc.get("config", {}).get("schema") == "cli_pg"'
CID=$(jget 'd["id"]')

run connectors create --group amber_lagoon
expect_rc 2 "create without --service is a usage error"

run connectors update "$CID" --sync-frequency 120
expect_rc 0 "connectors update"
py "update changes the frequency" 'assert doc["sync_frequency"] == 120'

run connectors frequency "$CID" 1440 --daily-sync-time 03:00
expect_rc 0 "connectors frequency 1440 --daily-sync-time"
py "frequency sets minutes and daily time" '
assert doc["sync_frequency"] == 1440 and doc["daily_sync_time"] == "03:00"'
run connectors frequency "$CID" 7
expect_rc 3 "frequency 7 is refused before sending (invalid argument)"
expect_err "1440" "refusal lists the valid values"

run connectors pause "$CID"
expect_rc 0 "connectors pause"
py "pause returns a paused connector" 'assert doc["paused"] is True'
run -o table connectors status "$CID"
expect_rc 0 "connectors status"
expect_out '^sync_state: +paused$' "status shows paused"
run connectors resume "$CID"
expect_rc 0 "connectors resume"
py "resume returns an unpaused connector" 'assert doc["paused"] is False'
run connectors status "$CID"
py "status JSON" 'assert doc["id"] and doc["sync_state"] in ("scheduled", "syncing")'

run connectors state cedar_harbor
expect_rc 0 "connectors state (function connector)"
py "state is the JSON state object" 'assert isinstance(doc["state"], dict)'

# Schema config.
run -o table connectors schema show speak_inexpensive
expect_rc 0 "schema show -o table"
expect_out '^schema_change_handling: ALLOW_ALL' "tree shows schema_change_handling"
expect_out '^public \[enabled\]' "tree shows a schema with enabled"
expect_out 'users \[enabled\]  sync_mode=SOFT_DELETE' "tree shows a table with sync mode"
expect_out 'id \[enabled\]  primary_key' "tree shows columns"
run connectors schema show speak_inexpensive
py "schema show JSON is the schema config" '
assert doc["schemas"]["public"]["tables"]["users"]["enabled"] is True'

run connectors schema update speak_inexpensive --schema public --table orders --disable
expect_rc 0 "schema update --disable a table"
py "the table is disabled in the returned config" '
assert doc["schemas"]["public"]["tables"]["orders"]["enabled"] is False'
run -o table connectors schema show speak_inexpensive --schema public
expect_out 'orders \[disabled\]' "tree shows the disabled table"

run connectors schema update speak_inexpensive --schema public --table users --sync-mode HISTORY
expect_rc 0 "schema update --sync-mode"
py "sync mode changed" 'assert doc["schemas"]["public"]["tables"]["users"]["sync_mode"] == "HISTORY"'
run connectors schema update speak_inexpensive --schema public --table users --sync-mode BOGUS
expect_rc 3 "an unknown sync mode is refused before sending"
run connectors schema update speak_inexpensive --change-handling BLOCK_ALL
expect_rc 0 "schema update --change-handling"
py "change handling updated" 'assert doc["schema_change_handling"] == "BLOCK_ALL"'
run connectors schema update speak_inexpensive
expect_rc 2 "schema update with nothing to change"

run connectors schema reload speak_inexpensive --exclude-mode PRESERVE
expect_rc 0 "schema reload"
py "reload returns a schema config" 'assert "schemas" in doc'
run connectors schema reload speak_inexpensive --exclude-mode INCLUDE
expect_rc 3 "exclude mode INCLUDE is refused (not an API value)"

run -o table connectors columns speak_inexpensive public users
expect_rc 0 "connectors columns -o table"
py "columns table lists every column" '
rows = out.splitlines()
assert rows[0].split()[:4] == ["COLUMN", "ENABLED", "PRIMARY_KEY", "HASHED"]
assert any(r.split()[0] == "email" for r in rows[1:])'
run connectors columns speak_inexpensive public users
py "columns JSON lines carry the name" '
assert any(c["name"] == "id" and c["is_primary_key"] for c in lines)'
run connectors columns speak_inexpensive public no_such_table
expect_rc 5 "columns of a missing table"

run -o table connectors test "$CID"
expect_rc 0 "connectors test"
expect_out '^setup_test: ' "test shows setup test results"

run connectors resync "$CID"
expect_rc 2 "resync without --confirm"
run connectors resync "$CID" --confirm --table public.users
expect_rc 0 "resync --confirm --table"
py "resync confirms" 'assert lines[0]["ok"] is True'

run connectors sync "$CID"
expect_rc 0 "connectors sync (no wait)"
py "sync JSON" 'assert doc["success"] is True and doc["id"]'

run connectors delete "$CID" --yes
expect_rc 0 "connectors delete"
run connectors get "$CID"
expect_rc 5 "deleted connector is not found"

finish
