//! A client for the few endpoints of Logto's Management API that `sync` needs.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::config::{has_credentials, url_for_logs};
use crate::http::{BodyError, describe_error, read_limited};

/// The Management API resource of self-hosted Logto (and of the OSS admin tenant `default`).
const SELF_HOSTED_MANAGEMENT_RESOURCE: &str = "https://default.logto.app/api";

/// Logto's error code when a tenant's plan allows no more of something (403).
const PLAN_LIMIT_CODE: &str = "subscription.limit_exceeded";

/// Logto's largest page.
const DEFAULT_PAGE_SIZE: u32 = 100;

/// Stop paginating after this many pages: a server that never ends is not Logto.
const MAX_PAGES: u32 = 10_000;

/// The largest response body `sync` reads (1 MiB): a page of 100 Logto items is a few tens
/// of KiB, so anything bigger is not Logto and is not read to its end.
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;

/// The most `sync` reads of one paginated list, all its pages together (16 MiB, some 80,000
/// Logto resources or scopes): without it, a server that keeps answering full pages could
/// make `sync` read and hold 10,000 pages of up to [`MAX_RESPONSE_BYTES`] each.
pub const MAX_LISTING_BYTES: usize = 16 << 20;

/// Where Logto is and how `sync` authenticates to its Management API: a machine-to-machine app
/// with a role that grants the Logto Management API permission `all`.
///
/// From the environment with [`ManagementConfig::from_env`]:
///
/// | variable | meaning |
/// | --- | --- |
/// | `LOGTO_ENDPOINT` | `https://<tenant-id>.logto.app` or the self-hosted URL |
/// | `LOGTO_M2M_APP_ID`, `LOGTO_M2M_APP_SECRET` | the machine-to-machine app's credentials |
/// | `LOGTO_MANAGEMENT_RESOURCE` | optional: the Management API identifier; by default `https://<tenant-id>.logto.app/api` when the endpoint is a Logto Cloud host, else `https://default.logto.app/api` (self-hosted) |
/// | `LOGTO_ALLOW_INSECURE_HTTP` | optional, `true`: allow `http://` to a host that is not loopback |
///
/// ```
/// use logto_guard::manifest::ManagementConfig;
///
/// let config = ManagementConfig::new("https://abc123.logto.app", "app-id", "app-secret");
/// assert_eq!(config.endpoint(), "https://abc123.logto.app");
/// ```
#[derive(Clone)]
pub struct ManagementConfig {
    endpoint: String,
    app_id: String,
    app_secret: String,
    management_resource: Option<String>,
    allow_insecure_http: bool,
    page_size: u32,
    timeout: Duration,
}

