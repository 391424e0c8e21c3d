//! The `&Validator` request guard: the fairing's validator, for a handler that reports on it
//! (readiness, metrics) rather than checks a token.

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::state::GuardState;
use crate::error::AuthError;
use crate::validate::Validator;

/// The validator the fairing built, so a handler can read its
/// [`metrics`](Validator::metrics) or [`warm_up`](Validator::warm_up) for readiness. Checks
/// no token: pair it with `#[public]` or a token guard. 500 without the fairing.
///
/// ```
/// use logto_guard::{Validator, public};
/// use rocket::http::Status;
///
/// #[public]
/// #[rocket::get("/ready")]
/// async fn ready(validator: &Validator) -> Status {
///     match validator.warm_up().await {
///         Ok(()) => Status::Ok,
///         Err(_) => Status::ServiceUnavailable,
///     }
/// }
/// ```
#[rocket::async_trait]
impl<'r> FromRequest<'r> for &'r Validator {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        match request.rocket().state::<GuardState>() {
            Some(state) => Outcome::Success(state.validator()),
            None => {
                tracing::error!(
                    "logto-guard: a route asks for the Validator but the fairing is not \
                     attached; add `.attach(logto_guard::LogtoGuard::fairing())` (answering 500)"
                );
                Outcome::Error((Status::InternalServerError, AuthError::NotConfigured))
            }
        }
    }
}
