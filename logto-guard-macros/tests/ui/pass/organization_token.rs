#![deny(warnings)]

use logto_guard::{AccessToken, Organization, requires};
use rocket::{get, routes};

// Any organization token.
#[requires(organization, scope = "read:members")]
#[get("/my-organization/members")]
fn my_members(organization: Organization) -> String {
    organization.id().to_owned()
}

// The organization of the route's `<org_id>` segment.
#[requires(organization = "<org_id>", scope = "read:members", description = "Read members")]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str, token: AccessToken) -> String {
    format!("{org_id} {:?}", token.organization_id())
}

// Other route attribute forms, other segment positions, any-of scopes, no scope.
#[requires(organization = "<id>", any = ["read:members", "admin:members"])]
#[rocket::route(GET, uri = "/<id>/members/<member>?<page>")]
async fn member(id: &str, member: u64, page: Option<u32>) -> String {
    format!("{id} {member} {page:?}")
}

#[requires(organization = "<org>")]
#[get("/o/<org>/<rest..>", rank = 3)]
fn anything(org: &str, rest: std::path::PathBuf) -> String {
    format!("{org} {}", rest.display())
}

fn main() {
    let _ = rocket::build().mount("/v1", routes![my_members, members, member, anything]);
}
