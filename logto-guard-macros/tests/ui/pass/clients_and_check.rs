#![deny(warnings)]

use logto_guard::{AccessToken, CustomCheck, Denied, Requirement, requires};
use rocket::{get, post, routes};

mod plans {
    use logto_guard::{AccessToken, Denied};

    pub fn gold(token: &AccessToken) -> Result<(), Denied> {
        match token.claim::<String>("plan") {
            Some(Ok(plan)) if plan == "gold" => Ok(()),
            _ => Err(Denied::new("this route needs the gold plan")),
        }
    }
}

fn anyone(_token: &AccessToken) -> Result<(), Denied> {
    Ok(())
}

#[requires(resource = "https://api.example.com", scope = "refund:orders", clients = "billing")]
#[post("/orders/<id>/refund")]
fn refund(id: u64) -> String {
    id.to_string()
}

#[requires(resource = "https://api.example.com", check = plans::gold, clients = "reports_v2")]
#[get("/reports")]
fn reports() {}

#[requires(resource = "https://api.example.com", check = anyone)]
#[get("/open")]
fn open() {}

fn main() {
    assert_eq!(
        <__logto_guard_requires_refund as Requirement>::CLIENT_GROUP,
        Some("billing")
    );
    assert_eq!(<__logto_guard_requires_refund as Requirement>::CUSTOM_CHECK, None);
    assert_eq!(
        <__logto_guard_requires_reports as Requirement>::CUSTOM_CHECK,
        Some(CustomCheck::new("plans::gold", plans::gold))
    );
    assert_eq!(
        <__logto_guard_requires_open as Requirement>::CUSTOM_CHECK.map(|check| check.name()),
        Some("anyone")
    );
    let _ = rocket::build().mount("/", routes![refund, reports, open]);
}
