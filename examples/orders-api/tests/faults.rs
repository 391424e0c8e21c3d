//! Key-source faults, over HTTP against the launched `orders-api`, with a `TestIssuer` as the
//! JWKS server that counts its requests.

use std::time::Duration;

use logto_guard::Algorithm;
use logto_guard::testing::{JwksFault, TestIssuer, TestKey};
use logto_guard_tests::{launch_rocket_binary, max_unknown_kid_fetches};
use reqwest::StatusCode;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");

async fn get(http: &reqwest::Client, base: &str, token: &str) -> reqwest::Response {
    http.get(format!("{base}/orders"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn broken_key_sources_answer_503_and_recover_without_restart() {
    for fault in [
        JwksFault::Status(500),
        JwksFault::Delay(Duration::from_secs(3)),
        JwksFault::Body(vec![b'['; 300 * 1024]),
        JwksFault::Body(b"{\"keys\": not json".to_vec()),
    ] {
        let issuer = TestIssuer::start().await;
        issuer.set_fault(fault.clone());
        let (_app, base) = launch_rocket_binary(
            BINARY,
            &[
                ("LOGTO_ENDPOINT", issuer.endpoint()),
                (
                    "ROCKET_LOGTO",
                    "{fetch_timeout=0.5,failed_fetch_backoff=0.3}",
                ),
            ],
        )
        .await;
        let http = reqwest::Client::new();
        let token = issuer.token().scopes(["read:orders"]).sign();
        tokio::time::sleep(Duration::from_millis(600)).await; // the liftoff warm-up has failed
        let response = get(&http, &base, &token).await;
        assert_eq!(
            response.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{fault:?}"
        );
        assert!(response.headers().contains_key("retry-after"), "{fault:?}");

        issuer.set_fault(JwksFault::None);
        tokio::time::sleep(Duration::from_millis(350)).await;
        assert_eq!(
            get(&http, &base, &token).await.status(),
            StatusCode::OK,
            "{fault:?}"
        );
    }
}

#[tokio::test]
async fn a_removed_key_is_refused_after_the_next_refresh() {
    let issuer = TestIssuer::start().await;
    let (_app, base) = launch_rocket_binary(
        BINARY,
        &[
            ("LOGTO_ENDPOINT", issuer.endpoint()),
            ("ROCKET_LOGTO", "{keys_max_age=0.5}"),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let old = issuer.token().scopes(["read:orders"]).sign();
    assert_eq!(get(&http, &base, &old).await.status(), StatusCode::OK);

    issuer.set_keys(vec![TestKey::generate(Algorithm::ES384)]);
    tokio::time::sleep(Duration::from_millis(600)).await;
    let _ = get(&http, &base, &old).await; // sees a stale set: refreshes in the background
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = get(&http, &base, &old).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let new = issuer.token().scopes(["read:orders"]).sign();
    assert_eq!(get(&http, &base, &new).await.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_random_kids_cost_at_most_the_documented_fetches() {
    let issuer = TestIssuer::start().await;
    let (_app, base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", issuer.endpoint())]).await;
    let http = reqwest::Client::new();
    let valid = issuer.token().scopes(["read:orders"]).sign();
    assert_eq!(get(&http, &base, &valid).await.status(), StatusCode::OK);
    let before = issuer.jwks_requests();
    let started = std::time::Instant::now();

    let workers: Vec<_> = (0..50)
        .map(|worker| {
            let http = http.clone();
            let base = base.clone();
            let tokens: Vec<String> = (0..200)
                .map(|i| {
                    issuer
                        .token()
                        .scopes(["read:orders"])
                        .kid(format!("forged-{worker}-{i}"))
                        .sign()
                })
                .collect();
            tokio::spawn(async move {
                for token in tokens {
                    assert_eq!(
                        get(&http, &base, &token).await.status(),
                        StatusCode::UNAUTHORIZED
                    );
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let bound = max_unknown_kid_fetches(started.elapsed(), Duration::from_secs(30));
    let fetches = u64::try_from(issuer.jwks_requests() - before).unwrap_or(u64::MAX);
    assert!(
        fetches <= bound,
        "{fetches} fetches for 10,000 forged kids in {:?}, bound {bound}",
        started.elapsed()
    );
    assert_eq!(get(&http, &base, &valid).await.status(), StatusCode::OK);
}
