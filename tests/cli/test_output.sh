#!/usr/bin/env bash
# Shaping output: --jq FILTER on every verb that prints JSON (libjq); table columns
# aligned by display width.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

run groups list --jq .id
expect_rc 0 "groups list --jq .id"
py "--jq prints string results raw, one a line" '
assert out.splitlines() == ["decent_dropsy", "projected_sickle", "deck_enjoy", "amber_lagoon"], out'
run -q '{n: .name}' groups get decent_dropsy
expect_rc 0 "-q on a single object"
py "non-string results are compact JSON" 'assert out == "{\"n\":\"Primary_Snowflake\"}\n", repr(out)'
run api /account/info --jq .data.account_id
expect_out '^sandbox_account$' "--jq on api"
run --dry-run groups delete x --jq .method
expect_out '^DELETE$' "--jq on a dry run"
run groups list --jq 'select(.id == "deck_enjoy") | .name'
expect_out '^Finance_Redshift$' "a select filter"
run groups list --jq '.id |'
expect_rc 2 "a filter that does not compile is a usage error"
expect_err "does not compile" "and says so"
run groups get decent_dropsy --jq '.name + 1'
expect_rc 1 "a filter that fails at run time exits 1"
expect_err "cannot be added" "with jq's message"
run -o table groups list --jq .id
expect_rc 2 "--jq with -o table is a usage error"

# -o wide: every column.
run -o wide connectors list --group decent_dropsy
expect_rc 0 "connectors list -o wide"
py "-o wide adds columns" '
h = out.splitlines()[0].split()
assert h == ["ID", "GROUP", "SERVICE", "SCHEMA", "STATE", "SETUP", "PAUSED", "FREQ", "SCHEDULE",
             "CREATED_AT", "FAILED_AT", "SUCCEEDED_AT"], h
assert len(out.splitlines()) == 4'
run -o wide webhooks list
py "webhooks -o wide shows CREATED_AT and CREATED_BY" 'assert "CREATED_BY" in out.splitlines()[0]'
run -o wide destinations list
py "destinations -o wide shows GROUP and NETWORKING" 'assert out.splitlines()[0].split()[:2] == ["ID", "GROUP"] and "NETWORKING" in out'
run -o table connectors list --group decent_dropsy
py "-o table keeps the short table" 'assert "SCHEDULE" not in out.splitlines()[0]'
run -o yaml groups list
expect_rc 2 "an unknown -o is a usage error"

# Display width: CJK (two columns each) and emoji names keep the columns aligned.
run groups create --name '数据仓库'
run groups create --name 'café 🚀 ok'
run -o table groups list
py "table columns line up by display width" '
import unicodedata
def width(s):
    w = 0
    for ch in s:
        if unicodedata.combining(ch):
            continue
        w += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
    return w
rows = out.splitlines()
col = rows[0].index("CREATED_AT")
for r in rows[1:]:
    name_end = r.rstrip().rfind("  ")
    # the created_at column starts at the same display column in every row
    prefix = r[:len(r) - len(r.lstrip())]
    k = 0
    for i in range(len(r)):
        if width(r[:i]) == col:
            k = i
            break
    else:
        raise AssertionError("no cell starts at display column %d in %r" % (col, r))
    assert r[k:k+4].isdigit() or r[k:].startswith("20"), (col, r)
    assert r[k-2:k] == "  ", r'

finish
