#!/usr/bin/env bash
# list streams: output starts before the last page arrives; --limit stops early;
# a consumer that goes away (| head) ends the stream without fetching the rest.
. "$(dirname "$0")/lib.sh"
start_sandbox --synthetic-connections 5000 --latency-ms 400

python3 - "$FIVETREX" >"$OUT" 2>"$ERR" <<'PY'
import json, subprocess, sys, time
t0 = time.monotonic()
p = subprocess.Popen([sys.argv[1], "connectors", "list", "-o", "json"], stdout=subprocess.PIPE)
first = p.stdout.readline()
t_first = time.monotonic() - t0
n = 1 + sum(1 for _ in p.stdout)
p.wait()
t_end = time.monotonic() - t0
json.loads(first)
print(json.dumps({"first": t_first, "end": t_end, "count": n, "rc": p.returncode}))
PY
RC=$?
expect_rc 0 "streaming probe ran"
py "the first connector arrives pages before the end (5 pages, 400 ms each)" '
r = lines[0]
assert r["rc"] == 0 and r["count"] == 5000, r
assert r["end"] - r["first"] > 1.0, r'

start_sandbox --synthetic-connections 5000
run -v connectors list --limit 1500
expect_rc 0 "--limit 1500"
py "--limit prints exactly 1500" 'assert len(lines) == 1500'
python3 - "$ERR" <<'PY' && pass "--limit fetches only the pages it needs" || fail "too many pages"
import sys
reqs = [l for l in open(sys.argv[1]) if l.startswith("* GET /connections")]
# page size 1000: two pages needed, prefetch may start a third, never all five
assert 2 <= len(reqs) <= 3, reqs
PY

"$FIVETREX" -v connectors list -o json 2>"$ERR" | head -n 2 >"$OUT"
py "| head -n 2 gets two connectors" 'assert len(lines) == 2'
python3 - "$ERR" <<'PY' && pass "a closed pipe stops the stream early" || fail "streamed on after the pipe closed"
import sys
reqs = [l for l in open(sys.argv[1]) if l.startswith("* GET /connections")]
assert len(reqs) <= 3, len(reqs)
PY

finish
