#!/usr/bin/env bash
# Profiles: the config file (INI), --profile and FIVETRAN_PROFILE, config list|get|set,
# the credentials file (mode 0600 enforced), secret_command, auth status.
. "$(dirname "$0")/lib.sh"
SECRET=profile-secret-77ab
start_sandbox --seed demo --api-key prof_key_1234 --api-secret "$SECRET"
SBX_BASE=$BASE
unset FIVETRAN_API_KEY FIVETRAN_API_SECRET FIVETRAN_BASE_URL
CFG=$XDG_CONFIG_HOME/fivetrex

run config set base_url "$SBX_BASE"
expect_rc 0 "config set base_url (creates the file)"
run config set api_key prof_key_1234
expect_rc 0 "config set api_key"
run config set --profile other output json
expect_rc 0 "config set in another profile"
run config set api_secret "$SECRET"
expect_rc 2 "config set api_secret is refused (argv is visible)"
run config set colour blue
expect_rc 2 "an unknown key is a usage error"
run config get api_key
expect_rc 0 "config get"
expect_out '^prof_key_1234$' "config get prints the value"
run config list
py "config list shows the profiles and keys" '
assert doc["default"] == {"base_url": "'"$SBX_BASE"'", "api_key": "prof_key_1234"}, doc
assert doc["other"] == {"output": "json"}, doc'

# No secret yet: missing credentials (exit 4).
run groups list
expect_rc 4 "a profile without a secret: exit 4"

# The credentials file: refused unless mode 0600.
printf '[default]\napi_secret = %s\n' "$SECRET" >"$CFG/credentials"
chmod 644 "$CFG/credentials"
run groups list
expect_rc 4 "a credentials file readable by others is refused"
expect_err "readable by others \(mode 644\)" "the refusal says why"
expect_err "chmod 600" "and how to fix it"
expect_no "$SECRET" "the secret is not printed"
chmod 600 "$CFG/credentials"
run groups list
expect_rc 0 "key, base URL (config) and secret (credentials 0600) from the default profile"
py "the profile reaches the sandbox" 'assert len(lines) == 4, lines'

run -o table auth status
expect_rc 0 "auth status"
expect_out '^account_id: +sandbox_account' "auth status prints the account"
expect_out '^api_key: +prof\*\*\*\*' "auth status masks the key"
expect_out "^secret_source: +$CFG/credentials \[default\]" "auth status says where the secret came from"
expect_no "$SECRET" "auth status never prints the secret"

# Environment and flags override the profile.
FIVETRAN_API_SECRET=wrong-secret run groups list
expect_rc 4 "FIVETRAN_API_SECRET overrides the credentials file"
run --api-key other_key groups list
expect_rc 4 "--api-key overrides the profile's key"

# secret_command, in a named profile chosen with --profile and FIVETRAN_PROFILE.
printf '%s\n' "$SECRET" >"$TMP/secret.txt"
run config set --profile cmd base_url "$SBX_BASE"
run config set --profile cmd api_key prof_key_1234
run config set --profile cmd secret_command "cat $TMP/secret.txt"
run --profile cmd groups list
expect_rc 0 "--profile cmd: the secret from secret_command"
FIVETRAN_PROFILE=cmd run auth status
expect_rc 0 "FIVETRAN_PROFILE chooses the profile"
py "auth status JSON names the profile and the command" '
assert doc["profile"] == "cmd" and doc["secret_source"] == "secret_command of profile '"'"'cmd'"'"'", doc
assert "'"$SECRET"'" not in out'
run config set --profile cmd secret_command "false"
run --profile cmd groups list
expect_rc 4 "a failing secret_command: exit 4"
expect_err "secret_command failed" "the failure is named"

run --profile nope groups list
expect_rc 2 "an unknown --profile is a usage error"
expect_err "no profile 'nope'" "the message names it"

# output from the profile, unless -o is given.
run config set --profile other base_url "$SBX_BASE"
run config set --profile other api_key prof_key_1234
printf '[other]\napi_secret = %s\n' "$SECRET" >>"$CFG/credentials"
run config set --profile other output table
run --profile other groups get decent_dropsy
expect_out '^id: +decent_dropsy' "the profile's output (table, even on a pipe)"
run --profile other -o json groups get decent_dropsy
py "-o overrides the profile's output" 'assert doc["id"] == "decent_dropsy", doc'
run config set --profile other output yaml
expect_rc 2 "output must be table or json"

# A malformed config file is a usage error naming the line.
printf '[default]\nthis is not ini\n' >"$CFG/config"
run groups list
expect_rc 2 "a malformed config file is a usage error"
expect_err "line 2" "the line is named"

finish
