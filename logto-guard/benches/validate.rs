//! The guard's hot path: `validate` of a first-seen token against the bare aws-lc verification
//! of the same signature (EC keys, parsed once: the limit) and against a raw
//! `jsonwebtoken::decode` with the same key and claim checks; a repeated token (cache hit); and
//! the `Authorization` header and scope checks alone.
//!
//! `cargo bench -p logto-guard --features testing --bench validate`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
use logto_guard::testing::TestIssuer;
use logto_guard::{Algorithm, Scopes, Validator, bearer_token};
use serde::Deserialize;

/// Runs a future that completes without waiting: with the keys cached, validation never
/// waits, so no executor overhead is measured.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("validation waited: the keys should be cached"),
    }
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct RawClaims {
    iss: String,
    aud: String,
    exp: i64,
    scope: Option<String>,
    sub: Option<String>,
}

fn bench_algorithms(c: &mut Criterion) {
    // Explicit, so the baseline runs even where feature unification turns on jsonwebtoken's
    // second backend (the workspace's rust-crypto test crate does).
    let _ = jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER.install_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for algorithm in [Algorithm::ES384, Algorithm::ES256, Algorithm::RS256] {
        let (issuer, uncached, cached) = runtime.block_on(async {
            let issuer = TestIssuer::builder().algorithm(algorithm).start().await;
            let uncached = Validator::new(issuer.config().token_cache_bytes(0)).expect("config");
            let cached = Validator::new(issuer.config()).expect("config");
            uncached.warm_up().await.expect("keys");
            cached.warm_up().await.expect("keys");
            (issuer, uncached, cached)
        });
        let token = issuer
            .token()
            .scopes(["read:orders", "write:orders"])
            .sign();
        ready(cached.validate(&token)).expect("valid");

        let jwk: Jwk = serde_json::from_value(issuer.signing_key().public_jwk()).expect("jwk");
        let key = DecodingKey::from_jwk(&jwk).expect("key");
        let raw_algorithm = algorithm.as_str().parse().expect("jsonwebtoken knows it");
        let mut validation = Validation::new(raw_algorithm);
        validation.set_issuer(&[issuer.issuer()]);
        validation.set_audience(&[issuer.resource()]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 60;
        jsonwebtoken::decode::<RawClaims>(&token, &key, &validation).expect("raw decode");

        let mut group = c.benchmark_group(format!("{algorithm:?}"));
        group.bench_function("validate_first_seen", |b| {
            b.iter(|| ready(uncached.validate(black_box(&token))).expect("valid"))
        });
        if let Some((public, input, signature)) = bare_ec_signature(&issuer, &token) {
            group.bench_function("bare_aws_lc_verify", |b| {
                b.iter(|| {
                    public
                        .verify_sig(black_box(input.as_bytes()), black_box(&signature))
                        .expect("valid")
                })
            });
        }
        group.bench_function("raw_jsonwebtoken_decode", |b| {
            b.iter(|| {
                jsonwebtoken::decode::<RawClaims>(black_box(&token), &key, &validation)
                    .expect("valid")
            })
        });
        group.bench_function("validate_repeated", |b| {
            b.iter(|| ready(cached.validate(black_box(&token))).expect("valid"))
        });
        group.finish();
        drop(issuer);
    }
}

/// The issuer's EC public key parsed once, and the token's signing input and decoded signature:
/// what verifying its signature costs at the least. `None` for RSA keys.
fn bare_ec_signature(
    issuer: &TestIssuer,
    token: &str,
) -> Option<(aws_lc_rs::signature::ParsedPublicKey, String, Vec<u8>)> {
    use aws_lc_rs::signature::{self, ParsedPublicKey};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let jwk = issuer.signing_key().public_jwk();
    let algorithm = match jwk["crv"].as_str()? {
        "P-256" => &signature::ECDSA_P256_SHA256_FIXED,
        "P-384" => &signature::ECDSA_P384_SHA384_FIXED,
        _ => return None,
    };
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str()?).ok();
    let point = [vec![4], coordinate("x")?, coordinate("y")?].concat();
    let public = ParsedPublicKey::new(algorithm, &point).ok()?;
    let (input, signature) = token.rsplit_once('.')?;
    Some((
        public,
        input.to_owned(),
        URL_SAFE_NO_PAD.decode(signature).ok()?,
    ))
}

fn bench_parsing(c: &mut Criterion) {
    let header = format!("Bearer {}", "eyJhbGciOiJFUzM4NCJ9.".repeat(30));
    c.bench_function("bearer_token", |b| {
        b.iter(|| bearer_token([black_box(header.as_str())]).expect("bearer"))
    });
    let scope = "read:orders write:orders delete:orders admin:orders read:members";
    c.bench_function("scopes_parse", |b| {
        b.iter(|| Scopes::parse(black_box(scope)))
    });
    let scopes = Scopes::parse(scope);
    c.bench_function("scopes_contains_all", |b| {
        b.iter(|| scopes.contains_all(black_box(["write:orders", "delete:orders"]).into_iter()))
    });
}

criterion_group!(benches, bench_algorithms, bench_parsing);
criterion_main!(benches);
