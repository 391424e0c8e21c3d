//! The fairing: configuration at ignite, key warm-up at liftoff, rejections rendered on response.

use std::collections::{BTreeMap, BTreeSet};
use std::convert::Infallible;
use std::marker::PhantomData;

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use rocket::request::{FromRequest, Outcome};
use rocket::{Build, Catcher, Ignite, Orbit, Request, Response, Rocket, Sentinel};

use crate::config::{Config, url_for_logs};
use crate::declaration::{Declaration, HandlerSite};
use crate::error::AuthError;
use crate::validate::Validator;

use super::state::{ErrorBody, GuardState};

/// The Rocket fairing: attach it once and every `AccessToken`, `Option<AccessToken>`,
/// `Organization` and `Authorized<R>` guard works, with RFC 6750 error responses.
///
/// Configuration comes from the `logto` table of Rocket's figment, with the plain
/// environment variables `LOGTO_ENDPOINT`, `LOGTO_CUSTOM_DOMAINS` (comma-separated),
/// `LOGTO_CLIENTS_<NAME>` (comma-separated client ids of group `<name>`),
/// `LOGTO_WEBHOOK_SIGNING_KEY` and, with the `redis` feature, `LOGTO_REDIS_URL` as overrides
/// (an empty one counts as not set):
///
/// ```toml
/// [default.logto]
/// endpoint = "https://my-tenant.logto.app"
/// resources = ["https://api.example.com"]
/// ```
///
/// ```
/// use logto_guard::LogtoGuard;
///
/// let rocket = rocket::build().attach(LogtoGuard::fairing());
/// ```
///
/// An invalid configuration aborts ignite with a message that says what to fix. At liftoff
/// the key set is fetched; if Logto is unreachable then, a warning is logged and the app
/// serves anyway (requests get 503 until the keys can be fetched).
///
/// At the end of ignite, once every mounted marked handler has proved that it is mounted, it
/// trusts the resources of the mounted `#[requires]` handlers (for a plain `AccessToken`) and
/// audits the mounted routes: each must be guarded (`#[requires]`, `#[guarded]`) or public
/// (`#[public]`, `public_routes`); see [`RouteAudit`](crate::RouteAudit). For that it mounts
/// one route of its own, `GET /logto-guard/end-of-ignite`, which never answers. With
/// `resource_metadata = true` it serves RFC 9728 protected resource metadata and names it in
/// every challenge; see [`metadata`](crate::metadata). Every rejection it answers is counted
/// in [`Validator::metrics`]. With a
/// [`webhook_signing_key`](crate::Config::webhook_signing_key) (or `LOGTO_WEBHOOK_SIGNING_KEY`)
/// it receives Logto's webhook at `POST` [`webhook_path`](crate::Config::webhook_path) and
/// refuses the tokens it revokes; see [`revocation`](crate::revocation).
#[derive(Clone)]
pub struct LogtoGuard {
    config: Option<Config>,
    error_body: ErrorBody,
}

impl LogtoGuard {
    /// Reads the config from Rocket's figment (`logto` table) and the environment variables
    /// above.
    #[must_use]
    pub fn fairing() -> Self {
        Self {
            config: None,
            error_body: json_error_body,
        }
    }

    /// Uses `config` as it is, ignoring the figment and the environment.
    #[must_use]
    pub fn with_config(config: Config) -> Self {
        Self {
            config: Some(config),
            error_body: json_error_body,
        }
    }

    /// Renders rejection bodies with `render` instead of the default
    /// `{"error": ..., "error_description": ...}`; status and headers stay as RFC 6750 says.
    ///
    /// ```
    /// use logto_guard::{AuthError, LogtoGuard};
    /// use rocket::http::ContentType;
    ///
    /// fn plain(err: &AuthError) -> (ContentType, String) {
    ///     (ContentType::Plain, err.to_string())
    /// }
    ///
    /// let fairing = LogtoGuard::fairing().error_body(plain);
    /// ```
    #[must_use]
    pub fn error_body(mut self, render: ErrorBody) -> Self {
        self.error_body = render;
        self
    }

    /// The validator the fairing built at ignite, from an ignited or launched Rocket: for its
    /// [`metrics`](Validator::metrics), or to register a
    /// [`PrometheusCollector`](crate::metrics) once in the app's own registry. `None` before
    /// ignite or without the fairing. In a handler, take `&Validator` as a request guard.
    ///
    /// ```
    /// use logto_guard::{Config, LogtoGuard};
    ///
    /// # rocket::async_test(async {
    /// let rocket = rocket::build()
    ///     .attach(LogtoGuard::with_config(Config::new("https://my-tenant.logto.app")))
    ///     .ignite()
    ///     .await?;
    /// let validator = LogtoGuard::validator(&rocket).expect("the fairing ran");
    /// assert_eq!(validator.issuer(), "https://my-tenant.logto.app/oidc");
    /// # Ok::<(), rocket::Error>(())
    /// # }).unwrap();
    /// ```
    #[must_use]
    pub fn validator<P: rocket::Phase>(rocket: &Rocket<P>) -> Option<&Validator> {
        rocket.state::<GuardState>().map(GuardState::validator)
    }

