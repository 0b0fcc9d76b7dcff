#!/usr/bin/env bash
# Every operation of the API reached through its CLI verb, against one fivetrex-sandbox
# (--seed demo): the generated verbs (cli/verbs_gen.c) and the hand-written ones, each
# with valid ids and bodies (the objects are created first), checked for the exit status
# and a field of the output; a sample of unknown ids checked for exit 5 and the server's
# NotFound_* message. docs/api-coverage.md lists the 168 operations: every one of them
# must have a row here (the test fails naming the missing ones).
#
# The table: one operation a line, in run order,
#   OPERATION_ID | EXIT | CAPTURE | ARGUMENTS | CHECK
# ARGUMENTS are shell words (variables set by earlier captures expand when the row
# runs); CAPTURE is VAR=FIELD, a top-level string field of the output assigned to $VAR
# for the rows after it; CHECK is a
# Python assertion over d, L, o (stdout text) and e (stderr text), evaluated after all
# rows (one python3 for every check; $VAR in it is the variable's value). A row with an
# operation id of "-" is setup or an
# extra check, not counted as an operation.
. "$(dirname "$0")/lib.sh"

COVERAGE=$(dirname "$0")/../../docs/api-coverage.md
# a fixed clock: a transformation run stays RUNNING until cancelled, however slow the machine
start_sandbox --seed demo --clock 2026-01-01T00:00:00Z

G=decent_dropsy    # a demo group (its destination has the same id)
C=speak_inexpensive # a demo connection of it (postgres; schemas public and billing)
printf 'PK\003\004fake zip\000\001\002 with NULs\377' >"$TMP/pkg.zip"
printf 'PK\003\004second\000version' >"$TMP/pkg2.zip"
PKG_SHA=$(sha256sum "$TMP/pkg.zip" | cut -d' ' -f1)

# $NAME in a check is replaced by the variable's value (the fixed ones and the captures)
VARS=$TMP/vars
printf '%s\n' "G=$G" "C=$C" "TMP=$TMP" "PKG_SHA=$PKG_SHA" >"$VARS"
N=0

# cap_field FILE FIELD: a top-level string field of the output (a pretty-printed object,
# or the first JSON line of a list), without starting python3 for every row.
cap_field() {
    local v
    v=$(sed -n "s/^  \"$2\": \"\([^\"]*\)\",\{0,1\}\$/\1/p" "$1" | head -n 1)
    if [ -z "$v" ]; then
        v=$(head -n 1 "$1" | grep -o "\"$2\":\"[^\"]*\"" | head -n 1 | sed 's/^[^:]*:"//; s/"$//')
    fi
    printf '%s' "$v"
}

