#![deny(warnings)]

use logto_guard::{AccessToken, requires};
use rocket::{get, post, routes};

#[requires(resource = "https://api.example.com", scope = "sync:orders", client = "machine")]
#[post("/sync")]
fn sync(token: AccessToken) -> String {
    token.client_id().unwrap_or_default().to_owned()
}

#[requires(resource = "https://api.example.com", client = "user")]
#[get("/me")]
fn me() {}

#[requires(organization = "<org_id>", client = "machine", scope = "read:members")]
#[get("/organizations/<org_id>/members")]
fn members(org_id: &str) -> String {
    org_id.to_owned()
}

fn main() {
    let _ = rocket::build().mount("/", routes![sync, me, members]);
}
