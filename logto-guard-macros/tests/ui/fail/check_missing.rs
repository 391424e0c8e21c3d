use logto_guard::requires;

#[requires(resource = "https://api.example.com", check = no_such_function)]
#[rocket::get("/")]
fn missing() {}

fn main() {}