# run_row OP RC CAPTURE ARGS CHECK
run_row() {
    local op=$1 want=$2 cap=$3 args=$4 check=$5
    N=$((N + 1))
    local out=$TMP/row$N.out err=$TMP/row$N.err
    eval "set -- $args"
    "$FIVETREX" "$@" >"$out" 2>"$err" </dev/null
    local rc=$?
    if [ -n "$cap" ]; then
        local var=${cap%%=*}
        printf -v "$var" '%s' "$(cap_field "$out" "${cap#*=}")"
        printf '%s=%s\n' "$var" "${!var}" >>"$VARS"
    fi
    printf '%s\n' "$op" "$rc" "$want" "$args" "$check" >"$TMP/row$N.meta"
}

# A webhook receiver for `webhooks test` (one signed delivery, then it exits).
export HOOK_SECRET=gen-sandbox-hook-secret-71c2
"$FIVETREX" webhooks listen --port 0 --secret-env HOOK_SECRET --count 1 --timeout 120 -o json \
    >"$TMP/events" 2>"$TMP/listen.err" &
LPID=$!
PIDS="$PIDS $LPID"
HOOK_URL=$(listen_url "$TMP/listen.err")
printf '%s\n' "HOOK_URL=$HOOK_URL" >>"$VARS"

# The rows (see the header). Comments and blank lines are skipped.
TABLE=$(cat <<'EOF'
# ---- account, metadata, roles
get_account_info | 0 | | account info | d["account_id"] == "sandbox_account" and d["user_id"] == "_airworthy"
metadata_public_connectors | 0 | | metadata connector-types public | any(x["id"] == "postgres" for x in L)
metadata_connectors | 0 | | metadata connector-types list | any(x["id"] == "postgres" for x in L)
metadata_connector_config | 0 | | metadata connector-types get postgres | d["id"] == "postgres"
list_all_roles | 0 | | roles list | "Account Administrator" in [r["name"] for r in L]
transformation_package_metadata_list | 0 | PKGDEF=id | transformations package-metadata list | L[0]["id"] == "dbt_fivetran_log"
transformation_package_metadata_details | 0 | | transformations package-metadata get "$PKGDEF" | d["id"] == "dbt_fivetran_log"
# ---- groups (hand-written verbs)
list_all_groups | 0 | | groups list | [g["id"] for g in L][:1] == ["decent_dropsy"]
create_group | 0 | G2=id | groups create --name e2e_group | d["name"] == "e2e_group"
group_details | 0 | | groups get "$G2" | d["name"] == "e2e_group"
modify_group | 0 | | groups update "$G2" --name e2e_group2 | d["name"] == "e2e_group2"
list_all_connections_in_group | 0 | | groups connectors "$G" | sorted(c["id"] for c in L) == ["lumber_tomato", "program_quoth", "speak_inexpensive"]
group_ssh_public_key | 0 | | groups public-key "$G" | d["public_key"].startswith("ssh-")
group_service_account | 0 | | groups service-account "$G" | d["service_account"].startswith("g-decent_dropsy@")
# ---- users
create_user | 0 | U=id | users invite --email e2e@example.com --given-name Eve --family-name Two --role "Account Reviewer" | d["email"] == "e2e@example.com" and d["role"] == "Account Reviewer"
- | 0 | U2=id | users invite --email other@example.com --given-name Oz --family-name Three | d["email"] == "other@example.com"
list_all_users | 0 | | users list --active true | {"e2e@example.com", "other@example.com"} <= {u["email"] for u in L}
user_details | 0 | | users get "$U" | d["given_name"] == "Eve"
modify_user | 0 | | users update "$U" --given-name Eva --role "Account Analyst" | d["given_name"] == "Eva" and d["role"] == "Account Analyst"
delete_user_membership_in_account | 0 | | users role remove "$U" --yes | d["message"] == "User role has been removed from the account"
add_user_membership_in_group | 0 | | users groups add "$U" --id "$G" --role "Destination Reviewer" | d["id"] == "decent_dropsy" and d["role"] == "Destination Reviewer"
get_user_memberships_in_groups | 0 | | users groups list "$U" | [m["id"] for m in L] == ["decent_dropsy"]
get_user_membership_in_group | 0 | | users groups get "$U" "$G" | d["role"] == "Destination Reviewer"
update_user_membership_in_group | 0 | | users groups update "$U" "$G" --role "Destination Administrator" | d["ok"] is True
- | 0 | | users groups get "$U" "$G" | d["role"] == "Destination Administrator"
add_user_membership_in_connection | 0 | | users connections add "$U" --id "$C" --role "Connector Reviewer" | d["id"] == "speak_inexpensive"
get_user_memberships_in_connections | 0 | | users connections list "$U" | [m["id"] for m in L] == ["speak_inexpensive"]
get_user_membership_in_connections | 0 | | users connections get "$U" "$C" | d["role"] == "Connector Reviewer"
update_user_membership_in_connection | 0 | | users connections update "$U" "$C" --role "Connector Administrator" | d["role"] == "Connector Administrator"
delete_user_membership_in_connection | 0 | | users connections remove "$U" "$C" --yes | d["id"] == "speak_inexpensive"
delete_user_membership_in_group | 0 | | users groups remove "$U" "$G" --yes | d["ok"] is True
- | 0 | | users groups list "$U" | L == []
- | 5 | | users connections get "$U" "$C" | "NotFound" in e
# ---- groups ↔ users (generated verbs of a hand-written resource)
add_user_to_group | 0 | | groups users add "$G2" --email other@example.com --role "Destination Reviewer" | d["ok"] is True
list_all_users_in_group | 0 | | groups users list "$G2" | [u["id"] for u in L] == ["$U2"]
delete_user_from_group | 0 | | groups users remove "$G2" "$U2" --yes | d["ok"] is True
- | 0 | | groups users list "$G2" | L == []
# ---- teams
create_team | 0 | T=id | teams create --name e2e-team --description "end to end" --role "Account Reviewer" | d["name"] == "e2e-team"
list_all_teams | 0 | | teams list | "e2e-team" in [t["name"] for t in L]
team_details | 0 | | teams get "$T" | d["description"] == "end to end"
modify_team | 0 | | teams update "$T" --description changed | d["description"] == "changed"
add_user_to_team | 0 | | teams users add "$T" --user-id "$U" --role "Team Member" | d["user_id"] == "$U"
list_users_in_team | 0 | | teams users list "$T" | [m["user_id"] for m in L] == ["$U"]
get_user_in_team | 0 | | teams users get "$T" "$U" | d["role"] == "Team Member"
update_user_membership | 0 | | teams users update "$T" "$U" --role "Team Manager" | d["role"] == "Team Manager"
delete_user_from_team | 0 | | teams users remove "$T" "$U" --yes | d["ok"] is True and "membership" in d["message"]
add_team_membership_in_group | 0 | | teams groups add "$T" --id "$G" --role "Destination Reviewer" | d["id"] == "decent_dropsy"
get_team_memberships_in_groups | 0 | | teams groups list "$T" | [m["id"] for m in L] == ["decent_dropsy"]
get_team_membership_in_group | 0 | | teams groups get "$T" "$G" | d["role"] == "Destination Reviewer"
update_team_membership_in_group | 0 | | teams groups update "$T" "$G" --role "Destination Administrator" | d["role"] == "Destination Administrator"
- | 0 | | teams groups get "$T" "$G" | d["role"] == "Destination Administrator"
delete_team_membership_in_group | 0 | | teams groups remove "$T" "$G" --yes | d["message"] == "Group membership with id 'decent_dropsy' has been deleted"
add_team_membership_in_connection | 0 | | teams connections add "$T" --id "$C" --role "Connector Reviewer" | d["id"] == "speak_inexpensive"
get_team_memberships_in_connections | 0 | | teams connections list "$T" | [m["id"] for m in L] == ["speak_inexpensive"]
get_team_membership_in_connection | 0 | | teams connections get "$T" "$C" | d["role"] == "Connector Reviewer"
update_team_membership_in_connection | 0 | | teams connections update "$T" "$C" --role "Connector Administrator" | d["role"] == "Connector Administrator"
- | 0 | | teams connections get "$T" "$C" | d["role"] == "Connector Administrator"
delete_team_membership_in_connection | 0 | | teams connections remove "$T" "$C" --yes | d["ok"] is True and "membership" in d["message"]
delete_team_membership_in_account | 0 | | teams role remove "$T" --yes | d["message"] == "Team role has been removed from the account"
# ---- system keys
create_system_key | 0 | K=id | system-keys create --name e2e-key --expiration-period ONE_WEEK --permissions '[{"resource_type":"TEAM","access_level":"READ"}]' | d["name"] == "e2e-key" and d["secret"] == "******"
get_system_keys | 0 | | system-keys list | "e2e-key" in [k["name"] for k in L]
get_system_key_details | 0 | | system-keys get "$K" | d["name"] == "e2e-key"
update_system_key | 0 | | system-keys update "$K" --name e2e-key2 | d["name"] == "e2e-key2"
rotate_system_key | 0 | | system-keys rotate "$K" --yes --expiration-period ONE_MONTH | d["id"] == "$K" and d["secret"] == "******"
# ---- connections (hand-written verbs) and their generated sub-resources
list_connections | 0 | | connectors list | len(L) == 8
create_connection | 0 | C2=id | connectors create --group "$G2" --service postgres --schema e2e_pg --config host=db.example.com --config port=5432 --no-setup-tests | d["service"] == "postgres" and d["group_id"] == "$G2"
connection_details | 0 | | connectors get "$C2" | d["schema"] == "e2e_pg"
modify_connection | 0 | | connectors frequency "$C2" 120 | d["sync_frequency"] == 120
- | 0 | | connectors pause "$C2" | d["paused"] is True
- | 0 | | connectors resume "$C2" | d["paused"] is False
- | 0 | | connectors update "$C2" --config port=5433 | d["config"]["port"] == 5433
- | 0 | | connectors status "$C" | d["sync_state"] == "scheduled"
run_setup_tests | 0 | | connectors test "$C2" | d["id"] == "$C2" and d["setup_tests"]
connect_card | 0 | | connectors connect-card "$C2" --redirect-uri https://example.com/back | d["connect_card"]["uri"].startswith("http")
sync_connection | 0 | | connectors sync "$C" | d["success"] is True
resync_connection | 0 | | connectors resync "$C" --yes --table public.users | d["ok"] is True and d["id"] == "speak_inexpensive"
connection_state | 0 | | connectors state cedar_harbor | d["state"]["page"] == 42
modify_connection_state | 0 | | connectors set-state cedar_harbor --state '{"cursor":"e2e"}' | d["state"] == {"cursor": "e2e"}
- | 0 | | connectors state cedar_harbor | d["state"] == {"cursor": "e2e"}
connection_schema_config | 0 | | connectors schema show "$C" | sorted(d["schemas"]) == ["billing", "public"]
modify_connection_schema_config | 0 | | connectors schema update "$C" --schema billing --table invoices --disable | d["schemas"]["billing"]["tables"]["invoices"]["enabled"] is False
reload_connection_schema_config | 0 | | connectors schema reload "$C" | "public" in d["schemas"]
connection_column_config | 0 | | connectors columns "$C" public users | len(L) >= 1
modify_connection_database_schema_config | 0 | | connectors schemas update "$C" billing --enabled true | d["schemas"]["billing"]["enabled"] is True
modify_connection_table_config | 0 | | connectors schemas tables update "$C" public orders --enabled false | d["schemas"]["public"]["tables"]["orders"]["enabled"] is False
modify_connection_column_config | 0 | | connectors schemas tables columns update "$C" public users email --enabled false | d["schemas"]["public"]["tables"]["users"]["columns"]["email"]["enabled"] is False
delete_column_connection_config | 0 | | connectors schemas tables columns delete "$C" public users email --yes | d["message"] == "Column successfully marked for deletion"
- | 0 | | connectors schemas tables columns update "$C" public users plan --enabled false | d["schemas"]["public"]["tables"]["users"]["columns"]["plan"]["enabled"] is False
delete_multiple_columns_connection_config | 0 | | connectors schemas drop-columns "$C" --yes --schemas '{"public":{"tables":{"users":{"columns":["plan"]}}}}' | d["ok"] is True
resync_tables | 0 | | connectors schemas tables resync "$C" --yes --data '{"public":["users","orders"]}' | d["ok"] is True
pre_create_connection_schema_config | 0 | | connectors schemas create "$C2" --schemas '{"public":{"enabled":true}}' | "public" in d["schemas"]
approve_connection_certificate | 0 | | connectors certificates approve "$C" --hash chash1 --encoded-cert Y2VydA== | d["hash"] == "chash1" and d["validated_by"] == "_airworthy"
get_connection_certificates_list | 0 | | connectors certificates list "$C" | [x["hash"] for x in L] == ["chash1"]
get_connection_certificate_details | 0 | | connectors certificates get "$C" chash1 | d["hash"] == "chash1"
revoke_connection_certificate | 0 | | connectors certificates revoke "$C" chash1 --yes | d["message"] == "Certificate with id 'chash1' has been revoked"
approve_connection_fingerprint | 0 | | connectors fingerprints approve "$C" --hash fhash1 --public-key ssh-rsa-AAAA | d["message"] == "Fingerprint has been approved"
get_connection_fingerprints_list | 0 | | connectors fingerprints list "$C" | [x["hash"] for x in L] == ["fhash1"]
get_connection_fingerprint_details | 0 | | connectors fingerprints get "$C" fhash1 | d["hash"] == "fhash1"
revoke_connection_fingerprint | 0 | | connectors fingerprints revoke "$C" fhash1 --yes | d["message"] == "Fingerprint with id 'fhash1' has been revoked"
approve_certificate | 0 | | certificates approve --connection-id "$C" --hash chash2 --encoded-cert Y2VydA== | d["ok"] is True
- | 0 | | connectors certificates list "$C" | [x["hash"] for x in L] == ["chash2"]
# ---- destinations (hand-written verbs) and their generated sub-resources
list_destinations | 0 | | destinations list | len(L) == 3
create_destination | 0 | D2=id | destinations create --group "$G2" --service postgres_warehouse --time-zone-offset +1 --config host=wh.example.com --no-setup-tests | d["service"] == "postgres_warehouse"
destination_details | 0 | | destinations get "$D2" | d["time_zone_offset"] == "+1"
modify_destination | 0 | | destinations update "$D2" --time-zone-offset -5 --no-setup-tests | d["time_zone_offset"] == "-5"
run_destination_setup_tests | 0 | | destinations test "$D2" | d["id"] == "$D2" and d["setup_status"] == "connected"
approve_destination_certificate | 0 | | destinations certificates approve "$D2" --hash dhash1 --encoded-cert Y2VydA== | d["hash"] == "dhash1"
get_destination_certificates_list | 0 | | destinations certificates list "$D2" | [x["hash"] for x in L] == ["dhash1"]
get_destination_certificate_details | 0 | | destinations certificates get "$D2" dhash1 | d["hash"] == "dhash1"
revoke_destination_certificate | 0 | | destinations certificates revoke "$D2" dhash1 --yes | "revoked" in d["message"]
approve_destination_fingerprint | 0 | | destinations fingerprints approve "$D2" --hash dfp1 --public-key ssh-rsa-BBBB | d["ok"] is True
get_destination_fingerprints_list | 0 | | destinations fingerprints list "$D2" | [x["hash"] for x in L] == ["dfp1"]
get_destination_fingerprint_details | 0 | | destinations fingerprints get "$D2" dfp1 | d["hash"] == "dfp1"
revoke_destination_fingerprint | 0 | | destinations fingerprints revoke "$D2" dfp1 --yes | "revoked" in d["message"]
# ---- webhooks
list_all_webhooks | 0 | | webhooks list | len(L) == 2
create_account_webhook | 0 | W=id | webhooks create --url "$HOOK_URL" --events sync_end --inactive --secret-env HOOK_SECRET | d["type"] == "account" and d["active"] is False
create_group_webhook | 0 | W2=id | webhooks create --url https://example.com/ghook --events sync_start --group "$G2" --inactive | d["type"] == "group" and d["group_id"] == "$G2"
webhook_details | 0 | | webhooks get "$W" | d["url"] == "$HOOK_URL"
modify_webhook | 0 | | webhooks update "$W" --events sync_start,sync_end | d["events"] == ["sync_start", "sync_end"]
test_webhook | 0 | | webhooks test "$W" --event sync_end | d["succeed"] is True
delete_webhook | 0 | | webhooks delete "$W" --yes | d["id"] == "$W"
# ---- connector SDK packages (multipart upload, binary download)
create_connector_sdk_package | 0 | P=id | connector-sdk packages create --file "$TMP/pkg.zip" | d["file_sha256_hash"] == "$PKG_SHA"
list_connector_sdk_packages | 0 | | connector-sdk packages list | [p["id"] for p in L] == ["$P"]
get_connector_sdk_package | 0 | | connector-sdk packages get "$P" | d["file_sha256_hash"] == "$PKG_SHA"
download_connector_sdk_package | 0 | | connector-sdk packages download "$P" --output "$TMP/got.zip" | open("$TMP/got.zip", "rb").read() == open("$TMP/pkg.zip", "rb").read()
update_connector_sdk_package | 0 | | connector-sdk packages update "$P" --file "$TMP/pkg2.zip" | d["file_sha256_hash"] != "$PKG_SHA"
- | 0 | | connector-sdk packages download "$P" --output "$TMP/got2.zip" | open("$TMP/got2.zip", "rb").read() == open("$TMP/pkg2.zip", "rb").read()
delete_connector_sdk_package | 0 | | connector-sdk packages delete "$P" --yes | d["ok"] is True
# ---- external logging
add_log_service | 0 | LOG=id | external-logging create --group-id "$G2" --service azure_monitor_log --enabled true --config '{"workspace_id":"w1","primary_key":"pk-secret"}' | d["service"] == "azure_monitor_log"
list_log_services | 0 | | external-logging list | [x["id"] for x in L] == ["$LOG"]
get_log_service_details | 0 | | external-logging get "$LOG" | d["enabled"] is True
update_log_service | 0 | | external-logging update "$LOG" --enabled false | d["enabled"] is False
run_setup_tests_log_service | 0 | | external-logging test "$LOG" | d["setup_tests"][0]["status"] == "PASSED"
delete_log_service | 0 | | external-logging delete "$LOG" --yes | d["ok"] is True
add_account_log_service | 0 | | external-logging account create --service azure_monitor_log --enabled true --config '{"workspace_id":"w2"}' | d["service"] == "azure_monitor_log"
get_account_log_service_details | 0 | | external-logging account get | d["enabled"] is True
update_account_log_service | 0 | | external-logging account update --enabled false | d["enabled"] is False
delete_account_log_service | 0 | | external-logging account delete --yes | d["message"] == "Log service has been deleted"
- | 5 | | external-logging account get | "NotFound" in e
# ---- external secrets managers
create_esm | 0 | ESM=id | external-secrets-managers create --name e2e-esm --type AWS_SECRET_MANAGER --config '{"region":"us-east-1"}' | d["name"] == "e2e-esm"
list_esms | 0 | | external-secrets-managers list | [x["id"] for x in L] == ["$ESM"]
get_esm_details | 0 | | external-secrets-managers get "$ESM" | d["name"] == "e2e-esm"
modify_esm | 0 | | external-secrets-managers update "$ESM" --config '{"region":"eu-west-1"}' | d["config"] == {"region": "eu-west-1"}
get_esm_entities | 0 | | external-secrets-managers entities "$ESM" | L == []
list_esm_entities | 0 | | external-secrets-managers all-entities | L == []
delete_esm | 0 | | external-secrets-managers delete "$ESM" --yes | d["ok"] is True
# ---- hybrid deployment agents, proxy agents, private links, HVR
create_hybrid_deployment_agent | 0 | HDA=id | hybrid-deployment-agents create --display-name e2e-agent --env-type DOCKER --accept-terms true --group-id "$G2" --secret-file "$TMP/hda.json" | d["display_name"] == "e2e-agent" and d["token"] == "******" and d["files"]["auth_json"] == "******" and (lambda f: f["token"] not in ("", "******") and json.loads(base64.b64decode(f["auth_json"])) == {"token": f["token"]})(json.load(open("$TMP/hda.json")))
get_hybrid_deployment_agent_list | 0 | | hybrid-deployment-agents list | [x["id"] for x in L] == ["$HDA"]
get_hybrid_deployment_agent | 0 | | hybrid-deployment-agents get "$HDA" | d["display_name"] == "e2e-agent"
re_auth_hybrid_deployment_agent | 0 | | hybrid-deployment-agents re-auth "$HDA" --yes --auth-type AUTO --secret-file "$TMP/hda2.json" | d["id"] == "$HDA" and (lambda f: f["token"] != json.load(open("$TMP/hda.json"))["token"] and json.loads(base64.b64decode(f["auth_json"])) == {"token": f["token"]})(json.load(open("$TMP/hda2.json")))
reset_hybrid_deployment_agent_credentials | 0 | | hybrid-deployment-agents reset-credentials "$HDA" --yes | d["message"] == "Agent credentials have been reset"
delete_hybrid_deployment_agent | 0 | | hybrid-deployment-agents delete "$HDA" --yes | d["ok"] is True
create_proxy_agent | 0 | PX=agent_id | proxy create --display-name e2e-proxy --group-region GCP_US_EAST4 | d["agent_id"] and d["auth_token"] == "******" and "BEGIN CERTIFICATE" in d["client_cert"]
get_proxy_agent | 0 | | proxy list | [x["id"] for x in L] == ["$PX"]
get_proxy_agent_details | 0 | | proxy get "$PX" | d["display_name"] == "e2e-proxy"
get_proxy_agent_connections | 0 | | proxy connections list "$PX" | L == []
regenerate_secrets_proxy_agent | 0 | | proxy regenerate-secrets "$PX" --yes | d["agent_id"] == "$PX" and d["auth_token"] == "******"
delete_proxy_agent | 0 | | proxy delete "$PX" --yes | d["ok"] is True
create_private_link | 0 | PL=id | private-links create --name e2e-link --region AWS_US_EAST_1 --service SOURCE_AWS --config '{"connection_service_name":"com.amazonaws.vpce"}' | d["name"] == "e2e-link"
get_private_links | 0 | | private-links list | [x["id"] for x in L] == ["$PL"]
get_private_link_details | 0 | | private-links get "$PL" | d["region"] == "AWS_US_EAST_1"
modify_private_link | 0 | | private-links update "$PL" --config '{"connection_service_name":"changed"}' | d["config"] == {"connection_service_name": "changed"}
delete_private_link | 0 | | private-links delete "$PL" --yes | d["ok"] is True
hvr_register_hub | 0 | | hvr register-hub --hub-server-url https://hub.example.com --port 4343 --fingerprint fp | d["registration_id"] and d["access_token"] == "******"
# ---- transformation projects and transformations
create_transformation_project | 0 | TP=id | transformation-projects create --group-id "$G" --type DBT_CORE --run-tests false --project-config '{"git_remote_url":"git@example.com:a/b.git","folder_path":"/","dbt_version":"1.9.0"}' | d["type"] == "DBT_CORE"
list_all_transformation_projects | 0 | | transformation-projects list | [x["id"] for x in L] == ["$TP"]
transformation_project_details | 0 | | transformation-projects get "$TP" | d["group_id"] == "decent_dropsy"
modify_transformation_project | 0 | | transformation-projects update "$TP" --run-tests true | d["id"] == "$TP"
test_transformation_project | 0 | | transformation-projects test "$TP" | d["id"] == "$TP" and isinstance(d["setup_tests"], list)
create_transformation | 0 | TR=id | transformations create --type DBT_CORE --paused false --transformation-config '{"project_id":"'"$TP"'","name":"e2e","steps":[{"name":"run","command":"dbt run"}]}' --schedule '{"schedule_type":"INTERVAL","interval":60}' | d["type"] == "DBT_CORE"
transformations_list | 0 | | transformations list --type DBT_CORE | [x["id"] for x in L] == ["$TR"]
transformation_details | 0 | | transformations get "$TR" | d["type"] == "DBT_CORE"
update_transformation | 0 | | transformations update "$TR" --paused true | d["paused"] is True
run_transformation | 0 | | transformations run "$TR" --full-refresh false | d["message"] == "Transformation run has been triggered"
- | 0 | | transformations get "$TR" | d["status"] == "RUNNING"
cancel_transformation | 0 | | transformations cancel "$TR" | d["ok"] is True
- | 0 | | transformations get "$TR" | d["status"] == "CANCELED"
upgrade_transformation_package | 0 | | transformations upgrade "$TR" | d["ok"] is True
delete_transformation | 0 | | transformations delete "$TR" --yes | d["ok"] is True
delete_transformation_project | 0 | | transformation-projects delete "$TP" --yes | d["ok"] is True
# ---- the deletes left
delete_team | 0 | | teams delete "$T" --yes | d["ok"] is True
delete_system_key | 0 | | system-keys delete "$K" --yes | d["ok"] is True
delete_user | 0 | | users delete "$U2" --yes | d["ok"] is True
delete_connection | 0 | | connectors delete "$C2" --yes | d["id"] == "$C2"
delete_destination | 0 | | destinations delete "$D2" --yes | d["id"] == "$D2"
- | 0 | | webhooks delete "$W2" --yes | d["id"] == "$W2"
delete_group | 0 | | groups delete "$G2" --yes | d["ok"] is True
# ---- the error path: an unknown id is exit 5 with the server's message
- | 5 | | users get no_such_user | "NotFound_User" in e and "no_such_user" in e
- | 5 | | teams users list no_such_team | "NotFound_Team" in e
- | 5 | | users groups add "$U" --id no_such_group --role "Destination Reviewer" | "NotFound_Group" in e
- | 5 | | connectors certificates get "$C" no_such_hash | "NotFound" in e and "no_such_hash" in e
- | 5 | | system-keys rotate no_such_key --yes | "NotFound" in e
- | 5 | | transformations run no_such_transformation | "NotFound" in e
- | 5 | | connector-sdk packages download no_such_package --output "$TMP/none.zip" | "NotFound" in e
- | 5 | | proxy get no_such_proxy | "NotFound" in e
- | 5 | | private-links delete no_such_link --yes | "NotFound" in e
- | 5 | | external-secrets-managers get no_such_esm | "NotFound" in e
- | 5 | | metadata connector-types get no_such_service | "NotFound" in e
- | 5 | | groups get no_such_group | "NotFound_Group" in e and "hint: check the id" in e
EOF
)

while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    IFS='|' read -r op want cap args check <<<"$line"
    op=$(echo $op)
    want=$(echo $want)
    cap=$(echo $cap)
    args=${args# }
    args=${args% }
    check=${check# }
    run_row "$op" "$want" "$cap" "$args" "$check"
done <<<"$TABLE"

wait "$LPID"
LRC=$?

# Every check in one python3; the operations of docs/api-coverage.md must all have a row.
python3 - "$N" "$COVERAGE" "$VARS" "$TMP" >"$TMP/results" <<'PYEOF'
import base64, json, re, sys
rows = []
for n in range(1, int(sys.argv[1]) + 1):
    meta = "%s/row%d" % (sys.argv[4], n)
    f = open(meta + ".meta", encoding="utf-8").read().split("\n")
    rows.append(dict(op=f[0], rc=f[1], want=f[2], args=f[3], check=f[4],
                     out=meta + ".out", err=meta + ".err"))
V = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[3]) if "=" in l)
fails = 0
for r in rows:
    o = open(r["out"], encoding="utf-8", errors="replace").read()
    e = open(r["err"], encoding="utf-8", errors="replace").read()
    try:
        d = json.loads(o)
    except ValueError:
        d = None
    try:
        L = [json.loads(x) for x in o.splitlines() if x.strip()] if d is None else [d]
    except ValueError:
        L = None
    name = "%s: fivetrex %s" % (r["op"], r["args"])
    why = None
    if int(r["rc"]) != int(r["want"]):
        why = "exit %s, expected %s" % (r["rc"], r["want"])
    else:
        try:
            ok = eval(re.sub(r"\$(\w+)", lambda m: V.get(m.group(1), m.group(0)), r["check"]))
        except Exception as ex:
            ok, why = False, "check raised %r" % ex
        if not ok and why is None:
            why = "check failed: %s" % r["check"]
    if int(r["want"]) != 0 and why is None and not re.search(r"^fivetrex: .*\n  hint: ", e, re.M):
        why = "an error without a message and a hint"
    if why:
        fails += 1
        print("FAIL: %s: %s\n  --- stdout: %s\n  --- stderr: %s" % (name, why, o[:600], e[:600]))
    else:
        print("ok: %s" % name)
ops = set()
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r"\| (GET|POST|PATCH|DELETE|PUT) \| `[^`]+` \| `(\w+)` \|", line)
    if m:
        ops.add(m.group(2))
