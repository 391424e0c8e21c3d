use logto_guard::requires;

#[requires(resource = "https://api.example.com", scopes = "read:orders", any = ["a", b])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
