#!/usr/bin/env bash
# The CPU one request costs, on both cores together (app, wrk and kernel), for the unprotected
# route, the header-read floor, the floor plus one microsecond of spinning (a control: what a
# microsecond of any guard's work costs over HTTP) and the protected route with one repeated
# token, the four measured in turn ROUNDS times (3). When wrk and the app keep both cores busy,
# a route's requests per second are the cores' time divided by this cost, so the ratio of two
# costs is the ratio of `bench/compare.sh`, but counted by the kernel (perf stat's task clock)
# instead of taken from throughput, which the host's drift moves from second to second.
#
# Then the same requests sampled by perf and split by kind: what a repeated token costs beyond
# the floor, and whose code spends it.
#
#   bench/cpu-per-request.sh          # DURATION=6s per leg; BENCH_API=path measures another build
DURATION=${DURATION:-6s}
source "$(dirname "$0")/lib.sh"
command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf" >&2; exit 1; }
ROUNDS=${ROUNDS:-3}
WINDOW=$(( ${DURATION%s} - 2 ))
FREQUENCY=4999
build
start_issuer
start_rust_app "{}"
echo "machine: $(nproc) cores; wrk -t$THREADS -c$CONNECTIONS;" \
  "perf over ${WINDOW}s of each ${DURATION} leg"

declare -A PATHS=([unprotected]=open [floor]=floor [floor_plus_1us]=floor-plus-1us
  [repeated]=protected)
# under_load NAME COMMAND...: wrk on NAME's route for DURATION, with COMMAND running over all of
# it but the first and last second; prints wrk's requests per second.
under_load() {
  local name=$1; shift
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $REPEATED" \
    "$APP/${PATHS[$name]}" > "$WORK/wrk.out" &
  local wrk_pid=$!
  sleep 1
  "$@" -- sleep "$WINDOW" 2>/dev/null
  wait "$wrk_pid"
  awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out"
}
# leg NAME ROUND: every core's task clock under load on NAME's route, per request.
leg() {
  local name=$1 round=$2 rps
  rps=$(under_load "$name" perf stat -a -x, -e task-clock -o "$WORK/stat")
  # task-clock is in milliseconds of CPU over the window: µs per request.
  awk -F, -v rps="$rps" -v w="$WINDOW" -v n="$name" -v r="$round" '$3 ~ /task-clock/ {
    printf "%s %s %.2f %s\n", n, r, $1 * 1000 / (rps * w), rps }' "$WORK/stat" >> "$WORK/cpu"
}
# sample NAME: NAME's route under load, sampled by perf on every core, into NAME.data and NAME.rps.
sample() {
  under_load "$1" perf record -q -a -F "$FREQUENCY" -o "$WORK/$1.data" > "$WORK/$1.rps"
}
# per_sample NAME: µs of CPU per request that one of NAME's samples stands for.
per_sample() { python3 -c "print(1e6 / ($(cat "$WORK/$1.rps") * $WINDOW * $FREQUENCY))"; }

for round in $(seq 1 "$ROUNDS"); do
  for name in unprotected floor floor_plus_1us repeated; do leg "$name" "$round"; done
  awk -v r="$round" '$2 == r {c[$1] = $3; q[$1] = $4} END {
    printf "round %s, µs of CPU per request: unprotected %.1f, floor %.1f, floor + 1 µs %.1f, " \
      "repeated %.1f (req/s %s, %s, %s, %s)\n", r, c["unprotected"], c["floor"],
      c["floor_plus_1us"], c["repeated"], q["unprotected"], q["floor"], q["floor_plus_1us"],
      q["repeated"] }' "$WORK/cpu"
done
median() { awk -v n="$1" '$1 == n {print $3}' "$WORK/cpu" | sort -g \
  | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
python3 - "$(median unprotected)" "$(median floor)" "$(median floor_plus_1us)" \
  "$(median repeated)" <<'EOF'
import sys
unprotected, floor, spin, repeated = map(float, sys.argv[1:])
print("medians, µs of CPU per request, and as a share of the unprotected route's throughput:")
for name, cost in [("unprotected", unprotected), ("floor", floor), ("floor + 1 µs", spin),
                   ("repeated", repeated)]:
    print(f"  {name:12} {cost:6.1f} (+{cost - unprotected:4.1f})  {unprotected / cost:.3f}")
budget = unprotected / 0.95
print(f"0.95 allows a repeated request {budget:.1f} µs: the guard may add "
      f"{budget - unprotected:.1f} µs in all, of which the floor takes {floor - unprotected:.1f}")
EOF

for name in floor repeated; do sample "$name"; done
# kinds NAME: µs of CPU per request of NAME's samples by kind, one "kind value" per line.
kinds() {
  perf report -i "$WORK/$1.data" --no-children -n --sort comm,dso,symbol -g none --stdio \
    2>/dev/null | grep -v '^#' | awk -v per="$(per_sample "$1")" '
      NF < 4 { next }
      $3 == "swapper" { next }
      {
        if ($3 == "wrk") k = "wrk (with its kernel time)";
        else if ($3 !~ /^rocket-worker/) k = "other processes";
        else if ($0 ~ /\[k\]/) k = "app: kernel";
        else if ($0 ~ /sha256|SHA256/) k = "app: logto-guard: SHA-256 of the token";
        else if ($0 ~ /logto_guard|quick_cache|foldhash/) k = "app: logto-guard: the rest";
        else if ($0 ~ /libc\.so/) k = "app: libc (allocator, memmove)";
        else k = "app: Rocket, hyper, tokio, std" }
      { t[k] += $2 * per }
      END { for (k in t) printf "%s\t%.2f\n", k, t[k] }' | sort
}
echo "--- µs of CPU per request by kind: floor, repeated, difference"
join -t$'\t' -a1 -a2 -e 0 -o 0,1.2,2.2 <(kinds floor) <(kinds repeated) \
  | awk -F'\t' '{printf "%-45s %7.2f %7.2f %+7.2f\n", $1, $2, $3, $3 - $2; f += $2; r += $3}
      END {printf "%-45s %7.2f %7.2f %+7.2f\n", "all", f, r, r - f}'
echo "--- the repeated request's logto-guard code by symbol, µs of CPU per request"
worker=$(perf report -i "$WORK/repeated.data" --sort comm --stdio 2>/dev/null \
  | awk '$2 ~ /^rocket-worker/ {print $2; exit}')
perf report -i "$WORK/repeated.data" --no-children -n --comm "$worker" \
  --sort symbol -g none --stdio 2>/dev/null | grep -v '^#' \
  | awk -v per="$(per_sample repeated)" '
    /logto_guard|quick_cache|foldhash|sha256|SHA256/ && $2 * per >= 0.02 {
      $1 = ""; n = $2; $2 = ""; $3 = ""; printf "%7.2f %s\n", n * per, substr($0, 1, 110) }'
