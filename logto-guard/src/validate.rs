//! From a bearer token to a verified [`AccessToken`], with no web framework involved.

use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::Value;
use tracing::level_filters::{LevelFilter, STATIC_MAX_LEVEL};
use tracing::{Instrument as _, Level, Span};

use crate::algorithm::Algorithm;
use crate::cache::{TokenCache, TokenDigest};
use crate::client_group::ClientGroup;
use crate::config::{Config, ConfigError};
use crate::error::{AuthError, ExpectedAudience};
use crate::jwks::{KeyCache, KeySet, Lookup};
use crate::payload;
use crate::payload::Claims;
use crate::requirement::Policy;
use crate::revocation::{Revocation, Revocations, WebhookError, WebhookOutcome};
use crate::snapshot::{MetricsSnapshot, Rejections};
use crate::support::unix_now;
use crate::token::AccessToken;

/// Tokens longer than this are refused before any decoding; Logto's are under 2 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Verifies Logto access tokens: signature against the issuer's JWK Set, `typ`, `iss`, `aud`,
/// `exp`, `nbf`, and the scopes a route requires.
///
/// Cheap to clone; clones share the key cache.
///
/// ```no_run
/// use logto_guard::{Config, Policy, Validator};
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let validator = Validator::new(
///     Config::new("https://my-tenant.logto.app").resource("https://api.example.com"),
/// )?;
/// let token = validator.validate("eyJhbGciOi...").await?;
/// Policy::all("https://api.example.com", &["read:orders"]).check(&token)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Validator {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    /// The trusted issuers, the main one first: a token's `iss` picks one by exact match.
    issuers: Box<[Arc<str>]>,
    /// The key cache of each of `issuers`, at the same index: each issuer's keys are fetched,
    /// refreshed and held back on their own.
    keys: Box<[Arc<KeyCache>]>,
    resources: Vec<String>,
    /// Whether `check_audience` also accepts Logto organization tokens.
    organization_tokens: bool,
    leeway: i64,
    require_typ: bool,
    algorithms: Vec<Algorithm>,
    realm: String,
    tokens: Option<Arc<TokenCache>>,
    rejections: Arc<Rejections>,
    revocations: Arc<Revocations>,
    client_groups: Box<[ClientGroup]>,
}

impl Inner {
    /// The key cache of the trusted issuer `iss` (exactly), if it is one: a compare over a
    /// slice of one entry per issuer, on every request, the repeated token's included.
    fn keys_of(&self, iss: &str) -> Option<&Arc<KeyCache>> {
        let n = self.issuers.iter().position(|issuer| **issuer == *iss)?;
        self.keys.get(n)
    }
}

