#![deny(warnings)]

use logto_guard::requires;
use rocket::{get, routes};

#[requires(resource = "https://api.example.com", any = ["read:orders", "admin:orders"])]
#[get("/orders?<page>&<per_page>")]
fn list_orders(page: Option<u32>, per_page: Option<u32>) -> String {
    format!("{page:?} {per_page:?}")
}

#[requires(resource = "https://api.example.com", any = ["admin:orders"], description = "Admin")]
#[get("/admin?<verbose>")]
async fn admin(verbose: bool) -> &'static str {
    if verbose { "verbose" } else { "quiet" }
}

fn main() {
    let _ = rocket::build().mount("/", routes![list_orders, admin]);
}
