#!/usr/bin/env bash
# Usage errors, --help at every level, secrets never on argv, --data errors.
# Needs no sandbox.
. "$(dirname "$0")/lib.sh"

run --version
expect_rc 0 "--version"
expect_out '^fivetrex [0-9]+\.[0-9]+\.[0-9]+' "--version prints the version"

run
expect_rc 2 "no arguments is a usage error"
expect_err 'Usage: fivetrex' "no arguments prints the usage"

run --help
expect_rc 0 "--help"
expect_out 'Exit status' "--help documents exit statuses"
expect_out '13  sync --wait: the deadline passed' "--help lists every exit status"

for r in groups connectors destinations webhooks; do
    run $r --help
    expect_rc 0 "$r --help"
    expect_out "Usage: fivetrex $r" "$r --help prints its usage"
    run $r
    expect_rc 2 "$r without a verb"
    run $r frobnicate
    expect_rc 2 "$r with an unknown verb"
    expect_err "unknown command 'frobnicate'" "$r unknown verb is named"
done

for v in "groups list" "groups get" "groups create" "groups update" "groups delete" \
    "connectors list" "connectors get" "connectors create" "connectors update" \
    "connectors sync" "connectors resync" "connectors pause" "connectors resume" \
    "connectors state" "connectors status" "connectors frequency" "connectors schema show" \
    "connectors schema update" "connectors schema reload" "connectors columns" \
    "connectors test" "destinations list" "destinations get" "destinations create" \
    "destinations update" "destinations delete" "destinations test" "webhooks list" \
    "webhooks get" "webhooks create" "webhooks update" "webhooks delete" "webhooks test" \
    "webhooks listen" "webhooks sign" "webhooks verify"; do
    # shellcheck disable=SC2086
    run $v --help
    expect_rc 0 "$v --help"
    expect_out "^Usage: fivetrex $v" "$v --help prints its usage"
done

run nonsense list
expect_rc 2 "unknown resource"
expect_err "unknown resource 'nonsense'" "unknown resource is named"

run groups list --bogus
expect_rc 2 "unknown option"
expect_err "unknown option '--bogus'" "unknown option is named"

run groups get
expect_rc 2 "missing ID"
expect_err "missing argument" "missing ID is reported"

run groups get a b
expect_rc 2 "extra argument"

run -o yaml groups list
expect_rc 2 "unknown output format"
expect_err "use 'table', 'wide' or 'json'" "output formats are listed"

run groups list --limit 0
expect_rc 2 "--limit 0 is refused"

run groups list --limit
expect_rc 2 "--limit without a value"
expect_err "needs a value" "missing option value is reported"

# A secret on argv is refused before anything else happens (ps and history show argv).
run --api-secret hunter2-secret groups list
expect_rc 2 "--api-secret on the command line is refused"
expect_err "FIVETRAN_API_SECRET" "the refusal says where the secret goes"
expect_no "hunter2-secret" "the refused secret is not echoed"

# Missing credentials: auth class.
FIVETRAN_API_KEY= FIVETRAN_API_SECRET= run groups list
expect_rc 4 "missing credentials exit 4"
expect_err "FIVETRAN_API_KEY" "missing credential is named"

# --api-secret-file that does not exist.
run --api-secret-file "$TMP/none" groups list
expect_rc 4 "unreadable --api-secret-file exits 4"

# Invalid --data JSON: usage error naming line and column.
run groups create --data '{"name": "x",
  "oops": }'
expect_rc 2 "invalid inline --data"
expect_err "line 2, column 11" "invalid --data names the line and column"

printf '{\n\n  "name": [1,\n}\n' >"$TMP/bad.json"
run groups create --data "@$TMP/bad.json"
expect_rc 2 "invalid --data file"
expect_err "bad.json at line 4, column 1" "invalid --data file names file, line and column"

printf '[1,2]' >"$TMP/arr.json"
run_in "$TMP/arr.json" groups create --data -
expect_rc 2 "--data - that is not an object"
expect_err "must be a JSON object" "non-object --data is explained"

run groups create --data "@$TMP/missing.json"
expect_rc 2 "--data file that does not exist"
expect_err "cannot read --data file" "unreadable --data file is reported"

run groups create
expect_rc 2 "groups create without --name"

run connectors resync some_id
expect_rc 2 "resync without --confirm is refused"
expect_err "add --yes" "resync refusal names --yes"

run connectors frequency some_id abc
expect_rc 2 "non-numeric frequency"

# Transport failure: nothing listens on port 1.
run --base-url http://127.0.0.1:1/v1 --retries 0 groups get x
expect_rc 9 "connection refused exits 9"
expect_err "hint:" "transport error has a hint"

# bash completion: resources, verbs, sub-verbs and option values.
complete() { :; }
# shellcheck disable=SC1091
. "$(dirname "$0")/../../cli/completion.bash"
compl() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _fivetrex
    printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' >"$OUT"
}
compl fivetrex conn
expect_out '^connectors $' "completion: resource"
compl fivetrex connectors s
expect_out '^schema state status sync $' "completion: connectors verbs"
compl fivetrex -o json connectors schema ""
expect_out '^reload show update $' "completion: schema sub-verbs after a global option"
compl fivetrex connectors sync x --w
expect_out '^--wait $' "completion: verb options"
compl fivetrex -o ""
expect_out '^json table wide $' "completion: --output values"
compl fivetrex groups delete x --y
expect_out '^--yes $' "completion: --yes"
compl fivetrex groups delete x --dr
expect_out '^--dry-run $' "completion: --dry-run"
compl fivetrex api -
expect_out -- '-F -H -f' "completion: api -f -F -H"

# help RESOURCE [VERB] is RESOURCE [VERB] --help; the top-level help lists every verb.
run help connectors
expect_rc 0 "help connectors"
expect_out '^Usage: fivetrex connectors <verb>' "help connectors prints the connectors help"
run help connectors sync
expect_out '^Usage: fivetrex connectors sync ID' "help connectors sync prints the verb's help"
run --help
expect_out 'destinations   list, get' "top-level help lists destinations list"
expect_out -- '--dry-run' "top-level help documents --dry-run"
expect_out -- '-y, --yes' "top-level help documents --yes"
expect_out '130  interrupted' "top-level help documents exit 130"

finish