impl Validator {
    /// Checks `config` and builds a validator; no request is made until the first token.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.check()?;
        let trusted = config.trusted_issuers();
        if trusted.is_empty() {
            return Err(ConfigError::MissingEndpoint);
        }
        // One tenant, whichever of its domains issued a token: one set of revocations, named
        // after the primary issuer where instances share it.
        let revocations = Arc::new(Revocations::new(&config, &trusted[0].0)?);
        let http = KeyCache::http_client(&config)
            .map_err(|_| ConfigError::InvalidUrl { field: "jwks_uri" })?;
        let keys = trusted
            .iter()
            .map(|(issuer, jwks_uri)| {
                Arc::new(KeyCache::new(
                    &config,
                    http.clone(),
                    issuer,
                    jwks_uri.clone(),
                ))
            })
            .collect();
        let issuers = trusted
            .into_iter()
            .map(|(issuer, _)| Arc::from(issuer))
            .collect();
        let algorithms = config.accepted_algorithms().to_vec();
        Ok(Self {
            inner: Arc::new(Inner {
                issuers,
                keys,
                resources: config.resources,
                organization_tokens: config.organization_tokens,
                leeway: i64::try_from(config.leeway.as_secs()).unwrap_or(i64::MAX),
                require_typ: config.require_typ,
                algorithms,
                realm: config.realm,
                tokens: TokenCache::new(config.token_cache_bytes).map(Arc::new),
                rejections: Arc::default(),
                revocations,
                client_groups: crate::client_group::groups(&config.clients),
            }),
        })
    }

    /// Verifies `token` and checks it as a plain `AccessToken` is checked: its audience is one
    /// of the configured [`resources`](Config::resource), and it is not bound to an
    /// organization, unless [`organization_tokens`](Config::organization_tokens) is on (then
    /// Logto organization tokens are accepted too, for any organization).
    pub async fn validate(&self, token: &str) -> Result<AccessToken, AuthError> {
        let token = self.verify(token, CharacterCheck::None).await?;
        self.check_audience(&token)?;
        Ok(token)
    }

    /// Verifies `token` and checks it against `policy` (audience, organization, client and
    /// scopes); the configured resources play no part.
    pub async fn authorize(
        &self,
        token: &str,
        policy: &Policy<'_>,
    ) -> Result<AccessToken, AuthError> {
        let token = self.verify(token, CharacterCheck::None).await?;
        policy.check(&token)?;
        Ok(token)
    }

    /// Checks a verified token as [`validate`](Self::validate) does.
    pub(crate) fn check_audience(&self, token: &AccessToken) -> Result<(), AuthError> {
        let inner = &*self.inner;
        let for_a_resource = inner
            .resources
            .iter()
            .any(|r| token.audiences().contains(r));
        if for_a_resource && !token.names_an_organization() {
            return Ok(());
        }
        if inner.organization_tokens && (for_a_resource || token.is_organization_token()) {
            return Ok(());
        }
        if for_a_resource {
            return Err(AuthError::OrganizationNotAllowed);
        }
        // Never the list of resources: a 401 must not tell any caller which APIs exist.
        let expected = if inner.resources.is_empty() && inner.organization_tokens {
            ExpectedAudience::Organization
        } else {
            ExpectedAudience::ThisApi
        };
        Err(AuthError::AudienceMismatch { expected })
    }

    /// The main issuer: `<endpoint>/oidc`, or the configured issuer. Tokens may also carry
    /// one of the others of [`issuers`](Self::issuers).
    #[must_use]
    pub fn issuer(&self) -> &str {
        // `new` refuses a config without an issuer, so there is a first one.
        &self.inner.issuers[0]
    }

    /// Every issuer tokens may carry: the [main](Self::issuer) one first, then each custom
    /// domain's `<domain>/oidc` or extra issuer (see [`Config::custom_domain`]).
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
    pub fn issuers(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.inner.issuers.iter().map(|issuer| &**issuer)
    }

    /// The client group `name` of the config ([`Config::client_group`]), for
    /// [`Policy::client_group`](crate::Policy::client_group).
    ///
    /// ```
    /// use logto_guard::{Config, Validator};
    ///
    /// let config = Config::new("https://my-tenant.logto.app").client_group("billing", ["app-1"]);
    /// let validator = Validator::new(config)?;
    /// let billing = validator.client_group("billing").expect("configured");
    /// assert!(billing.contains("app-1"));
    /// assert!(validator.client_group("support").is_none());
    /// # Ok::<(), logto_guard::ConfigError>(())
    /// ```
    #[must_use]
    pub fn client_group(&self, name: &str) -> Option<&ClientGroup> {
        self.inner
            .client_groups
            .iter()
            .find(|group| group.name() == name)
    }

    /// The resources a plain `AccessToken` is accepted for.
    #[must_use]
    pub fn resources(&self) -> &[String] {
        &self.inner.resources
    }

    /// Whether a plain `AccessToken` also accepts Logto organization tokens.
    #[cfg(feature = "rocket")]
    pub(crate) fn accepts_organization_tokens(&self) -> bool {
        self.inner.organization_tokens
    }

    /// The `realm` of challenges.
    #[must_use]
    pub fn realm(&self) -> &str {
        &self.inner.realm
    }

    /// Fetches the key set of every trusted issuer now unless it is already cached (the
    /// fetches run at once); `Err` if one cannot be had.
    ///
    /// Call it at start-up to warm the cache; the Rocket fairing does.
    pub async fn warm_up(&self) -> Result<(), AuthError> {
        let snapshots = self.inner.keys.iter().map(|keys| keys.snapshot());
        let mut retry_after = None;
        for outcome in join_all(snapshots.collect()).await {
            if let Err(e) = outcome {
                retry_after = retry_after.max(Some(e.retry_after));
            }
        }
        match retry_after {
            Some(retry_after) => Err(AuthError::KeysUnavailable { retry_after }),
            None => Ok(()),
        }
    }

    /// The issuer whose last key fetch failed and why, as long as none succeeded since (the
    /// first such issuer).
    #[cfg(feature = "rocket")]
    pub(crate) fn key_fetch_error(&self) -> Option<(&str, String)> {
        let inner = &*self.inner;
        inner
            .issuers
            .iter()
            .zip(&inner.keys)
            .find_map(|(issuer, keys)| {
                let error = keys.status().last_error?;
                Some((&**issuer, error.to_string()))
            })
    }

    /// Rejection counters and the state of the key sets; see [`MetricsSnapshot`]. Clones of a
    /// validator share them. With several issuers, the gauges describe the worst one and the
    /// fetch counters add up.
    #[must_use]
    pub fn metrics(&self) -> MetricsSnapshot {
        let statuses: Vec<_> = self.inner.keys.iter().map(|keys| keys.status()).collect();
        let keys = statuses.iter().map(|s| s.keys).min().unwrap_or(0);
        MetricsSnapshot {
            ready: keys > 0,
            keys,
            keys_expired: statuses.iter().any(|s| s.expired),
            // The oldest set, and `None` while an issuer has none.
            key_set_age: statuses
                .iter()
                .map(|s| s.age)
                .try_fold(Duration::ZERO, |oldest, age| age.map(|age| oldest.max(age))),
            last_fetch_success: earliest_of_all(statuses.iter().map(|s| s.confirmed_at)),
            last_fetch_failure: statuses.iter().filter_map(|s| s.last_failure_at).max(),
            key_fetches: statuses.iter().map(|s| s.attempts).sum(),
            key_fetch_failures: statuses.iter().map(|s| s.failures).sum(),
            rejections: self.inner.rejections.snapshot(),
            revocations: self.inner.revocations.set.active(unix_now()),
            webhook_deliveries: self.inner.revocations.deliveries(),
            revocation_store: self.inner.revocations.store_status(),
        }
    }

    /// Refuses from now on the tokens `revocations` cover ([`AuthError::Revoked`]), on every
    /// request, token-cache hits included; clones of this validator share them. For revocations
    /// from a source of your own; Logto's webhooks come in through
    /// [`receive_webhook`](Self::receive_webhook). A revocation is kept until every token it
    /// covers has expired ([`Config::max_token_lifetime`] after its `issued_up_to`); one already
    /// past that is dropped. Returns how many are in force.
    ///
    /// ```
    /// use logto_guard::revocation::{Revocation, Revoked};
    /// use logto_guard::{Config, Validator};
    ///
    /// let validator = Validator::new(Config::new("https://my-tenant.logto.app"))?;
    /// let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    /// let issued_up_to = i64::try_from(now.as_secs()).unwrap();
    /// let added = validator.revoke([Revocation::new(Revoked::Subject("user-1".into()), issued_up_to)]);
    /// assert_eq!(added, 1);
    /// assert_eq!(validator.metrics().revocations, 1);
    /// # Ok::<(), logto_guard::ConfigError>(())
    /// ```
    ///
    /// [`Config::max_token_lifetime`]: crate::Config::max_token_lifetime
    pub fn revoke(&self, revocations: impl IntoIterator<Item = Revocation>) -> usize {
        let revocations: Vec<Revocation> = revocations.into_iter().collect();
        self.inner.revocations.revoke(&revocations, unix_now())
    }

    /// Starts sharing revocations through Redis ([`Config::redis_url`]): a task on the current
    /// Tokio runtime subscribes, loads the revocations in force, and keeps the in-memory set in
    /// step (reconnecting with a backoff when the connection drops) until the last clone of
    /// this validator is dropped. The Rocket fairing calls it at liftoff; call it once at
    /// start-up with other frameworks (again does nothing). Nothing without a Redis URL.
    ///
    /// # Panics
    ///
    /// Outside a Tokio runtime, when a Redis URL is configured.
    ///
    /// [`Config::redis_url`]: crate::Config::redis_url
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn share_revocations(&self) {
        self.inner.revocations.start_sharing();
    }

    /// Loads the revocations Redis holds now, within a short timeout; a failure is logged.
    #[cfg(all(feature = "redis", feature = "rocket"))]
    pub(crate) async fn load_shared_revocations(&self) {
        self.inner.revocations.load_shared().await;
    }

    /// Takes one delivery of Logto's webhook: `signature` is the value of its
    /// `logto-signature-sha-256` header ([`SIGNATURE_HEADER`](crate::revocation::SIGNATURE_HEADER)),
    /// `body` the raw request body. Checks, in this order, the size
    /// ([`MAX_WEBHOOK_BYTES`](crate::revocation::MAX_WEBHOOK_BYTES)), the signature (HMAC-SHA256
    /// under [`Config::webhook_signing_key`], compared in constant time) before anything reads the
    /// body, the event, and that its `createdAt` is within the
    /// [replay window](crate::Config::webhook_replay_window); then enforces the revocations the
    /// event calls for ([`revocation`](crate::revocation)). Answer with the outcome's or the
    /// error's `status()` and `body()`. The Rocket fairing does all of this at
    /// [`webhook_path`](crate::Config::webhook_path); call it from other frameworks.
    ///
    /// Counted in [`metrics`](Self::metrics) by outcome, and logged with the event's name and
    /// counts, never an id.
    ///
    /// [`Config::webhook_signing_key`]: crate::Config::webhook_signing_key
    pub async fn receive_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookOutcome, WebhookError> {
        self.inner
            .revocations
            .receive(signature, body, unix_now())
            .await
    }

    /// Counts and logs a webhook the Rocket receiver refused before
    /// [`receive_webhook`](Self::receive_webhook) could see it.
    #[cfg(feature = "rocket")]
    pub(crate) fn refuse_webhook(&self, error: WebhookError) -> WebhookError {
        self.inner.revocations.refuse(error)
    }

    /// Whether a webhook signing key is configured.
    #[cfg(feature = "rocket")]
    pub(crate) fn receives_webhooks(&self) -> bool {
        self.inner.revocations.receives_webhooks()
    }

    /// Counts a rejection of a request to `route` in [`metrics`](Self::metrics), under the
    /// [`reason`](crate::AuthError::reason) of `error`. The Rocket fairing does this for every
    /// rejection it answers, with the matched route as `"METHOD /path/<param>"`; call it from
    /// other frameworks the same way, with the route's template rather than the request's path,
    /// so that the number of series stays small.
    pub fn record_rejection(&self, error: &AuthError, route: &str) {
        self.inner.rejections.record(route, error.reason());
    }

    /// Adds resources a plain `AccessToken` is accepted for; used by the Rocket fairing to add
    /// the resources that the mounted `#[requires]` routes name.
    #[cfg(feature = "rocket")]
    #[must_use]
    pub(crate) fn with_resources<'a>(self, resources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut inner = Inner::clone(&self.inner);
        for resource in resources {
            if !inner.resources.iter().any(|r| r == resource) {
                inner.resources.push(resource.to_owned());
            }
        }
        Self {
            inner: Arc::new(inner),
        }
    }

    /// Verifies signature, header, issuer and lifetime; not the audience.
    ///
    /// Its span carries the header `alg` and whether the verdict came from the token cache;
    /// never the token, a claim or the `kid`.
    pub(crate) async fn verify(
        &self,
        token: &str,
        characters: CharacterCheck,
    ) -> Result<AccessToken, AuthError> {
        // Made only when a subscriber may record it: even a disabled span costs (with tracing's
        // `log` feature, which `rocket` turns on), a measurable share of the repeated token's
        // path. A span by hand rather than `#[tracing::instrument]`: the attribute would make
        // every app build tracing's proc macro for two spans.
        if Level::DEBUG > STATIC_MAX_LEVEL || Level::DEBUG > LevelFilter::current() {
            return self.verify_in_span(token, characters, None).await;
        }
        let span = tracing::debug_span!(
            "logto_guard.verify",
            alg = tracing::field::Empty,
            cached = false
        );
        self.verify_in_span(token, characters, Some(&span))
            .instrument(span.clone())
            .await
    }

    /// [`Self::verify`], recording into `span` if there is one.
    async fn verify_in_span(
        &self,
        token: &str,
        characters: CharacterCheck,
        span: Option<&Span>,
    ) -> Result<AccessToken, AuthError> {
        // Before anything reads it, hashing for the cache included.
        if token.len() > MAX_TOKEN_BYTES {
            characters.check(token)?;
            return Err(AuthError::MalformedToken("token too long"));
        }
        let inner = &*self.inner;
        let cache = inner
            .tokens
            .as_deref()
            .map(|cache| (cache, TokenDigest::of(token)));
        if let Some((cache, digest)) = &cache
            && let Some((verified, fingerprint)) = cache.get(digest)
            && let Some(issuer_keys) = inner.keys_of(verified.issuer())
        {
            // `snapshot` also schedules the refresh of a stale set, so a key removed from the
            // issuer's set stops serving cached tokens after the next refresh.
            let keys = issuer_keys.snapshot().await.ok();
            if keys.is_some_and(|keys| keys.contains(fingerprint)) {
                if let Some(span) = span {
                    span.record("cached", true);
                }
                self.check_lifetime(&verified)?;
                self.check_revoked(&verified)?;
                return Ok(verified);
            }
            cache.remove(digest);
        }
        characters.check(token)?;
        // Boxed: the signature path's future is several times the cache hit's, and Rocket boxes
        // the guard's future, so every request would allocate and move its size.
        let (verified, fingerprint) = Box::pin(self.verify_uncached(token, span)).await?;
        if inner.revocations.receives_webhooks() {
            inner.revocations.check_token_lifetime(&verified);
        }
        // Cached even when revoked: a revoked token sent again is refused without verifying
        // its signature again.
        if let Some((cache, digest)) = cache {
            cache.insert(digest, verified.clone(), fingerprint);
        }
        self.check_revoked(&verified)?;
        Ok(verified)
    }

    /// Whether a revocation covers the token: one atomic load while none is held.
    fn check_revoked(&self, token: &AccessToken) -> Result<(), AuthError> {
        let set = &self.inner.revocations.set;
        if set.is_empty() {
            return Ok(());
        }
        set.prune_now_and_then(unix_now());
        if set.revokes(token) {
            return Err(AuthError::Revoked);
        }
        Ok(())
    }

    async fn verify_uncached(
        &self,
        token: &str,
        span: Option<&Span>,
    ) -> Result<(AccessToken, u64), AuthError> {
        let inner = &*self.inner;
        let jws = Jws::split(token)?;
        let header = jws.header()?;
        if let Some(span) = span {
            span.record("alg", header.alg.as_str());
        }
        if !inner.algorithms.contains(&header.alg) {
            return Err(AuthError::AlgorithmNotAllowed);
        }
        if inner.require_typ && !header.typ.as_deref().is_some_and(is_access_token_type) {
            return Err(AuthError::WrongType);
        }
        // The claims before the keys: a token of another issuer is reported as such, and
        // neither its `kid` nor a key set is looked at (no refetch for a foreign key). Its
        // `iss` chooses among the configured issuers, whose key sets alone are ever fetched.
        // The claims are trusted only once the signature verifies below.
        let claims = jws.claims(&inner.issuers)?;
        let issuer_keys = inner
            .keys_of(&claims.iss)
            .ok_or(AuthError::UntrustedIssuer)?;
        let keys = issuer_keys
            .snapshot()
            .await
            .map_err(|e| AuthError::KeysUnavailable {
                retry_after: e.retry_after,
            })?;
        let kid = header.kid.as_deref();
        let fingerprint = match jws.verify_signature(&keys, kid, header.alg) {
            Err(AuthError::UnknownKey) => {
                let fresher = issuer_keys
                    .refetch_for_unknown_kid(&keys, kid)
                    .await
                    .ok_or(AuthError::UnknownKey)?;
                jws.verify_signature(&fresher, kid, header.alg)?
            }
            verified => verified?,
        };
        let verified = AccessToken::new(claims);
        self.check_lifetime(&verified)?;
        Ok((verified, fingerprint))
    }

    /// `exp`, `nbf` and `iat` against the clock, with leeway: checked on every request.
    fn check_lifetime(&self, token: &AccessToken) -> Result<(), AuthError> {
        let leeway = self.inner.leeway;
        let now = unix_now();
        if now >= token.expires_at().saturating_add(leeway) {
            return Err(AuthError::Expired);
        }
        let not_before = [token.not_before(), token.issued_at()]
            .into_iter()
            .flatten()
            .max();
        if not_before.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
            return Err(AuthError::NotYetValid);
        }
        Ok(())
    }
}