impl fmt::Debug for ManagementConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManagementConfig")
            .field("endpoint", &self.endpoint)
            .field("app_id", &self.app_id)
            .field("app_secret", &"[redacted]")
            .field("management_resource", &self.management_api_resource())
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("page_size", &self.page_size)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ManagementConfig {
    /// The Logto at `endpoint`, reached as the machine-to-machine app `app_id`.
    #[must_use]
    pub fn new(
        endpoint: impl Into<String>,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        Self {
            endpoint: endpoint.into(),
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            management_resource: None,
            allow_insecure_http: false,
            page_size: DEFAULT_PAGE_SIZE,
            timeout: Duration::from_secs(30),
        }
    }

    /// From the environment variables listed [above](Self).
    ///
    /// # Errors
    ///
    /// [`SyncError::MissingVariable`] naming the first required variable that is unset or
    /// empty.
    pub fn from_env() -> Result<Self, SyncError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use logto_guard::manifest::{ManagementConfig, SyncError};
    ///
    /// let err = ManagementConfig::from_vars(|name| {
    ///     (name == "LOGTO_ENDPOINT").then(|| "https://abc123.logto.app".to_owned())
    /// })
    /// .unwrap_err();
    /// assert!(matches!(err, SyncError::MissingVariable { variable: "LOGTO_M2M_APP_ID", .. }));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_vars(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SyncError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let require = |variable: &'static str, hint: &'static str| {
            get(variable).ok_or(SyncError::MissingVariable { variable, hint })
        };
        let endpoint = require(
            "LOGTO_ENDPOINT",
            "set it to your Logto endpoint, https://<tenant-id>.logto.app or your self-hosted URL \
             (the `sync` command also reads `endpoint` from the `logto` table of Rocket.toml)",
        )?;
        let app_id = require(
            "LOGTO_M2M_APP_ID",
            "set it to the App ID of a machine-to-machine app whose role grants the Logto \
             Management API permission `all` (Logto Console > Applications)",
        )?;
        let app_secret = require(
            "LOGTO_M2M_APP_SECRET",
            "set it to that machine-to-machine app's App secret (Logto Console > Applications)",
        )?;
        let mut config = Self::new(endpoint.trim(), app_id.trim(), app_secret.trim());
        config.management_resource = get("LOGTO_MANAGEMENT_RESOURCE").map(|r| r.trim().to_owned());
        config.allow_insecure_http = get("LOGTO_ALLOW_INSECURE_HTTP")
            .is_some_and(|v| matches!(v.trim(), "1" | "true" | "TRUE" | "True" | "yes"));
        Ok(config)
    }

    /// Sets the Management API identifier explicitly (Logto Cloud behind a custom domain).
    #[must_use]
    pub fn management_resource(mut self, indicator: impl Into<String>) -> Self {
        self.management_resource = Some(indicator.into());
        self
    }

    /// Allows `http://` to a host that is not loopback (the app secret then travels in clear).
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Sets how many items to ask for per page (default 100, Logto's maximum).
    #[must_use]
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Sets the timeout of one request (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The Logto endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The Management API identifier the token is requested for: the explicit one, else
    /// `https://<tenant-id>.logto.app/api` when the endpoint's host is `<tenant-id>.logto.app`,
    /// else `https://default.logto.app/api` (self-hosted).
    pub(crate) fn management_api_resource(&self) -> String {
        if let Some(resource) = &self.management_resource {
            return resource.clone();
        }
        let tenant = Url::parse(&self.endpoint).ok().and_then(|url| {
            let host = url.host_str()?.to_ascii_lowercase();
            let tenant = host.strip_suffix(".logto.app")?;
            (!tenant.is_empty() && !tenant.contains('.')).then(|| tenant.to_owned())
        });
        match tenant {
            Some(tenant) => format!("https://{tenant}.logto.app/api"),
            None => SELF_HOSTED_MANAGEMENT_RESOURCE.to_owned(),
        }
    }

    /// The endpoint as a URL, checked.
    fn endpoint_url(&self) -> Result<Url, SyncError> {
        let invalid = || SyncError::InvalidEndpoint {
            endpoint: url_for_logs(&self.endpoint),
        };
        let url = Url::parse(self.endpoint.trim_end_matches('/')).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https")
            || !url.has_host()
            || url.query().is_some()
            || url.fragment().is_some()
            || has_credentials(&url)
        {
            return Err(invalid());
        }
        if url.scheme() == "http" && !self.allow_insecure_http && !crate::config::is_loopback(&url)
        {
            return Err(SyncError::InsecureHttp {
                endpoint: url_for_logs(&self.endpoint),
            });
        }
        Ok(url)
    }
}

/// Why talking to Logto failed, with what to check. Never contains the app secret or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A required environment variable is unset or empty.
    #[error("{variable} is not set: {hint}")]
    MissingVariable {
        /// The variable.
        variable: &'static str,
        /// What to set it to.
        hint: &'static str,
    },
    /// `LOGTO_ENDPOINT` is not an absolute `http(s)` URL without query or credentials.
    #[error(
        "LOGTO_ENDPOINT `{endpoint}` is not a Logto endpoint: use an absolute http(s) URL without \
         query or credentials, such as https://<tenant-id>.logto.app"
    )]
    InvalidEndpoint {
        /// The configured endpoint.
        endpoint: String,
    },
    /// Plain `http://` to a host that is not loopback.
    #[error(
        "LOGTO_ENDPOINT `{endpoint}` uses plain http:// to a host that is not loopback, which \
         would send the app secret unencrypted; use https://, or set \
         LOGTO_ALLOW_INSECURE_HTTP=true if you really mean it"
    )]
    InsecureHttp {
        /// The configured endpoint.
        endpoint: String,
    },
    /// Logto could not be reached at all.
    #[error(
        "cannot reach Logto at {url}: {reason}; check LOGTO_ENDPOINT and that Logto is running \
         and reachable from here"
    )]
    Unreachable {
        /// What was requested (no secret in it).
        url: String,
        /// The network error.
        reason: String,
    },
    /// The token endpoint answered 401: wrong app id or secret.
    #[error(
        "Logto rejected the machine-to-machine app credentials (401 from {url}{}): check \
         LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET against the app in Logto Console > \
         Applications",
        detail(.code, .message)
    )]
    BadCredentials {
        /// The token endpoint.
        url: String,
        /// Logto's error code, if it sent one.
        code: Option<String>,
        /// Logto's error message, if it sent one.
        message: Option<String>,
    },
    /// The token endpoint does not know the Management API identifier.
    #[error(
        "Logto does not know the Management API resource {resource} (400 from {url}{}): on \
         Logto Cloud it is https://<tenant-id>.logto.app/api, self-hosted \
         https://default.logto.app/api; set LOGTO_MANAGEMENT_RESOURCE to it",
        detail(.code, .message)
    )]
    UnknownManagementResource {
        /// The resource asked for.
        resource: String,
        /// The token endpoint.
        url: String,
        /// Logto's error code, if it sent one.
        code: Option<String>,
        /// Logto's error message, if it sent one.
        message: Option<String>,
    },
    /// The Management API answered 401: it did not accept the access token.
    #[error(
        "Logto's Management API did not accept the access token (401 for {request}{}): check \
         LOGTO_M2M_APP_ID and LOGTO_M2M_APP_SECRET, and that the token is for this tenant's \
         Management API ({resource}; set LOGTO_MANAGEMENT_RESOURCE if that is wrong)",
        detail(.code, .message)
    )]
    TokenRejected {
        /// The request, e.g. `GET /api/resources?page=1&page_size=100`.
        request: String,
        /// The Management API identifier the token was asked for.
        resource: String,
        /// Logto's error code, if it sent one.
        code: Option<String>,
        /// Logto's error message, if it sent one.
        message: Option<String>,
    },
    /// The app may not use the Management API (403).
    #[error(
        "the machine-to-machine app has no access to Logto's Management API (403 for {request}{}): \
         in Logto Console > Applications > your app > Roles, assign a machine-to-machine role \
         that has the Logto Management API permission `all`",
        detail(.code, .message)
    )]
    Forbidden {
        /// The request.
        request: String,
        /// Logto's error code, if it sent one.
        code: Option<String>,
        /// Logto's error message, if it sent one.
        message: Option<String>,
    },
    /// The tenant's Logto Cloud plan allows no more of something (403
    /// `subscription.limit_exceeded`): webhooks, resources, permissions.
    #[error(
        "Logto refused {request} because the tenant reached a limit of its plan (403{}): \
         delete what is no longer used in Logto Console, or upgrade the plan, then run sync \
         again",
        detail(.code, .message)
    )]
    PlanLimit {
        /// The request.
        request: String,
        /// Logto's error code, if it sent one.
        code: Option<String>,
        /// Logto's error message, if it sent one.
        message: Option<String>,
    },
    /// Several Logto webhooks could be the one `sync --webhook` manages.
    #[error(
        "Logto has several webhooks {found} (ids {ids}), and sync manages exactly one, so it \
         cannot tell which is this API's: delete all but one in Logto Console > Webhooks, then \
         run sync again"
    )]
    AmbiguousWebhook {
        /// What they share, e.g. `that send to https://api.example.com/logto/webhook`.
        found: String,
        /// Their Logto ids, comma-separated.
        ids: String,
    },
    /// The webhook with `sync`'s name sends to another host than the URL asked for: it may be
    /// another deployment's (the name comes from the program's name unless `--webhook-name`
    /// gives one), so it is not moved.
    #[error(
        "Logto's webhook {name:?} sends to {origin}, another host than --webhook: it may be \
         another deployment's that uses the same name, so sync does not move it; if it is this \
         API's old webhook, delete it in Logto Console > Webhooks and run sync again, else give \
         this API's webhook a name that no other deployment uses, with --webhook-name"
    )]
    WebhookOfAnotherHost {
        /// The webhook's name.
        name: String,
        /// The origin it sends to now: not its path, which may hold a secret (as a Slack
        /// webhook's does).
        origin: String,
    },
    /// The webhook with `sync`'s name, found by that name alone, sends events that revocation
    /// does not use: it is another integration's (a name given with `--webhook-name` can be
    /// anyone's), so it is not taken over.
    #[error(
        "Logto's webhook {name:?} sends {events} to {origin}, events that revocation does not \
         use: it is another integration's, so sync does not take it over; give this API's \
         webhook a name that no other webhook has, with --webhook-name"
    )]
    WebhookOfOtherEvents {
        /// The webhook's name.
        name: String,
        /// Its events, comma-separated.
        events: String,
        /// The origin it sends to: not its path, which may hold a secret.
        origin: String,
    },
    /// Any other failed answer.
    #[error(
        "unexpected answer from Logto to {request}: {status}{}; check that LOGTO_ENDPOINT is \
         your Logto, and Logto's logs (if it changed meanwhile, run sync again)",
        detail(.code, .message)
    )]
    Unexpected {
        /// The request.
        request: String,
        /// The HTTP status.
        status: u16,
        /// Logto's error code (`code`, or OAuth's `error`), if it sent one.
        code: Option<String>,
        /// Logto's error message (`message`, or `error_description`), if it sent one.
        message: Option<String>,
    },
    /// A successful answer that is not what Logto sends.
    #[error(
        "Logto's answer to {request} is not what its Management API sends ({reason}); check \
         that LOGTO_ENDPOINT points at Logto itself, not a proxy or another service"
    )]
    InvalidResponse {
        /// The request.
        request: String,
        /// What was wrong.
        reason: String,
    },
    /// [`Management::apply`] got a plan that another connection made.
    #[error(
        "the plan has no Logto id for the {what}: it was made against another Logto; make a \
         new plan with the same connection"
    )]
    StalePlan {
        /// What the plan lacks an id for.
        what: String,
    },
}

