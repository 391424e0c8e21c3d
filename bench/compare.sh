#!/usr/bin/env bash
# Every figure of the performance table in one run, on this machine: the signature limit (aws-lc
# verifying ES384 on every core, key parsed once), bench-api's unprotected route, the identical
# protected route with one repeated token and with distinct first-seen tokens (token cache off,
# so each request pays its signature check), the route behind a guard that only reads the
# header (the floor under any Rocket token guard), and an Express app protected by auth0's
# express-oauth2-jwt-bearer (`auth()` + `requiredScopes`) under the same load, keys and tokens.
#
# A shared machine's speed drifts from minute to minute, so the measurements that form a ratio
# run back to back, ROUNDS times (3), each pair in the order A B B A; the ratios are the medians
# of the rounds' ratios.
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
# Within a round each pair runs A B B A, and a ratio compares the sums of its two legs: a speed
# that drifts steadily during the round weighs on both sides alike.
signature_limit() {
  local limit
  limit=$("$BIN" limit "${DURATION%s}" | awk '/^limit/ {print $2}')
  printf '%-40s %12s verifications/s (aws-lc, ES384, %s cores, key parsed once)\n' \
    signature_limit "$limit" "$(nproc)"
  echo "signature_limit $limit" >> "$WORK/results"
}
first_seen() { load logto_guard_first_seen "$UNCACHED/protected" -s "$ROOT/bench/tokens.lua"; }
# The unprotected request carries the same header, so that only the guard differs.
unprotected() { load unprotected "$CACHED/open" -H "Authorization: Bearer $REPEATED"; }
repeated() { load logto_guard_repeated "$CACHED/protected" -H "Authorization: Bearer $REPEATED"; }
# The same route behind a guard that only reads the header into the request-local cache: what
# any Rocket token guard costs, before logto-guard checks anything.
floor() { load header_read_floor "$CACHED/floor" -H "Authorization: Bearer $REPEATED"; }
# sum_of_last NAME: the sum of the last two values recorded under NAME (this round's legs).
sum_of_last() { awk -v n="$1" '$1 == n {a = b; b = $2} END {print a + b}' "$WORK/results"; }
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  signature_limit; first_seen; first_seen; signature_limit
  unprotected; floor; repeated; repeated; floor; unprotected
  echo "first_seen_per_limit $(ratio "$(sum_of_last logto_guard_first_seen)" \
    "$(sum_of_last signature_limit)")" >> "$WORK/results"
  echo "repeated_per_unprotected $(ratio "$(sum_of_last logto_guard_repeated)" \
    "$(sum_of_last unprotected)")" >> "$WORK/results"
  echo "floor_per_unprotected $(ratio "$(sum_of_last header_read_floor)" \
    "$(sum_of_last unprotected)")" >> "$WORK/results"
  echo "repeated_per_floor $(ratio "$(sum_of_last logto_guard_repeated)" \
    "$(sum_of_last header_read_floor)")" >> "$WORK/results"
  echo "ratios: first-seen / limit $(last_of first_seen_per_limit)," \
    "repeated / unprotected $(last_of repeated_per_unprotected)," \
    "header-read floor / unprotected $(last_of floor_per_unprotected)," \
    "repeated / floor $(last_of repeated_per_floor)"
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
for name in signature_limit logto_guard_first_seen unprotected header_read_floor \
  logto_guard_repeated; do
  printf '%-40s %12s\n' "$name" "$(median_of "$name")"
done
echo "first-seen / signature limit: $(median_of first_seen_per_limit) (target 0.80; rounds: $(all_of first_seen_per_limit))"
echo "repeated / unprotected: $(median_of repeated_per_unprotected) (target 0.95; rounds: $(all_of repeated_per_unprotected))"
echo "header-read floor / unprotected: $(median_of floor_per_unprotected) (rounds: $(all_of floor_per_unprotected))"
echo "repeated / header-read floor: $(median_of repeated_per_floor) (rounds: $(all_of repeated_per_floor))"
echo "repeated token: logto-guard / express = $(ratio "$(median_of logto_guard_repeated)" "$(last_of express_repeated)")x"
echo "first-seen tokens: logto-guard / express = $(ratio "$(median_of logto_guard_first_seen)" "$(last_of express_distinct)")x"
