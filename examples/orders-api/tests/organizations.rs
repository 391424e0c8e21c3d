//! Logto organizations and machine-to-machine tokens in `rocket::local`: every kind of token
//! (plain resource, organization, organization-level resource, machine-to-machine) against
//! every form of requirement, over `orders_api::app` plus a few routes of this file mounted
//! under a base, with a `TestIssuer` serving real keys.

use logto_guard::testing::{TestIssuer, TokenBuilder};
use logto_guard::{
    AccessToken, Audience, Authorized, Config, LogtoGuard, Organization, OrganizationRule,
    Requirement, guarded, requires,
};
use logto_guard_tests::helpers::bearer;
use orders_api::{RESOURCE, app};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use rocket::{get, post, routes};
use serde_json::{Value, json};

const MISMATCH: &str = "token is for another organization than the route's `<org_id>`";
const NO_ORGANIZATION: &str = "token is not for an organization: request it with `organization_id`";
const WANTS_ORGANIZATION_TOKEN: &str =
    "audience mismatch: this API expects a token for an organization (urn:logto:organization:<id>)";
const NOT_FOR_THIS_API: &str = "audience mismatch: the token is not for this API";
const NOT_FOR_ORGANIZATIONS: &str = "token is bound to an organization, but this route is not \
    for an organization: request a token without `organization_id`";
const MACHINES_ONLY: &str = "this route accepts only machine-to-machine tokens";
const USERS_ONLY: &str = "this route accepts only user tokens, not machine-to-machine tokens";

// Requirement forms orders-api does not use, mounted at `/v1/t` (a base, so the segment is
// read after the mount point).

#[requires(organization, scope = "read:members")]
#[get("/any-organization")]
fn any_organization(organization: Organization) -> String {
    organization.id().to_owned()
}

#[requires(resource = RESOURCE, organization)]
#[get("/resource-any-organization")]
fn resource_any_organization(token: AccessToken) -> String {
    token.organization_id().unwrap_or_default().to_owned()
}

#[requires(organization = "<org_id>")]
#[get("/organizations/<org_id>/ping")]
fn organization_ping(org_id: &str) -> String {
    org_id.to_owned()
}

#[requires(resource = RESOURCE, organization = optional, scope = "read:orders")]
#[get("/either")]
fn with_or_without_organization(token: AccessToken) -> String {
    token.organization_id().unwrap_or("tenant-wide").to_owned()
}

#[guarded]
#[get("/organization")]
fn organization_guard(organization: Organization) -> String {
    organization.id().to_owned()
}

#[guarded]
#[get("/token")]
fn any_accepted_token(token: AccessToken) -> String {
    token.audiences().join(" ")
}

#[requires(resource = RESOURCE, scope = "sync:orders", client = "machine")]
#[post("/sync")]
fn machines_only() -> &'static str {
    "synced"
}

#[requires(resource = RESOURCE, client = "user")]
#[get("/profile")]
fn users_only() -> &'static str {
    "profile"
}

#[requires(organization = "<org_id>", scope = "read:members", client = "machine")]
#[get("/organizations/<org_id>/audit")]
fn machine_organization_audit(org_id: &str) -> String {
    org_id.to_owned()
}

/// A hand-written requirement naming a segment its route does not have.
struct WrongSegment;

impl Requirement for WrongSegment {
    const AUDIENCE: Audience<'static> = Audience::Organization;
    const SCOPES: &'static [&'static str] = &[];
    const ORGANIZATION: OrganizationRule = OrganizationRule::Segment("tenant");
}

#[guarded]
#[get("/misconfigured/<org_id>")]
fn misconfigured(_auth: Authorized<WrongSegment>, org_id: &str) -> String {
    org_id.to_owned()
}

async fn client(issuer: &TestIssuer) -> Client {
    client_with(issuer.config()).await
}

async fn client_with(config: Config) -> Client {
    let rocket = app(LogtoGuard::with_config(
        orders_api::with_placeholder_billing(config),
    ))
    .mount(
        "/v1/t",
        routes![
            item_by_id,
            item_by_name,
            with_or_without_organization,
            any_organization,
            resource_any_organization,
            organization_ping,
            organization_guard,
            any_accepted_token,
            machines_only,
            users_only,
            machine_organization_audit,
            misconfigured,
        ],
    );
    Client::tracked(rocket).await.expect("orders-api ignites")
}

/// The four kinds of token, with the given scopes.
struct Tokens<'a> {
    issuer: &'a TestIssuer,
}

