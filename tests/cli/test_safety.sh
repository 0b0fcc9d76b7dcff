#!/usr/bin/env bash
# The safety catch of verbs that change things: destructive verbs ask on a terminal
# (through a pseudo-terminal here), take --yes, and refuse without a terminal; every
# mutating verb takes --dry-run, which prints the request and sends nothing.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

# ---- without a terminal and without --yes: a usage error, nothing deleted ----
for v in "groups delete deck_enjoy" "connectors delete speak_inexpensive" \
    "destinations delete deck_enjoy" "webhooks delete willow_quartz" \
    "connectors resync speak_inexpensive"; do
    # shellcheck disable=SC2086
    run -v $v </dev/null
    expect_rc 2 "$v without a terminal and without --yes"
    expect_err "add --yes" "$v: the refusal names --yes"
    CHECKS=$((CHECKS + 1))
    if grep -q '^\* ' "$ERR"; then fail "$v: a request was sent"; else pass "$v: no request sent"; fi
done
run groups get deck_enjoy
expect_rc 0 "the group is still there"

# ---- --dry-run: method, path and body; no request; nothing changed ----
export HOOK_SECRET=dry-run-hook-secret-91
dry() { # dry DESCRIPTION METHOD PATH BODY-PYTHON-EXPR ARGS...
    local desc=$1 method=$2 path=$3 body=$4
    shift 4
    run -v --dry-run "$@"
    expect_rc 0 "dry run: $desc"
    py "dry run: $desc prints $method $path" "
d = lines[0]
assert d['dry_run'] is True and d['method'] == '$method' and d['path'] == '$path', d
assert d.get('body') == $body, d.get('body')"
    CHECKS=$((CHECKS + 1))
    if grep -q '^\* ' "$ERR"; then fail "dry run: $desc sent a request"; else pass "dry run: $desc sends nothing"; fi
}
dry "groups delete" DELETE /groups/deck_enjoy None groups delete deck_enjoy
dry "groups create" POST /groups '{"name": "g1"}' groups create --name g1
dry "groups update" PATCH /groups/deck_enjoy '{"name": "g2"}' groups update deck_enjoy --name g2
dry "connectors delete" DELETE /connections/speak_inexpensive None connectors delete speak_inexpensive
dry "connectors create" POST /connections \
    '{"group_id": "deck_enjoy", "service": "postgres", "config": {"password": "***", "host": "h"}}' \
    connectors create --group deck_enjoy --service postgres --data '{"config":{"password":"pw-1","host":"h"}}'
dry "connectors update" PATCH /connections/speak_inexpensive '{"paused": True}' \
    connectors update speak_inexpensive --paused true
dry "connectors sync" POST /connections/speak_inexpensive/sync '{"force": True}' \
    connectors sync speak_inexpensive --force
dry "connectors sync --wait" POST /connections/speak_inexpensive/sync '{}' \
    connectors sync speak_inexpensive --wait
dry "connectors resync" POST /connections/speak_inexpensive/resync \
    '{"scope": {"public": ["users"]}}' connectors resync speak_inexpensive --table public.users
dry "connectors pause" PATCH /connections/speak_inexpensive '{"paused": True}' \
    connectors pause speak_inexpensive
dry "connectors resume" PATCH /connections/speak_inexpensive '{"paused": False}' \
    connectors resume speak_inexpensive
dry "connectors frequency" PATCH /connections/speak_inexpensive '{"sync_frequency": 60}' \
    connectors frequency speak_inexpensive 60
dry "connectors schema update" PATCH /connections/speak_inexpensive/schemas \
    '{"schema_change_handling": "BLOCK_ALL"}' connectors schema update speak_inexpensive \
    --change-handling BLOCK_ALL
dry "connectors schema reload" POST /connections/speak_inexpensive/schemas/reload \
    '{"exclude_mode": "PRESERVE"}' connectors schema reload speak_inexpensive
dry "connectors test" POST /connections/speak_inexpensive/test '{}' connectors test speak_inexpensive
dry "connectors connect-card" POST /connections/speak_inexpensive/connect-card \
    '{"connect_card_config": {"redirect_uri": "https://x.example/", "hide_setup_guide": False}}' \
    connectors connect-card speak_inexpensive --redirect-uri https://x.example/
