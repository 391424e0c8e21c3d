//! Where the keys and the issuer are, and the knobs of validation.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::algorithm::Algorithm;
use crate::client_group::check_group_name;
use crate::resource_indicator::{ResourceIndicatorError, check_resource_indicator};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::signing_key::SigningKey;

/// Where the fairing receives Logto's webhooks unless
/// [`Config::webhook_path`] says otherwise.
pub const DEFAULT_WEBHOOK_PATH: &str = "/logto/webhook";

/// The one algorithm an RSA key published without `alg` verifies unless
/// [`Config::algorithms`] says otherwise: what Logto signs with its RSA keys.
pub const DEFAULT_RSA_ALGORITHM: Algorithm = Algorithm::RS256;

/// How to find and trust a Logto tenant, and the knobs of validation.
///
/// Deserializes from the `logto` table of Rocket's config (durations in seconds, fractions
/// allowed), whose keys are the names of the setters below (`resources` and `public_routes`
/// for the lists that [`resource`](Self::resource) and [`public_route`](Self::public_route)
/// add to); in code, start from
/// [`Config::new`] or [`Config::with_issuer`] and chain the setters. Those are the only two
/// ways in: the fields are private, so a new knob never breaks a caller. Each setter states
/// its default. Checked by [`Config::check`], which the validator and the fairing call, so a
/// bad value fails at start-up with a message that says what to fix.
///
/// ```
/// use std::time::Duration;
/// use logto_guard::Config;
///
/// let config = Config::new("https://my-tenant.logto.app")
///     .resource("https://api.example.com")
///     .leeway(Duration::from_secs(30));
/// config.check()?;
/// # Ok::<(), logto_guard::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub(crate) endpoint: Option<String>,
    pub(crate) issuer: Option<String>,
    jwks_uri: Option<String>,
    pub(crate) custom_domains: Vec<String>,
    pub(crate) extra_issuers: Vec<String>,
    pub(crate) resources: Vec<String>,
    pub(crate) organization_tokens: bool,
    pub(crate) clients: BTreeMap<String, Vec<String>>,
    pub(crate) realm: String,
    #[serde(with = "seconds")]
    pub(crate) leeway: Duration,
    #[serde(with = "seconds")]
    pub(crate) keys_max_age: Duration,
    #[serde(with = "seconds")]
    pub(crate) keys_max_stale: Duration,
    #[serde(with = "seconds")]
    pub(crate) unknown_kid_cooldown: Duration,
    #[serde(with = "seconds")]
    pub(crate) failed_fetch_backoff: Duration,
    #[serde(with = "seconds")]
    pub(crate) fetch_timeout: Duration,
    pub(crate) max_jwks_bytes: usize,
    pub(crate) require_typ: bool,
    algorithms: Option<Vec<Algorithm>>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) token_cache_bytes: usize,
    pub(crate) resource_metadata: bool,
    pub(crate) public_url: Option<String>,
    pub(crate) route_audit: RouteAudit,
    pub(crate) public_routes: Vec<String>,
    pub(crate) require_keys_at_launch: bool,
    #[serde(
        skip_serializing,
        deserialize_with = "crate::signing_key::deserialize_key"
    )]
    pub(crate) webhook_signing_key: Option<SigningKey>,
    pub(crate) webhook_path: String,
    #[serde(with = "seconds")]
    pub(crate) webhook_replay_window: Duration,
    #[serde(with = "seconds")]
    pub(crate) max_token_lifetime: Duration,
    #[cfg(feature = "redis")]
    #[serde(skip_serializing)]
    pub(crate) redis_url: Option<RedisUrl>,
}

/// A Redis URL as configured: `Debug` shows it without its password, and it is never
/// serialized.
#[cfg(feature = "redis")]
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub(crate) struct RedisUrl(String);

#[cfg(feature = "redis")]
impl RedisUrl {
    pub(crate) fn new(url: String) -> Self {
        Self(url)
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(feature = "redis")]
impl std::fmt::Debug for RedisUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", url_for_logs(&self.0))
    }
}

/// What the fairing does at ignite with a mounted route that is neither guarded
/// (`#[requires]`, `#[guarded]`) nor public (`#[public]`, [`Config::public_route`]).
///
/// ```
/// use logto_guard::{Config, RouteAudit};
///
/// let config = Config::new("https://my-tenant.logto.app").route_audit(RouteAudit::Deny);
/// # drop(config);
/// let parsed: RouteAudit = serde_json::from_str("\"warn\"")?;
/// assert_eq!(parsed, RouteAudit::Warn);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum RouteAudit {
    /// `deny` once the app uses the audit's vocabulary (a `#[public]` or `#[guarded]` in the
    /// binary, or a `public_routes` entry), `warn` before: an app that never heard of the
    /// audit keeps starting after an upgrade, and one that marks its routes is fail-closed.
    #[default]
    Auto,
    /// Abort ignite, naming every offending route and how to fix it.
    Deny,
    /// Log a warning for every offending route, and start.
    Warn,
    /// No audit.
    Off,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            endpoint: None,
            issuer: None,
            jwks_uri: None,
            custom_domains: Vec::new(),
            extra_issuers: Vec::new(),
            resources: Vec::new(),
            organization_tokens: false,
            clients: BTreeMap::new(),
            realm: "api".to_owned(),
            leeway: Duration::from_secs(60),
            keys_max_age: Duration::from_secs(600),
            keys_max_stale: Duration::from_secs(24 * 3600),
            unknown_kid_cooldown: Duration::from_secs(30),
            failed_fetch_backoff: Duration::from_secs(5),
            fetch_timeout: Duration::from_secs(5),
            max_jwks_bytes: 256 * 1024,
            require_typ: true,
            algorithms: None,
            allow_insecure_http: false,
            token_cache_bytes: 32 * 1024 * 1024,
            resource_metadata: false,
            public_url: None,
            route_audit: RouteAudit::Auto,
            public_routes: Vec::new(),
            require_keys_at_launch: false,
            webhook_signing_key: None,
            webhook_path: DEFAULT_WEBHOOK_PATH.to_owned(),
            webhook_replay_window: Duration::from_secs(300),
            max_token_lifetime: Duration::from_secs(3600),
            #[cfg(feature = "redis")]
            redis_url: None,
        }
    }
}