/// `", code `x`: message"` for an error message, or nothing.
fn detail(code: &Option<String>, message: &Option<String>) -> String {
    match (code, message) {
        (Some(code), Some(message)) => format!(", {code}: {message}"),
        (Some(code), None) => format!(", {code}"),
        (None, Some(message)) => format!(", {message}"),
        (None, None) => String::new(),
    }
}

/// The error body of Logto (`code`, `message`) or of its OAuth endpoints (`error`,
/// `error_description`).
#[derive(Debug, Default)]
struct ManagementErrorBody {
    code: Option<String>,
    message: Option<String>,
}

impl ManagementErrorBody {
    /// Logto's error code and message from a failed answer; nothing when the body is
    /// unreadable, too large or not Logto's JSON (the status still says what failed).
    async fn read(response: Response, request: &str) -> Self {
        let Ok(text) = read_body(response, request, ReadLimit::Body).await else {
            return Self::default();
        };
        let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
            return Self::default();
        };
        let field = |names: [&str; 2]| {
            names
                .iter()
                .find_map(|name| json.get(name)?.as_str())
                .map(|value| value.chars().take(300).collect::<String>())
        };
        Self {
            code: field(["code", "error"]),
            message: field(["message", "error_description"]),
        }
    }
}

/// Which of Logto's endpoints answered: the same status means something else at each.
enum Endpoint<'a> {
    /// `POST <endpoint>/oidc/token`, at this URL, for this Management API resource.
    Token { url: &'a str, resource: &'a str },
    /// The Management API (`/api/...`), with a token for this resource.
    ManagementApi { resource: &'a str },
}

