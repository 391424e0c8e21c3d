#!/usr/bin/env bash
# HTTP load on 127.0.0.1: an unprotected route, the identical protected route with one
# repeated token, and with distinct tokens (the app's token cache off, so each request pays its
# signature check). Bounded: DURATION (10s) per run, CONNECTIONS (32), THREADS (2), TOKENS.
# MEMORY=1 adds a 60 s run with 100,000 distinct tokens and reports the app's peak RSS.
source "$(dirname "$0")/lib.sh"
build
start_issuer
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); wrk -t$THREADS -c$CONNECTIONS -d$DURATION"

start_rust_app "{}"
# The unprotected request carries the same header, so that only the guard differs.
load unprotected "$APP/open" -H "Authorization: Bearer $REPEATED"
load protected_repeated_token "$APP/protected" -H "Authorization: Bearer $REPEATED"
stop_app

start_rust_app "{token_cache_bytes=0}"
load "protected_${TOKENS}_distinct_tokens" "$APP/protected" -s "$ROOT/bench/tokens.lua"
stop_app

echo "repeated / unprotected: $(ratio "$(rps_of protected_repeated_token)" "$(rps_of unprotected)")"
echo "distinct / unprotected: $(ratio "$(rps_of "protected_${TOKENS}_distinct_tokens")" "$(rps_of unprotected)")"

if [ "${MEMORY:-0}" = 1 ]; then
  TOKENS=100000 start_issuer
  start_rust_app "{}"
  echo "RSS before: $(awk '/VmRSS/ {print $2" "$3}' /proc/$APP_PID/status)"
  DURATION=60s load memory_100000_distinct_tokens "$APP/protected" -s "$ROOT/bench/tokens.lua"
  echo "peak RSS after 60 s: $(awk '/VmHWM/ {print $2" "$3}' /proc/$APP_PID/status); now $(awk '/VmRSS/ {print $2" "$3}' /proc/$APP_PID/status)"
  stop_app
fi
