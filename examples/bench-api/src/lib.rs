//! The app that `bench/` loads over HTTP and `benches/guard.rs` dispatches in-process: an
//! unprotected `GET /open` and an otherwise identical `GET /protected` that requires
//! `read:orders`, so that only the guard differs; and `GET /floor`, the same route behind a
//! guard that only reads the header, to tell what any Rocket token guard costs from what
//! logto-guard's checks cost; and `GET /floor-plus-1us`, the floor and one microsecond of
//! spinning, to tell what a microsecond of any guard's work costs a request over HTTP.

use std::time::{Duration, Instant};

use logto_guard::{Audience, Authorized, Requirement};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
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

/// The least a Rocket guard that reads a bearer token does, and nothing more: Rocket boxes its
/// future, it looks up the `Authorization` header, and it keeps what it found in the
/// request-local cache (where a guard shares its verdict with the request's other guards, as
/// logto-guard's do). It checks nothing.
pub struct HeaderRead;

/// What [`HeaderRead`] keeps for the request: the header value's length.
struct HeaderLength(usize);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for HeaderRead {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let HeaderLength(length) = request.local_cache(|| {
            HeaderLength(
                request
                    .headers()
                    .get_one("Authorization")
                    .map_or(0, str::len),
            )
        });
        if *length == 0 {
            return Outcome::Error((Status::Unauthorized, ()));
        }
        Outcome::Success(Self)
    }
}

#[get("/floor")]
fn floor(_header: HeaderRead) -> &'static str {
    "ok"
}

/// The floor, then one microsecond of CPU spent spinning: a control for what any guard's own
/// work costs over HTTP, beyond what it spends itself.
#[get("/floor-plus-1us")]
fn floor_plus_1us(_header: HeaderRead) -> &'static str {
    let start = Instant::now();
    while start.elapsed() < Duration::from_micros(1) {
        std::hint::spin_loop();
    }
    "ok"
}

/// Mounts the four routes on `rocket`; attach the fairing yourself.
#[must_use]
pub fn mount(rocket: Rocket<Build>) -> Rocket<Build> {
    rocket.mount("/", routes![open, protected, floor, floor_plus_1us])
}
