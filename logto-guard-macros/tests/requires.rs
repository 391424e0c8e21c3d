//! `#[requires]` at run time: a real issuer, real tokens, `rocket::local`.

use logto_guard::testing::TestIssuer;
use logto_guard::{
    AccessToken, Audience, ClientRule, Declaration, LogtoGuard, OrganizationRule, ScopeMode,
    requires,
};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;

const ORDERS_API: &str = "https://api.example.com";

#[requires(
    resource = "https://api.example.com",
    scope = "read:orders",
    description = "Read orders"
)]
#[rocket::get("/orders")]
fn read_orders() -> &'static str {
    "orders"
}

#[requires(resource = ORDERS_API, any = ["read:orders", "admin:orders"])]
#[rocket::get("/orders/<id>")]
async fn order(id: u64) -> String {
    format!("order {id}")
}

#[requires(resource = ORDERS_API, scopes = ["write:orders", "delete:orders"])]
#[rocket::delete("/orders/<id>")]
fn delete_order(id: u64, token: AccessToken) -> String {
    format!("{} deleted {id}", token.subject().unwrap_or("?"))
}

#[requires(resource = ORDERS_API)]
#[rocket::get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[requires(organization = "<org_id>", scope = "read:members", client = "user")]
#[rocket::get("/organizations/<org_id>/members")]
fn members(org_id: &str) -> String {
    format!("members of {org_id}")
}

#[requires(resource = ORDERS_API, organization, client = "machine")]
#[rocket::post("/organization-sync")]
fn organization_sync() {}

// Compiled out: rustc evaluates every `#[cfg]` of an item before any attribute macro on it,
// wherever the `#[cfg]` stands, so `#[requires]` never sees these and declares nothing.
#[requires(resource = ORDERS_API, scope = "never:declared")]
#[cfg(any())]
#[rocket::get("/disabled")]
fn disabled() {}

#[cfg(any())]
#[requires(resource = ORDERS_API, scope = "never:declared")]
#[rocket::get("/disabled")]
fn disabled_above() {}

async fn client(issuer: &TestIssuer) -> Client {
    let rocket = rocket::build()
        .attach(LogtoGuard::with_config(issuer.config()))
        .mount(
            "/",
            rocket::routes![
                read_orders,
                order,
                delete_order,
                me,
                members,
                organization_sync
            ],
        );
    Client::tracked(rocket).await.expect("valid rocket")
}

fn bearer(token: &str) -> Header<'static> {
    Header::new("Authorization", format!("Bearer {token}"))
}

#[rocket::async_test]
async fn one_scope() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;

    let token = issuer.token().scopes(["read:orders"]).sign();
    let response = client
        .get("/orders")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("orders"));

    let token = issuer.token().scopes(["write:orders"]).sign();
    let response = client
        .get("/orders")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let response = client.get("/orders").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);

    let token = issuer
        .token()
        .scopes(["read:orders"])
        .audience("https://other.example.com")
        .sign();
    let response = client
        .get("/orders")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn any_of() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;

    for scope in ["read:orders", "admin:orders"] {
        let token = issuer.token().scopes([scope]).sign();
        let response = client
            .get("/orders/7")
            .header(bearer(&token))
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Ok, "{scope}");
        assert_eq!(response.into_string().await.as_deref(), Some("order 7"));
    }

    let token = issuer.token().scopes(["write:orders"]).sign();
    let response = client
        .get("/orders/7")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn all_of_with_access_token() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;

    let token = issuer
        .token()
        .subject("user-1")
        .scopes(["write:orders", "delete:orders"])
        .sign();
    let response = client
        .delete("/orders/3")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("user-1 deleted 3")
    );

    let token = issuer.token().scopes(["write:orders"]).sign();
    let response = client
        .delete("/orders/3")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}

#[rocket::async_test]
async fn any_valid_token() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;

    let token = issuer.token().subject("user-2").sign();
    let response = client.get("/me").header(bearer(&token)).dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(response.into_string().await.as_deref(), Some("user-2"));

    let response = client.get("/me").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}

fn declaration(handler: &str) -> &'static Declaration {
    let mut found = Declaration::all().filter(|d| d.handler.name == handler);
    let declaration = found
        .next()
        .unwrap_or_else(|| panic!("no declaration for {handler}"));
    assert!(found.next().is_none(), "two declarations for {handler}");
    declaration
}

#[test]
fn declarations() {
    let read = declaration("read_orders");
    assert_eq!(read.audience, Audience::Resource("https://api.example.com"));
    assert_eq!(read.handler.method, "GET");
    assert_eq!(read.handler.uri, "/orders");
    assert_eq!(read.scopes, ["read:orders"]);
    assert_eq!(read.mode, ScopeMode::All);
    assert_eq!(read.description, Some("Read orders"));
    assert_eq!(read.handler.module, module_path!());

    let order = declaration("order");
    assert_eq!(order.resource(), Some(ORDERS_API));
    assert_eq!(order.handler.uri, "/orders/<id>");
    assert_eq!(order.scopes, ["read:orders", "admin:orders"]);
    assert_eq!(order.mode, ScopeMode::Any);
    assert_eq!(order.description, None);

    let delete = declaration("delete_order");
    assert_eq!(delete.scopes, ["write:orders", "delete:orders"]);
    assert_eq!(delete.mode, ScopeMode::All);

    assert_eq!(delete.handler.method, "DELETE");
    assert!(Declaration::all().all(|d| d.handler.name != "disabled"));
    assert!(Declaration::all().all(|d| d.handler.name != "disabled_above"));

    assert_eq!(read.organization, OrganizationRule::None);
    assert_eq!(read.client, ClientRule::Any);

    let members = declaration("members");
    assert_eq!(members.audience, Audience::Organization);
    assert_eq!(members.resource(), None);
    assert_eq!(members.scopes, ["read:members"]);
    assert_eq!(members.organization, OrganizationRule::Segment("org_id"));
    assert_eq!(members.client, ClientRule::User);

    let sync = declaration("organization_sync");
    assert_eq!(sync.audience, Audience::Resource(ORDERS_API));
    assert_eq!(sync.handler.method, "POST");
    assert_eq!(sync.organization, OrganizationRule::Any);
    assert_eq!(sync.client, ClientRule::Machine);

    let me = declaration("me");
    assert_eq!(me.resource(), Some(ORDERS_API));
    assert!(me.scopes.is_empty());
    assert_eq!(me.mode, ScopeMode::All);
}

#[rocket::async_test]
async fn organization_segment_and_client() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;

    let token = issuer
        .token()
        .organization_token("org-a")
        .scopes(["read:members"])
        .sign();
    let response = client
        .get("/organizations/org-a/members")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("members of org-a")
    );
    let response = client
        .get("/organizations/org-b/members")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);

    let machine = issuer
        .token()
        .machine_to_machine("sync-app")
        .organization_id("org-a")
        .sign();
    let response = client
        .post("/organization-sync")
        .header(bearer(&machine))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let user = issuer.token().organization_id("org-a").sign();
    let response = client
        .post("/organization-sync")
        .header(bearer(&user))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
}
