//! The `utoipa` feature: `LogtoSecurity` adds Logto's scheme and, for the routes the Rocket
//! app mounts (mount point included), each `#[requires]` operation's security; the document
//! passes openapi-spec-validator.

use logto_guard::testing::TestIssuer;
use logto_guard::utoipa::LogtoSecurity;
use logto_guard::{LogtoGuard, Organization, public, requires};
use logto_guard_tests::openapi::assert_valid_openapi;
use rocket::{get, post, routes};
use serde_json::{Value, json};
use utoipa::{Modify, OpenApi};

const API: &str = "https://api.example.com";

#[utoipa::path(get, path = "/api/orders", responses((status = 200, description = "The orders")))]
#[requires(resource = API, any = ["read:orders", "admin:orders"], description = "Read orders")]
#[get("/orders")]
fn any_of() -> &'static str {
    "[]"
}

#[utoipa::path(
    post,
    path = "/api/orders/{id}/cancel",
    params(("id" = u64, Path, description = "The order")),
    responses((status = 200, description = "Cancelled"))
)]
#[requires(resource = API, scopes = ["write:orders", "delete:orders"])]
#[post("/orders/<id>/cancel")]
fn all_of(id: u64) -> String {
    id.to_string()
}

#[utoipa::path(
    get,
    path = "/organizations/{org_id}/members",
    params(("org_id" = String, Path)),
    responses((status = 200, description = "The members"))
)]
#[requires(organization = "<org_id>", scope = "read:members")]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str, organization: Organization) -> String {
    format!("{org_id} {}", organization.id())
}

#[utoipa::path(post, path = "/sync", responses((status = 204, description = "Synced")))]
#[requires(resource = API, scope = "sync:orders", client = "machine")]
#[post("/sync")]
fn machine_only() {}

#[utoipa::path(get, path = "/health", responses((status = 200, description = "Up")))]
#[public]
#[get("/health")]
fn health() -> &'static str {
    "ok"
}

#[derive(OpenApi)]
#[openapi(paths(any_of, all_of, members, machine_only, health))]
struct ApiDoc;

async fn document(issuer: &TestIssuer) -> Value {
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(issuer.config()))
        .mount("/api", routes![any_of, all_of])
        .mount("/", routes![members, machine_only, health])
        .ignite()
        .await
        .expect("ignites");
    let mut document = ApiDoc::openapi();
    LogtoSecurity::from_rocket(&rocket, API)
        .expect("the fairing ran")
        .modify(&mut document);
    serde_json::to_value(&document).expect("JSON")
}

#[rocket::async_test]
async fn mounted_requires_routes_get_their_security() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let security = |path: &str, method: &str| document["paths"][path][method]["security"].clone();

    assert_eq!(
        security("/api/orders", "get"),
        json!([{"logto": ["read:orders"]}, {"logto": ["admin:orders"]}])
    );
    assert_eq!(
        security("/api/orders/{id}/cancel", "post"),
        json!([{"logto": ["write:orders", "delete:orders"]}])
    );
    assert_eq!(
        security("/organizations/{org_id}/members", "get"),
        json!([{"logto": ["read:members"]}])
    );
    assert_eq!(
        security("/sync", "post"),
        json!([{"logto": ["sync:orders"]}])
    );
    assert_eq!(security("/health", "get"), Value::Null);

    let members = &document["paths"]["/organizations/{org_id}/members"]["get"];
    assert_eq!(
        members["parameters"][0]["description"],
        "The Logto organization id; the token must be for this organization."
    );
    assert!(
        members["description"]
            .as_str()
            .expect("a description")
            .starts_with("Requires a Logto organization token"),
        "{members:#}"
    );
    assert_eq!(
        document["paths"]["/sync"]["post"]["description"],
        "Only machine-to-machine apps (client credentials)."
    );
    assert!(members["responses"]["401"].is_object());
    assert!(members["responses"]["403"].is_object());
}

#[rocket::async_test]
async fn the_scheme_is_logto_with_the_mounted_permissions() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let oidc = issuer.issuer();
    let scheme = &document["components"]["securitySchemes"]["logto"];
    let scopes = json!({
        "admin:orders": "Read orders",
        "delete:orders": "",
        "read:orders": "Read orders",
        "sync:orders": "",
        "write:orders": "",
        "read:members": "Organization permission",
    });
    assert_eq!(scheme["type"], "oauth2");
    assert_eq!(scheme["x-logto-resource"], API);
    assert_eq!(
        scheme["flows"],
        json!({
            "authorizationCode": {
                "authorizationUrl": format!("{oidc}/auth"),
                "tokenUrl": format!("{oidc}/token"),
                "scopes": scopes,
            },
            "clientCredentials": {
                "tokenUrl": format!("{oidc}/token"),
                "scopes": scopes,
            },
        })
    );
}

#[rocket::async_test]
async fn the_document_is_valid_openapi() {
    let issuer = TestIssuer::start().await;
    assert_valid_openapi("utoipa", &document(&issuer).await);
}
