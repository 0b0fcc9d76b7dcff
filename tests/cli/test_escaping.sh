#!/usr/bin/env bash
# Output escaping: names from the API with control characters (C0, C1 such as U+009B CSI,
# DEL), bidi overrides, newlines and tabs never reach the terminal raw in table output or
# in error messages on stderr; JSON output stays valid JSON with the exact name.
. "$(dirname "$0")/lib.sh"
start_sandbox

NAME='a\u009b31mB\nC\tD\u001b]0;t\u0007E\u007fF\u202eG\u2066H'
run groups create --data "{\"name\":\"$NAME\"}"
expect_rc 0 "groups create with a hostile name"
GID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$OUT")

run -o json groups list
expect_rc 0 "groups list -o json"
py "JSON output keeps the exact name and stays valid JSON" '
assert lines is not None and len(lines) == 1, out
assert lines[0]["name"] == "a\u009b31mB\nC\tD\u001b]0;t\u0007E\u007fF\u202eG\u2066H", lines'

for args in "groups list" "groups get $GID"; do
    run -o table $args
    expect_rc 0 "$args -o table"
    python3 - "$OUT" <<'PY' && pass "$args -o table: no raw controls or overrides" || fail "$args -o table: raw control characters in the table"
import sys
raw = open(sys.argv[1], "rb").read()
text = raw.decode("utf-8")  # well-formed UTF-8
for ch in text:
    o = ord(ch)
    assert ch == "\n" or (o >= 0x20 and o != 0x7f), repr(ch)
    assert not (0x80 <= o <= 0x9f), repr(ch)
    assert not (0x202a <= o <= 0x202e or 0x2066 <= o <= 0x2069), repr(ch)
rows = [l for l in text.split("\n") if l]
assert len(rows) in (2, 3), rows  # list: header + 1 row; get: id, name, created_at
assert any("a?31mB?C?D?]0;t?E?F?G?H" in l for l in rows), rows
PY
done

# JSON on a terminal escapes non-ASCII (\uXXXX), so nothing in a name acts on the
# terminal, and it still decodes to the exact name.
if command -v script >/dev/null 2>&1; then
    script -qec "$FIVETREX -o json groups get $GID" /dev/null >"$OUT" 2>"$ERR"
    RC=$?
    expect_rc 0 "groups get -o json on a terminal"
    python3 - "$OUT" <<'PY' && pass "JSON on a terminal is pure ASCII and exact" || fail "JSON on a terminal carries raw non-ASCII"
import json, sys
raw = open(sys.argv[1], "rb").read()
assert all(b < 0x80 for b in raw), raw
assert b"\x1b" not in raw, raw
doc = json.loads(raw.decode("ascii").replace("\r\n", "\n"))
assert doc["name"] == "a\u009b31mB\nC\tD\u001b]0;t\u0007E\u007fF\u202eG\u2066H", doc
PY
fi

# an id with ESC on the command line is not echoed raw to stderr (404 path)
run groups get $'\e[31mzz\xc2\x9b'
expect_rc 5 "groups get with an escape in the id"
python3 - "$ERR" <<'PY' && pass "stderr carries no raw ESC / C1" || fail "stderr carries raw control characters"
import sys
raw = open(sys.argv[1], "rb").read()
assert b"\x1b" not in raw and b"\xc2\x9b" not in raw, raw
PY

finish
