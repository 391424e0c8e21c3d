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



mod by_misuse {
    use logto_guard::{AccessToken, guarded};

    #[guarded(by = Option<AccessToken>)]
    #[rocket::get("/maybe")]
    fn maybe(token: Option<AccessToken>) -> String {
        token.map(|t| t.subject().unwrap_or_default().to_owned()).unwrap_or_default()
    }

    #[guarded(by = AccessToken)]
    #[rocket::get("/me")]
    fn me(token: AccessToken) -> String {
        token.subject().unwrap_or_default().to_owned()
    }
}
fn main() {}
