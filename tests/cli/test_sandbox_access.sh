#!/usr/bin/env bash
# fivetrex-sandbox's credentials (command line, --api-secret-file, environment) and its
# --verbose request log (one line per request, the injected fault named, no secret ever).
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null 2>&1 || { echo "SKIP: curl not installed" >&2; exit 77; }

SECRET=$FIVETRAN_API_SECRET # test-secret-do-not-print-8c1f (lib.sh)
WRONG=wrong-secret-3b9d

# sbx_err: the current sandbox's stderr.
sbx_err() { cat "$TMP/sandbox.$SBX_N.err"; }

# no_secret_in_sandbox_log DESCRIPTION: neither the secret, the Basic credential nor an
# Authorization header shows in the sandbox's stderr.
no_secret_in_sandbox_log() {
    CHECKS=$((CHECKS + 1))
    local b64
    b64=$(printf '%s' "test_key:$SECRET" | base64 | tr -d '\n')
    if grep -Fq -e "$SECRET" -e "$b64" -e "Basic " "$TMP/sandbox.$SBX_N.err" ||
        grep -Fqi "authorization:" "$TMP/sandbox.$SBX_N.err"; then
        fail "$1: the sandbox's stderr shows the secret"
        sbx_err >&2
    else
        pass "$1"
    fi
}

# sandbox_log_has REGEX DESCRIPTION (grep -E on the sandbox's stderr)
sandbox_log_has() {
    CHECKS=$((CHECKS + 1))
    if grep -Eq -- "$1" "$TMP/sandbox.$SBX_N.err"; then
        pass "$2"
    else
        fail "$2: the sandbox's stderr lacks /$1/"
        sbx_err >&2
    fi
}

stop_sandbox() {
    kill "$SBX_PID" 2>/dev/null
    wait "$SBX_PID" 2>/dev/null
}

# sandbox_fails RC REGEX DESCRIPTION ARGS...: the sandbox refuses to start.
sandbox_fails() {
    local want=$1 re=$2 desc=$3
    shift 3
    "$FIVETREX_SANDBOX" --port 0 "$@" >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc "$want" "$desc"
    expect_err "$re" "$desc: the message"
    expect_no "$SECRET" "$desc: the secret is not shown"
}

# ---- the secret from the environment (the key too) ----
FIVETREX_SANDBOX_API_KEY=test_key FIVETREX_SANDBOX_API_SECRET=$SECRET start_sandbox --verbose
CHECKS=$((CHECKS + 1))
if tr '\0' ' ' <"/proc/$SBX_PID/cmdline" | grep -Fq "$SECRET"; then
    fail "the secret is on the sandbox's command line"
else
    pass "the secret is not on the sandbox's command line (ps)"
fi
run groups list
expect_rc 0 "FIVETREX_SANDBOX_API_SECRET: the right secret is accepted"
FIVETRAN_API_SECRET=$WRONG run groups list
expect_rc 4 "FIVETREX_SANDBOX_API_SECRET: a wrong secret is 401 (exit 4)"
FIVETRAN_API_KEY=other_key run groups list
expect_rc 4 "FIVETREX_SANDBOX_API_KEY: another key is 401 (exit 4)"
sandbox_log_has '^fivetrex-sandbox: #1 GET /v1/groups(\?[^ ]*)? -> 200 \([0-9]+ ms\)$' \
    "verbose: the accepted request is line #1 with its status and time"
sandbox_log_has '^fivetrex-sandbox: #2 GET /v1/groups(\?[^ ]*)? -> 401 \([0-9]+ ms; wrong credentials\)$' \
    "verbose: the refused request says wrong credentials"
CHECKS=$((CHECKS + 1))
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/groups")
if [ "$code" = 401 ]; then pass "no Authorization header: 401"; else fail "no header: $code"; fi
sandbox_log_has '^fivetrex-sandbox: #4 GET /v1/groups -> 401 \([0-9]+ ms; no Authorization header\)$' \
    "verbose: the request without credentials says so"
no_secret_in_sandbox_log "env secret: not in the --verbose log"
stop_sandbox

