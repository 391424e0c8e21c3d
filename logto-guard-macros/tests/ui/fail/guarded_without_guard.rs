use logto_guard::{AccessToken, guarded};

#[guarded]
#[rocket::get("/admin")]
fn admin() -> &'static str {
    "anyone"
}

#[guarded]
#[rocket::get("/maybe")]
fn maybe(token: Option<AccessToken>) -> &'static str {
    if token.is_some() { "someone" } else { "anyone" }
}

struct CurrentUser;

#[guarded(by = CurrentUser)]
#[rocket::get("/profile")]
fn profile(token: Result<AccessToken, logto_guard::AuthError>) -> &'static str {
    if token.is_ok() { "someone" } else { "anyone" }
}

fn main() {
    let _ = CurrentUser;
}
