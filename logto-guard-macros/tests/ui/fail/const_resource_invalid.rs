use logto_guard::requires;

const ORDERS_API: &str = "https://api.example.com#orders";
const NO_SCHEME: &str = "api.example.com";

#[requires(resource = ORDERS_API, scope = "read:orders")]
#[rocket::get("/orders")]
fn list_orders() {}

#[requires(resource = NO_SCHEME, scope = "read:orders")]
#[rocket::get("/invoices")]
fn list_invoices() {}

fn main() {}