impl Tokens<'_> {
    /// A plain token for the API resource (no organization).
    fn resource(&self, scopes: &[&str]) -> String {
        self.issuer.token().scopes(scopes.iter().copied()).sign()
    }

    /// An organization token: `aud` = `urn:logto:organization:<org>`.
    fn organization(&self, org: &str, scopes: &[&str]) -> String {
        self.issuer
            .token()
            .organization_token(org)
            .scopes(scopes.iter().copied())
            .sign()
    }

    /// An organization-level API resource token: `aud` = the resource, `organization_id`.
    fn organization_resource(&self, org: &str, scopes: &[&str]) -> String {
        self.issuer
            .token()
            .organization_id(org)
            .scopes(scopes.iter().copied())
            .sign()
    }

    /// A machine-to-machine token for the resource.
    fn machine(&self, scopes: &[&str]) -> String {
        self.m2m().scopes(scopes.iter().copied()).sign()
    }

    fn m2m(&self) -> TokenBuilder {
        self.issuer.token().machine_to_machine("m2m-app")
    }
}

async fn get<'c>(client: &'c Client, path: &str, token: &str) -> LocalResponse<'c> {
    client
        .get(path.to_owned())
        .header(bearer(token))
        .dispatch()
        .await
}

async fn ok(response: LocalResponse<'_>, what: &str) -> String {
    assert_eq!(response.status(), Status::Ok, "{what}");
    assert!(response.headers().get_one("WWW-Authenticate").is_none());
    response.into_string().await.unwrap_or_default()
}

/// Asserts an RFC 6750 rejection (status, code, exact description in the challenge and the
/// JSON body), and that neither names any organization id.
async fn rejected(response: LocalResponse<'_>, status: Status, code: &str, description: &str) {
    assert_eq!(response.status(), status, "{description}");
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .expect("a WWW-Authenticate challenge")
        .to_owned();
    assert!(
        challenge.starts_with(&format!(
            r#"Bearer realm="api", error="{code}", error_description="{description}""#
        )),
        "{challenge}"
    );
    assert_eq!(response.content_type(), Some(ContentType::JSON));
    let body: Value = response.into_json().await.expect("JSON body");
    assert_eq!(
        body,
        json!({"error": code, "error_description": description})
    );
    for text in [challenge, body.to_string()] {
        assert!(!text.contains("org-a") && !text.contains("org-b"), "{text}");
    }
}

#[rocket::async_test]
async fn organization_token_on_its_organizations_members() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    let token = tokens.organization("org-a", &["read:members"]);
    let body = ok(
        get(&client, "/organizations/org-a/members", &token).await,
        "org A's token on org A",
    )
    .await;
    let members: Value = serde_json::from_str(&body).expect("JSON list");
    let members = members.as_array().expect("a list");
    assert_eq!(members.len(), 2);
    assert!(members.iter().all(|m| m["organization"] == "org-a"));

    // The segment is compared percent-decoded, as Rocket hands it to the handler.
    ok(
        get(&client, "/organizations/org%2Da/members", &token).await,
        "percent-encoded",
    )
    .await;

    // Machine-to-machine apps get organization tokens too; `client` is not restricted here.
    let machine = tokens
        .m2m()
        .organization_token("org-a")
        .scopes(["read:members"])
        .sign();
    ok(
        get(&client, "/organizations/org-a/members", &machine).await,
        "m2m organization token",
    )
    .await;
}

#[rocket::async_test]
async fn organization_a_never_reads_organization_b() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    // An organization token for A on B's members.
    let token = tokens.organization("org-a", &["read:members"]);
    let response = get(&client, "/organizations/org-b/members", &token).await;
    rejected(response, Status::Forbidden, "insufficient_scope", MISMATCH).await;

    // An organization-level resource token for A on B's orders.
    let token = tokens.organization_resource("org-a", &["read:orders"]);
    let response = get(&client, "/organizations/org-b/orders", &token).await;
    rejected(response, Status::Forbidden, "insufficient_scope", MISMATCH).await;

    // Same for a route mounted under a base, and for prefixes of the id.
    let token = tokens.organization("org-a", &[]);
    for path in [
        "/v1/t/organizations/org-b/ping",
        "/v1/t/organizations/org-/ping",
        "/v1/t/organizations/org-aa/ping",
    ] {
        let response = get(&client, path, &token).await;
        rejected(response, Status::Forbidden, "insufficient_scope", MISMATCH).await;
    }
    let body = ok(
        get(&client, "/v1/t/organizations/org-a/ping", &token).await,
        "under a base",
    )
    .await;
    assert_eq!(body, "org-a");
}

