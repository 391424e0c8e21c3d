#![deny(warnings)]

use logto_guard::{AccessToken, requires};
use rocket::{get, routes};

#[requires(resource = "https://api.example.com")]
#[get("/ping")]
fn ping() -> &'static str {
    "pong"
}

#[requires(resource = "https://api.example.com", description = "Who am I")]
#[get("/me")]
async fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

fn main() {
    let _ = rocket::build().mount("/", routes![ping, me]);
}
