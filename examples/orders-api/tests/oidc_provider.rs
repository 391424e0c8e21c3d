//! `orders-api` against the real `oidc-provider` engine configured like Logto (tests/issuer):
//! real tokens from its token endpoint, key rotation, expiry, outages.
//!
//! Needs Node with npm (the issuer's packages are installed on first use); without it these
//! tests fail with instructions (set `LOGTO_GUARD_SKIP_MISSING_TOOLS=1` to skip them locally; CI
//! never skips).

use std::time::Duration;

use logto_guard_tests::{
    NodeIssuer, Process, free_port, launch_rocket_binary, node_issuer_available, with_kid,
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
        Self::launch_with(&[("LOGTO_ENDPOINT", endpoint), ("ROCKET_LOGTO", logto_table)]).await
    }

    async fn launch_with(env: &[(&str, &str)]) -> Self {
        let (process, base) = launch_rocket_binary(BINARY, env).await;
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

/// Logto's impersonation: a token for one user that another user acts with carries `act`;
/// `/me` names the actor, and `DELETE /orders/<id>` (`actor = forbidden`) refuses it while the
/// user's own token deletes.
#[tokio::test]
async fn impersonation_tokens_name_their_actor_and_a_forbidding_route_refuses_them() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;
    let scopes = ["read:orders", "write:orders", "delete:orders"];

    let impersonated = issuer
        .exchanged_token("user-admin", Some("user-reader"), API, &scopes)
        .await;
    let me: serde_json::Value = api
        .get("/me", &impersonated)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["sub"], "user-admin");
    assert_eq!(me["actor"], "user-reader");
    assert_eq!(me["client_id"], "exchange-app");
    assert_eq!(
        me["scopes"],
        serde_json::json!(scopes),
        "the subject's scopes, not the actor's"
    );
    let refused = api
        .http
        .delete(format!("{}/orders/1", api.base))
        .bearer_auth(&impersonated)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let challenge = challenge(&refused);
    assert!(
        challenge.contains(r#"error="insufficient_scope""#)
            && challenge.contains("does not accept tokens issued on behalf of another user"),
        "{challenge}"
    );
    assert!(
        !challenge.contains("user-reader"),
        "the actor stays out: {challenge}"
    );

    let own = issuer
        .exchanged_token("user-admin", None, API, &scopes)
        .await;
    let me: serde_json::Value = api.get("/me", &own).await.json().await.expect("json");
    assert_eq!(me["actor"], serde_json::Value::Null);
    assert_eq!(
        api.status(reqwest::Method::POST, "/orders", &own).await,
        StatusCode::CREATED,
        "order 1"
    );
    assert_eq!(
        api.status(reqwest::Method::DELETE, "/orders/1", &own).await,
        StatusCode::NO_CONTENT
    );

    // The reader's roles grant only read:orders, whoever acts.
    let reader = issuer
        .exchanged_token("user-reader", Some("user-admin"), API, &scopes)
        .await;
    let me: serde_json::Value = api.get("/me", &reader).await.json().await.expect("json");
    assert_eq!(me["scopes"], serde_json::json!(["read:orders"]));
}

/// `POST /orders/<id>/paid` (`clients = "billing"`) admits the apps that `LOGTO_CLIENTS_BILLING`
/// lists, whatever scopes another app holds; without the variable its placeholder admits none.
#[tokio::test]
async fn the_billing_route_admits_the_apps_of_its_client_group_only() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let billing = issuer
        .token_of("billing-app", "billing-secret", API, &["write:orders"])
        .await;
    let other = issuer.token(API, &["read:orders", "write:orders"]).await;

    let api = Api::launch_with(&[
        ("LOGTO_ENDPOINT", &issuer.endpoint),
        ("LOGTO_CLIENTS_BILLING", "some-other-app, billing-app"),
    ])
    .await;
    assert_eq!(
        api.status(reqwest::Method::POST, "/orders", &other).await,
        StatusCode::CREATED,
        "order 1"
    );
    assert_eq!(
        api.status(reqwest::Method::POST, "/orders/1/paid", &billing)
            .await,
        StatusCode::OK
    );
    let refused = api
        .http
        .post(format!("{}/orders/1/paid", api.base))
        .bearer_auth(&other)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        challenge(&refused).contains("this route accepts only the clients of group `billing`"),
        "{}",
        challenge(&refused)
    );

    let unconfigured = Api::launch(&issuer.endpoint, "{}").await;
    assert_eq!(
        unconfigured
            .status(reqwest::Method::POST, "/orders", &other)
            .await,
        StatusCode::CREATED
    );
    assert_eq!(
        unconfigured
            .status(reqwest::Method::POST, "/orders/1/paid", &billing)
            .await,
        StatusCode::FORBIDDEN,
        "the placeholder lists no app of this issuer"
    );
}