/// A configuration that cannot work, with what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Neither `endpoint` nor `issuer` is set.
    #[error(
        "no Logto endpoint configured: set `endpoint` to your Logto URL (e.g. \
         https://<tenant>.logto.app), with `LOGTO_ENDPOINT` or the `logto` table of Rocket.toml"
    )]
    MissingEndpoint,
    /// `endpoint` ends in `/oidc`: that is the issuer, and the endpoint is the URL before it.
    #[error(
        "`endpoint` {endpoint} ends in /oidc, which the issuer adds: set `endpoint` to {logto} \
         (the issuer is then {logto}/oidc)"
    )]
    EndpointIsIssuer {
        /// The configured endpoint, as logged.
        endpoint: String,
        /// The endpoint it means: the same URL without `/oidc`.
        logto: String,
    },
    /// Both `endpoint` and `issuer` are set.
    #[error("set either `endpoint` or `issuer`, not both")]
    EndpointAndIssuer,
    /// A `custom_domains` entry ends in `/oidc`: that is an issuer, and the domain is the URL
    /// before it.
    #[error(
        "custom domain {domain} ends in /oidc, which the issuer adds: list {logto} in \
         `custom_domains` (the issuer is then {logto}/oidc)"
    )]
    CustomDomainIsIssuer {
        /// The configured domain, as logged.
        domain: String,
        /// The domain it means: the same URL without `/oidc`.
        logto: String,
    },
    /// `custom_domains` without `endpoint`: they are domains of the Logto at `endpoint`.
    #[error(
        "`custom_domains` are other domains of the Logto at `endpoint`, which is not set: set \
         `endpoint`, or with `issuer` list the other issuers in `extra_issuers`"
    )]
    CustomDomainsWithoutEndpoint,
    /// `extra_issuers` without `issuer`: with `endpoint`, other domains are `custom_domains`.
    #[error(
        "`extra_issuers` go with `issuer`; with `endpoint`, list the other domains of your Logto \
         in `custom_domains` (without /oidc)"
    )]
    ExtraIssuersWithoutIssuer,
    /// Two configured issuers are the same (a custom domain listed twice, or equal to the
    /// endpoint).
    #[error("issuer {issuer} is configured twice: list each domain or issuer once")]
    DuplicateIssuer {
        /// The issuer, as logged.
        issuer: String,
    },
    /// A URL that is not absolute `http(s)://`.
    #[error("`{field}` must be an absolute http(s) URL such as https://<tenant>.logto.app")]
    InvalidUrl {
        /// The config field.
        field: &'static str,
    },
    /// A URL with a query or fragment, which an issuer cannot have.
    #[error("`{field}` must not have a query or a fragment")]
    UrlWithQuery {
        /// The config field.
        field: &'static str,
    },
    /// A URL with a user name or password in it (`https://user:password@host`): it would be
    /// sent along and could end up in logs, and nothing Logto serves needs it.
    #[error(
        "`{field}` must not contain a user name or password (user:password@host): they would \
         end up in logs; remove them"
    )]
    UrlWithCredentials {
        /// The config field.
        field: &'static str,
    },
    /// `http://` to a non-loopback host.
    #[error(
        "`{field}` uses plain http:// to a host that is not loopback; use https://, or set \
         `allow_insecure_http = true` if you really mean it"
    )]
    InsecureHttp {
        /// The config field.
        field: &'static str,
    },
    /// `max_jwks_bytes` is zero: no key set could be read.
    #[error(
        "`max_jwks_bytes` must be greater than zero, or no key set could be read: set it to a \
         positive number of bytes (default 262144)"
    )]
    ZeroMaxJwksBytes,
    /// A duration outside its range; the message states the range and what goes wrong
    /// outside it.
    #[error("{}", out_of_range_message(field, *value, *min, *max))]
    DurationOutOfRange {
        /// The config field.
        field: &'static str,
        /// The configured value.
        value: Duration,
        /// The shortest accepted value.
        min: Duration,
        /// The longest accepted value.
        max: Duration,
    },
    /// `keys_max_stale` is not longer than `keys_max_age`.
    #[error(
        "`keys_max_stale` must be greater than `keys_max_age`, or keys would be dropped the \
         moment their background refresh is due: raise `keys_max_stale` (default 86400 s, 24 h)"
    )]
    MaxStaleNotAboveMaxAge,
    /// `algorithms` is empty.
    #[error(
        "`algorithms` must list at least one of ES256, ES384, ES512, RS256, RS384, RS512, PS256, \
         PS384, PS512, EdDSA (none and HMAC are never accepted)"
    )]
    InvalidAlgorithms,
    /// A resource indicator that is not an absolute URI without fragment (RFC 8707).
    #[error("{problem}: `{resource}`")]
    InvalidResource {
        /// The resource indicator, as configured.
        resource: String,
        /// What is wrong with it.
        problem: ResourceIndicatorError,
    },
    /// `public_url` is not an origin.
    #[error(
        "`public_url` must be the origin clients reach this API at, such as \
         https://api.example.com: http(s), with no path, query or fragment"
    )]
    InvalidPublicUrl,
    /// `webhook_signing_key` is set but empty.
    #[error(
        "`webhook_signing_key` is empty: copy the signing key of the webhook from Logto's \
         console (Webhooks > your webhook > Signing key), or remove the setting"
    )]
    EmptyWebhookSigningKey,
    /// `webhook_path` is not a plain absolute path.
    #[error(
        "`webhook_path` `{0}` must be a plain absolute path such as \"/logto/webhook\": starting \
         with /, without query, fragment, spaces or <dynamic> segments"
    )]
    InvalidWebhookPath(String),
    /// `redis_url` is not a Redis URL (feature `redis`).
    #[cfg(feature = "redis")]
    #[error(
        "`redis_url` must be a Redis URL such as redis://127.0.0.1:6379/ (or rediss:// for TLS, \
         redis+unix:///path for a socket)"
    )]
    InvalidRedisUrl,
    /// A client group whose name is not a lowercase identifier, or that lists no client id.
    #[error("client group `{group}` in `clients`: {problem}")]
    InvalidClientGroup {
        /// The group's name, as configured.
        group: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A `public_routes` entry that is not `"/path"` or `"METHOD /path"`.
    #[error(
        "public route `{0}` must be a mounted path such as \"/health\" or \"/orders/<id>\", \
         optionally after a method: \"GET /metrics\""
    )]
    InvalidPublicRoute(String),
}

