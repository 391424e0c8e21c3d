# Shared by the bench/ scripts: build, start the issuer and apps on
# 127.0.0.1, run bounded wrk loads, and stop everything this script started.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
TOKENS=${TOKENS:-10000}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
# BENCH_API=path measures another build of bench-api (say, the last commit's) as it is.
BIN=${BENCH_API:-$ROOT/target/release/bench-api}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_http() { # URL: wait until it answers at all
  for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "$1 did not come up" >&2; exit 1
}

build() {
  [ -n "${BENCH_API:-}" ] || (cd "$ROOT" && cargo build --release -q -p bench-api)
}

# start_issuer: a test issuer with $TOKENS distinct tokens; sets ISSUER and TOKENS_FILE.
start_issuer() {
  local port; port=$(free_port)
  TOKENS_FILE="$WORK/tokens.txt"
  "$BIN" issuer "$port" "$TOKENS" "$TOKENS_FILE" > "$WORK/issuer.out" &
  PIDS+=($!)
  for _ in $(seq 1 600); do grep -q ready "$WORK/issuer.out" 2>/dev/null && break; sleep 0.1; done
  ISSUER="http://127.0.0.1:$port"
  export TOKENS_FILE
  REPEATED=$(head -n 1 "$TOKENS_FILE")
}

# start_rust_app LOGTO_TABLE: sets APP (base URL) and APP_PID.
start_rust_app() {
  local port; port=$(free_port)
  LOGTO_ENDPOINT="$ISSUER" ROCKET_PORT=$port ROCKET_LOG_LEVEL=off ROCKET_LOGTO="$1" "$BIN" > /dev/null &
  APP_PID=$!; PIDS+=($APP_PID)
  APP="http://127.0.0.1:$port"
  wait_http "$APP/open"
}

stop_app() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; }

# load NAME URL [wrk args...]: runs wrk and records "NAME rps p50 p99" in $WORK/results.
load() {
  local name=$1 url=$2; shift 2
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" > "$WORK/wrk.out"
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
  p50=$(awk '$1 == "50%" {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk.out")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$WORK/wrk.out")
  printf '%-40s %12s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$name $rps" >> "$WORK/results"
}

# Of the values recorded under a name in $WORK/results: the last, all, and the median.
last_of() { awk -v n="$1" '$1 == n {v = $2} END {print v}' "$WORK/results"; }
all_of() { awk -v n="$1" '$1 == n {printf "%s%s", sep, $2; sep = " "}' "$WORK/results"; }
median_of() { awk -v n="$1" '$1 == n {print $2}' "$WORK/results" | sort -g \
  | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }
