use logto_guard::{guarded, public, requires};

#[public]
#[requires(resource = "https://api.example.com")]
#[rocket::get("/a")]
fn public_above_requires() {}

#[requires(resource = "https://api.example.com")]
#[public]
#[rocket::get("/b")]
fn public_below_requires() {}

#[guarded]
#[public]
#[rocket::get("/c")]
fn guarded_and_public(token: logto_guard::AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[public]
#[public]
#[rocket::get("/d")]
fn public_twice() {}

fn main() {}
