//! Rocket glue: the fairing that configures validation, audits the routes, serves resource
//! metadata and renders rejections, and the request guards.

pub(crate) mod audit;
mod fairing;
mod guard;
mod metadata;
#[cfg(feature = "okapi")]
pub mod okapi;
mod response;
#[cfg(feature = "utoipa")]
pub mod utoipa;
mod validator;

pub use fairing::{ErrorBody, LogtoGuard};
pub use guard::{Authorized, TokenGuard};
