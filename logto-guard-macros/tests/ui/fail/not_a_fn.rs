use logto_guard::requires;

#[requires(resource = "https://api.example.com", scope = "read:orders")]
struct Orders;

fn main() {}