    fn resolve_config(&self, rocket: &Rocket<Build>) -> Result<Config, String> {
        match &self.config {
            Some(config) => Ok(config.clone()),
            None => config_from_figment(rocket.figment()),
        }
    }
}

/// The environment variable the fairing reads the webhook signing key from, over the `logto`
/// table's `webhook_signing_key`: a secret is better kept out of Rocket.toml.
pub(crate) const WEBHOOK_SIGNING_KEY_VARIABLE: &str = "LOGTO_WEBHOOK_SIGNING_KEY";

/// The prefix of the environment variables the fairing reads client groups from, over the
/// `logto` table's `clients`: `LOGTO_CLIENTS_BILLING` (comma-separated) lists group `billing`.
const CLIENT_GROUP_VARIABLE_PREFIX: &str = "LOGTO_CLIENTS_";

/// The environment variable the fairing reads the Redis URL from (feature `redis`), over the
/// `logto` table's `redis_url`.
#[cfg(feature = "redis")]
const REDIS_URL_VARIABLE: &str = "LOGTO_REDIS_URL";

/// The config as the fairing reads it from Rocket's figment: the `logto` table, with the plain
/// `LOGTO_ENDPOINT` environment variable over its endpoint (and instead of an `issuer` with
/// its `extra_issuers`), `LOGTO_CUSTOM_DOMAINS` (comma-separated) over its `custom_domains`,
/// `LOGTO_CLIENTS_<NAME>` (comma-separated) over its client group `<name>`, and
/// `LOGTO_WEBHOOK_SIGNING_KEY` over its webhook signing key. `sync` reads it the same way.
pub(crate) fn config_from_figment(figment: &Figment) -> Result<Config, String> {
    let mut config = if figment.find_value("logto").is_ok() {
        figment
            .extract_inner::<Config>("logto")
            .map_err(|e| format!("invalid `logto` config: {e}"))?
    } else {
        Config::default()
    };
    if let Some(endpoint) = std::env::var("LOGTO_ENDPOINT")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        config.endpoint = Some(endpoint.trim().to_owned());
        config.issuer = None;
        config.extra_issuers.clear();
    }
    if let Some(domains) = std::env::var("LOGTO_CUSTOM_DOMAINS")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        config.custom_domains = split_list(&domains);
    }
    if let Some(key) = std::env::var(WEBHOOK_SIGNING_KEY_VARIABLE)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        config.webhook_signing_key =
            Some(crate::signing_key::SigningKey::new(key.trim().to_owned()));
    }
    // `vars_os`: a variable of the process that is not UTF-8 must not stop the app.
    for (variable, ids) in std::env::vars_os() {
        let Some(name) = variable
            .to_str()
            .and_then(|variable| variable.strip_prefix(CLIENT_GROUP_VARIABLE_PREFIX))
        else {
            continue;
        };
        if name.bytes().any(|b| b.is_ascii_lowercase()) {
            return Err(format!(
                "`{CLIENT_GROUP_VARIABLE_PREFIX}{name}`: write the group's name in capitals, \
                 `{CLIENT_GROUP_VARIABLE_PREFIX}{}`",
                name.to_ascii_uppercase()
            ));
        }
        let ids = ids.to_str().ok_or_else(|| {
            format!("`{CLIENT_GROUP_VARIABLE_PREFIX}{name}` is not UTF-8: list the client ids")
        })?;
        // Empty, like an empty `LOGTO_CUSTOM_DOMAINS`: not set.
        if !ids.trim().is_empty() {
            config
                .clients
                .insert(name.to_ascii_lowercase(), split_list(ids));
        }
    }
    #[cfg(feature = "redis")]
    if let Some(url) = std::env::var(REDIS_URL_VARIABLE)
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        config.redis_url = Some(crate::config::RedisUrl::new(url.trim().to_owned()));
    }
    Ok(config)
}

/// The entries of a comma-separated list, trimmed, without empty ones.
fn split_list(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(str::to_owned)
        .collect()
}

