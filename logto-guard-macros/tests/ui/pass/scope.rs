#![deny(warnings)]

use logto_guard::requires;
use rocket::{get, routes};

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[get("/orders")]
fn list_orders() -> &'static str {
    "[]"
}

#[requires(resource = "https://api.example.com", scope = "read:orders", description = "Read orders")]
#[get("/orders/count")]
async fn count_orders() -> String {
    "0".to_owned()
}

// A query is allowed in a resource indicator (RFC 8707 discourages it, but does not forbid it),
// and any URI scheme is.
#[requires(resource = "https://api.example.com/v1?tenant=acme", scope = "read:orders",)]
#[get("/tenant/orders")]
fn tenant_orders() {}

#[requires(resource = "urn:example:orders", scope = "!#$%&'()*+,-./:;<=>?@[]^_`{|}~")]
#[get("/urn")]
fn urn() {}

fn main() {
    let _ = rocket::build().mount("/", routes![list_orders, count_orders, tenant_orders, urn]);
}