/// Whether [`Validator::verify`] checks the token's characters against RFC 6750's `b64token`
/// (the 400 of [`bearer_token`](crate::bearer_token)) before its signature.
#[derive(Clone, Copy)]
pub(crate) enum CharacterCheck {
    /// A token given as it is: its base64url decoding refuses any character it should not have.
    None,
    /// A bearer token read by [`bearer_credentials`](crate::bearer::bearer_credentials): checked
    /// unless the token cache holds it. The cache holds only tokens that verified, and such a
    /// token is base64url segments and dots, all `b64token` characters: the check of a token
    /// seen before, on every request, would only ever pass.
    #[cfg_attr(
        not(feature = "rocket"),
        expect(dead_code, reason = "only the Rocket guards read bearer headers")
    )]
    B64Token,
}

impl CharacterCheck {
    fn check(self, token: &str) -> Result<(), AuthError> {
        match self {
            Self::None => Ok(()),
            Self::B64Token => crate::bearer::check_b64token(token),
        }
    }
}

/// The earliest of `times`, or `None` when one of them is `None`: the issuer whose keys were
/// confirmed longest ago, or one never confirmed.
fn earliest_of_all(mut times: impl Iterator<Item = Option<SystemTime>>) -> Option<SystemTime> {
    times
        .try_fold(None, |earliest: Option<SystemTime>, time| {
            let time = time?;
            Some(Some(earliest.map_or(time, |earliest| earliest.min(time))))
        })
        .flatten()
}

