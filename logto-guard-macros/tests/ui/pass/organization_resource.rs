#![deny(warnings)]

use logto_guard::{Organization, requires};
use rocket::{get, post, routes};

const ORDERS_API: &str = "https://api.example.com";

// An organization-level API resource token for the route's organization.
#[requires(resource = "https://api.example.com", organization = "<org_id>", scope = "read:orders")]
#[get("/organizations/<org_id>/orders")]
fn orders(org_id: &str) -> String {
    org_id.to_owned()
}

// For any organization, with a `const` resource; arguments in any order.
#[requires(scopes = ["write:orders"], organization, resource = ORDERS_API)]
#[post("/orders", data = "<body>")]
fn create(body: String, organization: Organization) -> String {
    format!("{body} {}", organization.id())
}

fn main() {
    let _ = rocket::build().mount("/", routes![orders, create]);
}
