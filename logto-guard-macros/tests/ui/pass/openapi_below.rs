#![deny(warnings)]

// `#[openapi]` below `#[requires]`, `#[public]` and `#[guarded]` (above the route attribute, as
// Rocket needs), with every guard type.

use logto_guard::{
    AccessToken, AuthError, Authorized, Organization, Validator, guarded, public, requires,
};
use rocket::get;
use rocket_okapi::{openapi, openapi_get_routes_spec};

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[openapi]
#[get("/orders")]
fn scope() -> &'static str {
    "[]"
}

#[requires(resource = "https://api.example.com", any = ["read:orders", "admin:orders"])]
#[openapi]
#[get("/orders/<id>")]
fn any(id: u64, token: AccessToken) -> String {
    format!("{id} {}", token.subject().unwrap_or_default())
}

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
    format!("{}", token.is_some())
}

#[public]
#[openapi]
#[get("/whoami")]
fn result(token: Result<AccessToken, AuthError>) -> String {
    format!("{}", token.is_ok())
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

struct ReadReports;

impl logto_guard::Requirement for ReadReports {
    const AUDIENCE: logto_guard::Audience<'static> =
        logto_guard::Audience::Resource("https://api.example.com");
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
fn validator(validator: &Validator) -> String {
    format!("{}", validator.metrics().ready)
}

fn main() {
    let (routes, spec) = openapi_get_routes_spec![
        scope,
        any,
        members,
        optional,
        result,
        access_token,
        organization,
        authorized,
        validator
    ];
    let _ = rocket::build()
        .mount("/", routes)
        .mount("/", vec![logto_guard::okapi::openapi_route(spec)]);
}
