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

async fn issuer_with(algorithm: Algorithm) -> TestIssuer {
    TestIssuer::builder().algorithm(algorithm).start().await
}
