#!/usr/bin/env bash
# api: any operation by method and path, --paginate, --create, --v2, errors.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

run api /account/info
expect_rc 0 "api /account/info"
py "the whole envelope is printed, data included" '
assert doc["code"] == "Success", doc
assert isinstance(doc["data"]["account_id"], str) and doc["data"]["account_id"], doc'

run api /groups --paginate
expect_rc 0 "api /groups --paginate"
py "--paginate prints every item of every page as a JSON line" '
assert [g["id"] for g in lines] == ["decent_dropsy", "projected_sickle", "deck_enjoy", "amber_lagoon"], lines'

run api /groups
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
run api 'groups/projected_sickle'
expect_rc 0 "a path without a leading slash is relative to the base URL (gh's habit)"
py "the path without a slash reaches the group" 'assert doc["data"]["id"] == "projected_sickle", doc'
run api get /groups/projected_sickle
expect_rc 0 "a lowercase method is accepted"
run api POST /groups -f name=from_field -F "note=@$0" --dry-run
expect_rc 0 "-f and -F with --dry-run"
py "-f/-F fields go into the body" '
d = lines[0]
assert d["method"] == "POST" and d["path"] == "/groups", d
assert d["body"]["name"] == "from_field" and "test_api.sh" in d["body"]["note"], d'
run api GET /groups -f limit=2 -F x=true --dry-run
py "-f on a GET goes into the query string" 'assert lines[0]["path"] == "/groups?limit=2&x=true", lines'
run api POST /groups -F n=12 -F r=1.5 -F b=false -F z=null -f s=12 --dry-run
py "-F values are typed, -f values strings" '
assert lines[0]["body"] == {"n": 12, "r": 1.5, "b": False, "z": None, "s": "12"}, lines'
run api /groups -f nokey
expect_rc 2 "-f without = is a usage error"
run api /groups -H 'Accept: application/json;version=2' -v
expect_rc 0 "-H Accept is accepted"
run api /groups -H 'X-Thing: 1'
expect_rc 2 "-H of another header is a usage error"
expect_err "only 'Accept" "the message says what -H can set"
run api /groups --limit 2
expect_rc 2 "--limit without --paginate is a usage error"
run api /groups --paginate --limit 3
expect_rc 0 "--paginate --limit 3"
py "--paginate --limit 3 prints three items" 'assert len(lines) == 3, lines'
run api GET /groups --data '{}'
expect_rc 2 "--data with GET is a usage error"
run api POST /groups --data '{"name":'
expect_rc 2 "invalid --data JSON is a usage error"

finish