impl Config {
    /// A config for the Logto at `endpoint`: `https://<tenant>.logto.app`, or your self-hosted
    /// URL (without `/oidc`). Tokens must then carry issuer `<endpoint>/oidc`, and the keys
    /// are fetched from `<endpoint>/oidc/jwks`. Config key `endpoint`.
    #[must_use]
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: Some(endpoint.into()),
            ..Self::default()
        }
    }

    /// A config for an explicit issuer instead of a Logto endpoint: tokens must carry exactly
    /// `issuer`, and the key set is discovered from `<issuer>/.well-known/openid-configuration`
    /// unless [`jwks_uri`](Self::jwks_uri) is set. Config key `issuer`; set either it or
    /// `endpoint`, not both.
    #[must_use]
    pub fn with_issuer(issuer: impl Into<String>) -> Self {
        Self {
            issuer: Some(issuer.into()),
            ..Self::default()
        }
    }

    /// Fetches the signing keys from `uri` instead of `<endpoint>/oidc/jwks` or the URI that
    /// discovery names.
    ///
    /// _Default:_ derived from the endpoint, or discovered from the issuer.
    #[must_use]
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Adds a custom domain of the Logto tenant at the [endpoint](Self::new)
    /// (`https://auth.example.com`, without `/oidc`), as Logto Cloud serves a tenant on each of
    /// its domains: tokens with issuer `<domain>/oidc` are accepted too, verified with the keys
    /// at `<domain>/oidc/jwks` (the tenant's keys, served on every domain), which have a key
    /// cache of their own. A token's `iss` picks its issuer before anything is fetched. Only
    /// with an endpoint; the endpoint's URL rules apply. Config key `custom_domains`, a list
    /// (`LOGTO_CUSTOM_DOMAINS`, comma-separated, replaces it).
    ///
    /// _Default:_ none: only `<endpoint>/oidc` is trusted.
    ///
    /// ```
    /// use logto_guard::{Config, Validator};
    ///
    /// let config = Config::new("https://my-tenant.logto.app").custom_domain("https://auth.example.com");
    /// let validator = Validator::new(config)?;
    /// assert_eq!(
    ///     validator.issuers().collect::<Vec<_>>(),
    ///     ["https://my-tenant.logto.app/oidc", "https://auth.example.com/oidc"]
    /// );
    /// # Ok::<(), logto_guard::ConfigError>(())
    /// ```
    #[must_use]
    pub fn custom_domain(mut self, domain: impl Into<String>) -> Self {
        self.custom_domains.push(domain.into());
        self
    }

    /// Adds an issuer trusted beside the explicit one of [`with_issuer`](Self::with_issuer):
    /// tokens with exactly this `iss` are accepted too, verified with the keys at
    /// `<issuer>/jwks` (Logto's layout; neither [`jwks_uri`](Self::jwks_uri) nor discovery
    /// applies to it), which have a key cache of their own. Only with an explicit issuer (with
    /// an endpoint, use [`custom_domain`](Self::custom_domain)). Config key `extra_issuers`, a
    /// list.
    ///
    /// _Default:_ none.
    #[must_use]
    pub fn extra_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.extra_issuers.push(issuer.into());
        self
    }

    /// Adds an API resource indicator that a plain `AccessToken` guard (and
    /// [`Validator::validate`](crate::Validator::validate)) accepts as audience. With the
    /// fairing, the resources that the app's own **mounted** `#[requires(resource = ...)]`
    /// routes name are added; nothing else is. Config key `resources`, a list.
    ///
    /// _Default:_ none.
    #[must_use]
    pub fn resource(mut self, indicator: impl Into<String>) -> Self {
        self.resources.push(indicator.into());
        self
    }

    /// Whether a plain `AccessToken` or `Organization` guard (and
    /// [`Validator::validate`](crate::Validator::validate)) accepts tokens bound to a Logto
    /// organization: organization tokens (`aud` = `urn:logto:organization:<id>`) and
    /// organization-level API resource tokens (a resource plus `organization_id`). Which
    /// organization is not checked: compare it with the data yourself, or use
    /// `#[requires(organization = "<org_id>", ..)]`, whose routes do not need this.
    ///
    /// _Default:_ `false`: such a token is refused (401 for an organization token's audience,
    /// 403 for an organization-level resource token).
    #[must_use]
    pub fn organization_tokens(mut self, accept: bool) -> Self {
        self.organization_tokens = accept;
        self
    }

    /// Lists the client ids (Logto app ids) of the client group `name`, which
    /// `#[requires(clients = "<name>", ..)]` routes accept: a token whose `client_id` is not
    /// listed gets 403 `insufficient_scope`. A group a mounted route names but the config lacks
    /// aborts ignite. Names are lowercase letters, digits and `_`, starting with a letter; a
    /// group lists at least one id, matched exactly (see [`ClientGroup`](crate::ClientGroup) for
    /// Logto's dynamic `https://` client ids). Setting a group again replaces its ids. Config
    /// table `clients` (`[default.logto.clients]`, `billing = ["<app id>", ..]`); with the
    /// fairing, the environment variable `LOGTO_CLIENTS_<NAME>` (comma-separated,
    /// `LOGTO_CLIENTS_BILLING` for `billing`; an empty one counts as not set) replaces a
    /// group's ids.
    ///
    /// _Default:_ no group.
    ///
    /// ```
    /// use logto_guard::Config;
    ///
    /// let config = Config::new("https://my-tenant.logto.app")
    ///     .client_group("billing", ["kz7gq1xkmdq5rmxj1a3b2", "m4c8wy2b9fq0zr1v0s7t3"]);
    /// config.check()?;
    /// # Ok::<(), logto_guard::ConfigError>(())
    /// ```
    #[must_use]
    pub fn client_group(
        mut self,
        name: impl Into<String>,
        client_ids: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        self.clients.insert(
            name.into(),
            client_ids.into_iter().map(Into::into).collect(),
        );
        self
    }

    /// The clock skew tolerated on `exp`, `nbf` and `iat`: 0 to 300 s (5 min), so that seconds
    /// mistaken for milliseconds cannot accept tokens expired hours ago. Config key in seconds.
    ///
    /// _Default:_ 60 s.
    #[must_use]
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// How long a fetched key set is used before it is refreshed in the background: 0.1 s to
    /// 86400 s (24 h).
    ///
    /// _Default:_ 10 min.
    #[must_use]
    pub fn keys_max_age(mut self, max_age: Duration) -> Self {
        self.keys_max_age = max_age;
        self
    }

    /// How long keys keep serving while refreshes fail: past it they are dropped and requests
    /// get 503 until a fetch succeeds, so that a key Logto removed is not trusted forever by an
    /// instance cut off from Logto. Greater than [`keys_max_age`](Self::keys_max_age), at most
    /// 604800 s (7 days).
    ///
    /// _Default:_ 24 h.
    #[must_use]
    pub fn keys_max_stale(mut self, max_stale: Duration) -> Self {
        self.keys_max_stale = max_stale;
        self
    }

    /// The longest pause between refetches for unknown `kid`s that find no new key: 1 s to
    /// 600 s (10 min). The first such refetch holds the next ones back 1 s, each further one
    /// twice as long up to this; a whole cooldown without a hold starts over at 1 s. A refetch
    /// that finds a key never seen before (a rotation) holds nothing back.
    ///
    /// _Default:_ 30 s.
    #[must_use]
    pub fn unknown_kid_cooldown(mut self, cooldown: Duration) -> Self {
        self.unknown_kid_cooldown = cooldown;
        self
    }

    /// The pause after a failed fetch, before the next one: 0.1 s to 300 s (5 min). Clients
    /// get 503 with `Retry-After` meanwhile if no keys were ever fetched.
    ///
    /// _Default:_ 5 s.
    #[must_use]
    pub fn failed_fetch_backoff(mut self, backoff: Duration) -> Self {
        self.failed_fetch_backoff = backoff;
        self
    }

    /// The timeout of one key-set or discovery request: 0.1 s to 60 s.
    ///
    /// _Default:_ 5 s.
    #[must_use]
    pub fn fetch_timeout(mut self, timeout: Duration) -> Self {
        self.fetch_timeout = timeout;
        self
    }

    /// The largest key-set or discovery body accepted, in bytes; more than zero.
    ///
    /// _Default:_ 256 KiB.
    #[must_use]
    pub fn max_jwks_bytes(mut self, bytes: usize) -> Self {
        self.max_jwks_bytes = bytes;
        self
    }

    /// Whether the header `typ` must be `at+jwt` (RFC 9068), which Logto's access tokens carry.
    ///
    /// _Default:_ `true`.
    #[must_use]
    pub fn require_typ(mut self, require: bool) -> Self {
        self.require_typ = require;
        self
    }

    /// The accepted header algorithms. Each key verifies only its own (RFC 8725 §3.1): the
    /// `alg` of its JWK, or the one of its curve, or for an RSA key without `alg`
    /// [`DEFAULT_RSA_ALGORITHM`]; setting this list lets an RSA key without `alg` verify every
    /// RSA algorithm in it. At least one; `none` and HMAC are never accepted.
    ///
    /// _Default:_ [`Algorithm::ALL`].
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Whether `http://` URLs to hosts that are not loopback are allowed (keys fetched over
    /// plain HTTP can be replaced on the way).
    ///
    /// _Default:_ `false`.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// How many bytes of verified tokens to remember, so that a repeated token skips its
    /// signature check; 0 turns the cache off. Each entry weighs what it holds in memory: the
    /// token's SHA-256, its payload text and parsed claims, and the cache's bookkeeping
    /// (measured: 878 B for a 490-byte Logto-shaped token, 42 KiB for a 16 KiB token of 629
    /// scopes).
    ///
    /// _Default:_ 32 MiB (about 38,000 Logto-shaped tokens).
    #[must_use]
    pub fn token_cache_bytes(mut self, bytes: usize) -> Self {
        self.token_cache_bytes = bytes;
        self
    }

    /// Whether to serve OAuth 2.0 Protected Resource Metadata (RFC 9728) for each resource, at
    /// `/.well-known/oauth-protected-resource` plus the indicator's path, and name it in every
    /// challenge (`resource_metadata="..."`). The metadata URL is derived from the resource
    /// indicator (or [`public_url`](Self::public_url)), so turn this on only where clients
    /// reach the API at that URL; see the guide's
    /// [resource metadata](crate::guide::resource_metadata) page.
    ///
    /// _Default:_ `false`.
    #[must_use]
    pub fn resource_metadata(mut self, serve: bool) -> Self {
        self.resource_metadata = serve;
        self
    }

    /// The origin clients reach this API at (`https://api.example.com`), for the metadata URL
    /// when it is not the resource indicator's origin (or the indicator is not a URL).
    ///
    /// _Default:_ the resource indicator's origin.
    #[must_use]
    pub fn public_url(mut self, origin: impl Into<String>) -> Self {
        self.public_url = Some(origin.into());
        self
    }

    /// What the fairing does at ignite with a mounted route that is neither guarded nor
    /// public on purpose.
    ///
    /// _Default:_ [`RouteAudit::Auto`].
    #[must_use]
    pub fn route_audit(mut self, audit: RouteAudit) -> Self {
        self.route_audit = audit;
        self
    }

    /// Adds a route that is public on purpose, for the route audit: a mounted path as the
    /// route declares it (`"/health"`, `"/orders/<id>"`), for any method, or a method and a
    /// path (`"GET /metrics"`). Config key `public_routes`, a list.
    ///
    /// _Default:_ none.
    #[must_use]
    pub fn public_route(mut self, route: impl Into<String>) -> Self {
        self.public_routes.push(route.into());
        self
    }

    /// Whether to refuse to launch when the signing keys cannot be fetched at start-up: the
    /// fairing then fetches them at ignite, and a failure aborts the launch (the process exits
    /// non-zero), for deployments that prefer to crash-loop until Logto is reachable.
    ///
    /// _Default:_ `false`: the app serves anyway, and protected routes answer 503 until a
    /// fetch succeeds, as Logto may come up later.
    #[must_use]
    pub fn require_keys_at_launch(mut self, require: bool) -> Self {
        self.require_keys_at_launch = require;
        self
    }

    /// The signing key of the Logto webhook that reports revocations (Logto console: Webhooks >
    /// your webhook > Signing key). With it, the fairing receives the webhook at
    /// [`webhook_path`](Self::webhook_path) and the validator refuses the tokens of suspended
    /// and deleted users, of members removed from an organization and of deleted organizations
    /// (see [`revocation`](crate::revocation)); other frameworks pass the webhook to
    /// [`Validator::receive_webhook`](crate::Validator::receive_webhook). Config key
    /// `webhook_signing_key`, or the `LOGTO_WEBHOOK_SIGNING_KEY` environment variable with the
    /// fairing. Never logged, never serialized.
    ///
    /// _Default:_ none: no webhook is received, and only [`Validator::revoke`](crate::Validator::revoke)
    /// adds revocations.
    #[must_use]
    pub fn webhook_signing_key(mut self, key: impl Into<String>) -> Self {
        self.webhook_signing_key = Some(SigningKey::new(key.into()));
        self
    }

    /// The path the fairing receives Logto's webhook at (`POST`), once a
    /// [`webhook_signing_key`](Self::webhook_signing_key) is set: the endpoint URL to register
    /// in Logto is this API's origin plus this path.
    ///
    /// _Default:_ [`DEFAULT_WEBHOOK_PATH`], `/logto/webhook`.
    #[must_use]
    pub fn webhook_path(mut self, path: impl Into<String>) -> Self {
        self.webhook_path = path.into();
        self
    }

    /// How far a webhook's `createdAt` may be from now, either way: older events are refused
    /// as replays (400 `stale_event`), so that a captured delivery cannot be replayed later.
    /// Logto sends an event when it happens (10 s timeout), so this only needs to cover the
    /// clock difference between Logto and this API and Logto's retries: 10 s to 3600 s (1 h).
    ///
    /// _Default:_ 300 s (5 min).
    #[must_use]
    pub fn webhook_replay_window(mut self, window: Duration) -> Self {
        self.webhook_replay_window = window;
        self
    }

    /// The longest lifetime (`exp` - `iat`) of the tokens this API accepts: a revocation is kept
    /// that long after its event (plus the [`leeway`](Self::leeway)), when every token it
    /// covers has expired. Set it to the longest "Token expiration time" of the API resources
    /// whose tokens this API accepts (Logto's default is 3600 s; Logto sets no upper bound, and
    /// tenants created before 1.0 defaulted to 86400 s). A token seen living longer is reported
    /// once in a warning. 60 s to 2592000 s (30 days).
    ///
    /// _Default:_ 3600 s (1 h), Logto's default token expiration.
    #[must_use]
    pub fn max_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.max_token_lifetime = lifetime;
        self
    }

    /// Shares revocations through the Redis at `url` (feature `redis`): the instance that
    /// receives Logto's webhook stores each revocation there and publishes it, and every
    /// instance mirrors them in memory, loads them at start and after a lost connection, and
    /// writes back what Redis lacks. Requests never wait on Redis; while it is unreachable the
    /// revocations in memory stay enforced, a webhook whose revocations cannot be stored is
    /// answered 503 (enforced here at once, stored once Redis is back), and
    /// [`MetricsSnapshot::revocation_store`](crate::metrics::MetricsSnapshot::revocation_store)
    /// says so. Config key `redis_url`, or the `LOGTO_REDIS_URL` environment variable with the
    /// fairing. Never serialized; logged without its password.
    ///
    /// _Default:_ none: each instance enforces the webhooks it receives itself.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    #[must_use]
    pub fn redis_url(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(RedisUrl::new(url.into()));
        self
    }

    /// The `realm` of `WWW-Authenticate` challenges.
    ///
    /// _Default:_ `"api"`.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Self {
        self.realm = realm.into();
        self
    }

    /// The main issuer: `<endpoint>/oidc`, or the explicit issuer. Tokens may also carry
    /// those of the custom domains or extra issuers; see [`trusted_issuers`](Self::trusted_issuers).
    pub(crate) fn issuer(&self) -> Option<String> {
        match (&self.endpoint, &self.issuer) {
            (Some(endpoint), _) => Some(format!("{}/oidc", endpoint.trim_end_matches('/'))),
            (None, issuer) => issuer.clone(),
        }
    }

    /// Every issuer tokens may carry: [`issuer`](Self::issuer) first, then each custom
    /// domain's `<domain>/oidc` or each extra issuer, in the order configured.
    pub(crate) fn issuer_urls(&self) -> Vec<String> {
        self.trusted_issuers()
            .into_iter()
            .map(|(issuer, _)| issuer)
            .collect()
    }

    /// Every trusted issuer with the URL of its key set (`None`: discovered), the main one
    /// first.
    pub(crate) fn trusted_issuers(&self) -> Vec<(String, Option<String>)> {
        let Some(main) = self.issuer() else {
            return Vec::new();
        };
        let mut issuers = vec![(main, self.known_key_set_url())];
        let others = match self.endpoint {
            Some(_) => self
                .custom_domains
                .iter()
                .map(|domain| format!("{}/oidc", domain.trim_end_matches('/')))
                .collect(),
            None => self.extra_issuers.clone(),
        };
        issuers.extend(others.into_iter().map(|issuer| {
            let jwks = format!("{}/jwks", issuer.trim_end_matches('/'));
            (issuer, Some(jwks))
        }));
        issuers
    }

    /// Where the keys are when that is known without discovery.
    pub(crate) fn known_key_set_url(&self) -> Option<String> {
        match (&self.jwks_uri, &self.endpoint) {
            (Some(uri), _) => Some(uri.clone()),
            (None, Some(_)) => self.issuer().map(|issuer| format!("{issuer}/jwks")),
            (None, None) => None,
        }
    }

    /// The accepted header algorithms: the explicit list, or [`Algorithm::ALL`].
    pub(crate) fn accepted_algorithms(&self) -> &[Algorithm] {
        self.algorithms.as_deref().unwrap_or(Algorithm::ALL)
    }

    /// The algorithms an RSA key published without `alg` verifies: the RSA algorithms of an
    /// explicit `algorithms` list, or [`DEFAULT_RSA_ALGORITHM`] alone.
    pub(crate) fn rsa_algorithms_without_alg(&self) -> Vec<Algorithm> {
        match &self.algorithms {
            Some(explicit) => explicit
                .iter()
                .copied()
                .filter(|alg| alg.family() == crate::algorithm::KeyFamily::Rsa)
                .collect(),
            None => vec![DEFAULT_RSA_ALGORITHM],
        }
    }

    /// Checks that this config can work; the error says what to fix.
    ///
    /// ```
    /// use logto_guard::{Config, ConfigError};
    ///
    /// let err = Config::new("http://logto.internal").check().unwrap_err();
    /// assert_eq!(err, ConfigError::InsecureHttp { field: "endpoint" });
    /// assert!(Config::new("http://127.0.0.1:3001").check().is_ok());
    /// ```
    pub fn check(&self) -> Result<(), ConfigError> {
        match (&self.endpoint, &self.issuer) {
            (None, None) => return Err(ConfigError::MissingEndpoint),
            (Some(_), Some(_)) => return Err(ConfigError::EndpointAndIssuer),
            (Some(endpoint), None) => {
                self.check_url("endpoint", endpoint)?;
                check_endpoint_is_not_the_issuer(endpoint)?;
                if !self.extra_issuers.is_empty() {
                    return Err(ConfigError::ExtraIssuersWithoutIssuer);
                }
                for domain in &self.custom_domains {
                    self.check_url("custom_domains", domain)?;
                    check_domain_is_not_the_issuer(domain)?;
                }
            }
            (None, Some(issuer)) => {
                self.check_url("issuer", issuer)?;
                if !self.custom_domains.is_empty() {
                    return Err(ConfigError::CustomDomainsWithoutEndpoint);
                }
                for issuer in &self.extra_issuers {
                    self.check_url("extra_issuers", issuer)?;
                }
            }
        }
        let issuers = self.issuer_urls();
        for (n, issuer) in issuers.iter().enumerate() {
            if issuers[..n].contains(issuer) {
                return Err(ConfigError::DuplicateIssuer {
                    issuer: url_for_logs(issuer),
                });
            }
        }
        if let Some(uri) = &self.jwks_uri {
            self.check_url("jwks_uri", uri)?;
        }
        self.check_durations()?;
        if self.max_jwks_bytes == 0 {
            return Err(ConfigError::ZeroMaxJwksBytes);
        }
        if self.algorithms.as_ref().is_some_and(Vec::is_empty) {
            return Err(ConfigError::InvalidAlgorithms);
        }
        for resource in &self.resources {
            check_resource_indicator(resource).map_err(|problem| ConfigError::InvalidResource {
                resource: resource.clone(),
                problem,
            })?;
        }
        if let Some(origin) = &self.public_url {
            self.check_public_url(origin)?;
        }
        if self
            .webhook_signing_key
            .as_ref()
            .is_some_and(SigningKey::is_empty)
        {
            return Err(ConfigError::EmptyWebhookSigningKey);
        }
        if !is_plain_path(&self.webhook_path) {
            return Err(ConfigError::InvalidWebhookPath(self.webhook_path.clone()));
        }
        if let Some(bad) = self
            .public_routes
            .iter()
            .find(|route| parse_public_route(route).is_none())
        {
            return Err(ConfigError::InvalidPublicRoute(bad.clone()));
        }
        self.check_client_groups()
    }

    fn check_client_groups(&self) -> Result<(), ConfigError> {
        for (name, ids) in &self.clients {
            check_group_name(name).map_err(|problem| ConfigError::InvalidClientGroup {
                group: name.clone(),
                problem,
            })?;
            if ids.is_empty()
                || ids
                    .iter()
                    .any(|id| id.is_empty() || id.contains(char::is_whitespace))
            {
                return Err(ConfigError::InvalidClientGroup {
                    group: name.clone(),
                    problem: "a client group lists one or more client ids (Logto app ids), \
                              none of them empty or with whitespace",
                });
            }
        }
        Ok(())
    }

    /// Every duration within its range, and the max stale age above the max age.
    fn check_durations(&self) -> Result<(), ConfigError> {
        for range in &DURATION_RANGES {
            range.check(self)?;
        }
        if self.keys_max_stale <= self.keys_max_age {
            return Err(ConfigError::MaxStaleNotAboveMaxAge);
        }
        Ok(())
    }

    fn check_public_url(&self, value: &str) -> Result<(), ConfigError> {
        let url = Url::parse(value).map_err(|_| ConfigError::InvalidPublicUrl)?;
        if !matches!(url.scheme(), "http" | "https")
            || !url.has_host()
            || url.path() != "/"
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err(ConfigError::InvalidPublicUrl);
        }
        if has_credentials(&url) {
            return Err(ConfigError::UrlWithCredentials {
                field: "public_url",
            });
        }
        if url.scheme() == "http" && !self.allow_insecure_http && !is_loopback(&url) {
            return Err(ConfigError::InsecureHttp {
                field: "public_url",
            });
        }
        Ok(())
    }

    fn check_url(&self, field: &'static str, value: &str) -> Result<(), ConfigError> {
        check_url(field, value, self.allow_insecure_http)
    }
}

