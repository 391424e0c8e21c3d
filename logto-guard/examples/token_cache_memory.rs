//! Memory of the validated-token cache: validates `count` distinct tokens of one shape through a
//! validator with a `budget`-byte cache, and prints the growth of the resident set.
//!
//! `cargo run --release -p logto-guard --no-default-features --features testing --example
//! token_cache_memory -- <typical|16k> <count> <budget bytes>`; `bench/cache-memory.sh` runs the
//! published cases, each in its own process.

use std::time::Duration;

use logto_guard::testing::TestIssuer;
use logto_guard::{Algorithm, MAX_TOKEN_BYTES, Validator};

/// Resident set size in bytes, from `/proc/self/status` (Linux).
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// As many distinct scopes as make the token `MAX_TOKEN_BYTES` long (a tenant with hundreds of
/// permissions): the largest token the validator accepts, with its largest claim parsed twice
/// (the payload and the scope list).
fn scopes_for_16k(issuer: &TestIssuer) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    loop {
        let next = format!("read:resource-{:04}", scopes.len());
        scopes.push(next);
        if token(issuer, &scopes).len() > MAX_TOKEN_BYTES {
            scopes.pop();
            return scopes;
        }
    }
}

/// A machine-to-machine access token with `scopes` and a fresh `jti`.
fn token(issuer: &TestIssuer, scopes: &[String]) -> String {
    issuer
        .token()
        .machine_to_machine("m2m-app-7w2kq9x4")
        .scopes(scopes.iter().map(String::as_str))
        .sign()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [shape, count, budget] = args.as_slice() else {
        eprintln!("usage: token_cache_memory <typical|16k> <count> <budget bytes>");
        std::process::exit(2);
    };
    let count: usize = count.parse().expect("count");
    let budget: usize = budget.parse().expect("budget");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // ES256: the cheapest ECDSA to sign and verify 100,000 times; the entry does not depend
        // on the algorithm beyond the signature's length.
        let issuer = TestIssuer::builder()
            .algorithm(Algorithm::ES256)
            .start()
            .await;
        let validator = Validator::new(
            issuer
                .config()
                .token_cache_bytes(budget)
                .keys_max_age(Duration::from_secs(3600)),
        )
        .expect("config");
        validator.warm_up().await.expect("keys");
        let scopes = match shape.as_str() {
            "typical" => ["read:orders", "write:orders", "delete:orders"]
                .map(str::to_owned)
                .to_vec(),
            "16k" => scopes_for_16k(&issuer),
            other => panic!("unknown shape {other}"),
        };
        let sample = token(&issuer, &scopes);
        let before = rss_bytes();
        for _ in 0..count {
            validator
                .validate(&token(&issuer, &scopes))
                .await
                .expect("valid");
        }
        let grown = rss_bytes().saturating_sub(before);
        println!(
            "shape={shape} token_bytes={} scopes={} count={count} budget={budget} rss_growth={grown} \
             ({:.1} MiB, {:.0} bytes per token validated)",
            sample.len(),
            scopes.len(),
            grown as f64 / (1024.0 * 1024.0),
            grown as f64 / count as f64,
        );
    });
}
