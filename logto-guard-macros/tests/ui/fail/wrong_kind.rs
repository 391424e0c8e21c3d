use logto_guard::requires;

#[requires(resource = 42, scope = 3, description = Some("x"))]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
