//! An app that depends on logto-guard under another name, `guard`: the macros name the crate
//! through their `crate = ".."` argument, as `#[serde(crate = "..")]` does.

use guard::{AccessToken, LogtoGuard, guarded, public, requires};
use rocket::{Build, Rocket, get, routes};

#[requires(
    crate = "guard",
    resource = "https://api.example.com",
    scope = "read:orders"
)]
#[get("/orders")]
fn orders() -> &'static str {
    "orders"
}

#[guarded(crate = "guard")]
#[get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[public(crate = "guard")]
#[get("/health")]
fn health() -> &'static str {
    "ok"
}

/// The app, with the fairing configured by `config`.
#[must_use]
pub fn app(config: guard::Config) -> Rocket<Build> {
    rocket::build()
        .attach(LogtoGuard::with_config(config))
        .mount("/", routes![orders, me, health])
}
