use logto_guard::requires;

#[requires(resource = "https://api.example.com", scope = "read:orders", scopes = ["write:orders"])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
