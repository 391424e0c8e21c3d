//! Logto authorization for Rocket APIs.
//!
//! Logto issues JWT access tokens (RFC 9068) for registered API resources. This crate checks
//! each one — signature against Logto's JWKS, issuer `<endpoint>/oidc`, audience (your resource
//! indicator), lifetime, and the scopes a route needs — and answers failures as RFC 6750 says.
//!
//! **The [`guide`]** takes it step by step: [getting started](guide::getting_started) goes
//! from the dependency to a route that a real Logto token opens, and a test of it, in ten
//! minutes; the other pages each take one topic (organizations, configuration, errors, the key
//! cache, the manifest and `sync`, OpenAPI, metrics, testing, performance, ...). The crate's
//! layers are features; the [feature table](guide#features) says what each adds.
//!
//! # Protect a Rocket API
//!
//! Attach the fairing, and put [`requires`] above each route attribute:
//!
//! ```
//! use logto_guard::{requires, AccessToken, LogtoGuard};
//!
//! #[requires(resource = "https://api.example.com", scope = "read:orders")]
//! #[rocket::get("/orders")]
//! fn orders() -> &'static str {
//!     "only callers with read:orders get here"
//! }
//!
//! #[requires(resource = "https://api.example.com")]
//! #[rocket::get("/me")]
//! fn me(token: AccessToken) -> String {
//!     format!("hello {}", token.subject().unwrap_or("?"))
//! }
//!
//! fn app() -> rocket::Rocket<rocket::Build> {
//!     rocket::build()
//!         .attach(LogtoGuard::fairing())
//!         .mount("/", rocket::routes![orders, me])
//! }
//! # drop(app());
//! ```
//!
//! The fairing reads the `logto` table of Rocket's config (`endpoint = "https://<tenant>.logto.app"`)
//! or `LOGTO_ENDPOINT`, and the tenant's custom domains beside it ([`Config::custom_domain`],
//! `LOGTO_CUSTOM_DOMAINS`); see [`Config`] for every knob and [`LogtoGuard`] for the responses.
//! [`AccessToken`], `Option<AccessToken>`, [`Organization`] and [`Authorized`] are the request
//! guards; [`AccessToken::claims`] reads a token's payload as the app's own type. Logto
//! organization tokens and machine-to-machine apps have their own forms of
//! `#[requires]` (`organization`, `client`); see [`requires`].
//!
//! # Route audit, resource metadata, metrics
//!
//! At ignite the fairing checks that every mounted route is guarded ([`requires`],
//! [`guarded`]) or public on purpose ([`public`], [`Config::public_route`]); see
//! [`RouteAudit`]. With [`Config::resource_metadata`] it serves RFC 9728 protected resource
//! metadata ([`metadata`]) and names it in challenges. [`Validator::metrics`] counts rejections
//! by route and reason and reports the key set (`ready`: whether keys are loaded); the
//! `prometheus` feature exports it all ([`metrics`]).
//!
//! # OpenAPI
//!
//! The `okapi` feature documents the guards for `rocket_okapi` and serves a document whose
//! security comes from each `#[requires]`, with a Swagger UI that obtains Logto tokens
//! (module `okapi`); the `utoipa` feature does the same for utoipa documents (module `utoipa`).
//!
//! # Without Rocket
//!
//! [`Validator`] turns a token into an [`AccessToken`] or an [`AuthError`] (which knows its
//! status, RFC 6750 code and challenge); [`Policy`] checks a resource or an organization, the
//! kind of client, and scopes;
//! [`bearer_token`] parses `Authorization` headers. Build without default features to drop
//! Rocket.
//!
//! # Testing
//!
//! The `testing` feature brings [`testing::TestIssuer`]: real keys, a JWKS server on
//! `127.0.0.1`, and a builder for Logto-shaped tokens, for your own `rocket::local` tests; see
//! [testing your API](guide::testing_your_api).
#![cfg_attr(docsrs, feature(doc_cfg))]

