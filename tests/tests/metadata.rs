//! RFC 9728 protected resource metadata: the documents, the per-resource well-known path, and
//! `resource_metadata` in challenges when it is on (and not when it is off, the default).

use logto_guard::testing::TestIssuer;
use logto_guard::{AccessToken, Config, LogtoGuard, RouteAudit, requires};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket, get, routes};
use serde_json::{Value, json};

const V1: &str = "https://api.example.com/v1";

#[requires(resource = "https://api.example.com/v1", scope = "write:orders")]
#[rocket::post("/v1/orders")]
fn metadata_create_order() -> &'static str {
    "created"
}

#[requires(resource = "https://api.example.com/v1", scopes = ["read:orders", "write:orders"])]
#[get("/v1/orders")]
fn metadata_list_orders() -> &'static str {
    "[]"
}

#[requires(resource = "https://api.example.com", scope = "read:me")]
#[get("/me")]
fn metadata_me() -> &'static str {
    "me"
}

#[get("/token")]
fn metadata_token(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

fn app(config: Config) -> Rocket<Build> {
    rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount(
            "/",
            routes![
                metadata_create_order,
                metadata_list_orders,
                metadata_me,
                metadata_token
            ],
        )
}

async fn client(config: Config) -> Client {
    Client::tracked(app(config)).await.expect("ignites")
}

async fn document(client: &Client, path: &str) -> Value {
    let response = client.get(path.to_owned()).dispatch().await;
    assert_eq!(response.status(), Status::Ok, "{path}");
    assert_eq!(response.content_type(), Some(ContentType::JSON), "{path}");
    response.into_json().await.expect("a JSON document")
}

async fn challenge(client: &Client, path: &str, token: Option<&str>) -> String {
    let mut request = client.get(path.to_owned());
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    assert!(response.status().code >= 400, "{path}");
    response
        .headers()
        .get_one("WWW-Authenticate")
        .expect("a challenge")
        .to_owned()
}

#[rocket::async_test]
async fn serves_a_document_per_resource_at_the_rfc_9728_path() {
    let issuer = TestIssuer::start().await;
    assert_eq!(issuer.resource(), "https://api.example.com");
    let client = client(issuer.config().resource_metadata(true)).await;

    assert_eq!(
        document(&client, "/.well-known/oauth-protected-resource/v1").await,
        json!({
            "resource": V1,
            "authorization_servers": [issuer.issuer()],
            "scopes_supported": ["read:orders", "write:orders"],
            "bearer_methods_supported": ["header"],
        })
    );
    assert_eq!(
        document(&client, "/.well-known/oauth-protected-resource").await,
        json!({
            "resource": "https://api.example.com",
            "authorization_servers": [issuer.issuer()],
            "scopes_supported": ["read:me"],
            "bearer_methods_supported": ["header"],
        })
    );
    for unknown in [
        "/.well-known/oauth-protected-resource/v2",
        "/.well-known/oauth-protected-resource/v1/orders",
    ] {
        let response = client.get(unknown).dispatch().await;
        assert_eq!(response.status(), Status::NotFound, "{unknown}");
    }
}

#[rocket::async_test]
async fn challenges_name_the_metadata_of_the_routes_resource() {
    let issuer = TestIssuer::start().await;
    let client = client(issuer.config().resource_metadata(true)).await;
    let v1 =
        r#"resource_metadata="https://api.example.com/.well-known/oauth-protected-resource/v1""#;
    let root =
        r#"resource_metadata="https://api.example.com/.well-known/oauth-protected-resource""#;

    assert_eq!(
        challenge(&client, "/v1/orders", None).await,
        format!(r#"Bearer realm="api", {v1}"#)
    );
    let expired = issuer.token().audience(V1).expires_at(1_000).sign();
    let header = challenge(&client, "/v1/orders", Some(&expired)).await;
    assert!(
        header.starts_with(r#"Bearer realm="api", error="invalid_token""#) && header.ends_with(v1),
        "{header}"
    );
    // 403 as well: the document lists the scopes the client may ask for.
    let unscoped = issuer.token().audience(V1).sign();
    let header = challenge(&client, "/v1/orders", Some(&unscoped)).await;
    assert!(
        header.contains(r#"error="insufficient_scope""#) && header.ends_with(v1),
        "{header}"
    );
    assert!(challenge(&client, "/me", None).await.ends_with(root));
    // A hand-written guard names the first configured resource.
    assert!(challenge(&client, "/token", None).await.ends_with(root));
}

#[rocket::async_test]
async fn off_by_default_no_documents_and_plain_challenges() {
    let issuer = TestIssuer::start().await;
    assert_eq!(
        Config::default(),
        Config::default().resource_metadata(false)
    );
    let client = client(issuer.config()).await;
    let response = client
        .get("/.well-known/oauth-protected-resource")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::NotFound);
    assert_eq!(
        challenge(&client, "/v1/orders", None).await,
        r#"Bearer realm="api""#
    );
}

#[rocket::async_test]
async fn a_public_url_replaces_the_indicators_origin() {
    let issuer = TestIssuer::start().await;
    let config = issuer
        .config()
        .resource_metadata(true)
        .public_url("http://127.0.0.1:8000/");
    let client = client(config).await;
    assert_eq!(
        challenge(&client, "/v1/orders", None).await,
        r#"Bearer realm="api", resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/v1""#
    );
    // The document still names the resource indicator: the `aud` Logto puts in tokens.
    let document = document(&client, "/.well-known/oauth-protected-resource/v1").await;
    assert_eq!(document["resource"], V1);
}

#[rocket::async_test]
async fn what_cannot_be_published_aborts_ignite() {
    let issuer = TestIssuer::start().await;
    let cases = [
        // A URN has no origin to derive the metadata URL from.
        issuer
            .config()
            .resource("urn:example:orders")
            .resource_metadata(true),
        // Two URNs would share one path even with a public URL.
        issuer
            .config()
            .resource("urn:example:a")
            .resource("urn:example:b")
            .resource_metadata(true)
            .public_url("https://api.example.com"),
        // Not an origin.
        issuer
            .config()
            .resource_metadata(true)
            .public_url("https://api.example.com/base"),
        // Plain http to a host that is not loopback.
        issuer
            .config()
            .resource_metadata(true)
            .public_url("http://api.example.com"),
    ];
    for config in cases {
        let Err(error) = Client::tracked(app(config.clone())).await else {
            panic!("{config:?} should abort ignite");
        };
        // Reading the kind also marks the error handled, so Rocket does not panic on drop.
        // A bad config fails the fairing; what the resources cannot publish fails at the end
        // of ignite, once the mounted `#[requires]` routes are known.
        match error.kind() {
            rocket::error::ErrorKind::FailedFairings(failed) => {
                assert_eq!(failed[0].name, "logto-guard");
            }
            rocket::error::ErrorKind::SentinelAborts(sentries) => {
                assert_eq!(
                    sentries[0].type_name,
                    "logto_guard::rocket::fairing::AuditMountedRoutes"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_figment_keys_deserialize_and_unknown_ones_are_refused() {
    let config: Config = serde_json::from_value(json!({
        "endpoint": "https://my-tenant.logto.app",
        "resource_metadata": true,
        "public_url": "https://api.example.com",
        "route_audit": "warn",
        "public_routes": ["/health", "GET /metrics"],
    }))
    .expect("valid");
    let expected = Config::new("https://my-tenant.logto.app")
        .resource_metadata(true)
        .public_url("https://api.example.com")
        .route_audit(RouteAudit::Warn)
        .public_route("/health")
        .public_route("GET /metrics");
    assert_eq!(config, expected);
    assert_eq!(config.check(), Ok(()));
    let unknown = serde_json::from_value::<Config>(json!({"resource_metdata": true}));
    assert!(
        unknown
            .expect_err("unknown field")
            .to_string()
            .contains("unknown field `resource_metdata`")
    );
    let bad = serde_json::from_value::<Config>(json!({"route_audit": "strict"}));
    assert!(
        bad.expect_err("unknown variant")
            .to_string()
            .contains("expected one of `auto`, `deny`, `warn`, `off`")
    );
}
