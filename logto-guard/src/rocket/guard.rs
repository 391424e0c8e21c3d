//! Request guards: `AccessToken`, `Organization` and `Authorized<R>`, validated once per
//! request.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};

use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};
use rocket::{Ignite, Rocket, Sentinel};

use super::response;
use super::state::{GuardState, RequestAuth, current_route};
use crate::bearer::bearer_credentials;
use crate::declaration::Declaration;
use crate::declaration::{MarkerKind, RouteMarker};
use crate::error::AuthError;
use crate::organization::{Organization, OrganizationRule};
use crate::requirement::Requirement;
use crate::token::AccessToken;
use crate::validate::{CharacterCheck, Validator};

/// What the fairing manages, or `NotConfigured` (a 500) when it is not attached.
fn guard_state<'r>(request: &'r Request<'_>) -> Result<&'r GuardState, AuthError> {
    request.rocket().state::<GuardState>().ok_or_else(|| {
        warn_missing_fairing();
        AuthError::NotConfigured
    })
}

/// The request's token, verified once however many guards ask (not yet checked for audience).
async fn verified(
    request: &Request<'_>,
    state: &GuardState,
    auth: &RequestAuth,
) -> Result<AccessToken, AuthError> {
    let verified = &auth.verified;
    if let Some(outcome) = verified.get() {
        return outcome.clone();
    }
    let outcome = match bearer_credentials(request.headers().get("Authorization")) {
        Ok(token) => {
            state
                .validator()
                .verify(token, CharacterCheck::B64Token)
                .await
        }
        Err(error) => Err(error),
    };
    // A request's guards run one after another, so no other outcome was stored meanwhile.
    verified.get_or_init(|| outcome).clone()
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

/// The verified token, if the current route's requirement accepted it and this is one of that
/// route's own guards, or else if it passes the plain `AccessToken` rule
/// ([`Validator::check_audience`](crate::Validator::check_audience)): in a catcher, the plain
/// rule.
async fn accepted(request: &Request<'_>) -> Result<AccessToken, AuthError> {
    let state = guard_state(request)?;
    let auth = RequestAuth::of(request);
    let token = verified(request, state, auth).await?;
    let met = auth.requirement_met.load(Ordering::Acquire);
    if met != 0 && met == current_route(request) && auth.in_route_guards(request) {
        return Ok(token);
    }
    state.validator().check_audience(&token).map(|()| token)
}

/// A valid token for this API.
///
/// As a parameter of a `#[requires]` handler it is the token the requirement accepted.
/// Anywhere else (a catcher that asks for it included) it is a
/// token whose audience is one of the API's resources (the `resources` config plus those that
/// the `#[requires]` of the mounted routes name), and that is **not** bound to a Logto
/// organization, unless the config turns on
/// [`organization_tokens`](crate::Config::organization_tokens) (then organization tokens and
/// organization-level API resource tokens of any organization pass).
///
/// `Option<AccessToken>` makes authentication optional: `None` without a token, and also for
/// a bad one (Rocket's rule for `Option`); use `Result<AccessToken, AuthError>` to see why.
///
/// Mounting a route that takes it without attaching [`LogtoGuard`](crate::LogtoGuard) stops
/// ignition (a Rocket [`Sentinel`]), `Option<AccessToken>` included.
#[rocket::async_trait]
impl<'r> FromRequest<'r> for AccessToken {
    type Error = AuthError;

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, Self::Error> {
        let result = accepted(request).await;
        outcome(request, result)
    }
}

/// What `AccessToken` accepts, for an organization: 403 `insufficient_scope` if the token is
/// for none. Outside a `#[requires(organization ..)]` route this needs
/// [`organization_tokens`](crate::Config::organization_tokens). See [`Organization`].
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
    request.param::<&str>(index)?.ok()
}

/// Checks `R` against `token`, with its client group from the config and its organization
/// from the matched route's segment.
fn authorize<R: Requirement>(
    request: &Request<'_>,
    state: &GuardState,
    token: &AccessToken,
) -> Result<(), AuthError> {
    let mut policy = R::policy();
    if let Some(name) = R::CLIENT_GROUP {
        // Ignite aborts when a mounted route's requirement names a group the config lacks
        // (`client_group_missing`); this is the fail-closed answer should one get here anyway.
        let Some(group) = state.validator().client_group(name) else {
            rocket::error!(
                "logto-guard: a requirement names the client group `{name}`, which the config \
                 does not list (answering 500): add it to `[default.logto.clients]`"
            );
            return Err(AuthError::NotConfigured);
        };
        policy = policy.client_group(group);
    }
    let OrganizationRule::Segment(name) = R::ORGANIZATION else {
        return policy.check(token);
    };
    let Some(organization) = segment_value(request, name) else {
        rocket::error!(
            "logto-guard: a requirement names the route segment `<{name}>`, but the route {} \
             has no such segment (answering 500)",
            request.route().map_or("?", |route| route.uri.as_str())
        );
        return Err(AuthError::NotConfigured);
    };
    policy
        .in_organization(organization)
        .check(token)
        .map_err(|error| match error {
            AuthError::OrganizationMismatch { .. } => AuthError::OrganizationMismatch {
                segment: Some(name),
            },
            other => other,
        })
}

