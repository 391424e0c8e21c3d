//! Rocket glue: the fairing that configures validation, audits the routes, serves resource
//! metadata and renders rejections, and the request guards.

pub(crate) mod audit;
mod fairing;
mod guard;
mod metadata;
pub(crate) mod mounted;
#[cfg(feature = "okapi")]
pub mod okapi;
mod response;
pub(crate) mod state;
#[cfg(feature = "utoipa")]
pub mod utoipa;
mod validator;

pub use fairing::LogtoGuard;
#[cfg(feature = "sync")]
pub(crate) use fairing::config_from_figment;
pub use guard::{Authorized, TokenGuard};
pub use state::ErrorBody;
