#![deny(warnings)]

use logto_guard::{AccessToken, requires};
use rocket::{post, routes};

// A route that serves tenant-wide and organization-level tokens on purpose.
#[requires(resource = "https://api.example.com", organization = optional, scope = "write:orders")]
#[post("/orders")]
fn create_order(token: AccessToken) -> String {
    token.organization_id().unwrap_or("tenant-wide").to_owned()
}

fn main() {
    let _ = rocket::build().mount("/", routes![create_order]);
}