ran = {r["op"] for r in rows if r["op"] != "-" and int(r["want"]) == 0}
missing = sorted(ops - ran)
unknown = sorted(ran - ops)
print("coverage: %d of %d operations reached through their CLI verb" % (len(ops & ran), len(ops)))
if missing:
    fails += 1
    print("FAIL: operations without a row: " + ", ".join(missing))
if unknown:
    fails += 1
    print("FAIL: rows naming no operation of docs/api-coverage.md: " + ", ".join(unknown))
print("FAILS=%d CHECKS=%d" % (fails, len(rows) + 1))
PYEOF
grep -v '^FAILS=' "$TMP/results"
eval "$(grep '^FAILS=' "$TMP/results")"
[ -n "${FAILS:-}" ] || FAILS=1
CHECKS=${CHECKS:-0}

# The receiver got the test event, signed with the webhook's secret.
RC=$LRC
expect_rc 0 "webhooks listen --count 1 exits after the verified test delivery"
: >"$ERR"
cp "$TMP/events" "$OUT"
py "the delivery is the test event asked for (sync_end, the sandbox's test connection)" '
assert [(e["event"], e["connector_id"]) for e in lines] == [("sync_end", "_connection_1")], lines'
expect_no "$HOOK_SECRET" "the webhook secret is never printed"
finish
