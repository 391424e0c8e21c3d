#![deny(warnings)]

use logto_guard::{AccessToken, ActorRule, Requirement, requires};
use rocket::{delete, get, routes};

#[requires(resource = "https://api.example.com", scope = "delete:orders", actor = forbidden)]
#[delete("/orders/<id>")]
fn delete_order(id: u64) -> String {
    id.to_string()
}

#[requires(resource = "https://api.example.com", actor = required)]
#[get("/support/<user>")]
fn support(user: &str, token: AccessToken) -> String {
    format!("{user} {:?}", token.actor().map(|actor| actor.subject()))
}

fn main() {
    assert_eq!(
        <__logto_guard_requires_delete_order as Requirement>::ACTOR,
        ActorRule::Forbidden
    );
    assert_eq!(
        <__logto_guard_requires_support as Requirement>::ACTOR,
        ActorRule::Required
    );
    let _ = rocket::build().mount("/", routes![delete_order, support]);
}
