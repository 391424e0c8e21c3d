use logto_guard::{AccessToken, guarded, public};
use rocket::get;

// Below the route attribute, the marker cannot read which route the handler serves.
#[get("/status")]
#[public]
fn status() -> &'static str {
    "ok"
}

#[get("/me")]
#[guarded]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

fn main() {}
