use logto_guard::requires;

#[requires(resource = "https://api.example.com", scopes = ["write:orders"], any = ["admin:orders"])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
