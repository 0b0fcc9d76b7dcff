#!/usr/bin/env bash
# Generated verbs (cli/verbs_gen.c, run by cli/cmd_gen.c): --help, the exact request
# (--dry-run and a mock API on 127.0.0.1 that logs what it receives), filters,
# validation before sending, secrets masked, confirmation of destructive verbs, binary
# download and multipart upload. Needs no sandbox.
. "$(dirname "$0")/lib.sh"

# ---- help ----
run --help
expect_rc 0 "fivetrex --help"
expect_out "^  users +connections, delete, get, groups, invite, list, role, update" \
    "the top help lists the generated resources with their verbs"
expect_out "^  system-keys +create, delete, get, list, rotate, update" "system-keys too"
expect_out "^  connectors +also: certificates, fingerprints, schemas, set-state$" \
    "... and the generated verbs of hand-written resources"
run users --help
expect_rc 0 "users --help"
expect_out "^  invite +POST /users$" "users --help lists invite"
expect_out "^  groups remove USER_ID GROUP_ID +DELETE /users/\{userId\}/groups/\{groupId\}$" \
    "... and nested verbs with their ids"
run connectors --help
expect_out "^  certificates revoke CONNECTION_ID HASH" \
    "a hand-written resource's help lists its generated verbs too"
expect_out "^  sync ID \[--wait\]" "... after its hand-written ones"
run users invite --help
expect_rc 0 "users invite --help"
expect_out "^Usage: fivetrex users invite \[options\]$" "usage line"
expect_out "^  --email VALUE +required$" "a required body field"
expect_out "^  --given-name VALUE +\"given_name\"; required$" "a field with its JSON name"
run teams users get --help
expect_out "^Usage: fivetrex teams users get TEAM_ID USER_ID$" "ids in path order"
run transformations list --help
expect_out "^  --type VALUE +one of: DBT_CORE QUICKSTART$" "a filter with its closed set"
run help system-keys rotate
expect_rc 0 "fivetrex help system-keys rotate"
expect_out "^Secret fields of the result, printed as \*\*\*\*\*\*: secret$" "secret fields named"
run users
expect_rc 2 "a generated resource without a verb is a usage error"
expect_err "^  invite" "... that lists the verbs on stderr"
run users frobnicate
expect_rc 2 "an unknown generated verb"
expect_err "unknown command 'frobnicate'" "... is named"
run __complete teams
expect_out "^users$" "__complete: the words after 'teams'"
run __complete users invite
expect_out "^--email$" "__complete: the options of a verb"

