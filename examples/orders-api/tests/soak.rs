//! A 30-second soak over HTTP: 200 concurrent connections mixing valid, expired and forged
//! tokens against the launched `orders-api`. Every response must have its expected status, no
//! connection may fail, and resident memory must stay flat (start and end are printed).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use logto_guard::Algorithm;
use logto_guard::testing::{TestIssuer, TestKey};
use logto_guard_tests::launch_rocket_binary;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");
const CONNECTIONS: usize = 200;
const DURATION: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_seconds_at_200_connections_with_mixed_tokens() {
    let issuer = TestIssuer::start().await;
    let (app, base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", issuer.endpoint())]).await;
    let forger = TestKey::generate(Algorithm::ES384).with_kid(issuer.signing_key().kid());
    let mixes = Arc::new([
        (issuer.token().scopes(["read:orders"]).sign(), 200_u16),
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .expires_at(1_000)
                .sign(),
            401,
        ),
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .signed_by(&forger)
                .sign(),
            401,
        ),
        (issuer.token().scopes(["write:orders"]).sign(), 403),
    ]);
    // Warm up, then measure memory from a steady start.
    let warm = reqwest::Client::new();
    for (token, _) in mixes.iter() {
        let _ = warm
            .get(format!("{base}/orders"))
            .bearer_auth(token)
            .send()
            .await;
    }
    let rss_start = app.rss_kib().expect("RSS of the app");

    let sent = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + DURATION;
    let connections: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let base = base.clone();
            let mixes = Arc::clone(&mixes);
            let sent = Arc::clone(&sent);
            tokio::spawn(async move {
                // One client per connection: its pool keeps exactly this connection alive.
                let http = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()
                    .expect("client");
                let mut wrong = Vec::new();
                let mut i = c;
                while Instant::now() < deadline {
                    let (token, expected) = &mixes[i % mixes.len()];
                    i += 1;
                    match http
                        .get(format!("{base}/orders"))
                        .bearer_auth(token)
                        .send()
                        .await
                    {
                        Ok(response) if response.status().as_u16() == *expected => {}
                        Ok(response) => {
                            wrong.push(format!("{} instead of {expected}", response.status()))
                        }
                        Err(error) => wrong.push(format!("connection error: {error}")),
                    }
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                wrong
            })
        })
        .collect();
    let mut wrong = Vec::new();
    for connection in connections {
        wrong.extend(connection.await.expect("connection task"));
    }
    let rss_end = app.rss_kib().expect("RSS of the app");
    let total = sent.load(Ordering::Relaxed);
    eprintln!(
        "soak: {total} requests in {DURATION:?} over {CONNECTIONS} connections ({:.0}/s); RSS {rss_start} KiB -> {rss_end} KiB",
        total as f64 / DURATION.as_secs_f64()
    );
    assert!(
        wrong.is_empty(),
        "{} of {total} responses were wrong, e.g. {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert!(total > 1000, "only {total} requests");
    assert!(
        rss_end < rss_start * 2 + 16 * 1024,
        "RSS grew from {rss_start} KiB to {rss_end} KiB"
    );
}
