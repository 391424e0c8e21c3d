#![deny(warnings)]

use logto_guard::requires;
use rocket::{delete, routes};

#[requires(resource = "https://api.example.com", scopes = ["write:orders", "delete:orders"])]
#[delete("/orders/<id>")]
fn delete_order(id: u64) -> String {
    format!("deleted {id}")
}

#[requires(
    resource = "https://api.example.com",
    scopes = ["write:orders", "delete:orders",],
    description = "Delete orders",
)]
#[delete("/orders")]
async fn delete_all() {}

fn main() {
    let _ = rocket::build().mount("/", routes![delete_order, delete_all]);
}
