use logto_guard::requires;

#[requires(resource = "https://api.example.com", scopes = ["read:\"orders\"", "read\\orders", "read\torders"])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
