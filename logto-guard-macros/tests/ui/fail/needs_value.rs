use logto_guard::requires;

#[requires(resource, scopes("read:orders"))]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
