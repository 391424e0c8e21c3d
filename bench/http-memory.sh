#!/usr/bin/env bash
# The app's memory under load: 60 s of wrk with 100,000 distinct tokens against bench-api with
# the default token cache, then its resident set (before, peak, after). Bounded: one 60 s run.
# The throughput figures are bench/compare.sh's.
source "$(dirname "$0")/lib.sh"
build
TOKENS=100000 start_issuer
start_rust_app "{}"
echo "RSS before: $(awk '/VmRSS/ {print $2" "$3}' /proc/$APP_PID/status)"
DURATION=60s load memory_100000_distinct_tokens "$APP/protected" -s "$ROOT/bench/tokens.lua"
echo "peak RSS after 60 s: $(awk '/VmHWM/ {print $2" "$3}' /proc/$APP_PID/status); now $(awk '/VmRSS/ {print $2" "$3}' /proc/$APP_PID/status)"
stop_app