# bash completion asks the binary for generated words (words[0] is the binary).
complete() { :; }
# shellcheck disable=SC1091
. "$(dirname "$0")/../../cli/completion.bash"
compl() {
    COMP_WORDS=("$FIVETREX" "$@")
    COMP_CWORD=${#@}
    COMPREPLY=()
    _fivetrex
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' >"$OUT"
}
compl sys
expect_out '^system-keys $' "completion: a generated resource"
compl users groups ""
expect_out '^add get list remove update $' "completion: nested generated words"
compl -o json teams users list --limit 5 ""
expect_out '^ $' "completion: nothing after a whole verb but its ids"
compl users invite --email a@example.com --fa
expect_out '^--family-name $' "completion: a generated verb's options, after an option's value"
compl connectors cert
expect_out '^certificates $' "completion: generated verbs of a hand-written resource"
compl connectors s
expect_out '^schema schemas set-state state status sync $' "completion: hand and generated verbs together"

# ---- the request, printed by --dry-run ----
run users invite --email a@example.com --given-name Ann --family-name Lee --role 'Account Reviewer' --dry-run
expect_rc 0 "users invite --dry-run"
py "the body is the fields, under their JSON names" '
assert lines == [{"dry_run": True, "method": "POST", "path": "/users", "body": {
    "email": "a@example.com", "given_name": "Ann", "family_name": "Lee",
    "role": "Account Reviewer"}}], lines'
run users invite --data '{"email":"x@example.com","given_name":"X","family_name":"Y","role":"old"}' --role new --dry-run
py "field options override --data" '
assert lines[0]["body"] == {"email": "x@example.com", "given_name": "X", "family_name": "Y",
                            "role": "new"}, lines'
run teams users remove 'team/1' 'u?2' --dry-run
expect_rc 0 "teams users remove --dry-run (no --yes needed)"
py "ids are percent-encoded, in path order" '
assert lines == [{"dry_run": True, "method": "DELETE", "path": "/teams/team%2F1/users/u%3F2",
                  "body": None}], lines'
run transformations run t1 --full-refresh yes --dry-run
py "a boolean field" 'assert lines[0]["body"] == {"full_refresh": True}, lines'
run transformations cancel t1 --dry-run
py "an operation without a body sends none" '
assert lines[0] == {"dry_run": True, "method": "POST", "path": "/transformations/t1/cancel",
                    "body": None}, lines'
run system-keys create --name ci --permissions '[{"resource_type":"TEAM","access_level":"READ"}]' --dry-run
py "a JSON field" '
assert lines[0]["body"] == {"name": "ci", "permissions": [
    {"resource_type": "TEAM", "access_level": "READ"}]}, lines'
run connectors schemas tables resync c1 --data '{"public":["users","orders"]}' --yes --dry-run
py "a map body (schema name to its tables) goes whole through --data" '
assert lines[0]["path"] == "/connections/c1/schemas/tables/resync", lines
assert lines[0]["body"] == {"public": ["users", "orders"]}, lines'
run connectors schemas tables resync c1 --yes --dry-run
expect_rc 2 "a map body is required"
expect_err "the body is required: give --data" "... and says how to give it"
run connectors schemas tables resync c1 --schema a,b --dry-run
expect_rc 2 "no --schema flag: the definition's example key is not a field"
run hvr register-hub --port 4343 --dry-run
py "an integer field" 'assert lines[0]["body"] == {"port": 4343}, lines'

# ---- validation: usage errors, nothing sent ----
run users invite --email a@example.com --given-name Ann --dry-run
expect_rc 2 "a missing required field"
expect_err "missing required field family_name: give --family-name" "... is named with its option"
run system-keys create --expiration-period NEVER --dry-run
expect_rc 2 "a value outside a closed set"
expect_err "--expiration-period: 'NEVER' is not one of: ONE_WEEK, ONE_MONTH" "... lists the set"
run system-keys create --data '{"expiration_period":"never"}' --dry-run
expect_rc 2 "the closed set is checked in --data too"
run hvr register-hub --port x --dry-run
expect_rc 2 "an integer field with text"
run transformations run t1 --full-refresh perhaps --dry-run
expect_rc 2 "a boolean field with text"
run system-keys create --permissions '[1' --dry-run
expect_rc 2 "invalid JSON in a JSON field"
run transformations list --type SOMETHING
expect_rc 2 "a filter outside its closed set"
run users list --active maybe
expect_rc 2 "a boolean filter with text"
run users get
expect_rc 2 "a missing id"
expect_err "missing argument: USER_ID" "... is named"
run users get a b
expect_rc 2 "one id too many"
run users get u1 --frob 1
expect_rc 2 "an unknown option"
run users update u1 --dry-run
expect_rc 2 "an update with nothing to change"
run users get u1 --limit 5
expect_rc 2 "--limit on a verb that is not a list"
run users get u1 --dry-run
expect_rc 2 "--dry-run on a verb that only reads"
run users invite --email a@example.com --yes
expect_rc 2 "--yes on a verb that does not ask"
run connector-sdk packages create
expect_rc 2 "an upload without --file"
run connector-sdk packages download p1
expect_rc 2 "a download without --output"
run connector-sdk packages create --file "$TMP/no-such.zip" --dry-run
expect_rc 2 "an upload of a file that cannot be read"
expect_err "no-such.zip': No such file" "... names it"

# ---- against a mock API ----
cat >"$TMP/routes.json" <<'EOF'
[
 {"method": "GET", "path": "/v1/users?active=true&limit=1000", "json": {"code": "Success",
  "data": {"items": [{"id": "u1", "email": "ann@example.com", "role": "Account Administrator",
   "active": true, "given_name": "Ann"}], "next_cursor": "c2"}}},
 {"method": "GET", "path": "/v1/users?active=true&cursor=c2&limit=1000", "json": {"code": "Success",
  "data": {"items": [{"id": "u2", "email": "bob@example.com", "role": "Account Reviewer",
   "active": true, "given_name": "Bob"}]}}},
 {"method": "GET", "path": "/v1/users?limit=1", "json": {"code": "Success",
  "data": {"items": [{"id": "u1", "email": "ann@example.com"}], "next_cursor": "c2"}}},
 {"method": "GET", "path": "/v1/users/u%2F1", "json": {"code": "Success",
  "data": {"id": "u/1", "email": "ann@example.com", "active": true, "role": "Account Reviewer"}}},
 {"method": "POST", "path": "/v1/users", "status": 201, "json": {"code": "Success",
  "data": {"id": "u9", "email": "new@example.com"}}},
 {"method": "DELETE", "path": "/v1/users/u1", "json": {"code": "Success",
  "message": "User has been deleted"}},
 {"method": "POST", "path": "/v1/system-keys", "status": 201, "json": {"code": "Success",
  "data": {"id": "k1", "name": "ci", "key": "key-public-1", "secret": "sk-very-secret-77f1",
   "permissions": []}}},
 {"method": "GET", "path": "/v1/system-keys?limit=1000", "json": {"code": "Success",
  "data": {"items": [{"id": "k1", "name": "ci", "secret": "sk-listed-secret-19ab"}]}}},
 {"method": "POST", "path": "/v1/proxy/a1/regenerate-secrets", "json": {"code": "Success",
  "data": {"agent_id": "a1", "auth_token": "tok-proxy-5521", "client_cert": "CERT",
   "client_private_key": "pk-proxy-9e0c"}}},
 {"method": "POST", "path": "/v1/hybrid-deployment-agents", "status": 201, "json": {"code": "Success",
  "data": {"id": "ag1", "display_name": "a", "token": "tok-agent-3c3c",
   "files": {"config_json": "e30=", "auth_json": "auth-file-secret-8d8d", "docker_compose_yaml": "eQ=="}}}},
 {"method": "GET", "path": "/public/connector-types", "json": {"code": "Success",
  "data": {"id": "public", "name": "Public"}}},
 {"method": "PATCH", "path": "/v1/connections/c1/state", "json": {"code": "Success",
  "data": {"state": {"cursor": 5}}}},
 {"method": "GET", "path": "/v1/connections/c1/certificates?limit=1000", "json": {"code": "Success",
  "data": {"items": [{"hash": "h1", "name": "cert"}]}}},
 {"method": "GET", "path": "/v1/external-secrets-managers-entities", "json": {"code": "Success",
  "data": {"items": [{"id": "e1", "name": "one", "type": "SOURCE"}, {"id": "e2", "name": "two", "type": "SOURCE"}]}}},
 {"method": "POST", "path": "/v1/connector-sdk/packages", "status": 201, "json": {"code": "Success",
  "data": {"id": "p1", "created_at": "2026-01-01T00:00:00Z"}}},
 {"method": "GET", "path": "/v1/connector-sdk/packages/p1/download", "raw": "PK\u0003\u0004zip-bytes"},
 {"method": "POST", "path": "/v1/transformations/t1/cancel", "json": {"code": "Success",
  "message": "Transformation cancelled"}}
]
EOF
python3 "$(dirname "$0")/mock_api.py" "$TMP/routes.json" "$TMP/log.jsonl" >"$TMP/mock.url" 2>"$TMP/mock.err" &
PIDS="$PIDS $!"
for _ in $(seq 100); do
    BASE=$(head -n 1 "$TMP/mock.url" 2>/dev/null)
    case "$BASE" in http*) break ;; esac
    sleep 0.05
