#!/usr/bin/env bash
# api: any operation by method and path, --paginate, --create, --v2, errors.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

run api /account/info
expect_rc 0 "api /account/info"
py "the whole envelope is printed, data included" '
assert doc["code"] == "Success", doc
assert isinstance(doc["data"]["account_id"], str) and doc["data"]["account_id"], doc'

run api /groups --paginate --limit 3
expect_rc 0 "api /groups --paginate --limit 3"
py "--paginate prints every item of every page as a JSON line" '
assert [g["id"] for g in lines] == ["decent_dropsy", "projected_sickle", "deck_enjoy", "amber_lagoon"], lines'

run api /groups --limit 2
expect_rc 0 "api /groups without --paginate"
py "without --paginate the one response is printed" '
assert doc["code"] == "Success" and "items" in doc["data"], doc'

run api POST /groups --create --data '{"name":"made_by_api"}'
expect_rc 0 "api POST /groups --create"
py "the created group comes back" 'assert doc["data"]["name"] == "made_by_api", doc'
GID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["data"]["id"])' "$OUT")

run api PATCH "/groups/$GID" --data '{"name":"renamed"}'
expect_rc 0 "api PATCH"
py "PATCH applied" 'assert doc["data"]["name"] == "renamed", doc'

run api /connections/speak_inexpensive --v2
expect_rc 0 "api --v2 connection details"
py "connection details" 'assert doc["data"]["id"] == "speak_inexpensive", doc'

run api DELETE "/groups/$GID"
expect_rc 0 "api DELETE"
run api "/groups/$GID"
expect_rc 5 "api GET of a deleted group exits 5 (not found)"

run api PUT /groups
expect_rc 2 "an unknown method is a usage error"
run api POST /groups --paginate
expect_rc 2 "--paginate with POST is a usage error"
run api
expect_rc 2 "a missing PATH is a usage error"
run api 'groups'
expect_rc 3 "a path without a leading slash is an invalid argument"
run api POST /groups --data '{"name":'
expect_rc 2 "invalid --data JSON is a usage error"

finish
