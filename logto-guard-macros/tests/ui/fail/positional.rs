use logto_guard::requires;

#[requires("https://api.example.com", "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