#[rocket::async_test]
async fn organization_resource_token_on_its_organizations_orders() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    // Orders created with tokens of A, of B and of no organization.
    for token in [
        tokens.organization_resource("org-a", &["write:orders"]),
        tokens.organization_resource("org-b", &["write:orders"]),
        tokens.resource(&["write:orders"]),
        tokens.organization_resource("org-a", &["write:orders"]),
    ] {
        let response = client
            .post("/orders")
            .header(bearer(&token))
            .header(ContentType::JSON)
            .body(json!({"item": "tea", "quantity": 1}).to_string())
            .dispatch()
            .await;
        assert_eq!(response.status(), Status::Created);
    }

    let token = tokens.organization_resource("org-a", &["read:orders"]);
    let body = ok(
        get(&client, "/organizations/org-a/orders", &token).await,
        "org A's resource token on org A",
    )
    .await;
    let orders: Value = serde_json::from_str(&body).expect("JSON list");
    let ids: Vec<u64> = orders
        .as_array()
        .expect("a list")
        .iter()
        .map(|order| {
            assert_eq!(order["organization"], "org-a");
            order["id"].as_u64().expect("id")
        })
        .collect();
    assert_eq!(ids, [1, 4]);

    // The API-wide list has every order, for a tenant-wide token only; one without
    // organization has no such field.
    let response = get(&client, "/orders", &token).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NOT_FOR_ORGANIZATIONS,
    )
    .await;
    let all: Value = serde_json::from_str(
        &ok(
            get(&client, "/orders", &tokens.resource(&["read:orders"])).await,
            "tenant-wide token on /orders",
        )
        .await,
    )
    .expect("JSON list");
    assert_eq!(all.as_array().map(Vec::len), Some(4));
    assert!(all[2].get("organization").is_none(), "{all}");

    // Machine-to-machine organization-level tokens are accepted too.
    let machine = tokens
        .m2m()
        .organization_id("org-b")
        .scopes(["read:orders"])
        .sign();
    let body = ok(
        get(&client, "/organizations/org-b/orders", &machine).await,
        "m2m",
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body)
            .expect("JSON")
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

#[rocket::async_test]
async fn each_kind_of_token_on_each_kind_of_route() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };
    let orders = "/organizations/org-a/orders";
    let members = "/organizations/org-a/members";
    let scopes = ["read:orders", "read:members"];

    // A plain resource token: fine on /orders, not for an organization on the
    // organization-level route (403), the wrong audience for an organization token (401).
    let plain = tokens.resource(&scopes);
    ok(get(&client, "/orders", &plain).await, "plain on /orders").await;
    let response = get(&client, orders, &plain).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NO_ORGANIZATION,
    )
    .await;
    let response = get(&client, members, &plain).await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        WANTS_ORGANIZATION_TOKEN,
    )
    .await;

    // An organization token is for the organization, not for the API resource.
    let organization = tokens.organization("org-a", &scopes);
    for path in ["/orders", orders] {
        let response = get(&client, path, &organization).await;
        rejected(
            response,
            Status::Unauthorized,
            "invalid_token",
            NOT_FOR_THIS_API,
        )
        .await;
    }
    ok(
        get(&client, members, &organization).await,
        "organization token",
    )
    .await;

    // An organization-level resource token carries scopes from the caller's role in that one
    // organization: refused on the tenant-wide /orders (403), and not an organization token.
    let organization_resource = tokens.organization_resource("org-a", &scopes);
    let response = get(&client, "/orders", &organization_resource).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NOT_FOR_ORGANIZATIONS,
    )
    .await;
    ok(
        get(&client, orders, &organization_resource).await,
        "org-level on its orders",
    )
    .await;
    let response = get(&client, members, &organization_resource).await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        WANTS_ORGANIZATION_TOKEN,
    )
    .await;

    // A machine-to-machine resource token: like the plain one.
    let machine = tokens.machine(&scopes);
    ok(get(&client, "/orders", &machine).await, "m2m on /orders").await;
    let response = get(&client, orders, &machine).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NO_ORGANIZATION,
    )
    .await;

    // The right organization without the scope: the scope check still applies.
    let response = get(
        &client,
        members,
        &tokens.organization("org-a", &["read:orders"]),
    )
    .await;
    assert_eq!(
        response
            .headers()
            .get_one("WWW-Authenticate")
            .map(|c| c.ends_with(r#"scope="read:members""#)),
        Some(true)
    );
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        "token lacks a required scope: read:members",
    )
    .await;
    let response = get(&client, orders, &tokens.organization_resource("org-a", &[])).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        "token lacks a required scope: read:orders",
    )
    .await;

    // An organization audience without an id is no organization token.
    let empty = issuer
        .token()
        .audience("urn:logto:organization:")
        .scopes(scopes)
        .sign();
    let response = get(&client, members, &empty).await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        WANTS_ORGANIZATION_TOKEN,
    )
    .await;

    // No token at all.
    let response = client.get(members).dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    assert_eq!(
        response.headers().get_one("WWW-Authenticate"),
        Some(r#"Bearer realm="api""#)
    );
}

