use logto_guard::requires;

#[requires(resource = "https://api.example.com", scope = "read:orders write:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