/// An endpoint is Logto's URL, not its issuer: `<endpoint>/oidc` would become `…/oidc/oidc`,
/// whose keys are a 404. Refused rather than trimmed, so that the config says what is used.
fn check_endpoint_is_not_the_issuer(endpoint: &str) -> Result<(), ConfigError> {
    let trimmed = endpoint.trim_end_matches('/');
    match trimmed.strip_suffix("/oidc") {
        Some(logto) => Err(ConfigError::EndpointIsIssuer {
            endpoint: url_for_logs(endpoint),
            logto: url_for_logs(logto),
        }),
        None => Ok(()),
    }
}

/// A custom domain is a domain, as an endpoint is: `<domain>/oidc` is its issuer.
fn check_domain_is_not_the_issuer(domain: &str) -> Result<(), ConfigError> {
    match check_endpoint_is_not_the_issuer(domain) {
        Err(ConfigError::EndpointIsIssuer { endpoint, logto }) => {
            Err(ConfigError::CustomDomainIsIssuer {
                domain: endpoint,
                logto,
            })
        }
        other => other,
    }
}

/// The rule for every URL the keys come from, configured or discovered: absolute http(s), no
/// credentials, query or fragment, and `http://` only to loopback unless `allow_insecure_http`.
pub(crate) fn check_url(
    field: &'static str,
    value: &str,
    allow_insecure_http: bool,
) -> Result<(), ConfigError> {
    let url = Url::parse(value).map_err(|_| ConfigError::InvalidUrl { field })?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(ConfigError::InvalidUrl { field });
    }
    if has_credentials(&url) {
        return Err(ConfigError::UrlWithCredentials { field });
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(ConfigError::UrlWithQuery { field });
    }
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(ConfigError::InsecureHttp { field });
    }
    Ok(())
}

