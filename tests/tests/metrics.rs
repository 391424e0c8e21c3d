//! Metrics and readiness: rejections counted by reason and by route, the key set's state, and
//! readiness before and after the keys load.

use std::time::{Duration, SystemTime};

use logto_guard::testing::TestIssuer;
use logto_guard::{AccessToken, Config, LogtoGuard, Validator, requires};
use logto_guard_tests::helpers::bearer;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket, get, routes};

#[requires(resource = "https://api.example.com", scope = "read:things")]
#[get("/things")]
fn metrics_things() -> &'static str {
    "things"
}

#[requires(resource = "https://api.example.com")]
#[get("/things/<id>")]
fn metrics_thing(id: u64) -> String {
    id.to_string()
}

#[get("/maybe")]
fn metrics_maybe(token: Option<AccessToken>) -> &'static str {
    if token.is_some() { "someone" } else { "anyone" }
}

#[get("/ready")]
async fn metrics_ready(validator: &Validator) -> Status {
    match validator.warm_up().await {
        Ok(()) => Status::Ok,
        Err(_) => Status::ServiceUnavailable,
    }
}

fn app(config: Config) -> Rocket<Build> {
    rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount(
            "/",
            routes![metrics_things, metrics_thing, metrics_maybe, metrics_ready],
        )
}

async fn status(client: &Client, path: &str, token: Option<&str>) -> Status {
    let mut request = client.get(path.to_owned());
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    request.dispatch().await.status()
}

fn validator(client: &Client) -> &Validator {
    LogtoGuard::validator(client.rocket()).expect("the fairing ran")
}

#[rocket::async_test]
async fn rejections_are_counted_by_reason_and_route() {
    let issuer = TestIssuer::start().await;
    let client = Client::tracked(app(issuer.config()))
        .await
        .expect("ignites");
    let good = issuer.token().scopes(["read:things"]).sign();
    let unscoped = issuer.token().sign();
    let expired = issuer.token().expires_at(1_000).sign();

    assert_eq!(status(&client, "/things", None).await, Status::Unauthorized);
    assert_eq!(
        status(&client, "/things", Some(&expired)).await,
        Status::Unauthorized
    );
    assert_eq!(
        status(&client, "/things", Some(&unscoped)).await,
        Status::Forbidden
    );
    assert_eq!(status(&client, "/things", Some(&good)).await, Status::Ok);
    for id in [1, 2] {
        let path = format!("/things/{id}");
        assert_eq!(
            status(&client, &path, Some("opaque")).await,
            Status::Unauthorized
        );
    }
    assert_eq!(status(&client, "/things/3", Some(&good)).await, Status::Ok);
    // `Option<AccessToken>` answers 200 without a valid token: no rejection is answered.
    assert_eq!(status(&client, "/maybe", Some("opaque")).await, Status::Ok);

    let metrics = validator(&client).metrics();
    assert_eq!(metrics.rejections_with_reason("missing_credentials"), 1);
    assert_eq!(metrics.rejections_with_reason("expired"), 1);
    assert_eq!(metrics.rejections_with_reason("insufficient_scope"), 1);
    assert_eq!(metrics.rejections_with_reason("not_a_jwt"), 2);
    assert_eq!(metrics.rejections_on_route("GET /things"), 3);
    assert_eq!(metrics.rejections_on_route("GET /things/<id>"), 2);
    assert_eq!(metrics.rejections_on_route("GET /maybe"), 0);
    assert_eq!(metrics.total_rejections(), 5);
    let series: Vec<(&str, &str, u64)> = metrics
        .rejections
        .iter()
        .map(|r| (r.route.as_str(), r.reason, r.count))
        .collect();
    assert_eq!(
        series,
        [
            ("GET /things", "expired", 1),
            ("GET /things", "insufficient_scope", 1),
            ("GET /things", "missing_credentials", 1),
            ("GET /things/<id>", "not_a_jwt", 2),
        ]
    );
}

#[rocket::async_test]
async fn the_key_sets_state_is_reported() {
    let issuer = TestIssuer::start().await;
    let before = SystemTime::now();
    let client = Client::tracked(app(issuer.config()))
        .await
        .expect("ignites");
    // Liftoff warmed the cache.
    let metrics = validator(&client).metrics();
    assert!(metrics.ready);
    assert!(!metrics.keys_expired);
    assert_eq!(metrics.keys, 1);
    assert_eq!(metrics.key_fetches, 1);
    assert_eq!(metrics.key_fetch_failures, 0);
    assert!(
        metrics
            .key_set_age
            .is_some_and(|age| age < Duration::from_secs(60))
    );
    let fetched = metrics.last_fetch_success.expect("a successful fetch");
    assert!(fetched + Duration::from_secs(1) >= before, "{fetched:?}");
    assert_eq!(metrics.last_fetch_failure, None);
    assert!(metrics.rejections.is_empty());
}

#[rocket::async_test]
async fn readiness_follows_the_keys() {
    let issuer = TestIssuer::start().await;
    issuer.stop();
    let config = issuer
        .config()
        .failed_fetch_backoff(Duration::from_millis(100));
    let client = Client::tracked(app(config))
        .await
        .expect("ignites without keys");
    let validator = validator(&client);
    assert!(!validator.metrics().ready);
    let metrics = validator.metrics();
    assert!(!metrics.ready);
    assert_eq!(metrics.keys, 0);
    assert_eq!(metrics.key_set_age, None);
    assert_eq!(metrics.last_fetch_success, None);
    assert!(metrics.last_fetch_failure.is_some());
    assert_eq!(metrics.key_fetch_failures, 1);
    assert_eq!(
        status(&client, "/ready", None).await,
        Status::ServiceUnavailable
    );
    // A protected route answers 503 meanwhile, and that is counted too.
    let token = issuer.token().scopes(["read:things"]).sign();
    assert_eq!(
        status(&client, "/things", Some(&token)).await,
        Status::ServiceUnavailable
    );
    assert_eq!(
        validator
            .metrics()
            .rejections_with_reason("keys_unavailable"),
        1
    );

    issuer.resume().await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    // The readiness endpoint fetches the keys itself: no traffic is needed.
    assert_eq!(status(&client, "/ready", None).await, Status::Ok);
    assert!(validator.metrics().ready);
    let metrics = validator.metrics();
    assert_eq!(metrics.keys, 1);
    assert!(metrics.last_fetch_success.is_some());
    assert!(metrics.last_fetch_failure.is_some(), "kept after a success");
    assert_eq!(status(&client, "/things", Some(&token)).await, Status::Ok);
}
