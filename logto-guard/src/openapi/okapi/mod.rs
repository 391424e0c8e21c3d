//! OpenAPI with [`rocket_okapi`]: the scopes of `#[requires]` in the API's own documentation,
//! and a Swagger UI whose **Authorize** button obtains Logto tokens.
//!
//! With the `okapi` feature every guard of this crate implements
//! [`OpenApiFromRequest`](rocket_okapi::request::OpenApiFromRequest), so `#[openapi]` handlers
//! take them; put `#[openapi]` above or below `#[requires]`, both above the route attribute,
//! which rocket_okapi finds only by its bare name (`#[get]`, not `#[rocket::get]`). Then serve the document secured by [`OpenApiSecurity`] with [`openapi_route`], and a
//! Swagger UI with [`swagger_ui`]:
//!
//! ```
//! use logto_guard::{LogtoGuard, requires};
//! use rocket::get;
//! use rocket_okapi::{openapi, openapi_get_routes_spec};
//!
//! /// List the orders.
//! #[openapi]
//! #[requires(resource = "https://api.example.com", scope = "read:orders", description = "Read orders")]
//! #[get("/orders")]
//! fn list_orders() -> &'static str {
//!     "[]"
//! }
//!
//! fn app() -> rocket::Rocket<rocket::Build> {
//!     let (routes, spec) = openapi_get_routes_spec![list_orders];
//!     rocket::build()
//!         .attach(LogtoGuard::fairing())
//!         .mount("/", routes)
//!         .mount("/", vec![logto_guard::okapi::openapi_route(spec)])
//!         .mount("/docs", logto_guard::okapi::swagger_ui("../openapi.json"))
//! }
//! # drop(app());
//! ```
//!
//! `GET /openapi.json` then has one OAuth 2.0 scheme, `logto`, with Logto's authorization
//! code and client credentials flows and the manifest's permissions as scopes; `GET /orders`
//! requires `read:orders` of it. Each operation's security:
//!
//! | handler | `security` |
//! | --- | --- |
//! | `#[requires(.., scope = "a")]`, `scopes = ["a", "b"]` | `[{"logto": ["a", "b"]}]`: all in one requirement |
//! | `#[requires(.., any = ["a", "b"])]` | `[{"logto": ["a"]}, {"logto": ["b"]}]`: one of them |
//! | `#[requires(resource = ..)]` without scopes, `AccessToken`, `Organization` | `[{"logto": []}]` |
//! | `Option<AccessToken>` | `[{"logto": []}, {}]`: optional |
//! | `#[public]`, no token guard | none |
//!
//! Organization routes and `client` rules are described in the operation's description, and
//! an organization segment (`<org_id>`) says that the token must be for that organization.
//!
//! # The `resource` parameter, in any viewer
//!
//! Logto issues a JWT for an API only when **both** the authorization request and the token
//! request carry `resource=<the API identifier>` (RFC 8707); without it, it issues an opaque
//! token that no API can verify. The document names the identifier in the scheme's
//! `x-logto-resource` and description. [`swagger_ui`] sends it: Swagger UI's
//! `initOAuth({ usePkceWithAuthorizationCodeGrant: true, additionalQueryStringParams: {
//! resource } })` adds it to the authorization request, and a `requestInterceptor` adds it to
//! the body of token requests. With another Swagger UI, do the same. A viewer that cannot add
//! a parameter to the token request cannot obtain a usable token from Logto: get one elsewhere
//! (`curl -u id:secret -d grant_type=client_credentials -d resource=... -d scope=...
//! <issuer>/token`) and send it as `Authorization: Bearer <token>`.

mod guards;
mod routes;
mod security;

pub use crate::openapi::SCHEME_NAME;
pub use routes::{openapi_route, openapi_route_for, swagger_ui};
pub use security::OpenApiSecurity;
