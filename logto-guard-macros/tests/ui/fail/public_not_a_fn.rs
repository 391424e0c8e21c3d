use logto_guard::{guarded, public};

#[public]
struct Health;

#[guarded]
const ME: &str = "/me";

fn main() {}
