//! `orders-api` against the real `oidc-provider` engine configured like Logto (tests/issuer):
//! real tokens from its token endpoint, key rotation, expiry, outages.
//!
//! Needs Node with npm (the issuer's packages are installed on first use); without it these
//! tests fail with instructions (set `LOGTO_GUARD_SKIP_NODE_TESTS=1` to skip them locally; CI
//! never skips).

use std::time::Duration;

use logto_guard_tests::{
    NodeIssuer, Process, free_port, launch_rocket_binary, node_issuer_available,
};
use reqwest::StatusCode;

const BINARY: &str = env!("CARGO_BIN_EXE_orders-api");
const API: &str = "https://api.example.com";

struct Api {
    _process: Process,
    base: String,
    http: reqwest::Client,
}

impl Api {
    async fn launch(endpoint: &str, logto_table: &str) -> Self {
        let (process, base) = launch_rocket_binary(
            BINARY,
            &[("LOGTO_ENDPOINT", endpoint), ("ROCKET_LOGTO", logto_table)],
        )
        .await;
        Self {
            _process: process,
            base,
            http: reqwest::Client::new(),
        }
    }

    async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    async fn status(&self, method: reqwest::Method, path: &str, token: &str) -> StatusCode {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(token);
        if method == reqwest::Method::POST {
            request = request.json(&serde_json::json!({"item": "tea", "quantity": 3}));
        }
        request.send().await.expect("request").status()
    }
}

fn challenge(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn every_route_with_real_tokens() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;
    use reqwest::Method;
    let routes: [(Method, &str, &[&str], StatusCode); 4] = [
        (Method::GET, "/orders", &["read:orders"], StatusCode::OK),
        (
            Method::POST,
            "/orders",
            &["write:orders"],
            StatusCode::CREATED,
        ),
        (
            Method::DELETE,
            "/orders/1",
            &["write:orders", "delete:orders"],
            StatusCode::NO_CONTENT,
        ),
        (Method::GET, "/me", &[], StatusCode::OK),
    ];
    for (method, path, scopes, success) in routes {
        let token = issuer.token(API, scopes).await;
        assert_eq!(
            api.status(method.clone(), path, &token).await,
            success,
            "{method} {path}"
        );
        if !scopes.is_empty() {
            let short = issuer.token(API, &scopes[1..]).await;
            assert_eq!(
                api.status(method.clone(), path, &short).await,
                StatusCode::FORBIDDEN,
                "{method} {path}"
            );
        }
    }
    // Logto leaves `scope` out of a token granted no scope; /me shows an empty list.
    let bare = issuer.token(API, &[]).await;
    let me: serde_json::Value = api.get("/me", &bare).await.json().await.expect("json");
    assert_eq!(me["scopes"], serde_json::json!([]));
    assert_eq!(
        me["sub"], me["client_id"],
        "machine-to-machine: sub == client_id"
    );
}

#[tokio::test]
async fn tokens_for_another_resource_or_issuer_are_refused() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let stranger = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;

    let other_resource = issuer
        .token("https://other.example.com", &["read:other"])
        .await;
    let response = api.get("/orders", &other_resource).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        challenge(&response).contains("audience mismatch"),
        "{}",
        challenge(&response)
    );

    let foreign = stranger.token(API, &["read:orders"]).await;
    let response = api.get("/orders", &foreign).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        challenge(&response).contains(r#"error="invalid_token""#),
        "{}",
        challenge(&response)
    );
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{leeway=0}").await;
    issuer.set_token_ttl(1).await;
    let token = issuer.token(API, &["read:orders"]).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = api.get("/orders", &token).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        challenge(&response).contains(r#"error_description="token expired""#),
        "{}",
        challenge(&response)
    );
}

#[tokio::test]
async fn rotation_to_rsa_without_alg_is_accepted_on_first_sight() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{unknown_kid_cooldown=1}").await;
    let before = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &before).await.status(), StatusCode::OK);

    issuer.rotate("RSA").await;
    let rsa = issuer.token(API, &["read:orders"]).await;
    assert!(rsa.starts_with("eyJhbGciOiJSUzI1NiI"), "an RS256 token");
    assert_eq!(api.get("/orders", &rsa).await.status(), StatusCode::OK);
    assert_eq!(
        api.get("/orders", &before).await.status(),
        StatusCode::OK,
        "old key still published"
    );

    // A second rotation within the unknown-kid cooldown is not fetched (that bounds what forged
    // kids can cost Logto); once the window has passed, it is.
    issuer.rotate("EC").await;
    let ec = issuer.token(API, &["read:orders"]).await;
    assert_eq!(
        api.get("/orders", &ec).await.status(),
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(api.get("/orders", &ec).await.status(), StatusCode::OK);
    assert_eq!(
        issuer.jwks_requests().await,
        3,
        "initial fetch and one per rotation"
    );
}

#[tokio::test]
async fn cached_keys_keep_serving_when_the_issuer_stops() {
    if !node_issuer_available() {
        return;
    }
    let mut issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{keys_max_age=1}").await;
    let token = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &token).await.status(), StatusCode::OK);
    issuer.stop().await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    for _ in 0..3 {
        assert_eq!(api.get("/orders", &token).await.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn api_started_while_the_issuer_is_down_recovers_without_restart() {
    if !node_issuer_available() {
        return;
    }
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let api = Api::launch(&endpoint, "{failed_fetch_backoff=0.2}").await;
    // Any well-formed ES384 access token: the keys are needed before its signature can be checked.
    let response = api
        .get(
            "/orders",
            "eyJhbGciOiJFUzM4NCIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsifQ.e30.c2ln",
        )
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));

    let issuer = NodeIssuer::start_on(port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let token = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &token).await.status(), StatusCode::OK);
}
