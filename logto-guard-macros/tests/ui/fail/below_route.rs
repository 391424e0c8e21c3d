use logto_guard::requires;

#[rocket::get("/orders")]
#[requires(resource = "https://api.example.com", scope = "read:orders")]
fn list_orders() {}

fn main() {
    let _ = rocket::routes![list_orders];
}
