//! What the fairing leaves in Rocket's managed state for the guards and the response hook.

use rocket::http::ContentType;

use crate::error::AuthError;
use crate::validate::Validator;

/// Renders the body of a rejection; see [`LogtoGuard::error_body`](super::LogtoGuard::error_body).
pub type ErrorBody = fn(&AuthError) -> (ContentType, String);

/// What the fairing manages; the guards find it in Rocket's state.
pub(crate) struct GuardState {
    pub(crate) validator: Validator,
    pub(crate) error_body: ErrorBody,
    /// The RFC 9728 metadata URLs challenges name, when `resource_metadata` is on.
    pub(crate) metadata: Option<super::metadata::Published>,
}
