//! Revocation end to end: the `orders-api` binary trusting the real `oidc-provider` engine
//! configured like Logto (tests/issuer), its webhook delivered by that issuer exactly as Logto
//! delivers one (Node's `createHmac` over `JSON.stringify` of the payload, a real HTTP POST),
//! and the revoked token refused on the next request while another keeps working.
//!
//! Needs Node with npm, like the other oidc-provider tests.

use std::time::{Duration, Instant};

use logto_guard_tests::{NodeIssuer, launch_rocket_binary, node_issuer_available};
use serde_json::json;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");
const API: &str = "https://api.example.com";
const KEY: &str = "whsk_orders_api_test_signing_key";

async fn get(http: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    http.get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_webhook_delivered_like_logtos_revokes_the_token_on_the_next_request() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let (_api, base) = launch_rocket_binary(
        BINARY,
        &[
            ("LOGTO_ENDPOINT", &issuer.endpoint),
            ("LOGTO_WEBHOOK_SIGNING_KEY", KEY),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let orders = format!("{base}/orders");
    let webhook = format!("{base}/logto/webhook");
    // The issuer's apps are machine-to-machine apps, whose `sub` is their app id: the event
    // deletes the subject `m2m-app`, the rule every deleted or suspended user's tokens follow.
    let revoked = issuer.token(API, &["read:orders"]).await;
    let unrelated = issuer
        .token_of("m2m-readonly", "m2m-readonly-secret", API, &["read:orders"])
        .await;
    for token in [&revoked, &unrelated] {
        assert_eq!(get(&http, &orders, token).await.status(), 200);
    }

    // Signed with another key: refused, nothing changes.
    let deleted = json!({"event": "User.Deleted", "data": {"id": "m2m-app"},
                         "params": {"userId": "m2m-app"}});
    let (status, body) = issuer
        .deliver_webhook(&webhook, "not-the-key", deleted.clone())
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_signature"))
    );
    // Captured ten minutes ago and replayed now: refused as stale.
    let mut replayed = deleted.clone();
    replayed["createdAt"] = json!(logto_guard_tests::helpers::iso_time(-600));
    let (status, body) = issuer.deliver_webhook(&webhook, KEY, replayed).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("stale_event")));
    assert_eq!(get(&http, &orders, &revoked).await.status(), 200);

    let (status, body) = issuer.deliver_webhook(&webhook, KEY, deleted).await;
    assert_eq!(
        (status, body),
        (200, json!({"outcome": "accepted", "revocations": 1}))
    );
    let refused = get(&http, &orders, &revoked).await;
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused.headers()["www-authenticate"],
        r#"Bearer realm="api", error="invalid_token", error_description="token was revoked""#
    );
    assert_eq!(get(&http, &orders, &unrelated).await.status(), 200);

    let scrape = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    for line in [
        r#"logto_guard_rejections_total{route="GET /orders",reason="revoked"} 1"#,
        "logto_guard_revocations 1",
        r#"logto_guard_webhook_deliveries_total{outcome="accepted"} 1"#,
        r#"logto_guard_webhook_deliveries_total{outcome="bad_signature"} 1"#,
        r#"logto_guard_webhook_deliveries_total{outcome="stale"} 1"#,
    ] {
        assert!(scrape.lines().any(|l| l == line), "{line} in\n{scrape}");
    }
    assert!(!scrape.contains("m2m-app"), "{scrape}");
}

#[tokio::test]
async fn without_a_signing_key_no_webhook_is_received() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let (_api, base) = launch_rocket_binary(BINARY, &[("LOGTO_ENDPOINT", &issuer.endpoint)]).await;
    let (status, _) = issuer
        .deliver_webhook(
            &format!("{base}/logto/webhook"),
            KEY,
            json!({"event": "User.Deleted", "data": {"id": "m2m-app"}}),
        )
        .await;
    assert_eq!(status, 404);
}

/// Two `orders-api` processes sharing revocations through a real `redis-server`
/// (`LOGTO_REDIS_URL`): the webhook goes to one, the other refuses the token too, within a
/// second. Prints the propagation time: from instance A's 200 to the webhook to instance B's
/// first 401, B polled back to back (one loopback round trip per poll, so the figure includes
/// up to one round trip).
#[tokio::test]
async fn two_instances_share_revocations_through_redis() {
    if !node_issuer_available() || !logto_guard_tests::redis::redis_available() {
        return;
    }
    let redis = logto_guard_tests::redis::RedisServer::start().await;
    let issuer = NodeIssuer::start().await;
    let env = [
        ("LOGTO_ENDPOINT", issuer.endpoint.as_str()),
        ("LOGTO_WEBHOOK_SIGNING_KEY", KEY),
        ("LOGTO_REDIS_URL", &redis.url()),
    ];
    let (_first, first) = launch_rocket_binary(BINARY, &env).await;
    let (_second, second) = launch_rocket_binary(BINARY, &env).await;
    let http = reqwest::Client::new();
    for base in [&first, &second] {
        let ready: serde_json::Value = http
            .get(format!("{base}/ready"))
            .send()
            .await
            .expect("ready")
            .json()
            .await
            .expect("json");
        assert_eq!(ready["revocation_store"], "connected", "{ready}");
    }
    let token = issuer.token(API, &["read:orders"]).await;
    let orders_on_second = format!("{second}/orders");
    let round_trip = Instant::now();
    assert_eq!(get(&http, &orders_on_second, &token).await.status(), 200);
    let round_trip = round_trip.elapsed();

    // Straight to A, signed as Logto signs (the first test delivers through the issuer), so
    // that the clock starts when A's 200 arrives.
    let body = json!({"hookId": "hook-1", "event": "User.Deleted",
                      "createdAt": logto_guard_tests::helpers::iso_time(0),
                      "data": {"id": "m2m-app"}})
    .to_string();
    let signature = logto_guard_tests::helpers::logto_signature(KEY, body.as_bytes());
    let sent = Instant::now();
    let answer = http
        .post(format!("{first}/logto/webhook"))
        .header("logto-signature-sha-256", signature)
        .body(body)
        .send()
        .await
        .expect("deliver");
    assert_eq!(answer.status(), 200);
    let accepted = Instant::now();
    let mut accepted_polls = 0;
    let (propagation, end_to_end) = loop {
        let status = get(&http, &orders_on_second, &token).await.status();
        let refused = Instant::now();
        let elapsed = refused - accepted;
        if status == 401 {
            break (elapsed, refused - sent);
        }
        assert!(
            elapsed <= Duration::from_secs(1),
            "the second instance still answers {status} {elapsed:?} after the first's 200"
        );
        accepted_polls += 1;
    };
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    eprintln!(
        "two_instances_share_revocations_through_redis: instance B refused the token {:.1} ms \
         after instance A answered the webhook 200, {:.1} ms after the webhook was sent to A \
         ({accepted_polls} earlier polls of B still accepted it; one poll of B took {:.1} ms)",
        ms(propagation),
        ms(end_to_end),
        ms(round_trip)
    );
    assert!(propagation <= Duration::from_secs(1), "{propagation:?}");
}
