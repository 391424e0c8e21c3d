use logto_guard::requires;

#[requires(resource = "https://api.example.com", any = ["lire:commandes", "lire:commandés"])]
#[rocket::get("/orders")]
fn list_orders() {}

fn main() {}
