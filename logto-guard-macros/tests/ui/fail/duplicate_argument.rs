use logto_guard::requires;

#[requires(resource = "https://api.example.com", resource = "https://api.example.com")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
