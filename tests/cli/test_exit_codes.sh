#!/usr/bin/env bash
# One distinct exit status per error class, each against a sandbox that produces it.
. "$(dirname "$0")/lib.sh"

# 4: authentication. The sandbox enforces credentials when given some.
start_sandbox --seed demo --api-key right_key --api-secret right-secret-5d2e
FIVETRAN_API_KEY=right_key FIVETRAN_API_SECRET=right-secret-5d2e run groups list
expect_rc 0 "right credentials"
FIVETRAN_API_KEY=right_key FIVETRAN_API_SECRET=wrong-secret-91aa run -o table groups list
expect_rc 4 "wrong secret exits 4"
expect_err "unauthorized" "401 is named"
expect_err "hint: check the API key and secret" "401 has a hint"
expect_no "wrong-secret-91aa" "the wrong secret is never printed"
printf 'right-secret-5d2e\n' >"$TMP/secret"
FIVETRAN_API_SECRET= run --api-key right_key --api-secret-file "$TMP/secret" groups list
expect_rc 0 "--api-secret-file works"
FIVETRAN_API_SECRET= run_in "$TMP/secret" --api-key right_key --api-secret-file - groups list
expect_rc 0 "--api-secret-file - reads stdin"

# 5 not found, 6 conflict, 3 invalid argument / invalid state / bad request.
start_sandbox --seed demo
run groups get no_such_group
expect_rc 5 "not found exits 5"
run destinations create --group decent_dropsy --service snowflake --time-zone-offset 0
expect_rc 6 "conflict exits 6"
run connectors frequency speak_inexpensive 7
expect_rc 3 "invalid argument (caught before sending) exits 3"
run connectors sync nostalgic_cumin --wait
expect_rc 3 "invalid state (sync --wait on a paused connector) exits 3"
expect_err "paused" "invalid state says why"
run connectors create --group decent_dropsy --service 'Not A Service!'
expect_rc 3 "bad request (400 from the API) exits 3"

# 7 rate limited, 8 server, 9 transport, 10 decode: fault injection.
start_sandbox --seed demo --fault-rate-429 1
run --retries 0 groups list
expect_rc 7 "429 exits 7"
expect_err "rate_limited" "429 is named"
expect_err "wait 1 s" "429 hint gives Retry-After"

start_sandbox --seed demo --fault-rate-5xx 1
run --retries 0 groups get decent_dropsy
expect_rc 8 "5xx exits 8"
expect_err "server" "5xx is named"

start_sandbox --seed demo --fault-drop 1
run --retries 0 groups get decent_dropsy
expect_rc 9 "dropped connection exits 9"

start_sandbox --seed demo --latency-ms 2000
run --retries 0 --timeout 0.3 groups get decent_dropsy
expect_rc 9 "request timeout exits 9"

start_sandbox --seed demo --fault-truncate 1
run --retries 0 groups get decent_dropsy
expect_rc 9 "a body cut short of its Content-Length is a transport error (exit 9)"

# 10: a 2xx whose body is not the API's JSON (a static web server, not the API).
mkdir -p "$TMP/www/v1/groups"
printf '<html>not the API</html>' >"$TMP/www/v1/groups/decent_dropsy"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$TMP/www" >/dev/null 2>&1 &
PIDS="$PIDS $!"
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break
    sleep 0.05
done
run --retries 0 --base-url "http://127.0.0.1:$PORT/v1" groups get decent_dropsy
expect_rc 10 "a 200 that is not JSON exits 10"
expect_err "decode" "decode is named"
expect_err "ending in /v1" "decode hint mentions the base URL"

# 11 outcome unknown: a create that fails ambiguously is not retried.
start_sandbox --seed demo --fault-rate-5xx 1
run --retries 3 groups create --name maybe_created
expect_rc 11 "ambiguous create failure exits 11"
expect_err "list before creating again" "outcome unknown says what to do"

finish
