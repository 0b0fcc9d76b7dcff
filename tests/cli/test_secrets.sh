#!/usr/bin/env bash
# Secrets kept out of messages and core dumps (issue 10): a mistyped secret option,
# --data - with --api-secret-file -, and a process that cannot be dumped.
# Needs no sandbox.
. "$(dirname "$0")/lib.sh"
VALUE=typo-secret-value-5d2a

run --api-secrets="$VALUE" groups list
expect_rc 2 "--api-secrets=VALUE is an unknown option"
expect_err "unknown option '--api-secrets' \(its value is not shown\)" "the option is named"
expect_no "$VALUE" "its value is not printed"

run groups list --api-secrets="$VALUE"
expect_rc 2 "the same after the verb"
expect_no "$VALUE" "its value is not printed after the verb either"

run -Z"$VALUE" groups list
expect_rc 2 "an unknown short option with a value"
expect_no "$VALUE" "an attached short value is not printed"

run -v"$VALUE" groups list
expect_rc 2 "-v with an attached value"
expect_no "$VALUE" "the attached value of a known flag is not printed"

# --data - and --api-secret-file - would both read stdin: refused before reading any.
printf '%s\n' "$VALUE" >"$TMP/in"
run_in "$TMP/in" --api-secret-file - groups create --data -
expect_rc 2 "--data - with --api-secret-file - is a usage error"
expect_err "both read stdin" "the message says why"
expect_no "$VALUE" "the secret on stdin is not shown"
run_in "$TMP/in" groups update some_group --data - --api-secret-file -
expect_rc 2 "the same with the options the other way round"
expect_no "$VALUE" "the secret is not shown either"

# Not dumpable: /proc/PID of a non-dumpable process is owned by root. Run the CLI as
# another user when we are root, so that the owner tells.
if [ "$(uname -s)" = Linux ]; then
    mkfifo "$TMP/fifo"
    chmod 755 "$TMP"
    chmod 666 "$TMP/fifo"
    export HOOK_SECRET=x
    if [ "$(id -u)" = 0 ]; then
        AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
        WANT_NOT=65534
    else
        AS=""
        WANT_NOT=$(id -u)
    fi
    # webhooks sign blocks reading its body from the FIFO.
    $AS "$FIVETREX" webhooks sign --secret-env HOOK_SECRET <"$TMP/fifo" >/dev/null 2>&1 &
    CLI_PID=$!
    PIDS="$PIDS $CLI_PID"
    exec 9>"$TMP/fifo"
    owner=""
    # Wait until the CLI itself (not setpriv) blocks reading stdin: main() has run.
    # Bounded at 30 s: a loaded machine can take seconds to start an ASan build.
    for _ in $(seq 600); do
        owner=$(stat -c %u "/proc/$CLI_PID/environ" 2>/dev/null)
        state=$(awk '{print $3}' "/proc/$CLI_PID/stat" 2>/dev/null)
        if [ "$(readlink "/proc/$CLI_PID/exe" 2>/dev/null)" = "$(readlink -f "$FIVETREX")" ] &&
            [ "$state" = S ]; then
            break
        fi
        sleep 0.05
    done
    exec 9>&-
    CHECKS=$((CHECKS + 1))
    if [ "$owner" != "$WANT_NOT" ] && [ -n "$owner" ]; then
        pass "the CLI process is not dumpable (/proc owner $owner)"
    else
        fail "the CLI process is dumpable (/proc/PID owner '$owner')"
    fi
    wait "$CLI_PID" 2>/dev/null
fi

finish
