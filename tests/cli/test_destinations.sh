#!/usr/bin/env bash
# destinations: list/get/create/update/delete/test, conflict.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

run destinations list
expect_rc 0 "destinations list"
py "destinations as JSON lines" '
assert {d["id"] for d in lines} >= {"decent_dropsy", "projected_sickle", "deck_enjoy"}
assert all(d["service"] for d in lines)'
run -o table destinations list
py "destinations table" '
rows = out.splitlines()
assert rows[0].split() == ["ID", "SERVICE", "REGION", "TZ", "SETUP_STATUS"]
assert any(r.startswith("decent_dropsy ") and "snowflake" in r for r in rows)'

run -o table destinations get decent_dropsy
expect_rc 0 "destinations get -o table"
expect_out '^service: +snowflake$' "get shows the service"
expect_out '^time_zone_offset: +-5$' "get shows the time zone offset"

run destinations create --group decent_dropsy --service snowflake --time-zone-offset 0
expect_rc 6 "a second destination in a group is a conflict (exit 6)"
expect_err "conflict" "conflict is named"

run destinations create --group amber_lagoon --service postgres_warehouse
expect_rc 2 "create without --time-zone-offset is a usage error"

run destinations create --group amber_lagoon --service postgres_warehouse \
    --time-zone-offset +2 --region GCP_US_EAST4 --config host=pg.internal --config port=5432
expect_rc 0 "destinations create"
py "create returns the destination with its fields" '
assert doc["id"] == "amber_lagoon" and doc["service"] == "postgres_warehouse"
assert doc["time_zone_offset"] == "+2" and doc["region"] == "GCP_US_EAST4"
assert str(doc["config"]["port"]) == "5432"'

run destinations update amber_lagoon --time-zone-offset -3
expect_rc 0 "destinations update"
py "update changes the offset" 'assert doc["time_zone_offset"] == "-3"'

run -o table destinations test amber_lagoon
expect_rc 0 "destinations test"
expect_out '^setup_status: ' "test shows the setup status"
expect_out '^setup_test: +PASSED ' "test lists passed tests"
run destinations test amber_lagoon
py "test JSON has setup_tests" 'assert len(doc["setup_tests"]) >= 1'

run destinations delete amber_lagoon --yes
expect_rc 0 "destinations delete"
run destinations get amber_lagoon
expect_rc 5 "deleted destination is not found"

finish