/// The [`SyncError`] for a failed answer of `endpoint` to `request`, with Logto's error code
/// and message from its body.
async fn failure(response: Response, request: String, endpoint: Endpoint<'_>) -> SyncError {
    let status = response.status();
    let ManagementErrorBody { code, message } = ManagementErrorBody::read(response, &request).await;
    match (endpoint, status) {
        (Endpoint::Token { url, .. }, StatusCode::UNAUTHORIZED) => SyncError::BadCredentials {
            url: url.to_owned(),
            code,
            message,
        },
        (Endpoint::Token { url, resource }, StatusCode::BAD_REQUEST)
            if code.as_deref() == Some("invalid_target") =>
        {
            SyncError::UnknownManagementResource {
                resource: resource.to_owned(),
                url: url.to_owned(),
                code,
                message,
            }
        }
        (Endpoint::ManagementApi { resource }, StatusCode::UNAUTHORIZED) => {
            SyncError::TokenRejected {
                request,
                resource: resource.to_owned(),
                code,
                message,
            }
        }
        (Endpoint::ManagementApi { .. }, StatusCode::FORBIDDEN)
            if code.as_deref() == Some(PLAN_LIMIT_CODE) =>
        {
            SyncError::PlanLimit {
                request,
                code,
                message,
            }
        }
        (Endpoint::ManagementApi { .. }, StatusCode::FORBIDDEN) => SyncError::Forbidden {
            request,
            code,
            message,
        },
        _ => SyncError::Unexpected {
            request,
            status: status.as_u16(),
            code,
            message,
        },
    }
}

