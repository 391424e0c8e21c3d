use logto_guard::requires;

#[requires(resource = "https://api.example.com", scopes = [])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