done
export FIVETRAN_BASE_URL=$BASE

# The log's requests since the last mark, in a python check.
mark() { : >"$TMP/log.jsonl"; }
req() {
    local desc=$1
    CHECKS=$((CHECKS + 1))
    if python3 - "$TMP/log.jsonl" "$2" <<'EOF' 2>"$TMP/py.err"; then
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
exec(sys.argv[2])
EOF
        pass "$desc"
    else
        fail "$desc: $(tail -n 3 "$TMP/py.err")"
    fi
}

mark
run users list --active yes
expect_rc 0 "users list --active yes (streamed)"
req "the filter is in the query of every page" '
assert [r["path"] for r in reqs] == ["/v1/users?active=true&limit=1000",
                                     "/v1/users?active=true&cursor=c2&limit=1000"], reqs
assert reqs[0]["accept"] == "application/json", reqs'
py "every item of every page, one a line" 'assert [u["id"] for u in lines] == ["u1", "u2"], lines'
run users list --active true -o table
expect_out "^ID +EMAIL +ROLE +ACTIVE +CREATED_AT$" "table header: id and name-like columns"
expect_out "^u2 +bob@example.com +Account Reviewer +true +-$" "a table row"
mark
run users list --limit 1
expect_rc 0 "users list --limit 1"
req "one page of 1" 'assert [r["path"] for r in reqs] == ["/v1/users?limit=1"], reqs'
expect_err "next page: --page c2" "the next cursor on stderr"