/// `GET /orders/report` (`check = gold_plan`) reads the `plan` claim that the issuer's Custom
/// JWT adds per app: `gold` passes, `free` gets 403 with the check's words, and a token the
/// built-in checks refuse never reaches it.
#[tokio::test]
async fn the_report_runs_its_custom_check_on_the_custom_jwt_claim() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;
    let gold = issuer
        .token_of("billing-app", "billing-secret", API, &["read:orders"])
        .await;
    let free = issuer
        .token_of("m2m-readonly", "m2m-readonly-secret", API, &["read:orders"])
        .await;
    let no_plan = issuer.token(API, &["read:orders"]).await;

    let report = api.get("/orders/report", &gold).await;
    assert_eq!(report.status(), StatusCode::OK);
    let report: serde_json::Value = report.json().await.expect("json");
    assert_eq!(report["orders"], 0);

    for (token, who) in [(&free, "free plan"), (&no_plan, "no plan claim")] {
        let refused = api.get("/orders/report", token).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN, "{who}");
        assert!(
            challenge(&refused).contains(
                r#"error="insufficient_scope", error_description="the order report needs the gold plan""#
            ),
            "{who}: {}",
            challenge(&refused)
        );
    }
    let no_scope = issuer
        .token_of("billing-app", "billing-secret", API, &["write:orders"])
        .await;
    let refused = api.get("/orders/report", &no_scope).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        challenge(&refused).contains("token lacks a required scope: read:orders"),
        "the scope is checked first: {}",
        challenge(&refused)
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

/// During a staged rotation: fresh tokens, every 250 ms, are each accepted, until `count` of
/// them were signed by the Next key `next` (within 10 s).
async fn every_token_is_accepted_until_the_next_key_signed(
    issuer: &NodeIssuer,
    api: &Api,
    next: &str,
    count: usize,
) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut signed_by_next = 0;
    while signed_by_next < count {
        assert!(
            std::time::Instant::now() < deadline,
            "the Next key never signed"
        );
        let token = issuer.token(API, &["read:orders"]).await;
        let response = api.get("/orders", &token).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "token by {}: {}",
            kid(&token),
            challenge(&response)
        );
        if kid(&token) == next {
            signed_by_next += 1;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// The `kid` of a token's header.
fn kid(token: &str) -> String {
    use base64::Engine as _;
    let header = token.split('.').next().unwrap_or_default();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64url header");
    let header: serde_json::Value = serde_json::from_slice(&header).expect("JSON header");
    header["kid"].as_str().expect("kid").to_owned()
}

/// The sequence that every rotation brings, against the default 30 s cooldown: two immediate
/// rotations (EC → RSA → EC) are accepted at once; a client still sending a token of the key
/// that left gets 401 with no refetch (that `kid` is known gone, so nothing starts a hold); and
/// a staged rotation (grace 5 s) right after is accepted on the Next key's first token.
#[tokio::test]
async fn rotations_a_rotated_out_token_and_a_staged_rotation_are_all_seen_at_once() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;
    let first = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &first).await.status(), StatusCode::OK);

    issuer.rotate("RSA").await;
    let rsa = issuer.token(API, &["read:orders"]).await;
    assert!(rsa.starts_with("eyJhbGciOiJSUzI1NiI"), "an RS256 token");
    assert_eq!(api.get("/orders", &rsa).await.status(), StatusCode::OK);
    assert_eq!(
        api.get("/orders", &first).await.status(),
        StatusCode::OK,
        "the replaced key is still published"
    );

    issuer.rotate("EC").await;
    let ec = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &ec).await.status(), StatusCode::OK);
    assert_eq!(api.get("/orders", &rsa).await.status(), StatusCode::OK);
    // Logto keeps two keys: the first one is gone, and with it its tokens.
    let response = api.get("/orders", &first).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(
        challenge(&response).contains("unknown key"),
        "{}",
        challenge(&response)
    );
    assert_eq!(
        (
            issuer.jwks_requests().await,
            issuer.jwks_not_modified().await
        ),
        (3, 0),
        "the initial fetch and one per rotation; none for the gone kid"
    );

    let next = issuer.rotate_staged("EC", 5).await;
    every_token_is_accepted_until_the_next_key_signed(&issuer, &api, &next, 1).await;
    assert_eq!(
        issuer.jwks_requests().await,
        4,
        "one more fetch, for the Next key's first token"
    );
}

