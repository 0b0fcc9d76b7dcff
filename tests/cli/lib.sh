# Shared helpers of the CLI tests (sourced by tests/cli/test_*.sh).
#
# Environment (set by ctest, see tests/cli/CMakeLists.txt):
#   FIVETREX          the fivetrex binary under test
#   FIVETREX_SANDBOX  the fivetrex-sandbox binary
#
# Each test runs the real binary against a sandbox started on port 0 and checks exit
# statuses, table output, and JSON output parsed back with python3.

set -u

: "${FIVETREX:?set FIVETREX to the fivetrex binary}"
: "${FIVETREX_SANDBOX:=}"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/fivetrex-cli-test.XXXXXX")
OUT=$TMP/out
ERR=$TMP/err
RC=0
FAILS=0
CHECKS=0
PIDS=""

cleanup() {
    for p in $PIDS; do
        kill "$p" 2>/dev/null
    done
    for p in $PIDS; do
        wait "$p" 2>/dev/null
    done
    [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Credentials the sandbox accepts when started without --api-key (any credentials).
export FIVETRAN_API_KEY=test_key
export FIVETRAN_API_SECRET=test-secret-do-not-print-8c1f
unset FIVETRAN_BASE_URL FIVETRAN_PROFILE NO_COLOR
# Nor the sandbox credentials of the person running the tests (a test sets them itself).
unset FIVETREX_SANDBOX_API_KEY FIVETREX_SANDBOX_API_SECRET
# No profile of the person running the tests applies.
export XDG_CONFIG_HOME=$TMP/xdg

# start_sandbox [sandbox flags...]: start a sandbox on port 0; sets BASE and SBX_PID.
start_sandbox() {
    SBX_N=$((${SBX_N:-0} + 1))
    local log=$TMP/sandbox.$SBX_N
    if [ -z "$FIVETREX_SANDBOX" ] || [ ! -x "$FIVETREX_SANDBOX" ]; then
        echo "SKIP: fivetrex-sandbox not built" >&2
        exit 77
    fi
    "$FIVETREX_SANDBOX" --port 0 "$@" >"$log" 2>"$log.err" &
    SBX_PID=$!
    PIDS="$PIDS $SBX_PID"
    local i=0
    BASE=""
    while [ $i -lt 100 ]; do
        BASE=$(head -n 1 "$log" 2>/dev/null)
        case "$BASE" in http*) break ;; esac
        if ! kill -0 "$SBX_PID" 2>/dev/null; then
            echo "sandbox exited early:" >&2
            cat "$log.err" >&2
            exit 1
        fi
        sleep 0.05
        i=$((i + 1))
    done
    case "$BASE" in
    http*) ;;
    *)
        echo "sandbox did not print its URL" >&2
        exit 1
        ;;
    esac
    export FIVETRAN_BASE_URL=$BASE
}

# run ARGS...: run fivetrex (non-tty stdout: JSON by default), capture OUT/ERR/RC.
run() {
    "$FIVETREX" "$@" >"$OUT" 2>"$ERR"
    RC=$?
}

# pty_run ANSWER ARGS...: fivetrex on a pseudo-terminal, answering ANSWER ("" for none) to
# its "Proceed? [y/N]" question if it asks one; the terminal's text (CRLF as LF) in OUT, the
# exit status in RC.
pty_run() {
    local answer=$1
    shift
    python3 - "$answer" "$FIVETREX" "$@" >"$OUT" 2>"$ERR" <<'PYEOF'
import os, pty, sys, select
answer = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
buf = b""
sent = False
while True:
    r, _, _ = select.select([fd], [], [], 30)
    if not r:
        break
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    buf += chunk
    if not sent and answer and b"Proceed? [y/N]" in buf:
        os.write(fd, (answer + "\n").encode())
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode("utf-8", "replace").replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(status))
PYEOF
    RC=$?
}

# listen_url ERRFILE: wait (up to 10 s) for a background `fivetrex webhooks listen` to print
# "Listening on URL" in ERRFILE, then print the URL (empty when it never did).
listen_url() {
    for _ in $(seq 200); do
        grep -q '^Listening on' "$1" && break
        sleep 0.05
    done
    sed -n 's/^Listening on //p' "$1"
}

# run_in INPUTFILE ARGS...: the same with stdin from a file.
run_in() {
    local in=$1
    shift
    "$FIVETREX" "$@" <"$in" >"$OUT" 2>"$ERR"
    RC=$?
}

fail() {
    FAILS=$((FAILS + 1))
    echo "FAIL: $*" >&2
    echo "  --- stdout:" >&2
    head -c 2000 "$OUT" >&2
    echo "  --- stderr:" >&2
    head -c 2000 "$ERR" >&2
}

pass() {
    echo "ok: $*"
}

# expect_rc N DESCRIPTION
expect_rc() {
    CHECKS=$((CHECKS + 1))
    if [ "$RC" -eq "$1" ]; then
        pass "$2 (exit $RC)"
    else
        fail "$2: expected exit $1, got $RC"
    fi
}

# expect_out REGEX DESCRIPTION (grep -E on stdout)
expect_out() {
    CHECKS=$((CHECKS + 1))
    if grep -Eq -- "$1" "$OUT"; then pass "$2"; else fail "$2: stdout lacks /$1/"; fi
}

expect_err() {
    CHECKS=$((CHECKS + 1))
    if grep -Eq -- "$1" "$ERR"; then pass "$2"; else fail "$2: stderr lacks /$1/"; fi
}

expect_no() {
    CHECKS=$((CHECKS + 1))
    if grep -Fq -- "$1" "$OUT" "$ERR"; then fail "$2: output contains '$1'"; else pass "$2"; fi
}

# py DESCRIPTION PYTHON: run python with `out` (stdout text), `lines` (stdout parsed as
# JSON lines; None when not) and `doc` (stdout parsed as one JSON document; None when
# not). The check passes when the code runs without an exception.
py() {
    local desc=$1
    CHECKS=$((CHECKS + 1))
    if python3 - "$OUT" "$2" <<'EOF' 2>"$TMP/py.err"; then
import json, sys
out = open(sys.argv[1], encoding="utf-8", newline="").read()
try:
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
except ValueError:
    lines = None
try:
    doc = json.loads(out)
except ValueError:
    doc = None
exec(sys.argv[2])
EOF
        pass "$desc"
    else
        fail "$desc: $(tail -n 3 "$TMP/py.err")"
    fi
}

# jget EXPR: print a value from stdout parsed as one JSON document.
jget() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
        "$OUT" "$1"
}

finish() {
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
    exit $?
}
