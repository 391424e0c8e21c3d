use logto_guard::requires;

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[requires(resource = "https://api.example.com", scope = "admin:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::get("/orders/<id>")]
#[logto_guard::requires(resource = "https://api.example.com", scope = "admin:orders")]
fn order(id: u64) -> String {
    id.to_string()
}

fn main() {
    let _ = rocket::routes![list_orders, order];
}