/// Forged `kid`s from four clients for 5 s, against `unknown_kid_cooldown = 4`: refetches are
/// held back 1 s, then 2 s, then 4 s, so exactly three reach the issuer (at 0, 1 and 3 s; the
/// next would be at 7 s). The bound is ⌈log2(4 / 1)⌉ + 1 = 3 per first window.
async fn flood_for_five_seconds(api: &Api, issuer: &NodeIssuer) -> u64 {
    let real = issuer.token(API, &["read:orders"]).await;
    let before = issuer.jwks_requests().await;
    let until = std::time::Instant::now() + Duration::from_secs(5);
    let real = &real;
    let client = |client: u32| async move {
        let mut n = 0;
        while std::time::Instant::now() < until {
            let forged = with_kid(real, &format!("forged-{client}-{n}"));
            let response = api.get("/orders", &forged).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
            n += 1;
        }
    };
    tokio::join!(client(0), client(1), client(2), client(3));
    issuer.jwks_requests().await - before
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_kid_flood_costs_the_issuer_three_fetches_in_five_seconds() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{unknown_kid_cooldown=4}").await;
    let warm = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &warm).await.status(), StatusCode::OK);
    assert_eq!(flood_for_five_seconds(&api, &issuer).await, 3);
    assert_eq!(issuer.jwks_not_modified().await, 3, "each a 304");
}

/// Replicas mid-rotation answer with two different sets in turn, so every refetch sees a
/// "changed" set; none brings a key never seen before, so the holds grow just the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_against_alternating_sets_costs_no_more() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{unknown_kid_cooldown=4}").await;
    issuer.rotate("EC").await;
    let warm = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &warm).await.status(), StatusCode::OK);
    // From now on the issuer answers with the set before the rotation, then the current one.
    issuer.set_lagging_replica(true).await;
    assert_eq!(flood_for_five_seconds(&api, &issuer).await, 3);
    assert_eq!(
        issuer.jwks_not_modified().await,
        0,
        "every answer differed from the set held"
    );
}

/// A staged rotation (grace period 5 s) right after an immediate one: the Next key starts
/// signing inside the cooldown window of the first rotation's refetch, and is accepted at once.
#[tokio::test]
async fn a_staged_rotation_right_after_a_rotation_is_accepted_when_its_key_signs() {
    if !node_issuer_available() {
        return;
    }
    let issuer = NodeIssuer::start().await;
    let api = Api::launch(&issuer.endpoint, "{}").await;
    let first = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &first).await.status(), StatusCode::OK);
    issuer.rotate("RSA").await;
    let rsa = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &rsa).await.status(), StatusCode::OK);

    let next = issuer.rotate_staged("EC", 5).await;
    every_token_is_accepted_until_the_next_key_signed(&issuer, &api, &next, 3).await;
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
    // A well-formed ES384 access token with this issuer's claims: its claims pass, so the keys
    // are needed before its signature can be checked.
    let claims = serde_json::json!({
        "iss": format!("{endpoint}/oidc"),
        "aud": API,
        "sub": "client",
        "exp": std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_secs()
            + 3600,
    });
    let unchecked = {
        use base64::Engine as _;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        format!("eyJhbGciOiJFUzM4NCIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImsifQ.{payload}.c2ln")
    };
    let response = api.get("/orders", &unchecked).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key("retry-after"));

    let issuer = NodeIssuer::start_on(port).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let token = issuer.token(API, &["read:orders"]).await;
    assert_eq!(api.get("/orders", &token).await.status(), StatusCode::OK);
}

/// A token's claims, unverified (for the test's own checks).
fn claims_of(token: &str) -> serde_json::Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap_or_default();
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&payload).expect("JSON payload")
}