/// An API resource as Logto lists it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RemoteResource {
    pub(crate) id: String,
    pub(crate) indicator: String,
}

/// A scope (permission) of a resource, or an organization scope, as Logto lists it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RemoteScope {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
}

/// A webhook as Logto lists it (`Hooks` row), without its signing key.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct RemoteHook {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) events: Vec<String>,
    pub(crate) config: HookConfig,
    #[serde(default = "enabled_by_default")]
    pub(crate) enabled: bool,
}

/// Logto's default for `enabled`.
fn enabled_by_default() -> bool {
    true
}

/// A webhook's `config` (`url`, `headers`, the deprecated `retries`): kept whole so that an
/// update changes only its `url`, as Logto replaces `config` whole. `Debug` shows the URL
/// alone: the headers may hold credentials of the receiving side.
#[derive(Clone, Deserialize)]
pub(crate) struct HookConfig(serde_json::Map<String, serde_json::Value>);

impl HookConfig {
    /// The URL Logto posts to (`""` when absent).
    pub(crate) fn url(&self) -> &str {
        self.0
            .get("url")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
    }

    /// The same config sending to `url`.
    pub(crate) fn with_url(&self, url: &str) -> serde_json::Value {
        let mut config = self.0.clone();
        config.insert("url".to_owned(), url.into());
        serde_json::Value::Object(config)
    }
}

impl fmt::Debug for HookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HookConfig")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

/// Logto's answer to `POST /api/hooks`: the new hook's id and the signing key it generated.
/// No `Debug`: the key must never reach a log.
#[derive(Deserialize)]
pub(crate) struct CreatedHook {
    pub(crate) id: String,
    #[serde(rename = "signingKey")]
    pub(crate) signing_key: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    scope: Option<String>,
}

/// A connection to Logto's Management API, authenticated as a machine-to-machine app.
///
/// ```no_run
/// use logto_guard::manifest::{Management, ManagementConfig, Manifest, Prune};
///
/// # async fn sync() -> Result<(), logto_guard::manifest::SyncError> {
/// let management = Management::connect(&ManagementConfig::from_env()?).await?;
/// let plan = management.plan(&Manifest::collect(), Prune::NOTHING).await?;
/// println!("{plan}");
/// management.apply(&plan).await?;
/// # Ok(())
/// # }
/// ```
pub struct Management {
    http: reqwest::Client,
    endpoint: Url,
    resource: String,
    token: String,
    page_size: u32,
}

impl fmt::Debug for Management {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Management")
            .field("endpoint", &self.endpoint.as_str())
            .field("resource", &self.resource)
            .finish_non_exhaustive()
    }
}

