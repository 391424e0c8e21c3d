//! Revocations shared through a real `redis-server` (feature `redis`): instances that are
//! separate Rockets with separate validators, one receiving the webhook, the others enforcing
//! it; an instance started later; Redis stopped and restarted empty in the middle.
//!
//! Needs `redis-server` (`apt-get install redis-server`); without it these tests fail with
//! instructions (set `LOGTO_GUARD_SKIP_MISSING_TOOLS=1` to skip them locally; CI never skips).

use std::time::{Duration, Instant};

use logto_guard::testing::TestIssuer;
use logto_guard::{AccessToken, Config, LogtoGuard, RouteAudit, requires};
use logto_guard_tests::helpers::{bearer, iso_time, logto_signature_header, metrics, now};
use logto_guard_tests::redis::{RedisServer, redis_available};
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{get, routes};
use serde_json::json;

const KEY: &str = "whsk_redis_test_signing_key";

#[requires(resource = "https://api.example.com")]
#[get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

fn config(issuer: &TestIssuer, redis_url: &str) -> Config {
    issuer
        .config()
        .route_audit(RouteAudit::Deny)
        .webhook_signing_key(KEY)
        .redis_url(redis_url)
}

/// One instance of the API: its own Rocket, its own validator.
async fn instance(config: Config) -> Client {
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", routes![me]);
    Client::tracked(rocket).await.expect("the app ignites")
}

async fn status(client: &Client, token: &str) -> Status {
    client
        .get("/me")
        .header(bearer(token))
        .dispatch()
        .await
        .status()
}

async fn deliver(client: &Client, event: &str, user: &str) -> (Status, serde_json::Value) {
    let body = json!({"hookId": "hook-1", "event": event, "createdAt": iso_time(0),
                      "data": {"id": user, "isSuspended": true}})
    .to_string();
    let response = client
        .post("/logto/webhook")
        .header(logto_signature_header(KEY, body.as_bytes()))
        .body(body)
        .dispatch()
        .await;
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&body).expect("a JSON body"))
}

fn connected(client: &Client) -> bool {
    metrics(client)
        .revocation_store
        .is_some_and(|store| store.connected)
}

/// Two instances of the app on the Redis at `url`, once both are connected to it.
async fn two_connected_instances(issuer: &TestIssuer, url: &str) -> (Client, Client) {
    let a = instance(config(issuer, url)).await;
    let b = instance(config(issuer, url)).await;
    assert!(
        eventually(Duration::from_secs(5), async || connected(&a)
            && connected(&b))
        .await
    );
    (a, b)
}

/// Polls `condition` every 20 ms until it holds or `within` passes; whether it held.
async fn eventually(within: Duration, mut condition: impl AsyncFnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if condition().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[rocket::async_test]
async fn a_revocation_received_by_one_instance_is_enforced_by_the_others() {
    if !redis_available() {
        return;
    }
    let redis = RedisServer::start().await;
    let url = redis.url();
    let issuer = TestIssuer::start().await;
    let (a, b) = two_connected_instances(&issuer, &url).await;
    let ada = issuer.token().subject("ada").issued_at(now() - 1).sign();
    let grace = issuer.token().subject("grace").issued_at(now() - 1).sign();
    assert_eq!(status(&b, &ada).await, Status::Ok);

    let (answer, body) = deliver(&a, "User.SuspensionStatus.Updated", "ada").await;
    assert_eq!(
        (answer, body["outcome"].as_str()),
        (Status::Ok, Some("accepted"))
    );
    assert_eq!(status(&a, &ada).await, Status::Unauthorized);
    assert!(
        eventually(Duration::from_secs(1), async || status(&b, &ada).await
            == Status::Unauthorized)
        .await,
        "the other instance enforces the revocation within a second"
    );
    assert_eq!(status(&b, &grace).await, Status::Ok);

    // An instance started afterwards enforces it from its first request.
    let c = instance(config(&issuer, &url)).await;
    assert_eq!(status(&c, &ada).await, Status::Unauthorized);
    assert_eq!(status(&c, &grace).await, Status::Ok);
    let metrics = metrics(&c);
    assert_eq!(metrics.revocations, 1);
    // Only the receiving instance counted the delivery.
    assert_eq!(metrics.webhook_deliveries.accepted, 0);
}

#[rocket::async_test]
async fn redis_stopped_and_restarted_loses_no_enforced_revocation() {
    if !redis_available() {
        return;
    }
    let mut redis = RedisServer::start().await;
    let (port, url) = (redis.port, redis.url());
    let issuer = TestIssuer::start().await;
    let (a, b) = two_connected_instances(&issuer, &url).await;
    let ada = issuer.token().subject("ada").issued_at(now() - 1).sign();
    let grace = issuer.token().subject("grace").issued_at(now() - 1).sign();
    let (answer, _) = deliver(&a, "User.SuspensionStatus.Updated", "ada").await;
    assert_eq!(answer, Status::Ok);
    assert!(
        eventually(Duration::from_secs(1), async || status(&b, &ada).await
            == Status::Unauthorized)
        .await
    );

    redis.stop().await;
    assert!(
        eventually(Duration::from_secs(10), async || !connected(&a)
            && !connected(&b))
        .await,
        "the instances notice that Redis is gone"
    );
    // What is in memory stays enforced.
    for instance in [&a, &b] {
        assert_eq!(status(instance, &ada).await, Status::Unauthorized);
    }
    // A webhook while Redis is away: enforced here at once, answered 503 so that Logto's hook
    // logs show it, and kept for Redis.
    let (answer, body) = deliver(&a, "User.Deleted", "grace").await;
    assert_eq!(answer, Status::ServiceUnavailable);
    assert_eq!(body["error"], "store_failed");
    assert_eq!(status(&a, &grace).await, Status::Unauthorized);
    assert_eq!(status(&b, &grace).await, Status::Ok);
    let while_away = metrics(&a);
    assert_eq!(while_away.webhook_deliveries.store_failed, 1);
    assert_eq!(
        while_away.revocation_store.map(|s| (s.connected, s.outbox)),
        Some((false, 1))
    );

    // Redis back, empty (it keeps nothing): the instances reconnect, write back what they
    // enforce, and the revocation kept by `a` reaches `b`.
    let _redis = RedisServer::start_on(port).await;
    assert!(
        eventually(Duration::from_secs(15), async || status(&b, &grace).await
            == Status::Unauthorized)
        .await,
        "the kept revocation reaches the other instance once Redis is back"
    );
    assert!(
        eventually(Duration::from_secs(10), async || {
            metrics(&a)
                .revocation_store
                .is_some_and(|s| s.connected && s.outbox == 0)
        })
        .await
    );
    for instance in [&a, &b] {
        assert_eq!(status(instance, &ada).await, Status::Unauthorized);
    }
    // A new instance finds both in the refilled Redis.
    let c = instance(config(&issuer, &url)).await;
    assert_eq!(status(&c, &ada).await, Status::Unauthorized);
    assert_eq!(status(&c, &grace).await, Status::Unauthorized);
    let other = issuer.token().subject("alan").issued_at(now() - 1).sign();
    assert_eq!(status(&c, &other).await, Status::Ok);
}
