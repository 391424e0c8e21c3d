use logto_guard::requires;

#[requires(resource = ORDRES_API, scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
