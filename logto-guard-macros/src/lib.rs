//! Procedural macros of `logto-guard`; use them through `logto_guard::requires`.
//!
//! The crate is laid out like `serde_derive`: `parse` turns the attribute and the function
//! under it into a checked model, recording every error with its span in a `Ctxt`; `expand`
//! generates code from that model only.

use proc_macro::TokenStream;

mod ctxt;
mod expand;
mod parse;
mod rules;

/// Requires an access token for a Logto API resource, with scopes, on a Rocket route.
///
/// Put it **above** the route attribute (`#[get]`, `#[post]`, ..., `#[route]`, also written
/// `#[rocket::get]`). The handler body then runs only for a request whose bearer token is
/// valid, issued for `resource` and granted the scopes; otherwise the request is refused with
/// 401 (`invalid_token`) or 403 (`insufficient_scope`) and a `WWW-Authenticate` header.
///
/// ```
/// use logto_guard::{AccessToken, requires};
///
/// const ORDERS_API: &str = "https://api.example.com";
///
/// // The one scope.
/// #[requires(resource = "https://api.example.com", scope = "read:orders")]
/// #[rocket::get("/orders")]
/// fn list_orders() -> &'static str {
///     "[]"
/// }
///
/// // All of the scopes, with a description for the scope manifest.
/// #[requires(
///     resource = ORDERS_API,
///     scopes = ["write:orders", "delete:orders"],
///     description = "Delete orders",
/// )]
/// #[rocket::delete("/orders/<id>")]
/// async fn delete_order(id: u64) -> String {
///     format!("deleted {id}")
/// }
///
/// // Any one of the scopes; `AccessToken` gives the handler the verified claims.
/// #[requires(resource = ORDERS_API, any = ["read:orders", "admin:orders"])]
/// #[rocket::get("/orders/<id>")]
/// fn order(id: u64, token: AccessToken) -> String {
///     format!("order {id} for {}", token.subject().unwrap_or("?"))
/// }
///
/// // Any valid token for the resource.
/// #[requires(resource = ORDERS_API)]
/// #[rocket::get("/me")]
/// fn me(token: AccessToken) -> String {
///     token.subject().unwrap_or_default().to_owned()
/// }
///
/// let rocket = rocket::build()
///     .attach(logto_guard::LogtoGuard::fairing())
///     .mount("/", rocket::routes![list_orders, delete_order, order, me]);
/// # drop(rocket);
/// ```
///
/// # Arguments
///
/// | argument | value | meaning |
/// |---|---|---|
/// | `resource` (required) | a string literal, or the path of a `const &str` | the API resource indicator the token's `aud` must contain |
/// | `scope` | a string literal | this scope is required |
/// | `scopes` | a list of string literals | all of these scopes are required |
/// | `any` | a list of string literals | any one of these scopes is enough |
/// | `description` | a string literal | what the scopes allow, for the scope manifest |
///
/// Give at most one of `scope`, `scopes` and `any`; with none, any valid token for the
/// resource is accepted.
///
/// # Compile-time checks
///
/// Mistakes are compile errors pointing at the offending token:
///
/// - `resource` must be an absolute URI (`scheme ":" ...`, such as `https://api.example.com`
///   or `urn:example:orders`) without spaces, control or non-ASCII characters, and without a
///   `#fragment` (RFC 8707 §2). A `?query` is allowed: RFC 8707 discourages one but does not
///   forbid it. A `const` resource is held to the same rules during constant evaluation.
/// - each scope must be an RFC 6749 `scope-token` (printable ASCII other than space, `"` and
///   `\`), at most 256 characters (what Logto stores), and listed once;
/// - unknown, repeated, missing, conflicting or wrongly typed arguments, and empty lists;
/// - `#[requires]` on something other than a function, below the route attribute (or with
///   none), or twice on one handler (merge them with `scopes = [..]` or `any = [..]`).
///
/// # What it generates
///
/// A hidden type implementing [`Requirement`] for these arguments, a [`Declaration`] for the
/// scope manifest, and one extra **first** parameter on the handler,
/// `_logto_guard_authorized: Authorized<ThatType>`, so the check runs before the handler's
/// other guards. The rest of the function is unchanged. The token is verified once per
/// request, however many guards (such as an explicit `AccessToken` parameter) ask for it.
///
/// [`Requirement`]: https://docs.rs/logto-guard/latest/logto_guard/trait.Requirement.html
/// [`Declaration`]: https://docs.rs/logto-guard/latest/logto_guard/struct.Declaration.html
#[proc_macro_attribute]
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match parse::parse(args.into(), item.clone()) {
        Ok(requires) => expand::expand(requires).into(),
        Err(errors) => {
            let mut output = parse::without_requires(item);
            output.extend(errors.into_compile_error());
            output.into()
        }
    }
}
