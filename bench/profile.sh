#!/usr/bin/env bash
# Where the CPU goes under wrk, sampled by perf on every core: the protected route with distinct
# first-seen tokens (token cache off) or with one repeated token, or the unprotected route with
# that same header. Prints the split between processes (app, wrk, idle) and the app's top
# symbols by self time.
#
#   bench/profile.sh [first-seen|repeated|unprotected]   # TOP=30 symbols; BENCH_API=path
#                                   # profiles another build; PERF_DATA=file keeps the samples
source "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
build
start_issuer
route=protected
case "${1:-first-seen}" in
  first-seen) start_rust_app "{token_cache_bytes=0}"; request=(-s "$ROOT/bench/tokens.lua") ;;
  repeated) start_rust_app "{}"; request=(-H "Authorization: Bearer $REPEATED") ;;
  unprotected) start_rust_app "{}"; request=(-H "Authorization: Bearer $REPEATED"); route=open ;;
  *) echo "usage: bench/profile.sh [first-seen|repeated|unprotected]" >&2; exit 2 ;;
esac
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "${request[@]}" "$APP/$route" > "$WORK/wrk.out" &
WRK_PID=$!
sleep 1
perf record -q -a -g -F 999 -o "$WORK/perf.data" -- sleep "$(( ${DURATION%s} - 2 ))" 2>/dev/null
wait "$WRK_PID"
[ -z "${PERF_DATA:-}" ] || cp "$WORK/perf.data" "$PERF_DATA"
awk '/^Requests\/sec/ {print "under perf: " $2 " req/s"}' "$WORK/wrk.out"
echo "--- CPU by process"
perf report -i "$WORK/perf.data" --no-children --sort comm -g none --stdio 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | head -8
echo "--- bench-api, top ${TOP:-30} symbols by self time"
perf report -i "$WORK/perf.data" --no-children --pid "$APP_PID" --percentage relative \
  --sort dso,symbol -g none --percent-limit 0.3 --stdio 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | cut -c1-150 | head -"${TOP:-30}"
