#!/usr/bin/env bash
# Lists logto-guard's public API (all features) into logto-guard/public-api.txt, from rustdoc's
# JSON output on the stable toolchain. With --check, fails when the listing and the code differ.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTC_BOOTSTRAP=1 cargo rustdoc -q -p logto-guard --all-features --lib -- \
  -Z unstable-options --output-format json
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
listing=$(python3 scripts/public-api.py "$target_dir/doc/logto_guard.json")
if [ "${1:-}" = "--check" ]; then
  if ! diff -u logto-guard/public-api.txt <(printf '%s\n' "$listing"); then
    echo "The public API changed: review the diff above, then run scripts/public-api.sh and commit logto-guard/public-api.txt." >&2
    exit 1
  fi
else
  printf '%s\n' "$listing" > logto-guard/public-api.txt
  echo "$(wc -l < logto-guard/public-api.txt) public items in logto-guard/public-api.txt"
fi
