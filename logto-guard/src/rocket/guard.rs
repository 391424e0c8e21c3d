//! Request guards: `AccessToken` and `Authorized<R>`, validated once per request.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::fairing::GuardState;
use super::response;
use crate::bearer::bearer_token;
use crate::error::AuthError;
use crate::requirement::Requirement;
use crate::token::AccessToken;

/// The request's token, verified once however many guards ask (not yet checked for audience).
struct Verified(Result<AccessToken, AuthError>);

async fn verified(request: &Request<'_>) -> Result<AccessToken, AuthError> {
    let Some(state) = request.rocket().state::<GuardState>() else {
        warn_missing_fairing();
        return Err(AuthError::NotConfigured);
    };
    let Verified(outcome) = request
        .local_cache_async(async {
            let token = bearer_token(request.headers().get("Authorization"));
            Verified(match token {
                Ok(token) => state.validator.verify(token).await,
                Err(error) => Err(error),
            })
        })
        .await;
    outcome.clone()
}

fn warn_missing_fairing() {
    static WARNED: AtomicBool = AtomicBool::new(false);
    if !WARNED.swap(true, Ordering::Relaxed) {
        rocket::error!(
            "logto-guard: a route needs a token but the fairing is not attached; add \
             `.attach(logto_guard::LogtoGuard::fairing())` to your Rocket (answering 500)"
        );
    }
}

fn outcome<T>(request: &Request<'_>, result: Result<T, AuthError>) -> Outcome<T, AuthError> {
    match result {
        Ok(value) => Outcome::Success(value),
        Err(error) => {
            tracing::debug!(
                status = error.status(),
                reason = %error,
                uri = %request.uri().path(),
                "request refused"
            );
            response::record(request, &error);
            let status = Status::from_code(error.status()).unwrap_or(Status::Unauthorized);
            Outcome::Error((status, error))
        }
    }
}

/// Any valid token whose audience is one of the API's resources (the `resources` config plus
/// every resource named by `#[requires]`).
///
/// `Option<AccessToken>` makes authentication optional: `None` without a token, and also for
/// a bad one (Rocket's rule for `Option`); use `Result<AccessToken, AuthError>` to see why.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for AccessToken {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = verified(request).await.and_then(|token| {
            let state = request.rocket().state::<GuardState>();
            match state {
                Some(state) => state.validator.check_audience(&token).map(|()| token),
                None => Err(AuthError::NotConfigured),
            }
        });
        outcome(request, result)
    }
}

/// A token that satisfies `R`: audience `R::RESOURCE` and `R::SCOPES`.
///
/// `#[requires]` adds this guard for you; name it yourself for advanced use:
///
/// ```
/// use logto_guard::{Authorized, Requirement};
///
/// struct ReadOrders;
/// impl Requirement for ReadOrders {
///     const RESOURCE: &'static str = "https://api.example.com";
///     const SCOPES: &'static [&'static str] = &["read:orders"];
/// }
///
/// #[rocket::get("/orders")]
/// fn orders(auth: Authorized<ReadOrders>) -> String {
///     format!("orders of {}", auth.subject().unwrap_or("?"))
/// }
/// ```
pub struct Authorized<R> {
    token: AccessToken,
    requirement: PhantomData<fn() -> R>,
}

impl<R> Authorized<R> {
    /// The verified token.
    #[must_use]
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// The verified token, by value.
    #[must_use]
    pub fn into_token(self) -> AccessToken {
        self.token
    }
}

impl<R> Deref for Authorized<R> {
    type Target = AccessToken;

    fn deref(&self) -> &AccessToken {
        &self.token
    }
}

impl<R> std::fmt::Debug for Authorized<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Authorized").field(&self.token).finish()
    }
}

#[rocket::async_trait]
impl<'r, R: Requirement> FromRequest<'r> for Authorized<R> {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = verified(request).await.and_then(|token| {
            R::policy().check(&token)?;
            Ok(Self {
                token,
                requirement: PhantomData,
            })
        });
        outcome(request, result)
    }
}
