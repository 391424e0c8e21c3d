//! Rocket glue: the fairing that configures validation, audits the routes, serves resource
//! metadata and renders rejections, and the request guards.

pub(crate) mod audit;
mod fairing;
mod guard;
mod metadata;
pub(crate) mod mounted;
mod response;
pub(crate) mod state;
mod validator;
mod webhook;

/// How this crate names the routes it mounts or hands out (the metadata document, the
/// end-of-ignite check, the webhook receiver, the OpenAPI document and Swagger UI): `logto_guard::<what>`. The route
/// audit leaves them out, as they are the library's, not the app's; a route attribute names
/// its route after an identifier, which cannot contain `::`.
pub(crate) fn own_route_name(what: &str) -> std::borrow::Cow<'static, str> {
    format!("{OWN_ROUTE_PREFIX}{what}").into()
}

/// Whether a route name is one that [`own_route_name`] gave.
pub(crate) fn is_own_route(name: &str) -> bool {
    name.starts_with(OWN_ROUTE_PREFIX)
}

const OWN_ROUTE_PREFIX: &str = "logto_guard::";

pub use fairing::LogtoGuard;
#[cfg(feature = "sync")]
pub(crate) use fairing::{WEBHOOK_SIGNING_KEY_VARIABLE, config_from_figment};
pub use guard::{Authorized, TokenGuard};
pub use state::ErrorBody;