# ---- the secret from a file: first line, its line ending stripped ----
printf '%s\nsecond line is ignored\n' "$SECRET" >"$TMP/secret"
FIVETREX_SANDBOX_API_SECRET=$WRONG start_sandbox --verbose --api-key test_key \
    --api-secret-file "$TMP/secret"
run groups list
expect_rc 0 "--api-secret-file: the right secret is accepted (the file wins over the environment)"
FIVETRAN_API_SECRET=$WRONG run groups list
expect_rc 4 "--api-secret-file: the environment's secret is refused"
no_secret_in_sandbox_log "file secret: not in the --verbose log"
stop_sandbox

printf '%s\r\n' "$SECRET" >"$TMP/secret.crlf"
start_sandbox --api-key test_key --api-secret-file "$TMP/secret.crlf"
run groups list
expect_rc 0 "--api-secret-file: a CRLF line ending is stripped too"
stop_sandbox

# ---- the command line wins over the file ----
start_sandbox --api-key test_key --api-secret "$WRONG" --api-secret-file "$TMP/secret"
run groups list
expect_rc 4 "--api-secret wins over --api-secret-file"
FIVETRAN_API_SECRET=$WRONG run groups list
expect_rc 0 "--api-secret's value is the one required"
stop_sandbox

# ---- startup errors ----
sandbox_fails 2 "cannot read --api-secret-file $TMP/nope: No such file" \
    "a missing --api-secret-file" --api-key k --api-secret-file "$TMP/nope"
: >"$TMP/empty"
sandbox_fails 2 "--api-secret-file $TMP/empty: the first line is empty" \
    "an empty --api-secret-file" --api-key k --api-secret-file "$TMP/empty"
printf '\n%s\n' "$SECRET" >"$TMP/blank-first"
sandbox_fails 2 "the first line is empty" "a secret file whose first line is blank" \
    --api-key k --api-secret-file "$TMP/blank-first"
if [ "$(id -u)" -ne 0 ]; then
    printf '%s\n' "$SECRET" >"$TMP/unreadable"
    chmod 000 "$TMP/unreadable"
    sandbox_fails 2 "cannot read --api-secret-file .*: Permission denied" \
        "an unreadable --api-secret-file" --api-key k --api-secret-file "$TMP/unreadable"
fi
FIVETREX_SANDBOX_API_SECRET=$SECRET sandbox_fails 2 "an API secret needs an API key" \
    "a secret without a key"
sandbox_fails 2 "an API key needs an API secret" "a key without a secret" --api-key k
FIVETREX_SANDBOX_API_KEY=k sandbox_fails 2 "an API key needs an API secret" \
    "a key from the environment without a secret"
sandbox_fails 2 "--tls-cert and --tls-key go together" "--tls-cert alone" --tls-cert x.pem

# ---- HTTPS: --tls-cert/--tls-key (a self-signed certificate for 127.0.0.1) ----
if command -v openssl >/dev/null 2>&1; then
    for n in a b; do
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
            -addext subjectAltName=IP:127.0.0.1 -keyout "$TMP/key.$n.pem" \
            -out "$TMP/cert.$n.pem" >/dev/null 2>&1
    done
    start_sandbox --seed demo --verbose --tls-cert "$TMP/cert.a.pem" --tls-key "$TMP/key.a.pem"
    CHECKS=$((CHECKS + 1))
    case "$BASE" in
    https://127.0.0.1:*/v1) pass "with TLS the first line is an https:// URL" ;;
    *) fail "with TLS the first line is $BASE" ;;
    esac
    curl -s --cacert "$TMP/cert.a.pem" -u "test_key:$SECRET" "$BASE/groups?limit=1" >"$OUT"
    RC=$?
    expect_rc 0 "HTTPS with the certificate trusted"
    py "HTTPS: the demo's first group" 'assert doc["data"]["items"][0]["id"] == "decent_dropsy"'
    curl -s -u "test_key:$SECRET" "$BASE/groups?limit=1" >"$OUT"
    RC=$?
    expect_rc 60 "HTTPS without the CA: curl cannot verify the certificate"
    run --ca-file "$TMP/cert.a.pem" --limit 1 groups list
    expect_rc 0 "fivetrex --ca-file: the CLI trusts the sandbox's certificate"
    py "fivetrex --ca-file: the demo's first group" 'assert lines[0]["id"] == "decent_dropsy"'
    run --limit 1 groups list
    expect_rc 9 "fivetrex without --ca-file: a transport error"
    expect_err "certificate|TLS|SSL" "fivetrex without --ca-file: the error names the certificate check"
    sandbox_log_has '^fivetrex-sandbox: #1 GET /v1/groups\?limit=1 -> 200 ' \
        "verbose over HTTPS"
    no_secret_in_sandbox_log "HTTPS: no secret in the log"
    stop_sandbox
    sandbox_fails 2 "--tls-key .*key.b.pem does not match the certificate" \
        "a key that does not match the certificate" --tls-cert "$TMP/cert.a.pem" \
        --tls-key "$TMP/key.b.pem"
    sandbox_fails 2 "--tls-cert .*key.a.pem: no PEM certificate" "a key given as the certificate" \
        --tls-cert "$TMP/key.a.pem" --tls-key "$TMP/key.a.pem"
    sandbox_fails 2 "cannot read --tls-key $TMP/nope.pem: No such file" "a missing key file" \
        --tls-cert "$TMP/cert.a.pem" --tls-key "$TMP/nope.pem"
