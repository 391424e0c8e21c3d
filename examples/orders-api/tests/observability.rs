//! `orders-api`'s operations endpoints in `rocket::local`: a Prometheus scrape of `/metrics`
//! after a few rejections, `/ready`, the public `/health` under the route audit, and its
//! RFC 9728 metadata when that is turned on.

use logto_guard::testing::TestIssuer;
use logto_guard::{LogtoGuard, RouteAudit};
use logto_guard_tests::helpers::bearer;
use orders_api::app;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};

#[rocket::async_test]
async fn metrics_are_scraped_in_the_openmetrics_text_format() {
    let issuer = TestIssuer::start().await;
    // `deny`, as `auto` makes it for this app (it marks routes with #[public]).
    let config = issuer.config().route_audit(RouteAudit::Deny);
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(config),
    )))
    .await
    .expect("every route of orders-api is guarded or public");
    assert_eq!(client.get("/health").dispatch().await.status(), Status::Ok);

    let unscoped = issuer.token().sign();
    for (path, token) in [("/orders", None), ("/orders", Some(unscoped.as_str()))] {
        let mut request = client.get(path);
        if let Some(token) = token {
            request = request.header(bearer(token));
        }
        assert!(request.dispatch().await.status().code >= 400);
    }
    let response = client
        .delete("/orders/7")
        .header(bearer("opaque"))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);

    let response = client.get("/metrics").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.headers().get_one("Content-Type"),
        Some("application/openmetrics-text; version=1.0.0; charset=utf-8")
    );
    let scrape = response.into_string().await.expect("a body");
    println!("{scrape}");
    for line in [
        "# TYPE logto_guard_rejections counter",
        r#"logto_guard_rejections_total{route="GET /orders",reason="missing_credentials"} 1"#,
        r#"logto_guard_rejections_total{route="GET /orders",reason="insufficient_scope"} 1"#,
        r#"logto_guard_rejections_total{route="DELETE /orders/<id>",reason="not_a_jwt"} 1"#,
        "# TYPE logto_guard_ready gauge",
        "logto_guard_ready 1",
        "logto_guard_keys 1",
        "# TYPE logto_guard_keys_expired gauge",
        "logto_guard_keys_expired 0",
        "# TYPE logto_guard_key_set_age_seconds gauge",
        "# UNIT logto_guard_key_set_age_seconds seconds",
        "# TYPE logto_guard_key_fetch_success_timestamp_seconds gauge",
        "logto_guard_key_fetches_total 1",
        "logto_guard_key_fetch_failures_total 0",
        "# EOF",
    ] {
        assert!(scrape.lines().any(|l| l == line), "{line}\n{scrape}");
    }
    // Only what failed: never a token, nor a claim.
    assert!(!scrape.contains(&unscoped));
    assert!(!scrape.contains("logto_guard_key_fetch_failure_timestamp"));
}

#[rocket::async_test]
async fn ready_answers_503_until_the_keys_load() {
    let issuer = TestIssuer::start().await;
    issuer.stop();
    let config = issuer
        .config()
        .failed_fetch_backoff(std::time::Duration::from_millis(100));
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(config),
    )))
    .await
    .expect("ignites without keys");
    let response = client.get("/ready").dispatch().await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    let body: Value = response.into_json().await.expect("JSON");
    assert_eq!(body["status"], "not ready");
    let scrape = client
        .get("/metrics")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap_or_default();
    assert!(
        scrape.lines().any(|l| l == "logto_guard_ready 0"),
        "{scrape}"
    );

    issuer.resume().await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let response = client.get("/ready").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_json::<Value>().await,
        Some(json!({"status": "ready"}))
    );
}

#[rocket::async_test]
async fn publishes_its_resource_metadata_when_asked() {
    let issuer = TestIssuer::start().await;
    let config = issuer.config().resource_metadata(true);
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(config),
    )))
    .await
    .expect("ignites");
    let response = client
        .get("/.well-known/oauth-protected-resource")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let document: Value = response.into_json().await.expect("JSON");
    println!("{document:#}");
    assert_eq!(
        document,
        json!({
            "resource": "https://api.example.com",
            "authorization_servers": [issuer.issuer()],
            "scopes_supported": ["delete:orders", "read:orders", "write:orders"],
            "bearer_methods_supported": ["header"],
        })
    );
    let response = client.get("/orders").dispatch().await;
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(
            r#"Bearer realm="api", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#
        )
    );
}