impl Management {
    /// Gets a Management API token from `<endpoint>/oidc/token` (client credentials, HTTP
    /// Basic authentication with the form-urlencoded app id and secret as RFC 6749 §2.3.1
    /// says, `scope=all`, `resource` = the Management API identifier). No response body is
    /// read beyond [`MAX_RESPONSE_BYTES`], here or in any later request, and no paginated list
    /// beyond [`MAX_LISTING_BYTES`] in all.
    ///
    /// # Errors
    ///
    /// A bad endpoint, Logto unreachable, bad credentials (401), an unknown Management API
    /// resource, a token without the permission `all`, or another unexpected answer.
    pub async fn connect(config: &ManagementConfig) -> Result<Self, SyncError> {
        let endpoint = config.endpoint_url()?;
        let resource = config.management_api_resource();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            // Never forward the credentials or the token somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SyncError::Unreachable {
                url: endpoint.to_string(),
                reason: describe_error(&e.without_url()),
            })?;
        let token_url = join(&endpoint, &["oidc", "token"]);
        let request = format!("POST {}", token_url.path());
        tracing::debug!(%request, %resource, "requesting a Management API token");
        // RFC 6749 §2.3.1: the client id and secret are form-urlencoded before Basic
        // authentication, so that a `:` or `%` in them survives.
        let response = http
            .post(token_url.clone())
            .basic_auth(
                form_urlencode(&config.app_id),
                Some(form_urlencode(&config.app_secret)),
            )
            .form(&[
                ("grant_type", "client_credentials"),
                ("resource", resource.as_str()),
                ("scope", "all"),
            ])
            .send()
            .await
            .map_err(|e| SyncError::Unreachable {
                url: token_url.to_string(),
                reason: describe_error(&e.without_url()),
            })?;
        if !response.status().is_success() {
            let url = token_url.to_string();
            let endpoint = Endpoint::Token {
                url: &url,
                resource: &resource,
            };
            return Err(failure(response, request, endpoint).await);
        }
        let token: TokenResponse = parse(response, &request).await?;
        if let Some(scope) = &token.scope
            && !scope.split_whitespace().any(|s| s == "all")
        {
            return Err(SyncError::Forbidden {
                request,
                code: None,
                message: Some("the token Logto issued lacks the permission `all`".to_owned()),
            });
        }
        tracing::debug!(endpoint = %endpoint, "connected to Logto's Management API");
        Ok(Self {
            http,
            endpoint,
            resource,
            token: token.access_token,
            page_size: config.page_size,
        })
    }

    /// The Logto endpoint.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str()
    }

    /// Every API resource (`GET /api/resources`, all pages).
    pub(crate) async fn resources(&self) -> Result<Vec<RemoteResource>, SyncError> {
        self.get_all(&["api", "resources"]).await
    }

    /// Every scope of a resource (`GET /api/resources/{id}/scopes`, all pages).
    pub(crate) async fn scopes(&self, resource_id: &str) -> Result<Vec<RemoteScope>, SyncError> {
        self.get_all(&["api", "resources", resource_id, "scopes"])
            .await
    }

    /// `POST /api/resources`; returns the new resource's id.
    pub(crate) async fn create_resource(
        &self,
        name: &str,
        indicator: &str,
    ) -> Result<String, SyncError> {
        let body = serde_json::json!({ "name": name, "indicator": indicator });
        let (response, request) = self
            .send(Method::POST, &["api", "resources"], Some(body))
            .await?;
        let created: RemoteResource = parse(response, &request).await?;
        Ok(created.id)
    }

    /// `POST /api/resources/{id}/scopes`.
    pub(crate) async fn create_scope(
        &self,
        resource_id: &str,
        name: &str,
        description: &str,
    ) -> Result<(), SyncError> {
        let body = serde_json::json!({ "name": name, "description": description });
        let path = ["api", "resources", resource_id, "scopes"];
        let (response, request) = self.send(Method::POST, &path, Some(body)).await?;
        let _: RemoteScope = parse(response, &request).await?;
        Ok(())
    }

    /// `PATCH /api/resources/{id}/scopes/{scopeId}` with a new description.
    pub(crate) async fn update_scope_description(
        &self,
        resource_id: &str,
        scope_id: &str,
        description: &str,
    ) -> Result<(), SyncError> {
        let body = serde_json::json!({ "description": description });
        let path = ["api", "resources", resource_id, "scopes", scope_id];
        let (response, request) = self.send(Method::PATCH, &path, Some(body)).await?;
        let _: RemoteScope = parse(response, &request).await?;
        Ok(())
    }

    /// `DELETE /api/resources/{id}/scopes/{scopeId}`.
    pub(crate) async fn delete_scope(
        &self,
        resource_id: &str,
        scope_id: &str,
    ) -> Result<(), SyncError> {
        let path = ["api", "resources", resource_id, "scopes", scope_id];
        self.send(Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// Every organization permission (`GET /api/organization-scopes`, all pages).
    pub(crate) async fn organization_scopes(&self) -> Result<Vec<RemoteScope>, SyncError> {
        self.get_all(&["api", "organization-scopes"]).await
    }

    /// `POST /api/organization-scopes`.
    pub(crate) async fn create_organization_scope(
        &self,
        name: &str,
        description: &str,
    ) -> Result<(), SyncError> {
        let body = serde_json::json!({ "name": name, "description": description });
        let path = ["api", "organization-scopes"];
        let (response, request) = self.send(Method::POST, &path, Some(body)).await?;
        let _: RemoteScope = parse(response, &request).await?;
        Ok(())
    }

    /// `PATCH /api/organization-scopes/{id}` with a new description.
    pub(crate) async fn update_organization_scope_description(
        &self,
        scope_id: &str,
        description: &str,
    ) -> Result<(), SyncError> {
        let body = serde_json::json!({ "description": description });
        let path = ["api", "organization-scopes", scope_id];
        let (response, request) = self.send(Method::PATCH, &path, Some(body)).await?;
        let _: RemoteScope = parse(response, &request).await?;
        Ok(())
    }

    /// `DELETE /api/organization-scopes/{id}`.
    pub(crate) async fn delete_organization_scope(&self, scope_id: &str) -> Result<(), SyncError> {
        let path = ["api", "organization-scopes", scope_id];
        self.send(Method::DELETE, &path, None).await?;
        Ok(())
    }

    /// Every webhook (`GET /api/hooks`, all pages). Logto's answer holds each one's signing
    /// key, which [`RemoteHook`] does not keep.
    pub(crate) async fn hooks(&self) -> Result<Vec<RemoteHook>, SyncError> {
        self.get_all(&["api", "hooks"]).await
    }

    /// `POST /api/hooks` with `body`: Logto creates the hook with a signing key of its own
    /// making, and answers with both.
    pub(crate) async fn create_hook(
        &self,
        body: serde_json::Value,
    ) -> Result<CreatedHook, SyncError> {
        let (response, request) = self
            .send(Method::POST, &["api", "hooks"], Some(body))
            .await?;
        let created: CreatedHook = parse(response, &request).await?;
        if created.signing_key.is_empty() {
            return Err(SyncError::InvalidResponse {
                request,
                reason: "its signingKey is empty".to_owned(),
            });
        }
        Ok(created)
    }

    /// `PATCH /api/hooks/{id}` with `body` (Logto replaces `config` whole).
    pub(crate) async fn update_hook(
        &self,
        hook_id: &str,
        body: serde_json::Value,
    ) -> Result<(), SyncError> {
        let path = ["api", "hooks", hook_id];
        let (response, request) = self.send(Method::PATCH, &path, Some(body)).await?;
        let _: RemoteHook = parse(response, &request).await?;
        Ok(())
    }

    /// Every item of a paginated list: `page` from 1, `page_size`, until `Total-Number`; no
    /// more than [`MAX_LISTING_BYTES`] read in all.
    async fn get_all<T: DeserializeOwned>(&self, path: &[&str]) -> Result<Vec<T>, SyncError> {
        let mut items = Vec::new();
        let mut limit = ReadLimit::Listing { read: 0 };
        for page in 1..=MAX_PAGES {
            let query = [
                ("page", page.to_string()),
                ("page_size", self.page_size.to_string()),
            ];
            let (response, request) = self
                .send_with_query(Method::GET, path, &query, None)
                .await?;
            let total = response
                .headers()
                .get("total-number")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<usize>().ok());
            let text = read_body(response, &request, limit).await?;
            limit = limit.after(text.len());
            let batch: Vec<T> = parse_json(&text, &request)?;
            let fetched = batch.len();
            items.extend(batch);
            let done = match total {
                Some(total) => items.len() >= total,
                // Without a total, a short page is the last one.
                None => fetched < self.page_size as usize,
            };
            if done || fetched == 0 {
                return Ok(items);
            }
        }
        Err(SyncError::InvalidResponse {
            request: format!("GET {}", join(&self.endpoint, path).path()),
            reason: format!("more than {MAX_PAGES} pages"),
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &[&str],
        body: Option<serde_json::Value>,
    ) -> Result<(Response, String), SyncError> {
        self.send_with_query(method, path, &[], body).await
    }

    /// Sends one authenticated request; a failed status becomes the matching [`SyncError`].
    /// Returns the response and the request's description (`METHOD /path?query`).
    async fn send_with_query(
        &self,
        method: Method,
        path: &[&str],
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
    ) -> Result<(Response, String), SyncError> {
        let mut url = join(&self.endpoint, path);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (key, value) in query {
                pairs.append_pair(key, value);
            }
        }
        let request = match url.query() {
            Some(query) => format!("{method} {}?{query}", url.path()),
            None => format!("{method} {}", url.path()),
        };
        tracing::debug!(%request, "Logto Management API");
        let mut builder = self
            .http
            .request(method, url.clone())
            .bearer_auth(&self.token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        let response = builder.send().await.map_err(|e| SyncError::Unreachable {
            url: url.to_string(),
            reason: describe_error(&e.without_url()),
        })?;
        if response.status().is_success() {
            return Ok((response, request));
        }
        let endpoint = Endpoint::ManagementApi {
            resource: &self.resource,
        };
        Err(failure(response, request, endpoint).await)
    }
}

/// `base` with `segments` appended to its path, each percent-encoded.
fn join(base: &Url, segments: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// `value` as `application/x-www-form-urlencoded` (RFC 6749 Appendix B).
fn form_urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The JSON body of a successful answer to `request`, read with [`read_body`].
async fn parse<T: DeserializeOwned>(response: Response, request: &str) -> Result<T, SyncError> {
    parse_json(
        &read_body(response, request, ReadLimit::Body).await?,
        request,
    )
}

/// `text`, the body of the answer to `request`, as JSON.
fn parse_json<T: DeserializeOwned>(text: &str, request: &str) -> Result<T, SyncError> {
    serde_json::from_str(text).map_err(|e| SyncError::InvalidResponse {
        request: request.to_owned(),
        reason: format!("unexpected JSON: {e}"),
    })
}

/// How much a body may still take: one answer's [`MAX_RESPONSE_BYTES`], or within a paginated
/// list also what is left of its [`MAX_LISTING_BYTES`].
#[derive(Debug, Clone, Copy)]
enum ReadLimit {
    /// A single answer.
    Body,
    /// A page of a list, after `read` bytes of its earlier pages.
    Listing { read: usize },
}

impl ReadLimit {
    /// The most bytes the next body may have.
    fn bytes(self) -> usize {
        match self {
            Self::Body => MAX_RESPONSE_BYTES,
            Self::Listing { read } => {
                MAX_RESPONSE_BYTES.min(MAX_LISTING_BYTES.saturating_sub(read))
            }
        }
    }

    /// The limit for the next page, after a body of `bytes`.
    fn after(self, bytes: usize) -> Self {
        match self {
            Self::Body => Self::Body,
            Self::Listing { read } => Self::Listing {
                read: read.saturating_add(bytes),
            },
        }
    }

    /// Why a body over [`bytes`](Self::bytes) is refused: the one limit it hit.
    fn exceeded(self) -> String {
        if self.bytes() < MAX_RESPONSE_BYTES {
            format!(
                "its pages add up to more than {MAX_LISTING_BYTES} bytes, the most sync reads of \
                 one list"
            )
        } else {
            format!("its body is larger than {MAX_RESPONSE_BYTES} bytes, the most sync reads")
        }
    }
}

/// The body of any answer to `request`, read chunk by chunk and never beyond `limit`: every
/// body `sync` reads goes through here.
async fn read_body(
    response: Response,
    request: &str,
    limit: ReadLimit,
) -> Result<String, SyncError> {
    let invalid = |reason: String| SyncError::InvalidResponse {
        request: request.to_owned(),
        reason,
    };
    let body = read_limited(response, limit.bytes())
        .await
        .map_err(|error| match error {
            BodyError::TooLarge => invalid(limit.exceeded()),
            BodyError::Read(error) => invalid(describe_error(&error.without_url())),
        })?;
    String::from_utf8(body).map_err(|_| SyncError::InvalidResponse {
        request: request.to_owned(),
        reason: "its body is not UTF-8".to_owned(),
    })
}
