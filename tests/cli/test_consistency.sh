#!/usr/bin/env bash
# One behaviour where there were two: webhooks sign output, base URL errors, flags that
# do not apply, 405/413/414, CLI words in library errors, connectors test and sync exit
# statuses.
. "$(dirname "$0")/lib.sh"
start_sandbox --seed demo

# webhooks sign prints the bare signature on a pipe too, so it feeds verify.
export HOOK_SECRET=consistency-hook-secret
printf '{"event":"sync_end"}' >"$TMP/body"
sig=$("$FIVETREX" webhooks sign --secret-env HOOK_SECRET <"$TMP/body")
CHECKS=$((CHECKS + 1))
if [[ "$sig" =~ ^[0-9A-Fa-f]{64}$ ]]; then pass "sign on a pipe prints the bare signature"; else fail "sign on a pipe printed '$sig'"; fi
run_in "$TMP/body" webhooks verify --secret-env HOOK_SECRET --signature "$sig"
expect_rc 0 "sig=\$(... sign) then verify --signature \"\$sig\" succeeds"
run_in "$TMP/body" -o json webhooks sign --secret-env HOOK_SECRET
expect_rc 0 "sign -o json"
py "-o json gives the object" 'assert lines[0]["signature"].lower() == "'"${sig,,}"'" and lines[0]["body_bytes"] == 20, lines'

# A malformed base URL is a usage error that names it, never an authentication error.
run --base-url 'not a url' groups list
expect_rc 2 "a malformed --base-url is a usage error"
expect_err "^fivetrex: --base-url: 'not a url' is not a base URL" "the error names --base-url"
expect_no "FIVETRAN_API_SECRET" "and gives no credentials hint"
FIVETRAN_BASE_URL='ftp://host/v1' run groups list
expect_rc 2 "a malformed \$FIVETRAN_BASE_URL is a usage error"
expect_err 'FIVETRAN_BASE_URL' "the error names the variable"
run --base-url 'https://user:base-url-secret-3e@api.example/v1' groups list
expect_rc 2 "a base URL with credentials is refused"
expect_no "base-url-secret-3e" "its password is not printed"

# Flags that would be ignored are refused.
run connectors sync speak_inexpensive --poll-interval 1
expect_rc 2 "sync --poll-interval without --wait is a usage error"
run connectors sync speak_inexpensive --deadline 10
expect_rc 2 "sync --deadline without --wait is a usage error"
run webhooks create --help
expect_out -- '--active false' "webhooks create --help documents --active"

# Library words become CLI words.
FIVETRAN_API_KEY= run groups list
expect_rc 4 "missing key exits 4"
expect_err 'set FIVETRAN_API_KEY or use --api-key' "missing key in CLI words"
expect_no "ftx_client_options" "no library option names"
FIVETRAN_API_SECRET= run groups list
expect_err 'set FIVETRAN_API_SECRET or use --api-secret-file' "missing secret in CLI words"
run api '/groups/a b'
expect_rc 3 "a path with a space is refused"
expect_no "ftx_path_build" "no library function names"
expect_err 'percent-encode' "the path error says what to do"

# connectors test exits 3 when a setup test fails, like destinations test.
run connectors create --group decent_dropsy --service postgres --data '{"config":{"schema":"failing_pg","sandbox_fail":true}}'
expect_rc 0 "create a connector whose setup tests fail"
FAILING=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT")
run connectors test "$FAILING"
expect_rc 3 "connectors test with a failed setup test exits 3"
expect_err "setup test failed" "the failed test is named"
run connectors test speak_inexpensive
expect_rc 0 "connectors test with passing tests exits 0"

# sync on a paused connector: the same answer with and without --wait.
run connectors sync nostalgic_cumin
expect_rc 3 "sync on a paused connector exits 3"
expect_err "paused" "and says it is paused"
run connectors sync nostalgic_cumin --wait
expect_rc 3 "sync --wait on a paused connector exits 3 too"

# 405, 413 and 414: named, with a hint, exit 3.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 - "$PORT" >/dev/null 2>&1 <<'PYEOF' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        code = int(self.path.rsplit("/", 1)[-1][1:4])
        body = json.dumps({"code": "Error", "message": "status %d" % code}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_GET = do_POST = do_PATCH = do_DELETE = answer
    def log_message(self, *a):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PYEOF
PIDS="$PIDS $!"
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/v1/s200" && break
    sleep 0.05
done
for c in "405 method_not_allowed not available" "413 request_too_large too large" \
    "414 uri_too_long too long"; do
    set -- $c
    run --retries 0 --base-url "http://127.0.0.1:$PORT/v1" connectors pause "s$1"
    expect_rc 3 "HTTP $1 exits 3"
    expect_err "$2" "HTTP $1 is named $2"
    expect_err "hint: .*$3" "HTTP $1 has a hint"
done

finish
