#![deny(warnings)]

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::get("/orders")]
fn get() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "write:orders")]
#[rocket::post("/orders")]
fn post() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "write:orders")]
#[rocket::put("/orders")]
fn put() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "write:orders")]
#[rocket::patch("/orders")]
fn patch() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "delete:orders")]
#[rocket::delete("/orders")]
fn delete() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::head("/orders")]
fn head() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::options("/orders")]
fn options() {}

#[logto_guard::requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::route(GET, uri = "/route")]
fn route() {}

fn main() {
    let _ = rocket::build().mount(
        "/",
        rocket::routes![get, post, put, patch, delete, head, options, route],
    );
}
