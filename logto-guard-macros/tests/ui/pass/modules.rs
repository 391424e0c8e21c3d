//! Public handlers in modules, raw identifiers, handlers of the same name in two modules, and
//! the strictest lints the user crate might use.
#![deny(warnings, missing_docs, unreachable_pub, unsafe_code, clippy::all)]

use logto_guard::requires;

/// Orders.
pub mod orders {
    use super::requires;

    /// Lists orders.
    #[requires(resource = "https://api.example.com", scope = "read:orders")]
    #[rocket::get("/orders")]
    pub fn list() -> &'static str {
        "[]"
    }

    /// A handler whose name is a keyword.
    #[requires(resource = "https://api.example.com", scope = "read:orders")]
    #[rocket::get("/type")]
    pub fn r#type() {}
}

/// Invoices.
pub mod invoices {
    use super::requires;

    /// Lists invoices.
    #[requires(resource = "https://api.example.com", scope = "read:invoices")]
    #[rocket::get("/invoices")]
    pub(crate) async fn list() {}
}

#[requires(resource = "https://api.example.com", scope = "read:orders")]
#[rocket::get("/private")]
fn private() {}

fn main() {
    let _ = rocket::build().mount(
        "/",
        rocket::routes![orders::list, orders::r#type, invoices::list, private],
    );
}
