//! Rendering a guard's rejection as RFC 6750 says: status, challenge, JSON body.

use std::io::Cursor;
use std::sync::Mutex;

use rocket::http::Header;
use rocket::{Request, Response};

use super::fairing::GuardState;
use crate::error::AuthError;
use crate::lock;

/// The rejection a guard of this request answered with, kept for the response fairing.
#[derive(Default)]
pub(crate) struct Rejection(Mutex<Option<AuthError>>);

/// Remembers why a guard refused `request`.
pub(crate) fn record(request: &Request<'_>, error: &AuthError) {
    let slot = request.local_cache(Rejection::default);
    *lock(&slot.0) = Some(error.clone());
}

/// Rewrites the response of a request a guard refused. Only a response whose status is the
/// rejection's own is touched, so the app's catchers keep every other error.
pub(crate) fn render_rejection(
    state: &GuardState,
    request: &Request<'_>,
    response: &mut Response<'_>,
) {
    let slot = request.local_cache(Rejection::default);
    let Some(error) = lock(&slot.0).clone() else {
        return;
    };
    if response.status().code != error.status() {
        return;
    }
    if let Some(challenge) = error.challenge(state.validator.realm()) {
        response.set_header(Header::new("WWW-Authenticate", challenge));
    }
    if let Some(retry_after) = error.retry_after() {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        response.set_header(Header::new("Retry-After", seconds.max(1).to_string()));
    }
    let (content_type, body) = (state.error_body)(&error);
    response.set_header(content_type);
    response.set_sized_body(body.len(), Cursor::new(body));
}