/// One Logto tenant on its endpoint and on a custom domain (another issuer on another port,
/// with the same keys), the domain given in `LOGTO_CUSTOM_DOMAINS`: tokens of both are
/// accepted, each issuer's keys come from its own domain, and the RFC 9728 metadata names
/// both. A third issuer, not configured, is refused with "token issuer is not trusted" and
/// never hears from the API, whatever `kid` its tokens name.
#[tokio::test]
async fn tokens_of_a_custom_domain_are_accepted_and_an_untrusted_issuer_is_never_contacted() {
    if !node_issuer_available() {
        return;
    }
    let tenant = NodeIssuer::start().await;
    let domain = NodeIssuer::start_with_keys_of(&tenant).await;
    let stranger = NodeIssuer::start().await;
    let domains = format!(" {} , ", domain.endpoint);
    let api = Api::launch_with(&[
        ("LOGTO_ENDPOINT", &tenant.endpoint),
        ("LOGTO_CUSTOM_DOMAINS", &domains),
        ("ROCKET_LOGTO", "{resource_metadata=true}"),
    ])
    .await;

    for issuer in [&tenant, &domain] {
        let token = issuer.token(API, &["read:orders"]).await;
        assert_eq!(
            claims_of(&token)["iss"],
            format!("{}/oidc", issuer.endpoint)
        );
        assert_eq!(
            kid(&token),
            kid(&tenant.token(API, &[]).await),
            "one key set"
        );
        let response = api.get("/orders", &token).await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "{}",
            challenge(&response)
        );
        let short = issuer.token(API, &[]).await;
        assert_eq!(
            api.status(reqwest::Method::GET, "/orders", &short).await,
            StatusCode::FORBIDDEN
        );
    }
    assert_eq!(
        (tenant.jwks_requests().await, domain.jwks_requests().await),
        (1, 1),
        "each issuer's keys from its own domain, once"
    );

    let metadata: serde_json::Value = api
        .http
        .get(format!("{}/.well-known/oauth-protected-resource", api.base))
        .send()
        .await
        .expect("metadata")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        metadata["authorization_servers"],
        serde_json::json!([
            format!("{}/oidc", tenant.endpoint),
            format!("{}/oidc", domain.endpoint)
        ])
    );

    let foreign = stranger.token(API, &["read:orders"]).await;
    let before = stranger.requests().await;
    for token in [
        foreign.clone(),
        with_kid(&foreign, "forged"),
        with_kid(&foreign, &kid(&tenant.token(API, &[]).await)),
    ] {
        let response = api.get("/orders", &token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            challenge(&response),
            r#"Bearer realm="api", error="invalid_token", error_description="token issuer is not trusted", resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#
        );
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert_eq!(
            body,
            serde_json::json!({
                "error": "invalid_token",
                "error_description": "token issuer is not trusted"
            })
        );
    }
    assert_eq!(
        stranger.requests().await,
        before,
        "the API never contacts an issuer it was not configured with"
    );
    assert_eq!(
        (tenant.jwks_requests().await, domain.jwks_requests().await),
        (1, 1),
        "nor refetches the keys of those it trusts"
    );
}

/// Forged `kid`s on both domains at once, against `unknown_kid_cooldown = 4`: each issuer's
/// key cache holds its own refetches back, so each domain costs what one costs alone (three
/// fetches in five seconds; see `a_forged_kid_flood_costs_the_issuer_three_fetches_in_five_seconds`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_kid_flood_on_two_domains_costs_each_three_fetches_in_five_seconds() {
    if !node_issuer_available() {
        return;
    }
    let tenant = NodeIssuer::start().await;
    let domain = NodeIssuer::start_with_keys_of(&tenant).await;
    let api = Api::launch_with(&[
        ("LOGTO_ENDPOINT", &tenant.endpoint),
        ("LOGTO_CUSTOM_DOMAINS", &domain.endpoint),
        ("ROCKET_LOGTO", "{unknown_kid_cooldown=4}"),
    ])
    .await;
    for issuer in [&tenant, &domain] {
        let warm = issuer.token(API, &["read:orders"]).await;
        assert_eq!(api.get("/orders", &warm).await.status(), StatusCode::OK);
    }
    let (on_tenant, on_domain) = tokio::join!(
        flood_for_five_seconds(&api, &tenant),
        flood_for_five_seconds(&api, &domain)
    );
    assert_eq!((on_tenant, on_domain), (3, 3));
}
