use logto_guard::{guarded, public};

#[public(reason = "load balancer")]
#[rocket::get("/health")]
fn health() -> &'static str {
    "ok"
}

#[guarded(with = logto_guard::AccessToken)]
#[rocket::get("/me")]
fn me(token: logto_guard::AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[guarded(by = "CurrentUser")]
#[rocket::get("/profile")]
fn profile(token: logto_guard::AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

fn main() {}