#[rocket::async_test]
async fn any_organization_and_organization_level_resource() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    // `organization` alone: an organization token, any organization.
    for org in ["org-a", "org-b"] {
        let token = tokens.organization(org, &["read:members"]);
        let body = ok(get(&client, "/v1/t/any-organization", &token).await, org).await;
        assert_eq!(body, org);
    }
    let response = get(
        &client,
        "/v1/t/any-organization",
        &tokens.organization_resource("org-a", &["read:members"]),
    )
    .await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        WANTS_ORGANIZATION_TOKEN,
    )
    .await;

    // `resource` with `organization`: a resource token carrying any `organization_id`.
    let token = tokens.organization_resource("org-b", &[]);
    let body = ok(
        get(&client, "/v1/t/resource-any-organization", &token).await,
        "org-level",
    )
    .await;
    assert_eq!(body, "org-b");
    let response = get(
        &client,
        "/v1/t/resource-any-organization",
        &tokens.resource(&[]),
    )
    .await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NO_ORGANIZATION,
    )
    .await;
}

#[rocket::async_test]
async fn organization_and_access_token_guards() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    // Outside a `#[requires(organization ..)]` route, `Organization` and a plain `AccessToken`
    // refuse every token bound to an organization unless the config turns
    // `organization_tokens` on, although this app has organization routes.
    for path in ["/v1/t/organization", "/v1/t/token"] {
        let response = get(&client, path, &tokens.organization("org-a", &[])).await;
        rejected(
            response,
            Status::Unauthorized,
            "invalid_token",
            NOT_FOR_THIS_API,
        )
        .await;
        let token = tokens.organization_resource("org-a", &[]);
        let response = get(&client, path, &token).await;
        rejected(
            response,
            Status::Forbidden,
            "insufficient_scope",
            NOT_FOR_ORGANIZATIONS,
        )
        .await;
    }
    let response = client.get("/v1/t/organization").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    ok(
        get(&client, "/v1/t/token", &tokens.resource(&[])).await,
        "resource token",
    )
    .await;
}

#[rocket::async_test]
async fn organization_tokens_on_plain_guards_only_when_configured() {
    let issuer = TestIssuer::start().await;
    let client = client_with(issuer.config().organization_tokens(true)).await;
    let tokens = Tokens { issuer: &issuer };

    // `Organization` yields the organization of either kind of token.
    for (token, what) in [
        (tokens.organization("org-a", &[]), "organization token"),
        (
            tokens.organization_resource("org-a", &[]),
            "org-level token",
        ),
    ] {
        let body = ok(get(&client, "/v1/t/organization", &token).await, what).await;
        assert_eq!(body, "org-a", "{what}");
    }
    let response = get(&client, "/v1/t/organization", &tokens.resource(&[])).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NO_ORGANIZATION,
    )
    .await;

    // Claim and audience naming different organizations: not for one organization.
    let confused = issuer
        .token()
        .organization_token("org-a")
        .organization_id("org-b")
        .sign();
    let response = get(&client, "/v1/t/organization", &confused).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NO_ORGANIZATION,
    )
    .await;

    // A plain `AccessToken` then accepts both kinds; other audiences stay refused.
    let body = ok(
        get(&client, "/v1/t/token", &tokens.organization("org-a", &[])).await,
        "organization token",
    )
    .await;
    assert_eq!(body, "urn:logto:organization:org-a");
    ok(
        get(
            &client,
            "/v1/t/token",
            &tokens.organization_resource("org-a", &[]),
        )
        .await,
        "org-level token",
    )
    .await;
    let other = issuer.token().audience("https://other.example.com").sign();
    let response = get(&client, "/v1/t/token", &other).await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        NOT_FOR_THIS_API,
    )
    .await;

    // The routes with a requirement are unchanged by the setting.
    let response = get(
        &client,
        "/orders",
        &tokens.organization_resource("org-a", &["read:orders"]),
    )
    .await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        NOT_FOR_ORGANIZATIONS,
    )
    .await;
}

