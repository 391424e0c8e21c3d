use logto_guard::requires;
use rocket::get;

// `optional` is for resource tokens with or without an organization.
#[requires(organization = optional, scope = "read:members")]
#[get("/members")]
fn members() {}

#[requires(resource = "https://api.example.com", organization = any)]
#[get("/orders")]
fn orders() {}

#[requires(resource = "https://api.example.com", organization = none)]
#[get("/me")]
fn me() {}

#[requires(resource = "https://api.example.com", organization = sometimes)]
#[get("/profile")]
fn profile() {}

fn main() {}
