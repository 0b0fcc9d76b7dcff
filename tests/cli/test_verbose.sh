#!/usr/bin/env bash
# --verbose logs every attempt (method, path, status, ms, attempt) and never a secret.
. "$(dirname "$0")/lib.sh"
SECRET=verbose-secret-b7c9e1
start_sandbox --seed demo --api-key vkey --api-secret "$SECRET" --fault-rate-5xx 0.5 \
    --random-seed 3

FIVETRAN_API_KEY=vkey FIVETRAN_API_SECRET=$SECRET run -v --retries 6 --retry-delay 1 groups list
expect_rc 0 "verbose list with injected 5xx retries succeeds"
expect_err '^\* GET /groups\?limit=1000 -> 200 in [0-9.]+ ms \(attempt [0-9]+\)$' \
    "each attempt is logged with method, path, status, ms and attempt"
FIVETRAN_API_KEY=vkey FIVETRAN_API_SECRET=$SECRET run -v --retries 6 --retry-delay 1 connectors get speak_inexpensive
expect_err 'GET /connections/speak_inexpensive -> 200' "get is logged"
expect_no "$SECRET" "the secret is not in stdout or stderr"
expect_no "Authorization" "no Authorization header"
expect_no "$(printf 'vkey:%s' "$SECRET" | base64)" "no Basic credentials"

# Failing calls too: wrong credentials, verbose, then a webhook create with a secret.
FIVETRAN_API_KEY=vkey FIVETRAN_API_SECRET=$SECRET-x run -v groups get decent_dropsy
expect_rc 4 "wrong secret"
expect_err 'GET /groups/decent_dropsy -> 401' "the 401 attempt is logged"
expect_no "$SECRET" "a wrong secret is not printed either"

export HOOK_SECRET=verbose-hook-secret-44
FIVETRAN_API_KEY=vkey FIVETRAN_API_SECRET=$SECRET run -v --retries 6 --retry-delay 1 webhooks create \
    --url http://127.0.0.1:9/hook --events sync_end --inactive --secret-env HOOK_SECRET
expect_err 'POST /webhooks/account' "the create is logged"
expect_no "$HOOK_SECRET" "the webhook secret is not printed"

finish
