use logto_guard::requires;

#[requires(resource = "api.example.com", scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
