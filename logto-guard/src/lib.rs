//! Logto authorization for Rocket APIs.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod bearer;
mod config;
mod error;
mod jwks;
mod requirement;
#[cfg(feature = "rocket")]
mod rocket;
#[cfg(feature = "testing")]
pub mod testing;
mod token;
mod validate;

pub use bearer::bearer_token;
pub use config::{ASYMMETRIC_ALGORITHMS, Config, ConfigError};
pub use error::AuthError;
pub use jsonwebtoken::Algorithm;
pub use requirement::{Policy, Requirement, ScopeMode};
#[cfg(feature = "rocket")]
pub use self::rocket::{Authorized, ErrorBody, LogtoGuard};
pub use token::{AccessToken, Scopes};
pub use validate::{MAX_TOKEN_BYTES, Validator};

/// Locks a mutex that guards plain data: a panic elsewhere cannot leave it inconsistent.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(secs).unwrap_or(i64::MAX)
}