dry "destinations delete" DELETE /destinations/deck_enjoy None destinations delete deck_enjoy
dry "destinations update" PATCH /destinations/deck_enjoy '{"region": "GCP_US_EAST4"}' \
    destinations update deck_enjoy --region GCP_US_EAST4
dry "destinations test" POST /destinations/deck_enjoy/test '{}' destinations test deck_enjoy
dry "webhooks delete" DELETE /webhooks/willow_quartz None webhooks delete willow_quartz
dry "webhooks create (group)" POST /webhooks/group/deck_enjoy \
    '{"url": "https://h.example/x", "events": ["sync_end"], "secret": "***"}' \
    webhooks create --group deck_enjoy --url https://h.example/x --events sync_end --secret-env HOOK_SECRET
dry "webhooks update" PATCH /webhooks/willow_quartz '{"url": "https://h.example/y"}' \
    webhooks update willow_quartz --url https://h.example/y
dry "webhooks test" POST /webhooks/willow_quartz/test '{"event": "sync_start"}' \
    webhooks test willow_quartz
dry "an id is percent-encoded" DELETE /groups/a%2Fb%20c None groups delete 'a/b c'
dry "api POST" POST /groups '{"name": "x"}' api POST /groups -f name=x
expect_no "$HOOK_SECRET" "a dry run never prints the webhook secret"
expect_no "pw-1" "a dry run never prints a password in config"
expect_no "$FIVETRAN_API_SECRET" "a dry run never prints the API secret"

run -o table --dry-run groups delete deck_enjoy
expect_rc 0 "dry run in table format"
expect_out '^DELETE /groups/deck_enjoy$' "the table format prints METHOD PATH"
expect_out 'nothing was sent' "and says nothing was sent"

run groups get deck_enjoy
expect_rc 0 "after the dry runs the group is still there"
run webhooks get willow_quartz
expect_rc 0 "and its webhook"
run connectors get speak_inexpensive
py "the connector is not paused by the dry runs" 'assert doc["paused"] is False, doc'

# Flags where they do not apply are refused.
run --dry-run groups list
expect_rc 2 "--dry-run on a read verb is a usage error"
run groups get deck_enjoy --dry-run
expect_rc 2 "--dry-run after a read verb too"
run --yes groups create --name x
expect_rc 2 "--yes on a verb that does not ask is a usage error"
run api DELETE /groups/x --yes
expect_rc 2 "--yes with api is a usage error (api never asks)"
printf 'body' >"$TMP/body"
run_in "$TMP/body" webhooks sign --secret-env HOOK_SECRET --dry-run
expect_rc 2 "--dry-run on a local verb is a usage error"

# ---- a terminal: the question lists what goes; "n" keeps, "y" deletes ----
pty_run n --no-color groups delete deck_enjoy
expect_rc 1 "answering n at the prompt exits 1"
expect_out 'Delete group deck_enjoy \("Finance_Redshift"\)\?' "the question names the group"
expect_out 'its destination \(redshift\)' "the question lists the destination"
expect_out '2 connectors' "the question counts the connectors"
expect_out '1 webhook' "the question counts the webhooks"
expect_out 'cancelled, nothing was changed' "declining says nothing changed"
run groups get deck_enjoy
expect_rc 0 "the group is still there after n"

pty_run y --no-color groups delete deck_enjoy
expect_rc 0 "answering y deletes"
expect_out 'Deleted group deck_enjoy \("Finance_Redshift"\), with its destination \(redshift\), 2 connectors, 1 webhook' \
    "the result says what went with the group"
run groups get deck_enjoy
expect_rc 5 "the group is gone after y"

pty_run n --no-color connectors resync speak_inexpensive --table public.users
expect_rc 1 "resync asks on a terminal; n cancels"
expect_out 'Re-sync connector speak_inexpensive \(postgres' "the resync question names the connector"

# ---- --yes: no question; the output says what went ----
run --yes groups delete decent_dropsy
expect_rc 0 "groups delete --yes without a terminal"
py "JSON result counts what went with the group" '
d = lines[0]
assert d["ok"] is True and d["id"] == "decent_dropsy", d
assert d["deleted_with"] == {"destination": "snowflake", "connectors": 3, "webhooks": 0}, d'
run connectors delete nostalgic_cumin --yes
expect_rc 0 "connectors delete --yes"
expect_out 'Deleted connector nostalgic_cumin \(' "the result names the connector"
run connectors resync assimilate_seem --confirm
expect_rc 0 "resync --confirm (the older spelling of --yes)"

finish