mark
run users get u/1
expect_rc 0 "users get with an id that needs encoding"
req "GET of the encoded path" '
assert [(r["method"], r["path"]) for r in reqs] == [("GET", "/v1/users/u%2F1")], reqs'
py "the data is printed" 'assert doc == {"id": "u/1", "email": "ann@example.com", "active": True,
                                       "role": "Account Reviewer"}, doc'
run users get u/1 -o table
expect_out "^email: +ann@example.com$" "table: key and value lines"
expect_out "^active: +true$" "... booleans as true/false"
run users get nobody
expect_rc 5 "a 404 exits 5"

mark
run users invite --email new@example.com --given-name N --family-name E
expect_rc 0 "users invite"
req "POST with the JSON body" '
r = reqs[0]
assert (r["method"], r["path"]) == ("POST", "/v1/users"), r
assert r["content_type"] == "application/json", r
assert json.loads(r["body"]) == {"email": "new@example.com", "given_name": "N",
                                 "family_name": "E"}, r'

mark
run users delete u1
expect_rc 2 "users delete without a terminal or --yes"
expect_err "refused: users delete u1 needs confirmation" "... refuses"
req "nothing was sent" 'assert reqs == [], reqs'
run users delete u1 --yes
expect_rc 0 "users delete --yes"
req "DELETE sent" 'assert [(r["method"], r["path"]) for r in reqs] == [("DELETE", "/v1/users/u1")], reqs'
py "the API message is printed" 'assert lines == [{"ok": True, "message": "User has been deleted"}], lines'

# On a terminal the question shows the request; "n" sends nothing, "y" sends it.
mark
pty_run n --no-color users delete u1
expect_rc 1 "answering n exits 1"
expect_out "users delete u1" "the question names the verb and id"
expect_out "DELETE /users/u1: it cannot be undone" "... and the request"
expect_out "cancelled, nothing was changed" "declining says so"
req "nothing was sent after n" 'assert reqs == [], reqs'
pty_run y --no-color users delete u1
expect_rc 0 "answering y sends it"
req "DELETE sent after y" 'assert [(r["method"], r["path"]) for r in reqs] == [("DELETE", "/v1/users/u1")], reqs'

run system-keys create --name ci
expect_rc 0 "system-keys create"
py "the secret is masked in JSON" '
assert doc["secret"] == "******" and doc["key"] == "key-public-1", doc'
expect_no "sk-very-secret-77f1" "the secret value is never printed"
expect_err "secret fields are shown as \*\*\*\*\*\*; --secret-file PATH saves them" "a note says how to keep it"
run system-keys create --name ci --jq .secret
expect_out '^\*\*\*\*\*\*$' "--jq sees the masked value"
expect_no "sk-very-secret-77f1" "... never the secret"
run system-keys create --name ci -o table
expect_out "^secret: +\*\*\*\*\*\*$" "masked in table output"
expect_no "sk-very-secret-77f1" "... and not printed there either"
run system-keys create --name ci --secret-file "$TMP/key.json"
expect_rc 0 "system-keys create --secret-file"
expect_no "sk-very-secret-77f1" "still masked on stdout"
CHECKS=$((CHECKS + 1))
if [ "$(stat -c %a "$TMP/key.json")" = 600 ] &&
    python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"secret": "sk-very-secret-77f1"}' "$TMP/key.json"; then
    pass "--secret-file holds the secret, mode 0600"
else
    fail "--secret-file holds the secret, mode 0600"