/// The range a duration knob must be in, and what goes wrong on either side of it: a knob
/// without an upper bound fails open (a leeway of hours), one without a lower bound floods
/// Logto or never succeeds.
struct DurationRange {
    field: &'static str,
    value: fn(&Config) -> Duration,
    min: Duration,
    max: Duration,
    /// What a shorter value would do.
    below: &'static str,
    /// What a longer value would do.
    above: &'static str,
}

/// Every duration of [`Config`], with its range.
const DURATION_RANGES: [DurationRange; 8] = [
    DurationRange {
        field: "leeway",
        value: |config| config.leeway,
        min: Duration::ZERO,
        max: Duration::from_secs(300),
        // A duration is never below zero.
        below: "",
        above: "a longer leeway would accept tokens long after they expired",
    },
    DurationRange {
        field: "keys_max_age",
        value: |config| config.keys_max_age,
        min: Duration::from_millis(100),
        max: Duration::from_secs(24 * 3600),
        below: "the key set would be refetched for almost every request",
        above: "a key Logto removed would be trusted that long",
    },
    DurationRange {
        field: "keys_max_stale",
        value: |config| config.keys_max_stale,
        min: Duration::from_millis(100),
        max: Duration::from_secs(7 * 24 * 3600),
        below: "keys would be dropped almost as soon as they are fetched",
        above: "an instance cut off from Logto would trust a key Logto removed that long",
    },
    DurationRange {
        field: "unknown_kid_cooldown",
        value: |config| config.unknown_kid_cooldown,
        // The adaptive unknown-`kid` cooldown starts at 1 s and doubles up to this.
        min: Duration::from_secs(1),
        max: Duration::from_secs(600),
        below: "forged `kid`s could make the key set be fetched back to back",
        above: "the tokens of a new signing key could be refused that long",
    },
    DurationRange {
        field: "failed_fetch_backoff",
        value: |config| config.failed_fetch_backoff,
        min: Duration::from_millis(100),
        max: Duration::from_secs(300),
        below: "every request would retry an unreachable Logto",
        above: "requests could get 503 that long after Logto is back",
    },
    DurationRange {
        field: "fetch_timeout",
        value: |config| config.fetch_timeout,
        min: Duration::from_millis(100),
        max: Duration::from_secs(60),
        below: "no key-set fetch could succeed",
        above: "requests would wait that long on a Logto that does not answer",
    },
    DurationRange {
        field: "webhook_replay_window",
        value: |config| config.webhook_replay_window,
        min: Duration::from_secs(10),
        max: Duration::from_secs(3600),
        below: "a webhook delayed by Logto's 10 s timeout or a clock difference would be refused",
        above: "a captured webhook could be replayed that long after it was sent",
    },
    DurationRange {
        field: "max_token_lifetime",
        value: |config| config.max_token_lifetime,
        min: Duration::from_secs(60),
        max: Duration::from_secs(30 * 24 * 3600),
        below: "revocations would be forgotten while the tokens they cover are still valid",
        above: "revocations would be kept in memory that long",
    },
];