mod actor;
mod algorithm;
mod bearer;
mod cache;
mod client_group;
mod config;
mod custom_check;
mod custom_claims;
#[cfg(feature = "rocket")]
mod declaration;
mod error;
pub mod guide;
mod http;
mod jwks;
#[cfg(feature = "manifest")]
#[cfg_attr(docsrs, doc(cfg(feature = "manifest")))]
pub mod manifest;
pub mod metadata;
pub mod metrics;
#[cfg(any(feature = "okapi", feature = "utoipa"))]
mod openapi;
mod organization;
mod payload;
#[cfg(feature = "prometheus")]
mod prometheus;
mod requirement;
mod resource_indicator;
pub mod revocation;
#[cfg(feature = "rocket")]
mod rocket;
mod scopes;
mod signing_key;
mod snapshot;
mod support;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod token;
mod validate;

#[cfg(feature = "okapi")]
#[cfg_attr(docsrs, doc(cfg(feature = "okapi")))]
pub use self::openapi::okapi;
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub use self::openapi::utoipa;
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use self::rocket::{Authorized, ErrorBody, LogtoGuard, TokenGuard};
pub use actor::Actor;
pub use algorithm::{Algorithm, UnknownAlgorithmError};
pub use bearer::bearer_token;
pub use client_group::{ClientGroup, ClientsMatch};
pub use config::{Config, ConfigError, DEFAULT_RSA_ALGORITHM, DEFAULT_WEBHOOK_PATH, RouteAudit};
pub use custom_check::{CheckFn, CustomCheck};
pub use custom_claims::ClaimsError;
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use declaration::{Declaration, HandlerSite};
pub use error::{AuthError, Denied, ExpectedAudience};
pub use organization::{Organization, OrganizationMatch, OrganizationRule};
pub use requirement::{ActorRule, Audience, ClientRule, Policy, Requirement, ScopeMode};
pub use resource_indicator::ResourceIndicatorError;
pub use scopes::{Scopes, ScopesIter};
pub use token::{AccessToken, ORGANIZATION_AUDIENCE_PREFIX};
pub use validate::{MAX_TOKEN_BYTES, Validator};

/// Guards a Rocket route handler with a token requirement: a resource or a Logto organization,
/// the kind of client, and scopes.
///
/// ```
/// use logto_guard::requires;
///
/// #[requires(resource = "https://api.example.com", scope = "read:orders")]
/// #[rocket::get("/orders")]
/// fn list_orders() -> &'static str {
///     "[]"
/// }
///
/// let rocket = rocket::build()
///     .attach(logto_guard::LogtoGuard::fairing())
///     .mount("/", rocket::routes![list_orders]);
/// # drop(rocket);
/// ```
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use logto_guard_macros::requires;

/// Marks a Rocket route handler as public on purpose, for the fairing's route audit.
///
/// ```
/// use logto_guard::public;
///
/// #[public]
/// #[rocket::get("/health")]
/// fn health() -> &'static str {
///     "ok"
/// }
/// ```
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use logto_guard_macros::public;

/// Marks a Rocket route handler whose own parameters check the token (`AccessToken`,
/// `Authorized<R>`, `Organization`), for the fairing's route audit.
///
/// ```
/// use logto_guard::{AccessToken, guarded};
///
/// #[guarded]
/// #[rocket::get("/me")]
/// fn me(token: AccessToken) -> String {
///     token.subject().unwrap_or_default().to_owned()
/// }
/// ```
#[cfg(feature = "rocket")]
#[cfg_attr(docsrs, doc(cfg(feature = "rocket")))]
pub use logto_guard_macros::guarded;

/// Items that code generated by `#[requires]` names; not a public API.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "rocket")]
    pub use crate::declaration::{MarkerKind, RouteMarker};
    pub use crate::resource_indicator::assert_resource_indicator;
    #[cfg(feature = "rocket")]
    pub use crate::rocket::mounted::{MarkedHandler, Mounted};
    #[cfg(feature = "rocket")]
    pub use inventory;

    /// Parses a JWK Set body as the key cache does with the default config; returns how many
    /// keys are usable. For the fuzz targets.
    pub fn parse_jwk_set(body: &[u8]) -> usize {
        crate::jwks::KeySet::parse(body, &[crate::config::DEFAULT_RSA_ALGORITHM])
            .map_or(0, |set| set.len())
    }
}