fi
mark
run system-keys create --name ci --secret-file "$TMP/key.json"
expect_rc 2 "an existing --secret-file is refused"
req "... before anything is sent" 'assert reqs == [], reqs'
mark
cd "$TMP" && run system-keys create --name ci --secret-file -
cd - >/dev/null || exit 1
expect_rc 2 "--secret-file - is refused (secrets are never printed; no file named '-')"
expect_err "--secret-file wants the path of a new file" "... saying what it wants"
req "... before anything is sent" 'assert reqs == [], reqs'
CHECKS=$((CHECKS + 1))
if [ -e "$TMP/-" ]; then fail "a file named '-' was created"; else pass "no file named '-'"; fi
run system-keys list
py "secrets masked in list lines" 'assert lines == [{"id": "k1", "name": "ci", "secret": "******"}], lines'
run system-keys list -o wide
expect_no "sk-listed-secret-19ab" "... and in wide tables"
expect_out "\*\*\*\*\*\*" "the wide table shows the mask"

mark
run proxy regenerate-secrets a1 --yes
expect_rc 0 "proxy regenerate-secrets --yes"
req "a POST without a body" '
r = reqs[0]
assert (r["method"], r["path"]) == ("POST", "/v1/proxy/a1/regenerate-secrets"), r
assert r["content_type"] is None and r["content_length"] == "0" and r["body"] == "", r'
py "proxy credentials masked" '
assert doc == {"agent_id": "a1", "auth_token": "******", "client_cert": "CERT",
               "client_private_key": "******"}, doc'
expect_no "tok-proxy-5521" "the token is not printed"
expect_no "pk-proxy-9e0c" "the private key is not printed"
run proxy regenerate-secrets a1
expect_rc 2 "regenerate-secrets asks first (refused without a terminal)"

run hybrid-deployment-agents create --display-name a --env-type DOCKER --accept-terms true
expect_rc 0 "hybrid-deployment-agents create"
py "nested secrets masked too" '
assert doc["token"] == "******" and doc["files"]["auth_json"] == "******", doc
assert doc["files"]["config_json"] == "e30=", doc'
expect_no "auth-file-secret-8d8d" "the agent's auth file is not printed"

mark
run metadata connector-types public
expect_rc 0 "metadata connector-types public"
req "a host-root path (no /v1)" 'assert [r["path"] for r in reqs] == ["/public/connector-types"], reqs'

mark
run connectors set-state c1 --state '{"cursor":5}'
expect_rc 0 "connectors set-state (a generated verb of a hand-written resource)"
req "PATCH with Accept version 2" '
r = reqs[0]
assert (r["method"], r["path"]) == ("PATCH", "/v1/connections/c1/state"), r
assert r["accept"] == "application/json;version=2", r
assert json.loads(r["body"]) == {"state": {"cursor": 5}}, r'
mark
run connectors certificates list c1
expect_rc 0 "connectors certificates list"
req "Accept version 1 where the definition says so" '
assert reqs[0]["accept"] == "application/json", reqs'

mark
run external-secrets-managers all-entities --esm-id 'e 1' --type SOURCE
expect_rc 0 "external-secrets-managers all-entities"
req "query parameters of a verb that is not a list" '
assert [r["path"] for r in reqs] == ["/v1/external-secrets-managers-entities?esm_id=e%201&type=SOURCE"], reqs'
py "its items, one a line" 'assert [e["id"] for e in lines] == ["e1", "e2"], lines'

printf 'zip-content\001' >"$TMP/pkg.zip"
mark
run connector-sdk packages create --file "$TMP/pkg.zip"
expect_rc 0 "connector-sdk packages create --file"
req "a multipart upload with the file" '
r = reqs[0]
assert r["content_type"].startswith("multipart/form-data; boundary="), r
assert "name=\"file\"" in r["body"] and "zip-content\x01" in r["body"], r'
run connector-sdk packages download p1 --output "$TMP/got.zip"
expect_rc 0 "connector-sdk packages download --output"
CHECKS=$((CHECKS + 1))
if [ "$(cat "$TMP/got.zip")" = "$(printf 'PK\003\004zip-bytes')" ]; then
    pass "the file holds the body"
else
    fail "the file holds the body"
fi
run connector-sdk packages download p1 --output -
expect_out "zip-bytes" "--output - writes stdout"

mark
run transformations cancel t1 -o table
expect_rc 0 "transformations cancel"
expect_out "^Transformation cancelled$" "the message in table mode"
req "POST without a body" 'assert reqs[0]["content_length"] == "0", reqs'

finish