impl DurationRange {
    fn check(&self, config: &Config) -> Result<(), ConfigError> {
        let value = (self.value)(config);
        if (self.min..=self.max).contains(&value) {
            return Ok(());
        }
        Err(ConfigError::DurationOutOfRange {
            field: self.field,
            value,
            min: self.min,
            max: self.max,
        })
    }
}

/// "`leeway` must be between 0 s and 300 s (5 min), not 60000 s (durations are in seconds):
/// a longer leeway would ...".
fn out_of_range_message(field: &str, value: Duration, min: Duration, max: Duration) -> String {
    let why = DURATION_RANGES
        .iter()
        .find(|range| range.field == field)
        .map_or("", |range| {
            if value < min {
                range.below
            } else {
                range.above
            }
        });
    format!(
        "`{field}` must be between {} and {}, not {} s (durations are in seconds): {why}",
        readable(min),
        readable(max),
        value.as_secs_f64()
    )
}

/// `600 s (10 min)`: seconds, as configured, and a rounder unit when there is one.
fn readable(duration: Duration) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let secs = duration.as_secs();
    let rounder = if duration.subsec_nanos() != 0 || secs <= MINUTE {
        None
    } else if secs > DAY && secs.is_multiple_of(DAY) {
        Some(format!("{} days", secs / DAY))
    } else if secs.is_multiple_of(HOUR) {
        Some(format!("{} h", secs / HOUR))
    } else if secs.is_multiple_of(MINUTE) {
        Some(format!("{} min", secs / MINUTE))
    } else {
        None
    };
    let secs = duration.as_secs_f64();
    match rounder {
        Some(rounder) => format!("{secs} s ({rounder})"),
        None => format!("{secs} s"),
    }
}

