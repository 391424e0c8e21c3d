#![deny(warnings)]

use std::sync::atomic::{AtomicU64, Ordering};

use logto_guard::{AccessToken, requires};
use rocket::serde::json::Json;
use rocket::{State, get, post, put, routes};

struct Counter(AtomicU64);

#[requires(resource = "https://api.example.com", scope = "write:orders")]
#[post("/orders/<shop>?<dry_run>", data = "<body>")]
fn create_order(
    shop: &str,
    dry_run: Option<bool>,
    counter: &State<Counter>,
    token: AccessToken,
    body: Json<Vec<String>>,
) -> String {
    let n = counter.0.fetch_add(1, Ordering::Relaxed);
    format!("{shop} {dry_run:?} {n} {:?} {}", token.subject(), body.len())
}

#[requires(resource = "https://api.example.com", scopes = ["write:orders"])]
#[put("/orders/<id>", format = "json", data = "<body>")]
async fn replace_order(id: u64, body: String, counter: &State<Counter>) -> String {
    let n = counter.0.load(Ordering::Relaxed);
    format!("{id} {body} {n}")
}

#[requires(resource = "https://api.example.com", any = ["read:orders"])]
#[get("/files/<path..>")]
async fn files(path: std::path::PathBuf, token: Option<AccessToken>) -> String {
    format!("{} {}", path.display(), token.is_some())
}

fn main() {
    let _ = rocket::build()
        .manage(Counter(AtomicU64::new(0)))
        .mount("/", routes![create_order, replace_order, files]);
}
