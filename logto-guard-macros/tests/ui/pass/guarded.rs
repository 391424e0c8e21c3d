#![deny(warnings)]

use logto_guard::{AccessToken, Authorized, Organization, Requirement, guarded};
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{get, routes};

struct ReadOrders;

impl Requirement for ReadOrders {
    const AUDIENCE: logto_guard::Audience<'static> =
        logto_guard::Audience::Resource("https://api.example.com");
    const SCOPES: &'static [&'static str] = &["read:orders"];
}

#[guarded]
#[get("/me")]
fn me(token: AccessToken) -> String {
    token.subject().unwrap_or_default().to_owned()
}

#[guarded]
#[get("/orders/<id>")]
async fn order(id: u64, auth: logto_guard::Authorized<ReadOrders>) -> String {
    format!("{id} {:?}", auth.subject())
}

#[guarded]
#[get("/organization")]
fn organization(organization: Organization) -> String {
    organization.id().to_owned()
}

struct CurrentUser(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentUser {
    type Error = logto_guard::AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        request
            .guard::<AccessToken>()
            .await
            .map(|token| CurrentUser(token.subject().unwrap_or_default().to_owned()))
    }
}

#[guarded(by = CurrentUser)]
#[get("/profile")]
fn profile(user: CurrentUser) -> String {
    user.0
}

fn main() {
    let _: Option<Authorized<ReadOrders>> = None;
    let _ = rocket::build().mount("/", routes![me, order, organization, profile]);
}
