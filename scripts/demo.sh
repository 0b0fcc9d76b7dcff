#!/usr/bin/env bash
# The README's demo: a scripted tour of the `fivetrex` CLI against `fivetrex-sandbox`.
#
#   make demo                       (installs dependencies, builds build/, runs this)
#   BUILD_DIR=build scripts/demo.sh (an existing build)
#
# Every step checks that it did what its heading says; the script exits 0 only if all
# of them did. The sandboxes and the webhook listener are stopped on exit, whatever
# happens.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build="${BUILD_DIR:-build}"
FTX="$build/cli/fivetrex"
SBX="$build/sandbox/fivetrex-sandbox"
SYNTHETIC="${DEMO_SYNTHETIC:-100000}"
for bin in "$FTX" "$SBX"; do
    if [[ ! -x "$bin" ]]; then
        echo "demo: $bin is missing; build first (make build, or BUILD_DIR=...)" >&2
        exit 1
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fivetrex-demo.XXXXXX")
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
    B=$'\033[1m' G=$'\033[32m' R=$'\033[31m' C=$'\033[36m' N=$'\033[0m'
else
    B="" G="" R="" C="" N=""
fi
step=0
heading() {
    step=$((step + 1))
    printf '\n%s== %d. %s%s\n' "$B" "$step" "$*" "$N"
}
show() { # print a command (on stderr, so stdout stays the command's), then run it
    printf '%s$ %s%s\n' "$C" "$*" "$N" >&2
    "$@"
}
ok() { printf '%s   ok:%s %s\n' "$G" "$N" "$*"; }
die() {
    printf '%s   FAILED:%s %s\n' "$R" "$N" "$*" >&2
    exit 1
}
# json EXPR < doc: evaluate a Python expression over a JSON document `d`.
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# start_sandbox VAR ARGS...: start a sandbox on a free port; its base URL goes to VAR.
start_sandbox() {
    local var=$1 log="$tmp/sandbox.$1"
    shift
    "$SBX" --port 0 "$@" >"$log" 2>"$log.err" &
    pids+=($!)
    local i url=""
    for ((i = 0; i < 200; i++)); do
        url=$(head -n 1 "$log" 2>/dev/null)
        [[ $url == http* ]] && break
        kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log.err" >&2; die "sandbox exited"; }
        sleep 0.05
    done
    [[ $url == http* ]] || die "the sandbox did not print its URL"
    printf -v "$var" '%s' "$url"
}

printf '%sfivetrex demo%s: the CLI against a local Fivetran API simulator\n' "$B" "$N"
"$FTX" --version

# Any credentials work against the sandbox (it enforces them only when started with some).
export FIVETRAN_API_KEY=demo_key
export FIVETRAN_API_SECRET=demo-secret-never-printed
export DEMO_WEBHOOK_SECRET=demo-webhook-secret

heading "Start fivetrex-sandbox --port 0 --seed demo"
start_sandbox DEMO_URL --seed demo --sync-duration-ms 3000
export FIVETRAN_BASE_URL=$DEMO_URL
echo "   sandbox listening at $DEMO_URL"
ok "sandbox up"

heading "List groups and connectors as tables"
show "$FTX" -o table groups list | tee "$tmp/groups" || die "groups list"
[[ $(grep -c . "$tmp/groups") -ge 4 ]] || die "expected the demo groups"
show "$FTX" -o table connectors list | tee "$tmp/conns" || die "connectors list"
grep -q '^speak_inexpensive ' "$tmp/conns" || die "expected the demo connectors"
ok "$(($(wc -l <"$tmp/groups") - 1)) groups, $(($(wc -l <"$tmp/conns") - 1)) connectors"

heading "Create a group, its destination and a connector"
show "$FTX" -o json groups create --name demo_warehouse >"$tmp/group" || die "groups create"
GROUP=$(json 'd["id"]' <"$tmp/group")
echo "   created group $GROUP"
show "$FTX" -o table destinations create --group "$GROUP" --service snowflake \
    --time-zone-offset -5 --region GCP_US_EAST4 --config host=acme.snowflakecomputing.com \
    --config user=FIVETRAN || die "destinations create"
