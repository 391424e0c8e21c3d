#![deny(warnings)]

use logto_guard::requires;
use rocket::{get, routes};

const ORDERS_API: &str = "https://api.example.com";

mod apis {
    pub const BILLING: &str = "https://billing.example.com?region=eu";
}

#[requires(resource = ORDERS_API, scope = "read:orders")]
#[get("/orders")]
fn list_orders() {}

#[requires(resource = apis::BILLING, scopes = ["read:invoices", "read:payments"])]
#[get("/invoices")]
fn list_invoices() {}

#[requires(resource = crate::ORDERS_API)]
#[get("/me")]
fn me() {}

fn main() {
    let _ = rocket::build().mount("/", routes![list_orders, list_invoices, me]);
}