/// A token that satisfies `R`: audience `R::AUDIENCE`, `R::ORGANIZATION`, `R::CLIENT`,
/// `R::CLIENT_GROUP`, `R::ACTOR`, `R::SCOPES` and `R::CUSTOM_CHECK`, checked as
/// [`Policy::check`] says.
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
/// use logto_guard::{Audience, Authorized, Requirement};
///
/// struct ReadOrders;
/// impl Requirement for ReadOrders {
///     const AUDIENCE: Audience<'static> = Audience::Resource("https://api.example.com");
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
        let result = async {
            let state = guard_state(request)?;
            let auth = RequestAuth::of(request);
            let token = verified(request, state, auth).await?;
            authorize::<R>(request, state, &token)?;
            auth.requirement_met
                .store(current_route(request), Ordering::Release);
            Ok(Self {
                token,
                requirement: PhantomData,
            })
        };
        outcome(request, result.await)
    }
}

/// A request guard that refuses every request without a valid token: what `#[guarded]` takes
/// as proof that a handler checks the token. Sealed: implemented by [`AccessToken`],
/// [`Authorized<R>`] and [`Organization`] only, so a type of the app's own with one of these
/// names is a compile error rather than a silently unguarded route.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a logto-guard token guard, so it does not prove that the handler checks the token",
    label = "`#[guarded]` found this parameter",
    note = "`#[guarded]` needs a parameter of type `logto_guard::AccessToken`, `logto_guard::Authorized<R>` or `logto_guard::Organization`; name a guard of your own with `#[guarded(by = YourGuard)]`"
)]
pub trait TokenGuard: sealed::Sealed {}

impl TokenGuard for AccessToken {}

impl TokenGuard for Organization {}

impl<R: Requirement> TokenGuard for Authorized<R> {}

mod sealed {
    use super::{AccessToken, Authorized, Organization, Requirement};

    pub trait Sealed {}

    impl Sealed for AccessToken {}
    impl Sealed for Organization {}
    impl<R: Requirement> Sealed for Authorized<R> {}
}

/// Stops ignition when a mounted route takes one of the guards and the fairing is not
/// attached, with one line that says what to add and names the routes it can tell (Rocket then
/// lists each aborting guard type with its location).
fn fairing_missing(rocket: &Rocket<Ignite>) -> bool {
    let missing = rocket.state::<GuardState>().is_none();
    if missing && first_report_of_this_ignite(rocket) {
        let routes = marked_guarded_routes(rocket);
        let named = if routes.is_empty() {
            String::new()
        } else {
            format!(" ({})", routes.join(", "))
        };
        tracing::error!(
            "logto-guard: mounted routes{named} take its guards, but the fairing is not \
             attached: add `.attach(logto_guard::LogtoGuard::fairing())` to this Rocket"
        );
    }
    missing
}

/// Whether no guard reported yet for the Rocket being ignited. Rocket queries each guard type's
/// sentinel once, one after another on one thread: one line per ignite, not one per type. An
/// ignite is told apart by its Rocket's address and the tag figment gave its `port` value when
/// the Rocket's figment was made (an address alone can be reused by the next Rocket).
fn first_report_of_this_ignite(rocket: &Rocket<Ignite>) -> bool {
    type Ignition = (usize, Option<rocket::figment::value::Tag>);
    thread_local! {
        static REPORTED: Cell<Option<Ignition>> = const { Cell::new(None) };
    }
    let this = (
        std::ptr::from_ref(rocket).addr(),
        rocket
            .figment()
            .find_value("port")
            .ok()
            .map(|value| value.tag()),
    );
    REPORTED.with(|reported| reported.replace(Some(this)) != Some(this))
}

/// The mounted routes of `#[requires]` and `#[guarded]` handlers, as `"GET /orders"`. A route
/// that takes a guard without a marker cannot be told from its Rocket route.
fn marked_guarded_routes(rocket: &Rocket<Ignite>) -> Vec<String> {
    let guarded = |route: &rocket::Route| {
        Declaration::all().any(|declaration| declaration.handler.is_route(route))
            || inventory::iter::<RouteMarker>()
                .any(|marker| marker.kind == MarkerKind::Guarded && marker.handler.is_route(route))
    };
    rocket
        .routes()
        .filter(|route| guarded(route))
        .map(super::audit::route_label)
        .collect()
}

impl Sentinel for AccessToken {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket)
    }
}

impl Sentinel for Organization {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket)
    }
}

impl<R: Requirement> Sentinel for Authorized<R> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket) || client_group_missing::<R>(rocket)
    }
}

/// Whether `R` names a client group that the config lacks. The end of ignite reports the
/// groups of `#[requires]` handlers with their routes; a hand-written requirement is reported
/// here.
fn client_group_missing<R: Requirement>(rocket: &Rocket<Ignite>) -> bool {
    let (Some(state), Some(name)) = (rocket.state::<GuardState>(), R::CLIENT_GROUP) else {
        return false;
    };
    let missing = state.validator().client_group(name).is_none();
    if missing && !Declaration::all().any(|declaration| declaration.client_group == Some(name)) {
        tracing::error!(
            "logto-guard: a requirement names the client group `{name}`, which the config does \
             not list: add it to the `logto.clients` table or set LOGTO_CLIENTS_{}",
            name.to_ascii_uppercase()
        );
    }
    missing
}

impl Sentinel for Validator {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        fairing_missing(rocket)
    }
}
