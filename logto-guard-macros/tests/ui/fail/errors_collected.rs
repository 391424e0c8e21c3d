use logto_guard::requires;

// Every problem is reported, not only the first.
#[requires(scpoe = "read orders", any = [""])]
fn list_orders() {}

fn main() {}
