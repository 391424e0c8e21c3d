//! `orders-api` in `rocket::local`, against a `TestIssuer` over real HTTP for its keys: every
//! route with the right, a wrong and no scope, and the response of every error class.

use std::time::Duration;

use logto_guard::LogtoGuard;
use logto_guard::testing::{TestIssuer, TestKey};
use logto_guard_tests::helpers::bearer;
use orders_api::app;
use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use serde_json::{Value, json};

async fn client(issuer: &TestIssuer) -> Client {
    Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(issuer.config()),
    )))
    .await
    .expect("orders-api ignites")
}

async fn send<'c>(
    client: &'c Client,
    method: Method,
    path: &str,
    auth: Option<Header<'static>>,
) -> LocalResponse<'c> {
    let mut request = client.req(method, path.to_owned());
    if method == Method::Post {
        request = request
            .header(ContentType::JSON)
            .body(json!({"item": "coffee", "quantity": 2}).to_string());
    }
    if let Some(auth) = auth {
        request = request.header(auth);
    }
    request.dispatch().await
}

/// Asserts an RFC 6750 rejection: status, challenge and JSON body.
async fn assert_rejected(
    response: LocalResponse<'_>,
    status: Status,
    code: Option<&str>,
    description: &str,
) {
    assert_eq!(response.status(), status);
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .expect("a WWW-Authenticate challenge")
        .to_owned();
    assert!(
        challenge.starts_with(r#"Bearer realm="api""#),
        "{challenge}"
    );
    match code {
        Some(code) => {
            assert!(
                challenge.contains(&format!(r#"error="{code}""#)),
                "{challenge}"
            );
            assert!(
                challenge.contains(&format!(r#"error_description="{description}"#)),
                "{challenge}"
            );
        }
        None => assert_eq!(challenge, r#"Bearer realm="api""#),
    }
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let body: Value = response.into_json().await.expect("JSON body");
    assert_eq!(body.get("error").and_then(Value::as_str), code);
    let text = body["error_description"]
        .as_str()
        .expect("error_description");
    assert!(text.starts_with(description), "{text}");
}

#[rocket::async_test]
async fn health_is_public() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let response = client.get("/health").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn every_route_with_the_right_a_wrong_and_no_scope() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let routes: [(Method, &str, &[&str], Status); 4] = [
        (Method::Get, "/orders", &["read:orders"], Status::Ok),
        (Method::Post, "/orders", &["write:orders"], Status::Created),
        (
            Method::Delete,
            "/orders/1",
            &["write:orders", "delete:orders"],
            Status::NoContent,
        ),
        (Method::Get, "/me", &[], Status::Ok),
    ];
    for (method, path, scopes, success) in routes {
        let right = issuer.token().scopes(scopes.iter().copied()).sign();
        let response = send(&client, method, path, Some(bearer(&right))).await;
        assert_eq!(
            response.status(),
            success,
            "{method} {path} with {scopes:?}"
        );
        assert!(response.headers().get_one("WWW-Authenticate").is_none());

        let response = send(&client, method, path, None).await;
        assert_rejected(
            response,
            Status::Unauthorized,
            None,
            "bearer token required",
        )
        .await;

        if !scopes.is_empty() {
            // One scope short: the delete route needs both of its scopes.
            let wrong = issuer
                .token()
                .scopes(scopes[1..].iter().copied().chain(["admin"]))
                .sign();
            let response = send(&client, method, path, Some(bearer(&wrong))).await;
            let required = scopes.join(" ");
            let scope_attribute = response
                .headers()
                .get_one("WWW-Authenticate")
                .map(str::to_owned)
                .unwrap_or_default();
            assert!(
                scope_attribute.ends_with(&format!(r#"scope="{required}""#)),
                "{scope_attribute}"
            );
            assert_rejected(
                response,
                Status::Forbidden,
                Some("insufficient_scope"),
                &format!("token lacks a required scope: {required}"),
            )
            .await;
        }
    }
}

#[rocket::async_test]
async fn orders_are_created_listed_and_deleted() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let all = bearer(
        &issuer
            .token()
            .scopes(["read:orders", "write:orders", "delete:orders"])
            .sign(),
    );
    let created: Value = send(&client, Method::Post, "/orders", Some(all.clone()))
        .await
        .into_json()
        .await
        .expect("created order");
    assert_eq!(created["item"], "coffee");
    assert_eq!(created["created_by"], "test-user");
    let id = created["id"].as_u64().expect("id");
    let listed: Value = send(&client, Method::Get, "/orders", Some(all.clone()))
        .await
        .into_json()
        .await
        .expect("list");
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let path = format!("/orders/{id}");
    assert_eq!(
        send(&client, Method::Delete, &path, Some(all.clone()))
            .await
            .status(),
        Status::NoContent
    );
    assert_eq!(
        send(&client, Method::Delete, &path, Some(all))
            .await
            .status(),
        Status::NotFound
    );
}

#[rocket::async_test]
async fn me_returns_the_callers_identity() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let token = issuer
        .token()
        .subject("user-9")
        .client_id("app-3")
        .scopes(["read:orders"])
        .sign();
    let me: Value = send(&client, Method::Get, "/me", Some(bearer(&token)))
        .await
        .into_json()
        .await
        .expect("json");
    assert_eq!(
        me,
        json!({"sub": "user-9", "actor": null, "client_id": "app-3", "scopes": ["read:orders"]})
    );
}

#[rocket::async_test]
async fn malformed_credentials_are_400_invalid_request() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let token = issuer.token().scopes(["read:orders"]).sign();
    // The token cache holds `token` once it passed: one character more makes another token,
    // whose characters are checked.
    let passed = client
        .get("/orders")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(passed.status(), Status::Ok);
    let characters = "malformed Authorization header: bearer token has characters";
    for (value, description) in [
        (
            "Bearer".to_owned(),
            "malformed Authorization header: empty bearer token",
        ),
        (
            "Bearer    ".to_owned(),
            "malformed Authorization header: empty bearer token",
        ),
        (
            format!("Bearer {token} {token}"),
            "malformed Authorization header: more than one bearer token",
        ),
        ("Bearer abc\"def".to_owned(), characters),
        (format!("Bearer {token}\""), characters),
        // Over the size limit, the characters are checked first.
        (
            format!("Bearer \"{}", "a".repeat(logto_guard::MAX_TOKEN_BYTES)),
            characters,
        ),
    ] {
        let response = client
            .get("/orders")
            .header(Header::new("Authorization", value))
            .dispatch()
            .await;
        assert_rejected(
            response,
            Status::BadRequest,
            Some("invalid_request"),
            description,
        )
        .await;
    }
    let response = client
        .get("/orders")
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    assert_rejected(
        response,
        Status::BadRequest,
        Some("invalid_request"),
        "malformed Authorization header: more than one Authorization header",
    )
    .await;
}

#[rocket::async_test]
async fn a_token_over_the_size_limit_is_401_invalid_token() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let long = "a".repeat(logto_guard::MAX_TOKEN_BYTES + 1);
    let response = client.get("/orders").header(bearer(&long)).dispatch().await;
    assert_rejected(
        response,
        Status::Unauthorized,
        Some("invalid_token"),
        "malformed token: token too long",
    )
    .await;
}

#[rocket::async_test]
async fn other_schemes_count_as_no_credentials() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    for value in ["Basic dXNlcjpwYXNz", "Token abc", "Bearerabc"] {
        let response = client
            .get("/orders")
            .header(Header::new("Authorization", value))
            .dispatch()
            .await;
        assert_rejected(
            response,
            Status::Unauthorized,
            None,
            "bearer token required",
        )
        .await;
    }
    let token = issuer.token().scopes(["read:orders"]).sign();
    let response = client
        .get("/orders")
        .header(Header::new("Authorization", format!("bearer {token}")))
        .dispatch()
        .await;
    assert_eq!(
        response.status(),
        Status::Ok,
        "the scheme is case-insensitive"
    );
    let response = client
        .get(format!("/orders?access_token={token}"))
        .dispatch()
        .await;
    assert_eq!(
        response.status(),
        Status::Unauthorized,
        "never from the query string"
    );
}

#[rocket::async_test]
async fn bad_tokens_are_401_invalid_token() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let foreign = TestKey::generate(logto_guard::Algorithm::ES384);
    // The expected issuer is public (RFC 9728 metadata names it); the token's never appears.
    let issuer_mismatch = format!(
        "issuer mismatch: this API accepts tokens issued by {}",
        issuer.issuer()
    );
    let cases = [
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .expires_at(1_000)
                .sign(),
            "token expired",
        ),
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .signed_by(&foreign)
                .sign(),
            "token signed by an unknown key",
        ),
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .audience("https://other.example.com")
                .sign(),
            "audience mismatch: the token is not for this API",
        ),
        (
            issuer
                .token()
                .scopes(["read:orders"])
                .claim("iss", "https://evil.example.com/oidc")
                .sign(),
            issuer_mismatch.as_str(),
        ),
        ("opaque-logto-token".to_owned(), "token is not a JWT"),
    ];
    for (token, description) in cases {
        let response = send(&client, Method::Get, "/orders", Some(bearer(&token))).await;
        assert_rejected(
            response,
            Status::Unauthorized,
            Some("invalid_token"),
            description,
        )
        .await;
    }
}

#[rocket::async_test]
async fn keys_unavailable_is_503_then_recovers_without_restart() {
    let issuer = TestIssuer::start().await;
    let token = issuer.token().scopes(["read:orders"]).sign();
    issuer.stop();
    let config = issuer
        .config()
        .failed_fetch_backoff(Duration::from_millis(300));
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(config),
    )))
    .await
    .expect("ignites");
    let response = send(&client, Method::Get, "/orders", Some(bearer(&token))).await;
    assert_eq!(response.status(), Status::ServiceUnavailable);
    assert_eq!(response.headers().get_one("Retry-After"), Some("1"));
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer realm="api""#)
    );
    let body: Value = response.into_json().await.expect("json");
    assert_eq!(
        body,
        json!({"error_description": "signing keys unavailable; retry later"})
    );

    issuer.resume().await;
    tokio::time::sleep(Duration::from_millis(350)).await;
    let response = send(&client, Method::Get, "/orders", Some(bearer(&token))).await;
    assert_eq!(response.status(), Status::Ok);
}
