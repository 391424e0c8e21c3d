#![deny(warnings)]

// `#[openapi]` above `#[requires]`, `#[public]` and `#[guarded]`, with every guard type.

use logto_guard::{
    AccessToken, AuthError, Authorized, Organization, Validator, guarded, public, requires,
};
use rocket::get;
use rocket_okapi::{openapi, openapi_get_routes_spec};

#[openapi]
#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[get("/orders")]
fn scope() -> &'static str {
    "[]"
}

#[openapi]
#[requires(resource = "https://api.example.com", any = ["read:orders", "admin:orders"])]
#[get("/orders/<id>")]
fn any(id: u64, token: AccessToken) -> String {
    format!("{id} {}", token.subject().unwrap_or_default())
}

#[openapi]
#[requires(organization = "<org_id>", scope = "read:members")]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str, organization: Organization) -> String {
    format!("{org_id} {}", organization.id())
}

#[openapi]
#[public]
#[get("/hello")]
fn optional(token: Option<AccessToken>) -> String {
    format!("{}", token.is_some())
}

#[openapi]
#[public]
#[get("/whoami")]
fn result(token: Result<AccessToken, AuthError>) -> String {
    format!("{}", token.is_ok())
}

#[openapi]
#[guarded]
#[get("/me")]
fn access_token(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[openapi]
#[guarded]
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

#[openapi]
#[guarded]
#[get("/reports")]
fn authorized(auth: Authorized<ReadReports>) -> String {
    auth.subject().unwrap_or_default().to_owned()
}

#[openapi]
#[public]
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
