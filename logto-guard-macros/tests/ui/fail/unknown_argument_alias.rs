use logto_guard::requires;

#[requires(audience = "https://api.example.com", permissions = ["read:orders"], colour = "blue")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
