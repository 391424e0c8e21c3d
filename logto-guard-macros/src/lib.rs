//! Procedural macros of `logto-guard`; use them through `logto_guard::requires`.
//!
//! The crate is laid out like `serde_derive`: `parse` turns the attribute and the function
//! under it into a checked model, recording every error with its span in a `Ctxt`; `expand`
//! generates code from that model only.

use proc_macro::TokenStream;

mod args;
mod ctxt;
mod expand;
mod guarded;
mod item;
mod marker;
mod parse;
mod public;
mod route;
mod rules;

/// Requires an access token for a Logto API resource or organization, with scopes, on a Rocket
/// route.
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
/// # Organizations and machine-to-machine apps
///
/// ```
/// use logto_guard::{Organization, requires};
///
/// // A Logto organization token (aud `urn:logto:organization:<id>`), any organization.
/// #[requires(organization, scope = "read:members")]
/// #[rocket::get("/my-organization/members")]
/// fn my_members(organization: Organization) -> String {
///     format!("members of {}", organization.id())
/// }
///
/// // An organization token for exactly the organization in the path.
/// #[requires(organization = "<org_id>", scope = "read:members")]
/// #[rocket::get("/organizations/<org_id>/members")]
/// fn members(org_id: &str) -> String {
///     format!("members of {org_id}")
/// }
///
/// // An organization-level API resource token (aud = the resource, `organization_id` claim)
/// // for the organization in the path.
/// #[requires(resource = "https://api.example.com", organization = "<org_id>", scope = "read:orders")]
/// #[rocket::get("/organizations/<org_id>/orders")]
/// fn orders(org_id: &str) -> String {
///     format!("orders of {org_id}")
/// }
///
/// // Only machine-to-machine apps (`sub == client_id`); `client = "user"` forbids them.
/// #[requires(resource = "https://api.example.com", scope = "sync:orders", client = "machine")]
/// #[rocket::post("/sync")]
/// fn sync() {}
///
/// // Not with a token issued on behalf of another user (Logto impersonation, `act`).
/// #[requires(resource = "https://api.example.com", scope = "delete:orders", actor = forbidden)]
/// #[rocket::delete("/orders/<id>")]
/// fn delete_order(id: u64) {}
///
/// let rocket = rocket::build()
///     .attach(logto_guard::LogtoGuard::fairing())
///     .mount("/", rocket::routes![my_members, members, orders, sync, delete_order]);
/// # drop(rocket);
/// ```
///
/// A token for another organization than the path's is refused with 403
/// `insufficient_scope` (see `AuthError::OrganizationMismatch` for why not 401).
///
/// # Client groups and custom checks
///
/// ```
/// use logto_guard::{AccessToken, Denied, requires};
///
/// // Only the applications of client group `billing`, whose Logto app ids the config lists
/// // (`[default.logto.clients] billing = ["<app id>", ..]`, or `LOGTO_CLIENTS_BILLING`).
/// #[requires(resource = "https://api.example.com", scope = "refund:orders", clients = "billing")]
/// #[rocket::post("/orders/<id>/refund")]
/// fn refund(id: u64) {}
///
/// // A rule of the app's own on a custom claim, run after the other checks.
/// fn gold_plan(token: &AccessToken) -> Result<(), Denied> {
///     match token.claim::<String>("plan") {
///         Some(Ok(plan)) if plan == "gold" => Ok(()),
///         _ => Err(Denied::new("this route needs the gold plan")),
///     }
/// }
///
/// #[requires(resource = "https://api.example.com", scope = "read:reports", check = gold_plan)]
/// #[rocket::get("/reports")]
/// fn reports() {}
///
/// let rocket = rocket::build()
///     .attach(logto_guard::LogtoGuard::fairing())
///     .mount("/", rocket::routes![refund, reports]);
/// # drop(rocket);
/// ```
///
/// # Arguments
///
/// | argument | value | meaning |
/// |---|---|---|
/// | `resource` (required without `organization`) | a string literal, or the path of a `const &str` | the API resource indicator the token's `aud` must contain |
/// | `organization` | none, a string literal `"<segment>"`, or `optional` | the token must be for an organization: any one, or the one whose id is the value of this dynamic path segment of the route; without `resource`, an organization token, with `resource`, an organization-level token for the resource. `optional` (with `resource` only): a token for the resource with or without an `organization_id`, on purpose |
/// | `scope` | a string literal | this scope is required |
/// | `scopes` | a list of string literals | all of these scopes are required |
/// | `any` | a list of string literals | any one of these scopes is enough |
/// | `client` | `"machine"` or `"user"` | only machine-to-machine tokens, or only user tokens |
/// | `clients` | a string literal | the name of a client group: only tokens whose `client_id` the config lists in that group pass (403 `insufficient_scope` otherwise); a mounted route naming a group the config lacks aborts ignite |
/// | `actor` | `forbidden` or `required` | refuse tokens issued on behalf of another user (Logto's impersonation: the token carries `act`), or accept only those; without it, both pass |
/// | `check` | the path of a `fn(&AccessToken) -> Result<(), Denied>` | the route's own rule, run after every other check: its `Denied` becomes a 403 `insufficient_scope` with that description |
/// | `description` | a string literal | what the scopes allow, for the scope manifest |
/// | `crate` | a string literal path | how the app names the logto-guard dependency when it renamed it (default `::logto_guard`), as `#[serde(crate = "..")]`; `#[public]` and `#[guarded]` take it too |
///
/// Give at most one of `scope`, `scopes` and `any`; with none, any valid token for the
/// resource (or organization) is accepted.
///
/// Without `organization`, a route is **not** for an organization: a token for the resource
/// that carries an `organization_id` (an organization-level API resource token, whose scopes
/// come from the caller's role in that one organization) is refused with 403
/// `insufficient_scope`. A route that serves both kinds says so with `organization = optional`
/// and scopes its data by the token's organization itself.
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
/// - `organization = "<name>"` must name a single dynamic **path** segment of the route
///   attribute under it (`<name>`, not `<name..>` nor a query parameter `?<name>`);
/// - `client` must be `"machine"` or `"user"` (with a suggestion otherwise), `actor` the word
///   `forbidden` or `required`;
/// - `clients` must name one group: lowercase ASCII letters, digits and `_`, starting with a
///   letter (the key in the config table and the suffix of `LOGTO_CLIENTS_<NAME>`);
/// - `check` must be the path of a function with the signature above (a function of another
///   signature is a type error pointing at the path);
/// - unknown, repeated, missing, conflicting or wrongly typed arguments, and empty lists;
/// - `#[requires]` on something other than a function, below the route attribute (or with
///   none), or twice on one handler (merge them with `scopes = [..]` or `any = [..]`).
///
/// # What it generates
///
/// A hidden type implementing [`Requirement`] for these arguments (its `AUDIENCE` is
/// `Audience::Organization` for an organization token), a [`Declaration`] for the scope
/// manifest and the route audit (with the handler's fn name, method, URI and module), and one
/// extra **first** parameter on the handler,
/// `_logto_guard_authorized: Authorized<ThatType>`, so the check runs before the handler's
/// other guards; and one extra **last** parameter, `_logto_guard_mounted: Mounted<..>`, a
/// request guard that always succeeds and whose Rocket sentinel proves at ignite that this
/// very handler is mounted (a declaration whose handler is not mounted vouches for nothing).
/// The rest of the function is unchanged. The token is verified once per request, however
/// many guards (such as an explicit `AccessToken` parameter) ask for it.
///
/// [`Requirement`]: https://docs.rs/logto-guard/latest/logto_guard/trait.Requirement.html
/// [`Declaration`]: https://docs.rs/logto-guard/latest/logto_guard/struct.Declaration.html
#[proc_macro_attribute]
pub fn requires(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    match parse::parse(args.into(), item.clone()) {
        Ok(requires) => expand::expand(requires).into(),
        Err(errors) => item::with_errors(item, errors).into(),
    }
}

