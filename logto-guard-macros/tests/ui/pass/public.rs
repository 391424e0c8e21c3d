#![deny(warnings)]

use logto_guard::{AccessToken, public};
use rocket::{get, routes};

#[public]
#[get("/health")]
fn health() -> &'static str {
    "ok"
}

#[public]
#[rocket::get("/hello/<name>")]
async fn r#hello(name: &str, token: Option<AccessToken>) -> String {
    format!("{name} {}", token.is_some())
}

mod nested {
    #[logto_guard::public]
    #[rocket::get("/nested")]
    pub fn nested() {}
}

fn main() {
    let _ = rocket::build().mount("/", routes![health, r#hello, nested::nested]);
}