/// Splits a `public_routes` entry into its method (upper case, if given) and path; `None` when
/// it is not `"/path"` or `"METHOD /path"`.
pub(crate) fn parse_public_route(entry: &str) -> Option<(Option<String>, &str)> {
    const METHODS: &[&str] = &[
        "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "TRACE", "CONNECT", "PATCH",
    ];
    let entry = entry.trim();
    let (method, path) = match entry.split_once(char::is_whitespace) {
        Some((method, path)) if !entry.starts_with('/') => {
            let method = method.to_ascii_uppercase();
            if !METHODS.contains(&method.as_str()) {
                return None;
            }
            (Some(method), path.trim())
        }
        _ => (None, entry),
    };
    let well_formed =
        path.starts_with('/') && !path.contains(char::is_whitespace) && !path.contains(['?', '#']);
    well_formed.then_some((method, path))
}

/// Whether `path` is an absolute path Rocket can mount as it is: `/` and segments of RFC 3986
/// path characters (no percent-encoding), without empty segments, query, fragment or
/// `<dynamic>` segments.
pub(crate) fn is_plain_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/-._~!$&'()*+,;=:@".contains(&b))
}

/// Whether `url` has a user name or a password (`https://user:password@host`).
pub(crate) fn has_credentials(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// `value` as it may be written to a log or an error message: an http(s) URL without its user
/// name, password, query and fragment, where credentials and tokens hide (one without them is
/// shown exactly as configured); anything else that could hide them (`user:pw@host` parses as
/// a URL of scheme `user`) is not shown at all.
pub(crate) fn url_for_logs(value: &str) -> String {
    match Url::parse(value) {
        Ok(mut url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {
            if !has_credentials(&url) && url.query().is_none() && url.fragment().is_none() {
                return value.to_owned();
            }
            // Cannot fail: an http(s) URL with a host can have credentials.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.into()
        }
        _ if value.contains(['@', '?', '#']) => "(not an http(s) URL; not shown)".to_owned(),
        _ => value.to_owned(),
    }
}

/// Whether `url` points at this machine (`localhost`, 127.0.0.0/8, `::1`).
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Durations as (fractional) seconds, the way people write them in Rocket.toml.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub(super) fn serialize<S: Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(value.as_secs_f64())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let secs = f64::deserialize(d)?;
        Duration::try_from_secs_f64(secs)
            .map_err(|_| D::Error::custom("expected a non-negative number of seconds"))
    }
}

#[cfg(test)]
mod tests {
    use super::{Config, ConfigError, url_for_logs};

    #[test]
    fn custom_domains_are_trusted_beside_the_endpoint_with_their_own_keys() {
        let config = Config::new("https://my-tenant.logto.app/")
            .custom_domain("https://auth.example.com")
            .custom_domain("https://login.example.org/");
        assert_eq!(config.check(), Ok(()));
        assert_eq!(
            config.trusted_issuers(),
            [
                (
                    "https://my-tenant.logto.app/oidc".to_owned(),
                    Some("https://my-tenant.logto.app/oidc/jwks".to_owned())
                ),
                (
                    "https://auth.example.com/oidc".to_owned(),
                    Some("https://auth.example.com/oidc/jwks".to_owned())
                ),
                (
                    "https://login.example.org/oidc".to_owned(),
                    Some("https://login.example.org/oidc/jwks".to_owned())
                ),
            ]
        );
        // An explicit `jwks_uri` is the endpoint's; each domain keeps its own key set.
        let config = Config::new("https://my-tenant.logto.app")
            .jwks_uri("https://keys.example.com/jwks")
            .custom_domain("https://auth.example.com");
        assert_eq!(
            config.trusted_issuers()[1],
            (
                "https://auth.example.com/oidc".to_owned(),
                Some("https://auth.example.com/oidc/jwks".to_owned())
            )
        );
        // The default: the endpoint alone.
        assert_eq!(
            Config::new("https://my-tenant.logto.app").issuer_urls(),
            ["https://my-tenant.logto.app/oidc"]
        );
    }

