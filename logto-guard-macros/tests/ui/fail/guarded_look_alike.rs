use logto_guard::guarded;
use rocket::get;
use rocket::request::{FromRequest, Outcome, Request};

// The app's own type named like a logto-guard guard: it checks no token.
struct Organization(String);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Organization {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let name = request.headers().get_one("X-Organization").unwrap_or("anyone");
        Outcome::Success(Organization(name.to_owned()))
    }
}

#[guarded]
#[get("/organization")]
fn organization(organization: Organization) -> String {
    organization.0
}

fn main() {}
