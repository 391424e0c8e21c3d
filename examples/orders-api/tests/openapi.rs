//! `GET /openapi.json` of orders-api (feature `openapi`): the exact security of every
//! operation, Logto's OAuth 2.0 scheme, and a real OpenAPI validator's verdict.

use logto_guard::LogtoGuard;
use logto_guard::testing::TestIssuer;
use logto_guard_tests::openapi::assert_valid_openapi;
use orders_api::app;
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client;
use serde_json::{Value, json};

async fn document(issuer: &TestIssuer) -> Value {
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(issuer.config()),
    )))
    .await
    .expect("orders-api ignites");
    let response = client.get("/openapi.json").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    response.into_json().await.expect("a JSON document")
}

#[rocket::async_test]
async fn every_operation_has_the_security_its_requires_declares() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let security = |path: &str, method: &str| document["paths"][path][method]["security"].clone();

    assert_eq!(security("/health", "get"), Value::Null);
    assert_eq!(
        security("/orders", "get"),
        json!([{"logto": ["read:orders"]}])
    );
    assert_eq!(
        security("/orders", "post"),
        json!([{"logto": ["write:orders"]}])
    );
    assert_eq!(
        security("/orders/{id}", "delete"),
        json!([{"logto": ["write:orders", "delete:orders"]}])
    );
    assert_eq!(
        security("/orders/{id}/paid", "post"),
        json!([{"logto": ["write:orders"]}])
    );
    assert_eq!(
        security("/orders/report", "get"),
        json!([{"logto": ["read:orders"]}])
    );
    assert_eq!(security("/me", "get"), json!([{"logto": []}]));
    assert_eq!(
        security("/organizations/{org_id}/orders", "get"),
        json!([{"logto": ["read:orders"]}])
    );
    assert_eq!(
        security("/organizations/{org_id}/members", "get"),
        json!([{"logto": ["read:members"]}])
    );
    let operations: usize = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().expect("a path item").len())
        .sum();
    assert_eq!(operations, 9, "every API route, and only those");
}

#[rocket::async_test]
async fn the_client_group_and_the_custom_check_are_described() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let paid = &document["paths"]["/orders/{id}/paid"]["post"];
    assert!(
        paid["description"]
            .as_str()
            .expect("a description")
            .ends_with("\n\nOnly the applications of client group `billing` (by `client_id`)."),
        "{paid:#}"
    );
    let report = &document["paths"]["/orders/report"]["get"];
    assert!(
        report["description"]
            .as_str()
            .expect("a description")
            .ends_with(
                "\n\nThe route also applies a custom check of the token (403 when it refuses)."
            ),
        "{report:#}"
    );
}

#[rocket::async_test]
async fn organization_routes_say_which_token_they_need() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let members = &document["paths"]["/organizations/{org_id}/members"]["get"];
    assert!(
        members["description"]
            .as_str()
            .expect("a description")
            .ends_with(
                "\n\nRequires a Logto organization token (`aud` = \
                 `urn:logto:organization:<id>`) for the organization in `{org_id}`; the scopes \
                 are organization permissions."
            ),
        "{members:#}"
    );
    assert_eq!(
        members["parameters"][0],
        json!({
            "name": "org_id",
            "in": "path",
            "description": "The Logto organization id; the token must be for this organization.",
            "required": true,
            "schema": {"type": "string"},
        })
    );
    let orders = &document["paths"]["/organizations/{org_id}/orders"]["get"];
    assert!(
        orders["description"]
            .as_str()
            .expect("a description")
            .ends_with(
                "Requires an organization-level token for this API whose `organization_id` is \
                 the organization in `{org_id}`."
            ),
        "{orders:#}"
    );
    let create = &document["paths"]["/orders"]["post"];
    assert!(
        create["description"]
            .as_str()
            .expect("a description")
            .ends_with(
                "Accepts tokens for this API with or without an organization \
                 (`organization_id`)."
            ),
        "{create:#}"
    );
    for (path, method) in [
        ("/orders", "get"),
        ("/organizations/{org_id}/members", "get"),
    ] {
        let responses = &document["paths"][path][method]["responses"];
        assert!(responses["401"].is_object(), "{path}: {responses:#}");
        assert!(responses["403"].is_object(), "{path}: {responses:#}");
    }
}

#[rocket::async_test]
async fn the_scheme_is_logto_with_the_manifest_permissions() {
    let issuer = TestIssuer::start().await;
    let document = document(&issuer).await;
    let oidc = issuer.issuer();
    let scopes = json!({
        "read:orders": "Read orders",
        "write:orders": "Create orders",
        "delete:orders": "",
        "read:members": "Organization permission: Read the organization's members",
    });
    let scheme = &document["components"]["securitySchemes"]["logto"];
    assert_eq!(scheme["type"], "oauth2");
    assert_eq!(scheme["x-logto-resource"], "https://api.example.com");
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
    assert_eq!(
        document["components"]["securitySchemes"]
            .as_object()
            .map(|schemes| schemes.len()),
        Some(1)
    );
}

#[rocket::async_test]
async fn the_document_is_valid_openapi() {
    let issuer = TestIssuer::start().await;
    assert_valid_openapi("orders-api", &document(&issuer).await);
}

#[rocket::async_test]
async fn the_documentation_is_public_and_served_at_docs() {
    let issuer = TestIssuer::start().await;
    let client = Client::tracked(app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(
            issuer.config().route_audit(logto_guard::RouteAudit::Deny),
        ),
    )))
    .await
    .expect("the route audit takes the documentation routes as public");
    let docs = client.get("/docs/").dispatch().await;
    assert_eq!(docs.status(), Status::SeeOther);
    assert_eq!(docs.headers().get_one("Location"), Some("/docs/index.html"));
    let page = client.get("/docs/index.html").dispatch().await;
    assert_eq!(page.status(), Status::Ok);
    let initializer = client.get("/docs/swagger-initializer.js").dispatch().await;
    assert_eq!(initializer.status(), Status::Ok);
    let script = initializer.into_string().await.expect("the initializer");
    assert!(
        script.contains("usePkceWithAuthorizationCodeGrant: true"),
        "{script}"
    );
}
