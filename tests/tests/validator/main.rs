//! The framework-free validator against a real JWKS server on 127.0.0.1 (`TestIssuer`), with
//! tokens signed in the test. One module per topic; this file holds what they share.

mod claims;
mod config;
mod issuers;
mod key_cache;
mod policies;
mod signatures;
mod token_cache;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use logto_guard::testing::{JwksFault, TestIssuer, TestKey};
use logto_guard::{ActorRule, Algorithm, AuthError, Config, Policy, Validator};
use logto_guard_tests::helpers::now;
use logto_guard_tests::logs::Logs;
use logto_guard_tests::max_unknown_kid_fetches;
use serde_json::json;

const RESOURCE: &str = "https://api.example.com";

fn validator(config: Config) -> Validator {
    Validator::new(config).expect("valid config")
}

/// Validates every token at once, each on its own task, expecting each to be refused as signed
/// by an unknown key (a forged-`kid` flood); how long that took.
async fn refused_as_unknown_keys(validator: &Validator, tokens: Vec<String>) -> Duration {
    let started = std::time::Instant::now();
    let tasks: Vec<_> = tokens
        .into_iter()
        .map(|token| {
            let validator = validator.clone();
            tokio::spawn(async move { validator.validate(&token).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(
            task.await.expect("task").expect_err("a forged kid"),
            AuthError::UnknownKey
        );
    }
    started.elapsed()
}

async fn issuer_with(algorithm: Algorithm) -> TestIssuer {
    TestIssuer::builder().algorithm(algorithm).start().await
}