    #[test]
    fn extra_issuers_are_trusted_beside_an_explicit_issuer() {
        let config = Config::with_issuer("https://idp.example.com/oidc")
            .extra_issuer("https://auth.example.com/oidc/");
        assert_eq!(config.check(), Ok(()));
        assert_eq!(
            config.trusted_issuers(),
            [
                ("https://idp.example.com/oidc".to_owned(), None),
                (
                    "https://auth.example.com/oidc/".to_owned(),
                    Some("https://auth.example.com/oidc/jwks".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn custom_domains_are_held_to_the_endpoints_rules() {
        let endpoint = || Config::new("https://my-tenant.logto.app");
        for (config, error) in [
            (
                endpoint().custom_domain("https://auth.example.com/oidc/"),
                ConfigError::CustomDomainIsIssuer {
                    domain: "https://auth.example.com/oidc/".to_owned(),
                    logto: "https://auth.example.com".to_owned(),
                },
            ),
            (
                endpoint().custom_domain("auth.example.com"),
                ConfigError::InvalidUrl {
                    field: "custom_domains",
                },
            ),
            (
                endpoint().custom_domain("http://auth.example.com"),
                ConfigError::InsecureHttp {
                    field: "custom_domains",
                },
            ),
            (
                endpoint().custom_domain("https://svc:secret@auth.example.com"),
                ConfigError::UrlWithCredentials {
                    field: "custom_domains",
                },
            ),
            (
                endpoint().custom_domain("https://auth.example.com?tenant=a"),
                ConfigError::UrlWithQuery {
                    field: "custom_domains",
                },
            ),
            (
                endpoint().custom_domain("https://my-tenant.logto.app/"),
                ConfigError::DuplicateIssuer {
                    issuer: "https://my-tenant.logto.app/oidc".to_owned(),
                },
            ),
            (
                endpoint()
                    .custom_domain("https://auth.example.com")
                    .custom_domain("https://auth.example.com"),
                ConfigError::DuplicateIssuer {
                    issuer: "https://auth.example.com/oidc".to_owned(),
                },
            ),
            (
                endpoint().extra_issuer("https://auth.example.com/oidc"),
                ConfigError::ExtraIssuersWithoutIssuer,
            ),
            (
                Config::with_issuer("https://idp.example.com/oidc")
                    .custom_domain("https://auth.example.com"),
                ConfigError::CustomDomainsWithoutEndpoint,
            ),
            (
                Config::with_issuer("https://idp.example.com/oidc")
                    .extra_issuer("http://idp.internal/oidc"),
                ConfigError::InsecureHttp {
                    field: "extra_issuers",
                },
            ),
        ] {
            assert_eq!(config.check(), Err(error), "{:?}", config.custom_domains);
        }
        assert_eq!(
            endpoint()
                .custom_domain("https://auth.example.com/oidc")
                .check()
                .map_err(|e| e.to_string()),
            Err(
                "custom domain https://auth.example.com/oidc ends in /oidc, which the issuer \
                 adds: list https://auth.example.com in `custom_domains` (the issuer is then \
                 https://auth.example.com/oidc)"
                    .to_owned()
            )
        );
        // Loopback over http is fine, as for the endpoint.
        let local = Config::new("http://127.0.0.1:3001").custom_domain("http://127.0.0.1:3002");
        assert_eq!(local.check(), Ok(()));
    }

    #[test]
    fn custom_domains_and_extra_issuers_deserialize_from_the_logto_table() {
        let config: Config = serde_json::from_value(serde_json::json!({
            "endpoint": "https://my-tenant.logto.app",
            "custom_domains": ["https://auth.example.com"],
        }))
        .expect("parses");
        assert_eq!(
            config,
            Config::new("https://my-tenant.logto.app").custom_domain("https://auth.example.com")
        );
        let config: Config = serde_json::from_value(serde_json::json!({
            "issuer": "https://idp.example.com/oidc",
            "extra_issuers": ["https://auth.example.com/oidc"],
        }))
        .expect("parses");
        assert_eq!(
            config.issuer_urls(),
            [
                "https://idp.example.com/oidc",
                "https://auth.example.com/oidc"
            ]
        );
        let default: Config = serde_json::from_value(serde_json::json!({})).expect("parses");
        assert!(default.custom_domains.is_empty(), "default: none");
        assert!(default.extra_issuers.is_empty(), "default: none");
    }

    #[cfg(feature = "rocket")]
    #[test]
    fn custom_domains_come_from_rocket_toml() {
        use rocket::figment::Figment;
        use rocket::figment::providers::{Format as _, Toml};

        let figment = Figment::from(Toml::string(
            r#"
            [logto]
            endpoint = "https://my-tenant.logto.app"
            custom_domains = ["https://auth.example.com", "https://login.example.org"]
            "#,
        ));
        let config: Config = figment.extract_inner("logto").expect("extracts");
        assert_eq!(
            config.issuer_urls(),
            [
                "https://my-tenant.logto.app/oidc",
                "https://auth.example.com/oidc",
                "https://login.example.org/oidc"
            ]
        );
    }

    #[test]
    fn urls_are_logged_without_credentials_query_or_fragment() {
        for (value, logged) in [
            // Without anything to hide: exactly as configured, not normalized.
            (
                "https://Tenant.logto.app/oidc",
                "https://Tenant.logto.app/oidc",
            ),
            ("https://tenant.logto.app", "https://tenant.logto.app"),
            (
                "https://svc:secret@keys.example.com/jwks",
                "https://keys.example.com/jwks",
            ),
            (
                "https://:secret@keys.example.com/jwks",
                "https://keys.example.com/jwks",
            ),
            (
                "https://svc@keys.example.com/jwks?api_key=k#f",
                "https://keys.example.com/jwks",
            ),
            (
                "http://127.0.0.1:3001/oidc?token=t",
                "http://127.0.0.1:3001/oidc",
            ),
            (
                "svc:secret@tenant.logto.app",
                "(not an http(s) URL; not shown)",
            ),
            ("https://svc:secret@", "(not an http(s) URL; not shown)"),
            ("tenant.logto.app", "tenant.logto.app"),
        ] {
            assert_eq!(url_for_logs(value), logged, "{value}");
        }
    }
}
