//! Request guards: `AccessToken`, `Organization` and `Authorized<R>`, validated once per
//! request.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use super::fairing::GuardState;
use super::response;
use crate::bearer::bearer_token;
use crate::error::AuthError;
use crate::organization::{Organization, OrganizationRule};
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

/// The verified token, if its audience is one the API accepts.
async fn accepted(request: &Request<'_>) -> Result<AccessToken, AuthError> {
    let token = verified(request).await?;
    match request.rocket().state::<GuardState>() {
        Some(state) => state.validator.check_audience(&token).map(|()| token),
        None => Err(AuthError::NotConfigured),
    }
}

/// Any valid token whose audience is one of the API's resources (the `resources` config plus
/// every resource named by `#[requires]`), or a Logto organization token
/// (`aud` = `urn:logto:organization:<id>`, any organization) when the app has a
/// `#[requires(organization, ..)]` without `resource`.
///
/// `Option<AccessToken>` makes authentication optional: `None` without a token, and also for
/// a bad one (Rocket's rule for `Option`); use `Result<AccessToken, AuthError>` to see why.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for AccessToken {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = accepted(request).await;
        outcome(request, result)
    }
}

/// What `AccessToken` accepts, for an organization: 403 `insufficient_scope` if the token is
/// for none. See [`Organization`].
#[rocket::async_trait]
impl<'r> FromRequest<'r> for Organization {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = accepted(request)
            .await
            .and_then(|token| Organization::of(&token));
        outcome(request, result)
    }
}

/// The value of the dynamic segment `<name>` of the route `request` matched (percent-decoded,
/// as Rocket gives it to the handler), or `None` if that route has no such segment.
fn segment_value<'r>(request: &'r Request<'_>, name: &str) -> Option<&'r str> {
    let route = request.route()?;
    let index = route
        .uri
        .unmounted_origin
        .path()
        .raw_segments()
        .filter(|segment| !segment.is_empty())
        .position(|segment| {
            segment
                .as_str()
                .strip_prefix('<')
                .and_then(|s| s.strip_suffix('>'))
                == Some(name)
        })?;
    request.routed_segment(index)
}

/// Checks `R` against `token`, reading an organization segment from the matched route.
fn authorize<R: Requirement>(request: &Request<'_>, token: &AccessToken) -> Result<(), AuthError> {
    let OrganizationRule::Segment(name) = R::ORGANIZATION else {
        return R::policy().check(token);
    };
    let Some(organization) = segment_value(request, name) else {
        rocket::error!(
            "logto-guard: a requirement names the route segment `<{name}>`, but the route {} \
             has no such segment (answering 500)",
            request.route().map_or("?", |route| route.uri.as_str())
        );
        return Err(AuthError::NotConfigured);
    };
    R::policy()
        .in_organization(organization)
        .check(token)
        .map_err(|error| match error {
            AuthError::OrganizationMismatch { .. } => AuthError::OrganizationMismatch {
                segment: Some(name),
            },
            other => other,
        })
}

/// A token that satisfies `R`: audience `R::RESOURCE` (or an organization token),
/// `R::ORGANIZATION`, `R::CLIENT` and `R::SCOPES`, checked as [`Policy::check`] says.
///
/// For [`OrganizationRule::Segment`], the organization the token must be for is the value
/// of that segment in the matched route (after the mount point, percent-decoded): a token for
/// organization A on `/organizations/B/...` is refused with 403 `insufficient_scope`
/// ([`AuthError::OrganizationMismatch`]).
///
/// `#[requires]` adds this guard for you; name it yourself for advanced use:
///
/// [`Policy::check`]: crate::Policy::check
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
            authorize::<R>(request, &token)?;
            Ok(Self {
                token,
                requirement: PhantomData,
            })
        });
        outcome(request, result)
    }
}
