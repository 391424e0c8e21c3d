use logto_guard::requires;

#[requires(resource = "https://api.example.com", actor = "forbidden")]
#[rocket::delete("/a")]
fn quoted() {}

#[requires(resource = "https://api.example.com", actor = maybe)]
#[rocket::delete("/b")]
fn unknown() {}

#[requires(resource = "https://api.example.com", actor = any)]
#[rocket::delete("/c")]
fn the_default() {}

#[requires(resource = "https://api.example.com", actor)]
#[rocket::delete("/d")]
fn no_value() {}

#[requires(resource = "https://api.example.com", impersonation = forbidden)]
#[rocket::delete("/e")]
fn misnamed() {}

fn main() {}
