//! The `okapi` feature: `#[openapi]` with every guard of logto-guard, in both orders with
//! `#[requires]`, and the security each operation gets in the document served by
//! `logto_guard::okapi::openapi_route`; the document passes openapi-spec-validator.

use logto_guard::testing::TestIssuer;
use logto_guard::{
    AccessToken, Audience, AuthError, Authorized, LogtoGuard, Organization, Requirement, Validator,
    guarded, public, requires,
};
use logto_guard_tests::openapi::assert_valid_openapi;
use rocket::http::Status;
use rocket::local::asynchronous::Client;
use rocket::{Build, Rocket, get, post};
use rocket_okapi::{openapi, openapi_get_routes_spec};
use serde_json::{Value, json};

const API: &str = "https://api.example.com";

/// `#[openapi]` above `#[requires]`: the document learns the requirement from its declaration.
#[openapi]
#[requires(resource = API, any = ["read:orders", "admin:orders"], description = "Read orders")]
#[get("/orders")]
fn any_of() -> &'static str {
    "[]"
}

/// `#[openapi]` below `#[requires]`, with an `AccessToken` too: still all of the scopes.
#[requires(resource = API, scopes = ["write:orders", "delete:orders"])]
#[openapi]
#[post("/orders/<id>/cancel")]
fn all_of(id: u64, token: AccessToken) -> String {
    format!("{id} {}", token.subject().unwrap_or_default())
}

#[requires(resource = API, scope = "sync:orders", client = "machine")]
#[openapi]
#[post("/sync")]
fn machine_only() {}

#[requires(organization = "<org_id>", scope = "read:members")]
#[openapi]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str, organization: Organization) -> String {
    format!("{org_id} {}", organization.id())
}

#[public]
#[openapi]
#[get("/hello")]
fn optional(token: Option<AccessToken>) -> String {
    token
        .and_then(|token| token.subject().map(str::to_owned))
        .unwrap_or_default()
}

#[guarded]
#[openapi]
#[get("/me")]
fn access_token(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[guarded]
#[openapi]
#[get("/my-organization")]
fn organization(organization: Organization) -> String {
    organization.id().to_owned()
}

#[public]
#[openapi]
#[get("/whoami")]
fn result(token: Result<AccessToken, AuthError>) -> String {
    token.map_or_else(
        |error| error.to_string(),
        |token| token.subject().unwrap_or_default().to_owned(),
    )
}

struct ReadReports;

impl Requirement for ReadReports {
    const AUDIENCE: Audience<'static> = Audience::Resource(API);
    const SCOPES: &'static [&'static str] = &["read:reports"];
}

#[guarded]
#[openapi]
#[get("/reports")]
fn authorized(auth: Authorized<ReadReports>) -> String {
    auth.subject().unwrap_or_default().to_owned()
}

#[public]
#[openapi]
#[get("/ready")]
fn validator(validator: &Validator) -> &'static str {
    if validator.metrics().ready {
        "ready"
    } else {
        "warming up"
    }
}

fn app(issuer: &TestIssuer) -> Rocket<Build> {
    let (routes, spec) = openapi_get_routes_spec![
        any_of,
        all_of,
        machine_only,
        members,
        optional,
        access_token,
        organization,
        result,
        authorized,
        validator
    ];
    rocket::build()
        .attach(LogtoGuard::with_config(
            issuer.config().organization_tokens(true),
        ))
        .mount("/", routes)
        .mount("/", vec![logto_guard::okapi::openapi_route(spec)])
}

async fn document(issuer: &TestIssuer) -> Value {
    let client = Client::tracked(app(issuer)).await.expect("ignites");
    let response = client.get("/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    response.into_json().await.expect("JSON")
}

#[rocket::async_test]
async fn each_guard_documents_its_security() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let security = |path: &str, method: &str| document["paths"][path][method]["security"].clone();

    assert_eq!(
        security("/orders", "get"),
        json!([{"logto": ["read:orders"]}, {"logto": ["admin:orders"]}])
    );
    assert_eq!(
        security("/orders/{id}/cancel", "post"),
        json!([{"logto": ["write:orders", "delete:orders"]}])
    );
    assert_eq!(
        security("/sync", "post"),
        json!([{"logto": ["sync:orders"]}])
    );
    assert_eq!(
        security("/organizations/{org_id}/members", "get"),
        json!([{"logto": ["read:members"]}])
    );
    assert_eq!(security("/hello", "get"), json!([{"logto": []}, {}]));
    assert_eq!(security("/me", "get"), json!([{"logto": []}]));
    assert_eq!(security("/my-organization", "get"), json!([{"logto": []}]));
    // rocket_okapi documents `Result<G, G::Error>` as `G` itself.
    assert_eq!(security("/whoami", "get"), json!([{"logto": []}]));
    // Only `#[requires]` declares scopes; a hand-named `Authorized<R>` documents a token.
    assert_eq!(security("/reports", "get"), json!([{"logto": []}]));
    assert_eq!(security("/ready", "get"), Value::Null);

    let sync = &document["paths"]["/sync"]["post"];
    assert_eq!(
        sync["description"],
        "Only machine-to-machine apps (client credentials)."
    );
    // Optional authentication cannot answer 401: a bad token is `None`.
    assert!(document["paths"]["/hello"]["get"]["responses"]["401"].is_null());
    assert!(document["paths"]["/me"]["get"]["responses"]["401"].is_object());
}

#[rocket::async_test]
async fn the_scheme_lists_every_declared_permission() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let scopes =
        &document["components"]["securitySchemes"]["logto"]["flows"]["clientCredentials"]["scopes"];
    assert_eq!(
        scopes,
        &json!({
            "admin:orders": "Read orders",
            "delete:orders": "",
            "read:orders": "Read orders",
            "sync:orders": "",
            "write:orders": "",
            "read:members": "Organization permission",
        })
    );
}

#[rocket::async_test]
async fn the_document_is_valid_openapi() {
    let issuer = TestIssuer::start().await;
    assert_valid_openapi("okapi-guards", &document(&issuer).await);
}
