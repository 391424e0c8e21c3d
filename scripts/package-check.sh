#!/usr/bin/env bash
# Packages logto-guard-macros and logto-guard as crates.io would receive them, then builds and
# tests a tiny app against the packaged sources (unpacked from target/package/*.crate), not the
# workspace paths: a file left out of a package, or a dependency only the workspace provides,
# fails here.
#
#   scripts/package-check.sh            # package, unpack, build and test the smoke app
#   KEEP=1 scripts/package-check.sh     # keep the temporary app (its path is printed)
#
# The app builds into the workspace's target directory (CARGO_TARGET_DIR), with the workspace's
# Cargo.lock and build settings (.cargo/config.toml, which cargo would not find from the app's
# directory), so dependencies the workspace already compiled are reused.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}

# `cargo package` resolves the packaged manifests against crates.io, where these versions do not
# exist yet; several packages at once are resolved together (macros first). The smoke app below
# is the verification build, so cargo's own (a clean build of every dependency) is skipped.
cargo package --locked --no-verify --allow-dirty -p logto-guard-macros -p logto-guard

version=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "logto-guard"))')

work=$(mktemp -d "${TMPDIR:-/tmp}/logto-guard-package-check.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "smoke app kept in $work"; fi

echo "== packages"
for crate in logto-guard-macros logto-guard; do
  file="$target_dir/package/$crate-$version.crate"
  printf '%-22s %8s bytes compressed, %4s files\n' "$crate" "$(stat -c %s "$file")" \
    "$(tar -tzf "$file" | grep -vc '/$')"
  tar -xzf "$file" -C "$work"
  # Nothing of the test suite, fixtures, benchmarks or node packages ships.
  if tar -tzf "$file" | grep -E '/(tests|benches|fuzz|node_modules|fixtures)/|\.(js|json)$' |
    grep -Ev '/(src/openapi/okapi/swagger-initializer\.js|\.cargo_vcs_info\.json)$'; then
    echo "package-check: $crate ships files it should not (above)" >&2
    exit 1
  fi
done

mkdir -p "$work/app/src" "$work/app/tests"
cat >"$work/app/Cargo.toml" <<EOF
[package]
name = "logto-guard-package-check"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
logto-guard = "$version"
rocket = "0.5.1"

[dev-dependencies]
logto-guard = { version = "$version", features = ["testing"] }

# The packaged sources stand in for crates.io.
[patch.crates-io]
logto-guard = { path = "$work/logto-guard-$version" }
logto-guard-macros = { path = "$work/logto-guard-macros-$version" }

[workspace]
EOF

cat >"$work/app/src/lib.rs" <<'EOF'
use logto_guard::{LogtoGuard, requires};

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() -> &'static str {
    "[]"
}

pub fn app(config: logto_guard::Config) -> rocket::Rocket<rocket::Build> {
    rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", rocket::routes![list_orders])
}
EOF

cat >"$work/app/tests/smoke.rs" <<'EOF'
use logto_guard::testing::TestIssuer;
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

#[rocket::async_test]
async fn requires_a_scoped_token() {
    let issuer = TestIssuer::start().await;
    let client = Client::tracked(logto_guard_package_check::app(issuer.config()))
        .await
        .expect("the app ignites");

    let response = client.get("/orders").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);

    let token = issuer.token().scopes(["read:orders"]).sign();
    let response = client
        .get("/orders")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("[]"));

    let token = issuer.token().scopes(["write:orders"]).sign();
    let response = client
        .get("/orders")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}
EOF

# The workspace's lock file pins the same versions the workspace built (the app's own
# resolution adds nothing: every dependency is one the workspace has).
cp Cargo.lock "$work/app/Cargo.lock"

echo "== smoke app"
(cd "$work/app" && CARGO_TARGET_DIR="$target_dir" cargo --config "$root/.cargo/config.toml" test --quiet)
echo "package-check: both packages build and guard a route from their packaged sources"
