#!/usr/bin/env bash
# Every figure of the performance table in one run, on this machine: the signature limit (aws-lc
# verifying ES384 on every core, key parsed once), bench-api's unprotected route, the identical
# protected route with one repeated token and with distinct first-seen tokens (token cache off,
# so each request pays its signature check), and an Express app protected by auth0's
# express-oauth2-jwt-bearer (`auth()` + `requiredScopes`) under the same load, keys and tokens.
source "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "node is missing" >&2; exit 1; }
(cd "$ROOT/bench/express" && npm ci --no-audit --no-fund --loglevel=error)
build
start_issuer
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; node $(node --version)"

limit=$("$BIN" limit "${DURATION%s}" | awk '/^limit/ {print $2}')
printf '%-40s %12s verifications/s (aws-lc, ES384, %s cores, key parsed once)\n' signature_limit "$limit" "$(nproc)"

start_rust_app "{}"
# The unprotected request carries the same header, so that only the guard differs.
load unprotected "$APP/open" -H "Authorization: Bearer $REPEATED"
load logto_guard_repeated "$APP/protected" -H "Authorization: Bearer $REPEATED"
stop_app
start_rust_app "{token_cache_bytes=0}"
load logto_guard_first_seen "$APP/protected" -s "$ROOT/bench/tokens.lua"
stop_app

port=$(free_port)
ISSUER="$ISSUER" PORT=$port node "$ROOT/bench/express/app.js" &
PIDS+=($!)
EXPRESS="http://127.0.0.1:$port"
wait_http "$EXPRESS/open"
load express_repeated "$EXPRESS/protected" -H "Authorization: Bearer $REPEATED"
load express_distinct "$EXPRESS/protected" -s "$ROOT/bench/tokens.lua"

echo "first-seen / signature limit: $(ratio "$(rps_of logto_guard_first_seen)" "$limit") (target 0.80)"
echo "repeated / unprotected: $(ratio "$(rps_of logto_guard_repeated)" "$(rps_of unprotected)") (target 0.95)"
echo "repeated token: logto-guard / express = $(ratio "$(rps_of logto_guard_repeated)" "$(rps_of express_repeated)")x"
echo "first-seen tokens: logto-guard / express = $(ratio "$(rps_of logto_guard_first_seen)" "$(rps_of express_distinct)")x"
