#![deny(warnings)]

// Arguments arriving as `macro_rules!` fragments. (The handler's name is not a fragment:
// Rocket's route attribute does not support that.)
macro_rules! guarded {
    ($module:ident, $resource:expr, $scope:literal) => {
        mod $module {
            use logto_guard::requires;

            #[requires(resource = $resource, scope = $scope)]
            #[rocket::get("/")]
            pub(super) fn handler() {}
        }
    };
}

const API: &str = "https://api.example.com";

guarded!(orders, "https://api.example.com", "read:orders");
guarded!(invoices, super::API, "read:invoices");

fn main() {
    let _ = rocket::build()
        .mount("/orders", rocket::routes![orders::handler])
        .mount("/invoices", rocket::routes![invoices::handler]);
}
