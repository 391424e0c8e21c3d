use logto_guard::{AccessToken, Denied, requires};

fn returns_bool(_token: &AccessToken) -> bool {
    true
}

fn takes_a_string(_subject: &str) -> Result<(), Denied> {
    Ok(())
}

#[requires(resource = "https://api.example.com", check = returns_bool)]
#[rocket::get("/a")]
fn wrong_return() {}

#[requires(resource = "https://api.example.com", check = takes_a_string)]
#[rocket::get("/b")]
fn wrong_parameter() {}

#[requires(resource = "https://api.example.com", check = "returns_bool")]
#[rocket::get("/c")]
fn quoted() {}

#[requires(resource = "https://api.example.com", check = |_| Ok(()))]
#[rocket::get("/d")]
fn closure() {}

#[requires(resource = "https://api.example.com", predicate = returns_bool)]
#[rocket::get("/f")]
fn misnamed() {}

fn main() {}
