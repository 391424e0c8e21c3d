//! What the fairing leaves in Rocket's managed state for the guards and the response hook, and
//! what they remember about each request.

use std::sync::atomic::AtomicUsize;
use std::sync::{Mutex, OnceLock};

use rocket::Request;
use rocket::http::ContentType;

use crate::error::AuthError;
use crate::token::AccessToken;
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

/// What the guards and the response hook know about one request, in one request-local slot.
#[derive(Default)]
pub(crate) struct RequestAuth {
    /// The request's token, verified once however many guards ask (not yet checked for
    /// audience).
    pub(crate) verified: OnceLock<Result<AccessToken, AuthError>>,
    /// The route whose `Authorized<R>` guard accepted the token (its address; 0 for none):
    /// that route's requirement then decides what a plain `AccessToken` on **the same route**
    /// accepts. A route, not a flag: the request-local cache outlives a forward, and the next
    /// route Rocket tries must not inherit the first one's verdict.
    pub(crate) requirement_met: AtomicUsize,
    /// The rejection a guard answered with, for the response hook.
    pub(crate) rejection: Mutex<Option<Rejection>>,
}

/// Why a guard refused the request, on which route.
#[derive(Clone)]
pub(crate) struct Rejection {
    /// The route whose guard refused ([`current_route`]): if that route forwards, the route
    /// that answers in the end keeps its own response.
    pub(crate) route: usize,
    pub(crate) error: AuthError,
}

impl RequestAuth {
    pub(crate) fn of<'r>(request: &'r Request<'_>) -> &'r Self {
        request.local_cache(Self::default)
    }
}

/// The identity of the route `request` is being handled by (its address; 0 for none).
pub(crate) fn current_route(request: &Request<'_>) -> usize {
    request
        .route()
        .map_or(0, |route| std::ptr::from_ref(route).addr())
}
