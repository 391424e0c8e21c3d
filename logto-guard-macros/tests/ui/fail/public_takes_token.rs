use logto_guard::{AccessToken, Authorized, Requirement, public};

struct ReadOrders;

impl Requirement for ReadOrders {
    const AUDIENCE: logto_guard::Audience<'static> =
        logto_guard::Audience::Resource("https://api.example.com");
    const SCOPES: &'static [&'static str] = &["read:orders"];
}

#[public]
#[rocket::get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[public]
#[rocket::get("/orders")]
fn orders(auth: logto_guard::Authorized<ReadOrders>) -> String {
    format!("{:?}", auth.subject())
}

fn main() {
    let _: Option<Authorized<ReadOrders>> = None;
}