#[rocket::async_test]
async fn organization_optional_serves_both_kinds_on_purpose() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    let body = ok(
        get(&client, "/v1/t/either", &tokens.resource(&["read:orders"])).await,
        "plain",
    )
    .await;
    assert_eq!(body, "tenant-wide");
    let token = tokens.organization_resource("org-b", &["read:orders"]);
    let body = ok(get(&client, "/v1/t/either", &token).await, "org-level").await;
    assert_eq!(body, "org-b");
    // Still a resource route: an organization token's audience is not the resource, and the
    // scope is still required.
    let token = tokens.organization("org-b", &["read:orders"]);
    let response = get(&client, "/v1/t/either", &token).await;
    rejected(
        response,
        Status::Unauthorized,
        "invalid_token",
        NOT_FOR_THIS_API,
    )
    .await;
    let token = tokens.organization_resource("org-b", &[]);
    let response = get(&client, "/v1/t/either", &token).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        "token lacks a required scope: read:orders",
    )
    .await;
}

#[rocket::async_test]
async fn machine_and_user_only_routes() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let tokens = Tokens { issuer: &issuer };

    let machine = tokens.machine(&["sync:orders"]);
    let response = client
        .post("/v1/t/sync")
        .header(bearer(&machine))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);

    // A user's token, even with the scope.
    let user = tokens.resource(&["sync:orders"]);
    let response = client
        .post("/v1/t/sync")
        .header(bearer(&user))
        .dispatch()
        .await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        MACHINES_ONLY,
    )
    .await;

    // A machine without the scope.
    let response = client
        .post("/v1/t/sync")
        .header(bearer(&tokens.machine(&[])))
        .dispatch()
        .await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        "token lacks a required scope: sync:orders",
    )
    .await;

    // `client = "user"`.
    ok(
        get(&client, "/v1/t/profile", &tokens.resource(&[])).await,
        "user",
    )
    .await;
    let response = get(&client, "/v1/t/profile", &tokens.machine(&[])).await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        USERS_ONLY,
    )
    .await;

    // `client` and `organization` together.
    let path = "/v1/t/organizations/org-a/audit";
    let machine = tokens
        .m2m()
        .organization_token("org-a")
        .scopes(["read:members"])
        .sign();
    ok(get(&client, path, &machine).await, "m2m organization token").await;
    let response = get(
        &client,
        path,
        &tokens.organization("org-a", &["read:members"]),
    )
    .await;
    rejected(
        response,
        Status::Forbidden,
        "insufficient_scope",
        MACHINES_ONLY,
    )
    .await;
    let response = get(&client, "/v1/t/organizations/org-b/audit", &machine).await;
    rejected(response, Status::Forbidden, "insufficient_scope", MISMATCH).await;
}

#[rocket::async_test]
async fn a_requirement_naming_a_missing_segment_is_a_server_error() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    let token = Tokens { issuer: &issuer }.organization("org-a", &[]);
    let response = get(&client, "/v1/t/misconfigured/org-a", &token).await;
    assert_eq!(response.status(), Status::InternalServerError);
}

#[requires(
    resource = RESOURCE,
    organization = optional,
    scope = "read:items"
)]
#[get("/items/<id>")]
fn item_by_id(id: u32) -> String {
    id.to_string()
}

#[guarded]
#[get("/items/<name>", rank = 2)]
fn item_by_name(name: &str, token: AccessToken) -> String {
    format!("{name} for {}", token.subject().unwrap_or_default())
}

#[rocket::async_test]
async fn a_requirement_met_on_one_route_does_not_carry_over_a_forward() {
    let issuer = TestIssuer::start().await;
    let client = client(&issuer).await;
    // Bound to an organization: `item_by_id` accepts it (`organization = optional`), then its
    // `<id>` does not parse and Rocket forwards to `item_by_name`, whose plain `AccessToken`
    // refuses organization-bound tokens.
    let token = issuer
        .token()
        .organization_id("org-a")
        .scopes(["read:items"])
        .sign();
    let response = client
        .get("/v1/t/items/7")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let response = client
        .get("/v1/t/items/abc")
        .header(bearer(&token))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let plain = issuer
        .token()
        .subject("user-1")
        .scopes(["read:items"])
        .sign();
    let response = client
        .get("/v1/t/items/abc")
        .header(bearer(&plain))
        .dispatch()
        .await;
    assert_eq!(
        response.into_string().await.as_deref(),
        Some("abc for user-1")
    );
}
