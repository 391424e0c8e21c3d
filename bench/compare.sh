#!/usr/bin/env bash
# Every figure of the performance table in one run, on this machine: the signature limit (aws-lc
# verifying ES384 on every core, key parsed once), bench-api's unprotected route, the identical
# protected route with one repeated token and with distinct first-seen tokens (token cache off,
# so each request pays its signature check), and an Express app protected by auth0's
# express-oauth2-jwt-bearer (`auth()` + `requiredScopes`) under the same load, keys and tokens.
#
# A shared machine's speed drifts from minute to minute, so the measurements that form a ratio
# run back to back, ROUNDS times (3); the ratios are the medians of the rounds' ratios.
#
#   DURATION=8s ROUNDS=3 bench/compare.sh        # BENCH_API=path measures another build
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-3}
command -v node >/dev/null || { echo "node is missing" >&2; exit 1; }
(cd "$ROOT/bench/express" && npm ci --no-audit --no-fund --loglevel=error)
build
start_issuer
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS -d$DURATION; node $(node --version)"

start_rust_app "{}"
CACHED=$APP
start_rust_app "{token_cache_bytes=0}"
UNCACHED=$APP
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  limit=$("$BIN" limit "${DURATION%s}" | awk '/^limit/ {print $2}')
  printf '%-40s %12s verifications/s (aws-lc, ES384, %s cores, key parsed once)\n' \
    signature_limit "$limit" "$(nproc)"
  echo "signature_limit $limit" >> "$WORK/results"
  load logto_guard_first_seen "$UNCACHED/protected" -s "$ROOT/bench/tokens.lua"
  # The unprotected request carries the same header, so that only the guard differs.
  load unprotected "$CACHED/open" -H "Authorization: Bearer $REPEATED"
  load logto_guard_repeated "$CACHED/protected" -H "Authorization: Bearer $REPEATED"
  echo "first_seen_per_limit $(ratio "$(last_of logto_guard_first_seen)" "$limit")" >> "$WORK/results"
  echo "repeated_per_unprotected $(ratio "$(last_of logto_guard_repeated)" "$(last_of unprotected)")" \
    >> "$WORK/results"
done

port=$(free_port)
ISSUER="$ISSUER" PORT=$port node "$ROOT/bench/express/app.js" &
PIDS+=($!)
EXPRESS="http://127.0.0.1:$port"
wait_http "$EXPRESS/open"
echo "express"
load express_repeated "$EXPRESS/protected" -H "Authorization: Bearer $REPEATED"
load express_distinct "$EXPRESS/protected" -s "$ROOT/bench/tokens.lua"

echo "medians of $ROUNDS rounds"
for name in signature_limit logto_guard_first_seen unprotected logto_guard_repeated; do
  printf '%-40s %12s\n' "$name" "$(median_of "$name")"
done
echo "first-seen / signature limit: $(median_of first_seen_per_limit) (target 0.80; rounds: $(all_of first_seen_per_limit))"
echo "repeated / unprotected: $(median_of repeated_per_unprotected) (target 0.95; rounds: $(all_of repeated_per_unprotected))"
echo "repeated token: logto-guard / express = $(ratio "$(median_of logto_guard_repeated)" "$(last_of express_repeated)")x"
echo "first-seen tokens: logto-guard / express = $(ratio "$(median_of logto_guard_first_seen)" "$(last_of express_distinct)")x"
