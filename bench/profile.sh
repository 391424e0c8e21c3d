#!/usr/bin/env bash
# Where the CPU goes under wrk, sampled by perf on every core: the protected route with distinct
# first-seen tokens (token cache off) or with one repeated token, or the unprotected route with
# that same header. Prints the split between processes (app, wrk, idle) and the app's top
# symbols by self time; for first-seen also the CPU of one request by kind (aws-lc, libc, kernel,
# logto-guard's parsing, Rocket/hyper/tokio, wrk) beside one verification of the signature limit
# measured right after.
#
# `validate` instead samples criterion's `ES384/validate_first_seen` with call graphs and
# prints which share of `Validator::validate` is aws-lc's signature verification: a ratio of
# two shares of one run, which a machine's drifting speed does not skew.
#
#   bench/profile.sh [first-seen|repeated|unprotected|validate]   # TOP=30 symbols;
#       BENCH_API=path profiles another build; PERF_DATA=file keeps the samples
source "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }

if [ "${1:-}" = validate ]; then
  (cd "$ROOT" && cargo bench -q -p logto-guard --features testing --bench validate --no-run)
  bench=$(ls -t "$ROOT"/target/release/deps/validate-* | grep -v '\.d$' | head -1)
  perf record -q -F 499 --call-graph dwarf,16384 -o "$WORK/perf.data" -- "$bench" \
    --bench ES384/validate_first_seen --profile-time "${DURATION%s}" > /dev/null 2>&1
  perf report -i "$WORK/perf.data" --children --sort symbol -g none --stdio 2>/dev/null \
    | awk '/Validator::validate::/ && !v {v = $1} /ParsedPublicKey::verify_sig/ && !s {s = $1}
        END {printf "Validator::validate %s of samples, of which aws-lc verify_sig %s: " \
          "validate / bare verification = %.3f\n", v, s, v / s}'
  exit 0
fi
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
# split PERF_DATA COMM_PATTERN MICROSECONDS_PER_SAMPLE: that process's CPU by kind, in µs.
split() {
  perf report -i "$1" --no-children -n --sort comm,dso,symbol -g none --stdio 2>/dev/null \
    | grep -v '^#' | awk -v comm="$2" -v per="$3" '
      $3 ~ comm {
        if ($0 ~ /aws_lc|p384|bignum/) k = "aws-lc"; else if ($0 ~ /libc\.so/) k = "libc";
        else if ($0 ~ /\[k\]/) k = "kernel"; else if ($0 ~ /logto_guard|serde|base64/) k = "ours";
        else k = "rocket/hyper/tokio"; t[k] += $2; all += $2 }
      END { printf "%.0f µs: aws-lc %.0f, libc %.0f, kernel %.0f, logto-guard/serde/base64 %.0f, " \
        "rocket/hyper/tokio %.0f\n", all * per, t["aws-lc"] * per, t["libc"] * per,
        t["kernel"] * per, t["ours"] * per, t["rocket/hyper/tokio"] * per }'
}
if [ "$route" = protected ] && [ "${1:-first-seen}" = first-seen ]; then
  # Per first-seen request against one verification of the signature limit measured right
  # after, in µs of CPU by kind: what the request costs beyond its signature, and whose it is.
  seconds=$(( ${DURATION%s} - 2 )); rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
  perf record -q -F 999 -o "$WORK/limit.data" -- "$BIN" limit "$seconds" > "$WORK/limit.out" 2>/dev/null
  limit=$(awk '/^limit/ {print $2}' "$WORK/limit.out")
  per_request=$(python3 -c "print(1e6 / ($rps * $seconds * 999))")
  echo "--- one first-seen request, app $(split "$WORK/perf.data" '^rocket-worker' "$per_request")"
  echo "    and wrk $(split "$WORK/perf.data" '^wrk$' "$per_request" | cut -d: -f1)"
  echo "--- one verification of the signature limit ($limit/s), $(split "$WORK/limit.data" \
    'bench-api' "$(python3 -c "print(1e6 / ($limit * $seconds * 999))")")"
fi
echo "--- bench-api, top ${TOP:-30} symbols by self time"
perf report -i "$WORK/perf.data" --no-children --pid "$APP_PID" --percentage relative \
  --sort dso,symbol -g none --percent-limit 0.3 --stdio 2>/dev/null \
  | grep -v '^#' | grep -v '^$' | cut -c1-150 | head -"${TOP:-30}"