/// Awaits every one of `futures`, concurrently; their outputs in order. (The key caches run
/// their fetches on tasks of their own; this only waits for all of them at once.)
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut pending: Vec<Option<Pin<Box<F>>>> =
        futures.into_iter().map(|f| Some(Box::pin(f))).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for (slot, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *output = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => done = false,
                }
            }
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

/// RFC 9068 §2.1; media type names compare case-insensitively (RFC 7515 §4.1.9).
fn is_access_token_type(typ: &str) -> bool {
    typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt")
}

/// A compact JWS split into its three parts.
struct Jws<'a> {
    header: &'a str,
    payload: &'a str,
    signature: &'a str,
    /// `header.payload`, the bytes the signature covers.
    signing_input: &'a str,
}

/// The JOSE header members this validator reads. `jwk`, `jku`, `x5u` and `x5c` are never
/// read: keys come only from the configured key set. A typed struct, so that a repeated
/// member is refused instead of resolved to its last value. An optional member is `None` only
/// when absent: `"kid": null` is a member of the wrong type, not a missing one.
#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    #[serde(default, deserialize_with = "present")]
    typ: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    kid: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    crit: Option<Value>,
}

/// A member that is there, `null` included (serde's `Option` would read `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

struct Header {
    alg: Algorithm,
    typ: Option<String>,
    kid: Option<String>,
}