#[rocket::async_trait]
impl Fairing for LogtoGuard {
    fn info(&self) -> Info {
        Info {
            name: "logto-guard",
            kind: Kind::Ignite | Kind::Liftoff | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        if rocket.state::<GuardState>().is_some() {
            // Refused rather than replaced: a fairing cannot be detached, so the first one
            // would still render every response, with its own config.
            tracing::error!(
                "logto-guard: LogtoGuard is attached twice; attach it once (in a test, build \
                 the app without its fairing and attach `LogtoGuard::with_config(..)` alone)"
            );
            return Err(rocket);
        }
        let config = self.resolve_config(&rocket);
        // The end of ignite reads the config after the validator consumed it.
        let settings = config.clone().unwrap_or_default();
        let validator =
            match config.and_then(|config| Validator::new(config).map_err(|e| e.to_string())) {
                Ok(validator) => validator,
                Err(message) => {
                    rocket::error!("logto-guard: {message}");
                    return Err(rocket);
                }
            };
        let (rocket, metadata) = if settings.resource_metadata {
            let (publication, routes) = super::metadata::Publication::new();
            (rocket.mount("/", routes), Some(publication))
        } else {
            (rocket, None)
        };
        if settings.require_keys_at_launch && validator.warm_up().await.is_err() {
            tracing::error!(
                "logto-guard: {}; not launching, as `require_keys_at_launch` is set",
                keys_unavailable(&validator)
            );
            return Err(rocket);
        }
        let rocket = if validator.receives_webhooks() {
            rocket::info!(
                "logto-guard: receiving Logto's webhook at POST {}",
                settings.webhook_path
            );
            rocket.mount("/", super::webhook::routes(&settings.webhook_path))
        } else {
            rocket
        };
        // With Redis: the revocations in force before the first request (bounded; a Redis
        // away now is a warning, and the mirror started at liftoff catches up).
        #[cfg(feature = "redis")]
        validator.load_shared_revocations().await;
        let rocket = register_rejection_catchers(rocket);
        let state = GuardState::new(validator, settings, self.error_body, metadata);
        Ok(rocket.mount("/", end_of_ignite_route()).manage(state))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(state) = rocket.state::<GuardState>() else {
            return;
        };
        #[cfg(feature = "redis")]
        state.validator().share_revocations();
        if state.validator().warm_up().await.is_err() {
            rocket::warn!(
                "logto-guard: {}; serving anyway, protected routes answer 503 until the keys can \
                 be fetched (`require_keys_at_launch = true` refuses to launch instead)",
                keys_unavailable(state.validator())
            );
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if let Some(state) = request.rocket().state::<GuardState>() {
            super::response::render_rejection(state, request, response);
        }
    }
}

/// What a failed warm-up says: whose keys, and why (the fetch's cause chain, e.g. "tcp connect
/// error: Connection refused").
fn keys_unavailable(validator: &Validator) -> String {
    let (issuer, cause) = validator
        .key_fetch_error()
        .unwrap_or((validator.issuer(), String::new()));
    format!(
        "could not fetch the signing keys of {} ({cause})",
        url_for_logs(issuer)
    )
}

/// The statuses a rejection answers with, whose body the response hook writes.
const REJECTION_STATUSES: [u16; 4] = [400, 401, 403, 503];

/// Registers Rocket's default catcher under logto-guard's name for each status a rejection
/// answers with, where the app has no catcher of its own at `/` (one for that status, or a
/// default one) that it would shadow. The response hook writes the rejection's body either
/// way; this only spares the log Rocket's "No 401 catcher registered" for a response the
/// library renders.
fn register_rejection_catchers(rocket: Rocket<Build>) -> Rocket<Build> {
    let app_catches = |code: u16| {
        rocket
            .catchers()
            .any(|catcher| catcher.base.path() == "/" && catcher.code.is_none_or(|c| c == code))
    };
    let catchers: Vec<Catcher> = REJECTION_STATUSES
        .into_iter()
        .filter(|code| !app_catches(*code))
        .map(|code| Catcher {
            code: Some(code),
            name: Some("logto-guard".into()),
            ..Catcher::default()
        })
        .collect();
    rocket.register("/", catchers)
}

/// A request guard that forwards every request, so that its route never answers one. Rocket
/// 0.5 queries sentinels breadth first over all mounted routes at once (`rocket::sentinel`'s
/// `query`): the types written in the routes' signatures first, then the types nested in
/// those that are no sentinels. `T` nested here is so queried after every
/// [`Mounted`](super::mounted::Mounted) sentinel, which the macros write as a parameter type;
/// the audit tests of unmounted twins fail if a Rocket release changes that order.
struct Nested<T>(PhantomData<fn() -> T>);

#[rocket::async_trait]
impl<'r, T> FromRequest<'r> for Nested<T> {
    type Error = Infallible;

    async fn from_request(_request: &'r Request<'_>) -> Outcome<Self, Infallible> {
        Outcome::Forward(Status::NotFound)
    }
}

/// Never answers (its guard forwards); it exists for its sentinel. Ranked below the app's
/// routes, on a path of its own.
#[rocket::get("/logto-guard/end-of-ignite", rank = 100)]
fn end_of_ignite(_after_every_route: Nested<AuditMountedRoutes>) -> Status {
    Status::NotFound
}

fn end_of_ignite_route() -> Vec<rocket::Route> {
    let mut routes = rocket::routes![end_of_ignite];
    for route in &mut routes {
        // A name no handler of the app can have, for the route audit to skip.
        route.name = Some(super::own_route_name("end_of_ignite"));
    }
    routes
}

/// The sentinel that ends ignite for logto-guard, once Rocket has queried the sentinels of
/// every mounted route (so every marked handler that is mounted has proved it) and with the
/// final routes (those of later fairings too): it trusts the resources of the mounted
/// `#[requires]` handlers, publishes the metadata, and runs the route audit, which aborts
/// ignite with `deny`.
pub(crate) struct AuditMountedRoutes;

impl Sentinel for AuditMountedRoutes {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        rocket
            .state::<GuardState>()
            .is_some_and(|state| finish_ignite(state, rocket).is_err())
    }
}

/// What [`AuditMountedRoutes`] does; `Err` when ignite must abort (the reason is logged).
fn finish_ignite(state: &GuardState, rocket: &Rocket<Ignite>) -> Result<(), ()> {
    let mounted = state.mounted();
    let validator = state.trust(
        Declaration::all()
            .filter(|declaration| mounted.contains(&declaration.handler))
            .filter_map(Declaration::resource),
    );
    check_client_groups(validator, rocket, &mounted)?;
    let issuers: Vec<String> = validator.issuers().map(url_for_logs).collect();
    rocket::info!(
        "logto-guard: trusting {} {} for resources {:?}{}",
        if issuers.len() == 1 {
            "issuer"
        } else {
            "issuers"
        },
        issuers.join(", "),
        validator.resources(),
        if validator.accepts_organization_tokens() {
            " and organization tokens"
        } else {
            ""
        }
    );
    if let Some(metadata) = &state.metadata {
        metadata
            .publish(validator, &state.settings, &mounted)
            .map_err(|message| rocket::error!("logto-guard: {message}"))?;
    }
    let routes: Vec<&rocket::Route> = rocket.routes().collect();
    super::audit::run(&routes, &state.settings, &mounted)
}

/// Every client group that a mounted `#[requires(clients = ..)]` names is configured; else one
/// line per missing group, naming the routes that need it, and `Err` (ignite aborts).
fn check_client_groups(
    validator: &Validator,
    rocket: &Rocket<Ignite>,
    mounted: &BTreeSet<HandlerSite>,
) -> Result<(), ()> {
    let mut missing: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for declaration in Declaration::all().filter(|d| mounted.contains(&d.handler)) {
        let Some(group) = declaration.client_group else {
            continue;
        };
        if validator.client_group(group).is_none() {
            let routes = rocket
                .routes()
                .filter(|route| declaration.handler.is_route(route))
                .map(super::audit::route_label);
            missing.entry(group).or_default().extend(routes);
        }
    }
    for (group, routes) in &missing {
        tracing::error!(
            "logto-guard: client group `{group}` is named by {} but not configured: list its \
             client ids in the `logto.clients` table (`{group} = [\"<app id>\", ..]`) or in \
             {CLIENT_GROUP_VARIABLE_PREFIX}{}",
            routes.join(", "),
            group.to_ascii_uppercase()
        );
    }
    if missing.is_empty() { Ok(()) } else { Err(()) }
}

/// The default body: `{"error": ..., "error_description": ...}`, without `error` where RFC 6750
/// has no code (no credentials, 503).
fn json_error_body(error: &AuthError) -> (ContentType, String) {
    let mut body = serde_json::Map::new();
    if let Some(code) = error.code() {
        body.insert("error".into(), code.into());
    }
    body.insert("error_description".into(), error.to_string().into());
    (
        ContentType::JSON,
        serde_json::Value::Object(body).to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::split_list;

    #[test]
    fn a_comma_separated_list_is_trimmed_and_skips_empty_entries() {
        assert_eq!(
            split_list(" https://auth.example.com, https://login.example.org ,,"),
            ["https://auth.example.com", "https://login.example.org"]
        );
        assert!(split_list(" , ").is_empty());
    }
}
