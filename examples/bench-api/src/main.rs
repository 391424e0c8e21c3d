//! The load-test target of the `bench/` scripts.
//!
//! - `bench-api issuer PORT COUNT FILE`: a test issuer on 127.0.0.1:PORT; writes one token per
//!   line to FILE (the first is the "repeated" token, then COUNT distinct ones), prints `ready`,
//!   and serves its JWKS until stopped.
//! - `bench-api` (no arguments): the app of `bench_api::mount`, trusting `LOGTO_ENDPOINT`.
//! - `bench-api limit SECONDS`: the signature limit, the yardstick of first-seen tokens: how
//!   many ES384 signatures of a token like the issuer's aws-lc verifies per second on every
//!   core, its key parsed once. Prints `limit <verifications/s>`.

use std::io::Write as _;
use std::time::Duration;

use logto_guard::testing::{TestIssuer, TestKey};
use logto_guard::{Algorithm, LogtoGuard};

#[rocket::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [mode, port, count, file] if mode == "issuer" => {
            issue(port.parse()?, count.parse()?, file).await
        }
        [mode, seconds] if mode == "limit" => signature_limit(seconds.parse()?),
        [] => {
            bench_api::mount(rocket::build().attach(LogtoGuard::fairing()))
                .launch()
                .await?;
            Ok(())
        }
        _ => Err("usage: bench-api [issuer PORT COUNT FILE | limit SECONDS]".into()),
    }
}

async fn issue(port: u16, count: usize, file: &str) -> Result<(), Box<dyn std::error::Error>> {
    let issuer = TestIssuer::builder().port(port).start().await;
    let day = Duration::from_secs(24 * 3600);
    let mut out = std::io::BufWriter::new(std::fs::File::create(file)?);
    for i in 0..=count {
        let token = issuer
            .token()
            .subject(format!("user-{i}"))
            .scopes(["read:orders"])
            .expires_in(day)
            .sign();
        writeln!(out, "{token}")?;
    }
    out.flush()?;
    println!("ready");
    tokio::signal::ctrl_c().await?;
    Ok(())
}

/// Verifies one real ES384 token's signature on every core for `seconds`, with the public key
/// parsed once, as the validator holds it; prints the total rate.
fn signature_limit(seconds: f64) -> Result<(), Box<dyn std::error::Error>> {
    use aws_lc_rs::signature::{ECDSA_P384_SHA384_FIXED, ParsedPublicKey};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let key = TestKey::generate(Algorithm::ES384);
    let jwk = key.public_jwk();
    let coordinate = |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap_or_default());
    let point = [vec![4], coordinate("x")?, coordinate("y")?].concat();
    let public = ParsedPublicKey::new(&ECDSA_P384_SHA384_FIXED, &point)?;
    let token = key.sign_compact(
        &serde_json::json!({"alg": "ES384", "typ": "at+jwt", "kid": key.kid()}),
        &serde_json::json!({"iss": "http://127.0.0.1/oidc", "aud": "https://api.example.com",
            "sub": "user-1", "scope": "read:orders", "exp": 4_000_000_000_u64}),
    );
    let (input, signature) = token.rsplit_once('.').ok_or("a compact JWS")?;
    let signature = URL_SAFE_NO_PAD.decode(signature)?;
    let cores = std::thread::available_parallelism()?.get();
    let deadline = std::time::Instant::now() + Duration::from_secs_f64(seconds);
    let verified: u64 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..cores)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0_u64;
                    while std::time::Instant::now() < deadline {
                        let ok = public.verify_sig(input.as_bytes(), &signature).is_ok();
                        count += u64::from(ok);
                    }
                    count
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    println!("limit {:.0}", verified as f64 / seconds);
    Ok(())
}
