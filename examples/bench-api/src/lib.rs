//! The app that `bench/` loads over HTTP and `benches/guard.rs` dispatches in-process: an
//! unprotected `GET /open` and an otherwise identical `GET /protected` that requires
//! `read:orders`, so that only the guard differs.

use logto_guard::{Audience, Authorized, Requirement};
use rocket::{Build, Rocket, get, routes};

/// `read:orders` on `https://api.example.com`, the test issuer's default resource.
pub struct ReadOrders;

impl Requirement for ReadOrders {
    const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
    const SCOPES: &'static [&'static str] = &["read:orders"];
}

#[get("/open")]
fn open() -> &'static str {
    "ok"
}

#[get("/protected")]
fn protected(_auth: Authorized<ReadOrders>) -> &'static str {
    "ok"
}

/// Mounts both routes on `rocket`; attach the fairing yourself.
#[must_use]
pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket.mount("/", routes![open, protected])
}
