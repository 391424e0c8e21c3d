use logto_guard::requires;

#[requires(resource = "https://api.example.com", scopes = ["read:orders", "write:orders", "read:orders"])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
