use logto_guard::requires;

#[requires(resource = "https://api.example.com", client = "machines")]
#[rocket::get("/a")]
fn a() {}

#[requires(resource = "https://api.example.com", client = "m2m")]
#[rocket::get("/b")]
fn b() {}

#[requires(resource = "https://api.example.com", client = "any")]
#[rocket::get("/c")]
fn c() {}

#[requires(resource = "https://api.example.com", client = "robot")]
#[rocket::get("/d")]
fn d() {}

#[requires(resource = "https://api.example.com", client = machine)]
#[rocket::get("/e")]
fn e() {}

#[requires(resource = "https://api.example.com", client)]
#[rocket::get("/f")]
fn f() {}

fn main() {}