impl<'a> Jws<'a> {
    fn split(token: &'a str) -> Result<Self, AuthError> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(match token.matches('.').count() {
                0 => AuthError::NotAJwt,
                4 => AuthError::MalformedToken("encrypted tokens (JWE) are not accepted"),
                _ => AuthError::MalformedToken("a JWT has exactly three parts"),
            });
        };
        // An empty signature is left to the algorithm check (`alg: none`) and verification.
        if header.is_empty() || payload.is_empty() {
            return Err(AuthError::MalformedToken("a JWT part is empty"));
        }
        Ok(Self {
            header,
            payload,
            signature,
            signing_input: &token[..header.len() + 1 + payload.len()],
        })
    }

    fn header(&self) -> Result<Header, AuthError> {
        let bytes = decode_part(self.header, "header is not base64url")?;
        let raw: RawHeader = serde_json::from_slice(&bytes).map_err(|e| {
            AuthError::MalformedToken(if e.is_data() {
                "header must be a JSON object with a string `alg` and no repeated member"
            } else {
                "header is not JSON"
            })
        })?;
        if let Some(crit) = raw.crit {
            return Err(critical_error(&crit));
        }
        let alg = match raw.alg.parse::<Algorithm>() {
            Ok(alg) => alg,
            Err(_) => return Err(AuthError::AlgorithmNotAllowed),
        };
        Ok(Header {
            alg,
            typ: header_string(raw.typ, "header `typ` is not a string")?,
            kid: header_string(raw.kid, "header `kid` is not a string")?,
        })
    }

    /// Verifies the signature; returns the fingerprint of the key that verified it.
    fn verify_signature(
        &self,
        keys: &KeySet,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<u64, AuthError> {
        let key = match keys.find(kid, alg) {
            Lookup::Found(key) => key,
            Lookup::WrongAlgorithm => return Err(AuthError::AlgorithmKeyMismatch),
            Lookup::Ambiguous => return Err(AuthError::AmbiguousKey),
            Lookup::Unknown => return Err(AuthError::UnknownKey),
        };
        if key.verify(alg, self.signing_input.as_bytes(), self.signature) {
            Ok(key.fingerprint())
        } else {
            Err(AuthError::InvalidSignature)
        }
    }

    fn claims(&self, issuers: &[Arc<str>]) -> Result<Claims, AuthError> {
        payload::parse(
            decode_part(self.payload, "payload is not base64url")?,
            issuers,
        )
    }
}

/// Why a token with header `crit` is refused: we implement no extension, so a well-formed
/// `crit` is unsupported; anything but a non-empty array of strings (RFC 7515 §4.1.11) is a
/// malformed header.
fn critical_error(crit: &Value) -> AuthError {
    let well_formed = crit
        .as_array()
        .is_some_and(|names| !names.is_empty() && names.iter().all(Value::is_string));
    if well_formed {
        AuthError::UnsupportedCritical
    } else {
        AuthError::MalformedToken("header `crit` is not a non-empty array of strings")
    }
}

fn header_string(value: Option<Value>, problem: &'static str) -> Result<Option<String>, AuthError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(AuthError::MalformedToken(problem)),
    }
}

fn decode_part(part: &str, problem: &'static str) -> Result<Vec<u8>, AuthError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| AuthError::MalformedToken(problem))
}
