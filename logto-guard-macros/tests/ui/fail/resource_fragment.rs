use logto_guard::requires;

#[requires(resource = "https://api.example.com/#orders", scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