/// Marks a Rocket route handler as reachable without a token **on purpose**, for the route
/// audit of `LogtoGuard`: at ignite, every mounted route must be guarded (`#[requires]`,
/// `#[guarded]`) or public (`#[public]`, the `public_routes` config), or the fairing reports it
/// (and with `route_audit = "deny"` refuses to start).
///
/// Put it above the route attribute. The handler gets one hidden last parameter,
/// `_logto_guard_mounted: Mounted<..>`, a request guard that always succeeds and whose Rocket
/// sentinel proves at ignite that this very handler is mounted; the rest is unchanged.
///
/// ```
/// use logto_guard::{AccessToken, public};
///
/// #[public]
/// #[rocket::get("/health")]
/// fn health() -> &'static str {
///     "ok"
/// }
///
/// // Optional authentication is still public: anyone may call it.
/// #[public]
/// #[rocket::get("/hello")]
/// fn hello(token: Option<AccessToken>) -> String {
///     format!("hello {}", token.as_ref().and_then(|t| t.subject()).unwrap_or("stranger"))
/// }
/// ```
///
/// Compile errors: arguments, something other than a `fn`, a handler that is also
/// `#[requires]` or `#[guarded]`, and a handler that takes `AccessToken`, `Authorized<R>` or
/// `Organization` (it refuses requests without a valid token, so it is not public).
#[proc_macro_attribute]
pub fn public(args: TokenStream, item: TokenStream) -> TokenStream {
    public::public(args.into(), item.into()).into()
}

/// Marks a Rocket route handler whose own parameters check the token, for the route audit of
/// `LogtoGuard` (which cannot see a handler's parameters at ignite). Like `#[public]`, it gives
/// the handler the hidden parameter that proves it mounted.
///
/// It is checked here: some parameter must be `AccessToken`, `Authorized<R>` or
/// `Organization` (not inside `Option` or `Result`, which admit requests without a valid
/// token), or the guard named by `by`:
///
/// ```
/// use logto_guard::{AccessToken, guarded};
/// use rocket::request::{FromRequest, Outcome, Request};
///
/// #[guarded]
/// #[rocket::get("/me")]
/// fn me(token: AccessToken) -> String {
///     token.subject().unwrap_or_default().to_owned()
/// }
///
/// /// The app's own guard, which asks for an `AccessToken` itself.
/// struct CurrentUser(String);
///
/// #[rocket::async_trait]
/// impl<'r> FromRequest<'r> for CurrentUser {
///     type Error = logto_guard::AuthError;
///
///     async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
///         request.guard::<AccessToken>().await.map(|token| {
///             CurrentUser(token.subject().unwrap_or_default().to_owned())
///         })
///     }
/// }
///
/// #[guarded(by = CurrentUser)]
/// #[rocket::get("/profile")]
/// fn profile(user: CurrentUser) -> String {
///     user.0
/// }
/// ```
///
/// What the guard does is not checked: `#[guarded(by = ..)]` trusts that your guard refuses
/// requests without a valid token.
#[proc_macro_attribute]
pub fn guarded(args: TokenStream, item: TokenStream) -> TokenStream {
    guarded::guarded(args.into(), item.into()).into()
}