else
    echo "note: openssl not installed, HTTPS checks skipped (scripts/install-deps.sh)"
fi

# ---- --verbose names the injected fault ----
start_sandbox --verbose --fault-rate-429 1 --latency-ms 20
curl -s -o /dev/null -u "test_key:$SECRET" "$BASE/groups?limit=2"
curl -s -o /dev/null "$BASE/connections"
sandbox_log_has '^fivetrex-sandbox: #1 GET /v1/groups\?limit=2 -> 429 \((2[0-9]|[3-9][0-9]|[0-9]{3,}) ms; fault: latency 20 ms, rate limit\)$' \
    "verbose: a 429 fault is named, with the latency"
sandbox_log_has '^fivetrex-sandbox: #2 GET /v1/connections -> 429 \([0-9]+ ms; fault: latency 20 ms, rate limit\)$' \
    "verbose: the fault comes before auth"
no_secret_in_sandbox_log "fault run: no secret in the log"
stop_sandbox

start_sandbox --verbose --fault-rate-429 0.2 --fault-rate-5xx 0.2 --fault-drop 0.2 \
    --fault-truncate 0.2 --random-seed 11
: >"$TMP/outcomes"
for i in $(seq 1 40); do
    code=$(curl -s -o /dev/null -w '%{http_code}' -u "test_key:$SECRET" "$BASE/groups?limit=$i")
    echo "$i $? $code" >>"$TMP/outcomes"
done
cp "$TMP/sandbox.$SBX_N.err" "$OUT"
py "verbose: each faulted request's line names its fault (429, 5xx, drop, truncate)" '
import re
log = {}
for l in out.splitlines():
    m = re.match(r"fivetrex-sandbox: #(\d+) GET /v1/groups\?limit=(\d+) -> (\d+|no answer) \(\d+ ms(?:; fault: ([a-z0-9 ]+))?\)$", l)
    if m:
        assert int(m.group(1)) == int(m.group(2)), l  # numbered in arrival order
        log[int(m.group(2))] = (m.group(3), m.group(4))
seen = set()
for l in open(sys.argv[1].rsplit("/", 1)[0] + "/outcomes"):
    i, rc, code = l.split()
    status, fault = log[int(i)]
    if rc == "52":  # empty reply
        want = ("no answer", "drop")
    elif rc == "18":  # partial body
        want = ("200", "truncate")
    elif code == "429":
        want = ("429", "rate limit")
    elif code in ("500", "503"):
        want = (code, "server error " + code)
    else:
        assert rc == "0" and code == "200", l
        want = ("200", None)
    assert (status, fault) == want, (l, status, fault)
    seen.add(want[1])
assert {None, "drop", "truncate", "rate limit"} <= seen, seen
assert seen & {"server error 500", "server error 503"}, seen
assert len(log) == 40, len(log)'
stop_sandbox

finish
