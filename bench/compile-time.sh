#!/usr/bin/env bash
# What logto-guard costs an app at compile time (debug builds), measured on small apps generated
# in a temporary directory, each dependency stack with its own target directory:
#
#   plain       a one-route Rocket app
#   guard       the same with logto-guard (default features) and one #[requires]
#   jwt         the same with the stack Logto's Rust guide uses: jsonwebtoken (aws_lc_rs) and
#               reqwest (rustls), verifying a token in the route
#   validator   logto-guard --no-default-features (the Validator alone, no Rocket)
#   plain100    100 plain handlers         (built after `plain`, whose dependencies it shares)
#   guard100    100 #[requires] handlers   (built after `guard`)
#
# "clean" is the first build in an empty target directory (every dependency compiled);
# "incremental" touches src/main.rs and rebuilds (the median of ROUNDS rebuilds).
#
#   bench/compile-time.sh                 # every stack, ROUNDS=3
#   ROUNDS=5 bench/compile-time.sh plain guard
#   KEEP=1 bench/compile-time.sh          # keep the apps and `cargo build --timings` reports
#
# The logto-guard used is this checkout (a path dependency); versions are pinned by a copy of
# the workspace's Cargo.lock. Nothing else may compile on the machine for figures to compare.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
rounds=${ROUNDS:-3}
stacks=("$@")
[ ${#stacks[@]} -gt 0 ] || stacks=(plain guard jwt validator plain100 guard100)

work=$(mktemp -d "${TMPDIR:-/tmp}/logto-guard-compile-time.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "apps and timings kept in $work"; fi

rocket_dep='rocket = "0.5.1"'
guard_dep="logto-guard = { path = \"$root/logto-guard\" }"

# new_app NAME DEPENDENCIES... ; main.rs comes on stdin.
new_app() {
  local name=$1
  shift
  mkdir -p "$work/$name/src"
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[dependencies]\n' "$name"
    printf '%s\n' "$@"
    printf '\n[workspace]\n'
  } >"$work/$name/Cargo.toml"
  cat >"$work/$name/src/main.rs"
  cp "$root/Cargo.lock" "$work/$name/Cargo.lock"
}

handlers() { # handlers COUNT GUARDED
  local i
  for ((i = 0; i < $1; i++)); do
    if [ "$2" = 1 ]; then
      echo "#[logto_guard::requires(resource = \"https://api.example.com\", scope = \"read:r$i\")]"
    fi
    echo "#[rocket::get(\"/r$i\")]"
    echo "fn r$i() -> &'static str { \"r$i\" }"
  done
  echo
  echo '#[rocket::launch]'
  echo 'fn rocket() -> _ {'
  echo -n '    rocket::build()'
  [ "$2" = 1 ] && echo -n '.attach(logto_guard::LogtoGuard::fairing())'
  echo -n '.mount("/", rocket::routes!['
  for ((i = 0; i < $1; i++)); do echo -n "r$i, "; done
  echo '])'
  echo '}'
}

handlers 1 0 | new_app plain "$rocket_dep"
handlers 100 0 | new_app plain100 "$rocket_dep"
handlers 1 1 | new_app guard "$rocket_dep" "$guard_dep"
handlers 100 1 | new_app guard100 "$rocket_dep" "$guard_dep"

new_app jwt "$rocket_dep" \
  'jsonwebtoken = { version = "11", default-features = false, features = ["aws_lc_rs"] }' \
  'reqwest = { version = "0.13", default-features = false, features = ["rustls"] }' \
  'serde_json = "1"' <<'EOF'
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use rocket::http::Status;
use rocket::State;

// What a hand-written guard does per request: fetch the JWK Set, pick the key, verify.
#[rocket::get("/r0?<token>")]
async fn r0(token: &str, http: &State<reqwest::Client>) -> Result<String, Status> {
    let body = http
        .get("https://tenant.logto.app/oidc/jwks")
        .send()
        .await
        .map_err(|_| Status::ServiceUnavailable)?
        .bytes()
        .await
        .map_err(|_| Status::ServiceUnavailable)?;
    let keys: JwkSet = serde_json::from_slice(&body).map_err(|_| Status::ServiceUnavailable)?;
    let header = decode_header(token).map_err(|_| Status::Unauthorized)?;
    let jwk = keys.find(header.kid.as_deref().unwrap_or_default()).ok_or(Status::Unauthorized)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|_| Status::Unauthorized)?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&["https://api.example.com"]);
    validation.set_issuer(&["https://tenant.logto.app/oidc"]);
    let claims = decode::<serde_json::Value>(token, &key, &validation).map_err(|_| Status::Unauthorized)?;
    Ok(claims.claims.to_string())
}

#[rocket::launch]
fn rocket() -> _ {
    rocket::build().manage(reqwest::Client::new()).mount("/", rocket::routes![r0])
}
EOF

new_app validator "logto-guard = { path = \"$root/logto-guard\", default-features = false }" \
  'tokio = { version = "1", features = ["rt", "macros"] }' <<'EOF'
use logto_guard::{Config, Validator};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let config = Config::new("https://tenant.logto.app").resource("https://api.example.com");
    let validator = Validator::new(config).expect("a valid config");
    let token = std::env::args().nth(1).unwrap_or_default();
    println!("{:?}", validator.validate(&token).await.map(|token| token.subject().map(str::to_owned)));
}
EOF

# build NAME TARGET_DIR [--timings]: prints "WALL CPU", the seconds one `cargo build` took and
# the CPU seconds (user + system) of cargo and every rustc, build script and linker it ran. On a
# machine others share, wall time follows the load; CPU time much less so.
build() {
  local out=$work/.time
  (cd "$work/$1" && CARGO_TARGET_DIR="$2" /usr/bin/time -o "$out" -f '%e %U %S' cargo build --quiet ${3:-}) >&2
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$out"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# column N of "WALL CPU" pairs
col() { local n=$1 pair; shift; for pair in "$@"; do echo "$pair" | cut -d' ' -f"$n"; done; }

target_of() {
  case $1 in
  plain | plain100) echo "$work/target-plain" ;;
  guard | guard100) echo "$work/target-guard" ;;
  *) echo "$work/target-$1" ;;
  esac
}

echo "logto-guard compile time: $(rustc --version), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "seconds; wall = elapsed, cpu = user + system of the whole build; incremental = median of $rounds"
printf '%-10s %10s %10s %12s %12s   %s\n' stack clean_wall clean_cpu incr_wall incr_cpu "incremental rounds (wall/cpu)"
for stack in "${stacks[@]}"; do
  dir=$(target_of "$stack")
  case $stack in
  plain100 | guard100)
    # Needs its 1-handler twin's dependencies; its own first build is not a clean build.
    [ -d "$dir" ] || build "${stack%100}" "$dir" >/dev/null
    build "$stack" "$dir" >/dev/null
    clean="- -"
    ;;
  *)
    rm -rf "$dir"
    clean=$(build "$stack" "$dir" --timings)
    [ -z "${KEEP:-}" ] || cp -r "$dir/cargo-timings" "$work/timings-$stack" 2>/dev/null || true
    ;;
  esac
  times=()
  for ((round = 0; round < rounds; round++)); do
    touch "$work/$stack/src/main.rs"
    times+=("$(build "$stack" "$dir")")
  done
  printf '%-10s %10s %10s %12s %12s   %s\n' "$stack" $clean "$(median $(col 1 "${times[@]}"))" \
    "$(median $(col 2 "${times[@]}"))" "$(printf '%s, ' "${times[@]/ //}")"
  echo "  load now: $(cut -d' ' -f1-3 /proc/loadavg)"
done
