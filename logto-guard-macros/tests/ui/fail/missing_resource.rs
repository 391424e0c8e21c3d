use logto_guard::requires;

#[requires(scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