show "$FTX" -o json connectors create --group "$GROUP" --service postgres --schema shop \
    --config host=db.internal --config port=5432 --sync-frequency 60 >"$tmp/conn" ||
    die "connectors create"
CONN=$(json 'd["id"]' <"$tmp/conn")
echo "   created connector $CONN"
show "$FTX" -o table connectors get "$CONN" || die "connectors get"
ok "group $GROUP, destination $GROUP, connector $CONN"

heading "Show and change the connector's schema config"
show "$FTX" -o table connectors schema reload "$CONN" >/dev/null || die "schema reload"
show "$FTX" -o table connectors schema show "$CONN" | tee "$tmp/tree" || die "schema show"
"$FTX" -o json connectors schema show "$CONN" >"$tmp/schema.json" || die "schema show -o json"
SCHEMA=$(json 'next(iter(d["schemas"]))' <"$tmp/schema.json")
TABLE=$(json 'list(d["schemas"][next(iter(d["schemas"]))]["tables"])[-1]' <"$tmp/schema.json")
[[ -n $TABLE && -n $SCHEMA ]] || die "expected an enabled schema and table"
show "$FTX" -o table connectors schema update "$CONN" --schema "$SCHEMA" --table "$TABLE" \
    --disable | tee "$tmp/tree2" || die "schema update"
grep -q "$TABLE \[disabled\]" "$tmp/tree2" || die "$SCHEMA.$TABLE is not disabled"
ok "$SCHEMA.$TABLE disabled"

heading "Start a webhook listener and register it"
printf '%s$ %s webhooks listen --port 0 --secret-env DEMO_WEBHOOK_SECRET --events sync_start,sync_end --connector %s --count 2 --timeout 60 -o table &%s\n' \
    "$C" "$FTX" "$CONN" "$N"
"$FTX" webhooks listen --port 0 --secret-env DEMO_WEBHOOK_SECRET \
    --events sync_start,sync_end --connector "$CONN" --count 2 --timeout 60 -o table \
    >"$tmp/events" 2>"$tmp/listen.err" &
LISTENER=$!
pids+=("$LISTENER")
for ((i = 0; i < 200; i++)); do
    grep -q '^Listening on' "$tmp/listen.err" && break
    sleep 0.05
done
HOOK_URL=$(sed -n 's/^Listening on //p' "$tmp/listen.err")
[[ -n $HOOK_URL ]] || die "the listener did not start: $(cat "$tmp/listen.err")"
echo "   listener at $HOOK_URL (running in the background)"
show "$FTX" -o table webhooks create --url "$HOOK_URL" --events sync_start,sync_end \
    --group "$GROUP" --secret-env DEMO_WEBHOOK_SECRET || die "webhooks create"
ok "webhook registered; the sandbox signs its deliveries with the secret"

heading "Sync the connector and wait for it to end"
show "$FTX" -o table connectors sync "$CONN" --wait --poll-interval 0.5 --deadline 60 ||
    die "the sync did not succeed"
ok "sync succeeded"

heading "Show the signed sync_start and sync_end events the listener verified"
wait "$LISTENER" || die "the listener did not receive both events: $(cat "$tmp/listen.err")"
cat "$tmp/events"
grep -q ' sync_start ' "$tmp/events" || die "no sync_start"
grep -q ' sync_end .*SUCCESSFUL' "$tmp/events" || die "no successful sync_end"
tail -n 1 "$tmp/listen.err"
ok "both events arrived with valid signatures"

heading "Stream a large synthetic account: $SYNTHETIC connectors as JSON lines"
start_sandbox BIG_URL --synthetic-connections "$SYNTHETIC"
printf '%s$ %s --base-url %s connectors list --output json | wc -l%s\n' "$C" "$FTX" \
    "$BIG_URL" "$N"
start_ns=$(date +%s%N)
COUNT=$("$FTX" --base-url "$BIG_URL" connectors list --output json | wc -l) ||
    die "connectors list failed"
ms=$((($(date +%s%N) - start_ns) / 1000000))
echo "$COUNT"
[[ $COUNT -eq $SYNTHETIC ]] || die "expected $SYNTHETIC lines, got $COUNT"
ok "$COUNT connectors streamed page by page in ${ms} ms"

printf '\n%sDemo complete: every step did what it says.%s\n' "$G" "$N"
