//! Rendering a guard's rejection as RFC 6750 says: status, challenge (with RFC 9728's
//! `resource_metadata` when it is served), JSON body; and counting it for the metrics.

use std::io::Cursor;

use rocket::http::Header;
use rocket::{Request, Response};

use super::state::{GuardState, Rejection, RequestAuth, current_route};
use crate::error::AuthError;
use crate::support::lock;

/// Remembers why a guard of the current route refused `request`, unless the route's rejection
/// is known already: a route stops at its first failing guard, so a guard evaluated on it later
/// is a catcher's (or one the handler's body asks for), which must not replace the route's
/// reason nor turn an error of the app's own into a rejection.
pub(crate) fn record(request: &Request<'_>, error: &AuthError) {
    let auth = RequestAuth::of(request);
    if !auth.in_route_guards(request) {
        return;
    }
    let route = current_route(request);
    let mut rejection = lock(&auth.rejection);
    if rejection.as_ref().is_some_and(|known| known.route == route) {
        return;
    }
    *rejection = Some(Rejection {
        route,
        error: error.clone(),
    });
}

/// Rewrites the response of a request a guard refused. Only a response of the refusing route
/// whose status is the rejection's own is touched, so the app's catchers keep every other
/// error, and a route tried after a forward keeps its own.
pub(crate) fn render_rejection(
    state: &GuardState,
    request: &Request<'_>,
    response: &mut Response<'_>,
) {
    // Every status `AuthError::status` gives: a response with another one is no rejection,
    // and skips the request-local lookup (which would create the slot on every request).
    if !matches!(response.status().code, 400 | 401 | 403 | 500 | 503) {
        return;
    }
    let Some(Rejection { route, error }) = lock(&RequestAuth::of(request).rejection).clone() else {
        return;
    };
    if route != current_route(request) || response.status().code != error.status() {
        return;
    }
    let route = request
        .route()
        .map_or_else(|| "(no route)".to_owned(), super::audit::route_label);
    state.validator().record_rejection(&error, &route);
    if let Some(mut challenge) = error.challenge(state.validator().realm()) {
        // RFC 9728 §5.1; a URL has no `"` (the url crate percent-encodes it).
        if let Some(url) = state.metadata.as_ref().and_then(|m| m.url_for(request)) {
            challenge.push_str(&format!(", resource_metadata=\"{url}\""));
        }
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
