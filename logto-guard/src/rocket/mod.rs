//! Rocket glue: the fairing that configures validation and renders rejections, and the
//! request guards.

mod fairing;
mod guard;
mod response;

pub use fairing::{ErrorBody, LogtoGuard};
pub use guard::Authorized;
