//! The fairing: configuration at ignite, key warm-up at liftoff, rejections rendered on response.

use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::ContentType;
use rocket::{Build, Orbit, Request, Response, Rocket};

use crate::config::{Config, url_for_logs};
use crate::declaration::Declaration;
use crate::error::AuthError;
use crate::validate::Validator;

use super::state::{ErrorBody, GuardState};

/// The Rocket fairing: attach it once and every `AccessToken`, `Option<AccessToken>`,
/// `Organization` and `Authorized<R>` guard works, with RFC 6750 error responses.
///
/// Configuration comes from the `logto` table of Rocket's figment, with the plain
/// `LOGTO_ENDPOINT` environment variable as an override:
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
/// At ignite it also audits the mounted routes: each must be guarded (`#[requires]`,
/// `#[guarded]`) or public (`#[public]`, `public_routes`); see [`RouteAudit`](crate::RouteAudit).
/// With `resource_metadata = true` it serves RFC 9728 protected resource metadata and names
/// it in every challenge; see [`metadata`](crate::metadata). Every rejection it answers is
/// counted in [`Validator::metrics`].
#[derive(Clone)]
pub struct LogtoGuard {
    config: Option<Config>,
    error_body: ErrorBody,
}

impl LogtoGuard {
    /// Reads the config from Rocket's figment (`logto` table) and `LOGTO_ENDPOINT`.
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
        rocket.state::<GuardState>().map(|state| &state.validator)
    }

    fn resolve_config(&self, rocket: &Rocket<Build>) -> Result<Config, String> {
        if let Some(config) = &self.config {
            return Ok(config.clone());
        }
        let figment = rocket.figment();
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
        }
        Ok(config)
    }
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
        let config = self.resolve_config(&rocket);
        // The route audit and the metadata read the config after the validator consumed it.
        let settings = config.clone().unwrap_or_default();
        let validator =
            match config.and_then(|config| Validator::new(config).map_err(|e| e.to_string())) {
                Ok(validator) => with_mounted_declarations(validator, &rocket),
                Err(message) => {
                    rocket::error!("logto-guard: {message}");
                    return Err(rocket);
                }
            };
        rocket::info!(
            "logto-guard: trusting issuer {} for resources {:?}{}",
            url_for_logs(validator.issuer()),
            validator.resources(),
            if validator.accepts_organization_tokens() {
                " and organization tokens"
            } else {
                ""
            }
        );
        let (rocket, metadata) = if settings.resource_metadata {
            match super::metadata::publish(&validator, &settings) {
                Ok((published, routes)) => (rocket.mount("/", routes), Some(published)),
                Err(message) => {
                    rocket::error!("logto-guard: {message}");
                    return Err(rocket);
                }
            }
        } else {
            (rocket, None)
        };
        if super::audit::run(&rocket, &settings, &[super::metadata::ROUTE_NAME]).is_err() {
            return Err(rocket);
        }
        Ok(rocket.manage(GuardState {
            validator,
            error_body: self.error_body,
            metadata,
        }))
    }

    async fn on_liftoff(&self, rocket: &Rocket<Orbit>) {
        let Some(state) = rocket.state::<GuardState>() else {
            return;
        };
        if state.validator.warm_up().await.is_err() {
            let cause = state.validator.key_fetch_error().unwrap_or_default();
            rocket::warn!(
                "logto-guard: could not fetch the signing keys of {} ({cause}); serving anyway, \
                 protected routes answer 503 until the keys can be fetched",
                url_for_logs(state.validator.issuer())
            );
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if let Some(state) = request.rocket().state::<GuardState>() {
            super::response::render_rejection(state, request, response);
        }
    }
}

/// Adds to the resources a plain `AccessToken` accepts those that the `#[requires]` of the
/// **mounted** routes name, where the route's handler can be told for sure: a declaration
/// linked in from a dependency, or on a handler this app does not mount, adds nothing, and
/// neither does one whose fn name, method and path another marked handler shares.
/// Organization tokens stay as the config says.
fn with_mounted_declarations(validator: Validator, rocket: &Rocket<Build>) -> Validator {
    let sites = super::audit::Sites::collect(rocket.routes());
    let resources: Vec<&str> = rocket
        .routes()
        .filter_map(|route| sites.declaration_of(route))
        .filter_map(Declaration::resource)
        .collect();
    validator.with_resources(resources)
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
