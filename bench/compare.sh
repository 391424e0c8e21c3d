#!/usr/bin/env bash
# Side by side with the usual choice: the same load, issuer keys and tokens against bench-api
# (logto-guard) and an Express app protected by auth0's express-oauth2-jwt-bearer
# (`auth()` + `requiredScopes`). Both get the same wrk settings as bench/http.sh.
source "$(dirname "$0")/lib.sh"
command -v node >/dev/null || { echo "node is missing" >&2; exit 1; }
(cd "$ROOT/bench/express" && npm ci --no-audit --no-fund --loglevel=error)
build
start_issuer
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; node $(node --version)"

start_rust_app "{}"
load logto_guard_repeated "$APP/protected" -H "Authorization: Bearer $REPEATED"
stop_app
# Distinct tokens with our token cache off: every request pays its signature check, as it
# does in Express, which has no such cache.
start_rust_app "{token_cache_bytes=0}"
load logto_guard_distinct "$APP/protected" -s "$ROOT/bench/tokens.lua"
stop_app

port=$(free_port)
ISSUER="$ISSUER" PORT=$port node "$ROOT/bench/express/app.js" &
PIDS+=($!)
EXPRESS="http://127.0.0.1:$port"
wait_http "$EXPRESS/open"
load express_repeated "$EXPRESS/protected" -H "Authorization: Bearer $REPEATED"
load express_distinct "$EXPRESS/protected" -s "$ROOT/bench/tokens.lua"

echo "repeated token: logto-guard / express = $(ratio "$(rps_of logto_guard_repeated)" "$(rps_of express_repeated)")x"
echo "distinct tokens: logto-guard / express = $(ratio "$(rps_of logto_guard_distinct)" "$(rps_of express_distinct)")x"
