#!/usr/bin/env bash
# Memory of the validated-token cache: RSS growth while validating distinct tokens, each case in
# its own process (logto-guard/examples/token_cache_memory.rs).
#
#   bench/cache-memory.sh            # release build; PROFILE=dev for a debug build (same bytes)
#
# Cases: per-entry cost with a budget that holds every token (typical Logto-shaped tokens, and
# 16 KiB tokens full of scopes), then 100,000 distinct tokens of each shape against the default
# 32 MiB budget (`token_cache_bytes`).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROFILE=${PROFILE:-release}
DEFAULT_BUDGET=$((32 * 1024 * 1024))
cd "$ROOT"
run() {
  cargo run -q --profile "$PROFILE" -p logto-guard --no-default-features --features testing \
    --example token_cache_memory -- "$@"
}
run typical 20000 80000000
run 16k 2000 200000000
run typical 100000 "$DEFAULT_BUDGET"
run 16k 100000 "$DEFAULT_BUDGET"
