//! The issuer's signing keys: parsing a JWK Set, and the cache that fetches it.
//!
//! Semantics follow `jose`'s remote key set: keys are served from memory; a stale set is
//! refreshed in the background while the old one keeps serving; an unknown `kid` may trigger
//! one refetch per cooldown window; concurrent fetches share one HTTP request.

use std::hash::{Hash as _, Hasher as _};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwapOption;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;

use crate::algorithm::{Algorithm, PublicKey};
use serde::Deserialize;

use crate::config::Config;
use crate::lock;

/// The kind of a public key, which fixes the algorithms it may verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl KeyKind {
    /// The algorithms of this key's family (RFC 7518 §3.1, RFC 8037).
    fn algorithms(self) -> &'static [Algorithm] {
        match self {
            Self::Rsa => &[
                Algorithm::RS256,
                Algorithm::RS384,
                Algorithm::RS512,
                Algorithm::PS256,
                Algorithm::PS384,
                Algorithm::PS512,
            ],
            Self::P256 => &[Algorithm::ES256],
            Self::P384 => &[Algorithm::ES384],
            Self::P521 => &[Algorithm::ES512],
            Self::Ed25519 => &[Algorithm::EdDSA],
        }
    }
}

/// One verification key from the JWK Set.
pub(crate) struct VerificationKey {
    pub(crate) kid: Option<String>,
    pub(crate) kind: KeyKind,
    /// The JWK's own `alg`, when it names one; then that is the only algorithm it verifies.
    pub(crate) alg: Option<Algorithm>,
    pub(crate) key: PublicKey,
    /// Identifies this exact key (its `kid` and public material) across refetches.
    pub(crate) fingerprint: u64,
}

impl VerificationKey {
    pub(crate) fn accepts(&self, alg: Algorithm) -> bool {
        match self.alg {
            Some(pinned) => pinned == alg,
            None => self.kind.algorithms().contains(&alg),
        }
    }
}

/// The usable signing keys of a JWK Set.
pub(crate) struct KeySet {
    keys: Vec<VerificationKey>,
}

/// What looking a key up found.
pub(crate) enum Lookup<'a> {
    Found(&'a VerificationKey),
    /// The `kid` is known but its key is of another family than the header `alg`.
    WrongFamily,
    /// No `kid` in the header and several keys fit its `alg`.
    Ambiguous,
    Unknown,
}

/// Why a JWK Set or discovery document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("request failed: {0}")]
    Request(String),
    #[error("timed out")]
    Timeout,
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    #[error("body is not a JSON {0}")]
    NotJson(&'static str),
    #[error("no usable signing key in the set")]
    NoUsableKey,
    #[error("discovery document names issuer other than the configured one")]
    DiscoveryIssuerMismatch,
}

#[derive(Deserialize)]
struct JwkSetDocument {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK this crate reads (RFC 7517 §4, RFC 7518 §6).
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    #[serde(rename = "use")]
    use_: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// RSA keys shorter than this are refused (RFC 7518 §3.3).
const MIN_RSA_MODULUS_BYTES: usize = 256;

impl KeySet {
    /// Parses a JWK Set; keys that are unusable here are skipped, never fatal.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, FetchError> {
        let document: JwkSetDocument =
            serde_json::from_slice(body).map_err(|_| FetchError::NotJson("JWK Set"))?;
        let keys: Vec<_> = document
            .keys
            .into_iter()
            .filter_map(|value| match parse_key(value) {
                Ok(key) => Some(key),
                Err(reason) => {
                    tracing::debug!(reason, "skipping a key of the JWK Set");
                    None
                }
            })
            .collect();
        if keys.is_empty() {
            return Err(FetchError::NoUsableKey);
        }
        Ok(Self { keys })
    }

    /// Finds the key for a header's `kid` and `alg`.
    pub(crate) fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        match kid {
            Some(kid) => match self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                Some(key) if key.accepts(alg) => Lookup::Found(key),
                Some(_) => Lookup::WrongFamily,
                None => Lookup::Unknown,
            },
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.accepts(alg));
                match (fitting.next(), fitting.next()) {
                    (Some(key), None) => Lookup::Found(key),
                    (Some(_), Some(_)) => Lookup::Ambiguous,
                    (None, _) => Lookup::Unknown,
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the key with this fingerprint is still in the set.
    pub(crate) fn contains(&self, fingerprint: u64) -> bool {
        self.keys.iter().any(|k| k.fingerprint == fingerprint)
    }
}

fn parse_key(value: serde_json::Value) -> Result<VerificationKey, &'static str> {
    let jwk: Jwk = serde_json::from_value(value).map_err(|_| "not a JWK object")?;
    let fingerprint = {
        let mut hasher = std::hash::DefaultHasher::new();
        (&jwk.kid, &jwk.kty, &jwk.crv, &jwk.x, &jwk.y, &jwk.n, &jwk.e).hash(&mut hasher);
        hasher.finish()
    };
    if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
        return Err("not a signing key (`use` is not `sig`)");
    }
    let (kind, key) = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
        ("RSA", _) => {
            let n = decode_member(jwk.n.as_deref())?;
            let e = decode_member(jwk.e.as_deref())?;
            let modulus = strip_leading_zeros(&n);
            if modulus.len() < MIN_RSA_MODULUS_BYTES {
                return Err("RSA key shorter than 2048 bits");
            }
            if strip_leading_zeros(&e).is_empty() {
                return Err("RSA exponent is zero");
            }
            (
                KeyKind::Rsa,
                PublicKey::Jwt(DecodingKey::from_rsa_raw_components(&n, &e)),
            )
        }
        ("EC", Some(curve @ ("P-256" | "P-384" | "P-521"))) => {
            let (kind, size) = match curve {
                "P-256" => (KeyKind::P256, 32),
                "P-384" => (KeyKind::P384, 48),
                _ => (KeyKind::P521, 66),
            };
            let x = decode_member(jwk.x.as_deref())?;
            let y = decode_member(jwk.y.as_deref())?;
            if x.len() != size || y.len() != size {
                return Err("EC coordinates of the wrong length");
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let key = match kind {
                KeyKind::P521 => PublicKey::P521(point),
                _ => PublicKey::Jwt(DecodingKey::from_ec_der(&point)),
            };
            (kind, key)
        }
        ("OKP", Some("Ed25519")) => {
            let x = decode_member(jwk.x.as_deref())?;
            if x.len() != 32 {
                return Err("Ed25519 key of the wrong length");
            }
            (
                KeyKind::Ed25519,
                PublicKey::Jwt(DecodingKey::from_ed_der(&x)),
            )
        }
        _ => return Err("unsupported key type or curve"),
    };
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => {
            let alg: Algorithm = name.parse().map_err(|_| "unsupported `alg`")?;
            if !kind.algorithms().contains(&alg) {
                return Err("`alg` does not match the key type");
            }
            Some(alg)
        }
    };
    Ok(VerificationKey {
        kid: jwk.kid,
        kind,
        alg,
        key,
        fingerprint,
    })
}

fn decode_member(value: Option<&str>) -> Result<Vec<u8>, &'static str> {
    let value = value.ok_or("missing key member")?;
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| "key member is not base64url")
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A key set as fetched at one moment.
pub(crate) struct Snapshot {
    pub(crate) keys: KeySet,
    fetched_at: Instant,
}

/// Fetches, caches and refreshes the issuer's key set.
pub(crate) struct KeyCache {
    source: KeySource,
    http: reqwest::Client,
    max_age: Duration,
    cooldown: Duration,
    backoff: Duration,
    max_bytes: usize,
    current: ArcSwapOption<Snapshot>,
    /// Held for the whole of a fetch: whoever waits on it shares the result.
    fetch_lock: tokio::sync::Mutex<()>,
    /// Whether an HTTP fetch is under way (the lock is also held briefly by waiters).
    fetching: AtomicBool,
    /// Completed fetch attempts, successful or not.
    attempts: AtomicU64,
    /// Failed fetch attempts, for monitoring.
    failures: AtomicU64,
    last_failure: Mutex<Option<Instant>>,
    /// When the last failure happened, kept after a success (unlike `last_failure`).
    last_failure_at: Mutex<Option<SystemTime>>,
    last_unknown_kid_fetch: Mutex<Option<Instant>>,
    refreshing: AtomicBool,
}

enum KeySource {
    Jwks(String),
    /// Discover `jwks_uri` from the issuer's OpenID configuration, then keep it.
    Discover {
        issuer: String,
        discovered: ArcSwapOption<String>,
    },
}

#[derive(Deserialize)]
struct DiscoveryDocument {
    issuer: String,
    jwks_uri: String,
}

/// What monitoring reads about the key set; see [`KeyCache::status`].
pub(crate) struct KeyStatus {
    pub(crate) keys: usize,
    pub(crate) age: Option<Duration>,
    pub(crate) fetched_at: Option<SystemTime>,
    pub(crate) last_failure_at: Option<SystemTime>,
    pub(crate) attempts: u64,
    pub(crate) failures: u64,
}

/// The key set could not be had; the caller decides what that means.
#[derive(Debug)]
pub(crate) struct Unavailable {
    pub(crate) retry_after: Duration,
}

impl KeyCache {
    /// Builds a cache for a checked config.
    pub(crate) fn new(config: &Config, issuer: &str) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let source = match config.jwks_url() {
            Some(uri) => KeySource::Jwks(uri),
            None => KeySource::Discover {
                issuer: issuer.to_owned(),
                discovered: ArcSwapOption::empty(),
            },
        };
        Ok(Self {
            source,
            http,
            max_age: config.keys_max_age,
            cooldown: config.unknown_kid_cooldown,
            backoff: config.failed_fetch_backoff,
            max_bytes: config.max_jwks_bytes,
            current: ArcSwapOption::empty(),
            fetch_lock: tokio::sync::Mutex::new(()),
            fetching: AtomicBool::new(false),
            attempts: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            last_failure: Mutex::new(None),
            last_failure_at: Mutex::new(None),
            last_unknown_kid_fetch: Mutex::new(None),
            refreshing: AtomicBool::new(false),
        })
    }

    /// The current key set, fetching it if there is none yet; a stale set is returned at once
    /// and refreshed in the background.
    pub(crate) async fn snapshot(self: &Arc<Self>) -> Result<Arc<Snapshot>, Unavailable> {
        if let Some(snapshot) = self.current.load_full() {
            if snapshot.fetched_at.elapsed() >= self.max_age && self.backoff_remaining().is_none() {
                self.refresh_in_background();
            }
            return Ok(snapshot);
        }
        if let Some(retry_after) = self.backoff_remaining() {
            return Err(Unavailable { retry_after });
        }
        let seen = self.attempts.load(Ordering::Acquire);
        self.fetch_shared(seen).await.map_err(|_| Unavailable {
            retry_after: self.backoff.max(Duration::from_secs(1)),
        })
    }

    /// After a token named a `kid` that `seen` lacks: a newer set if one can be had now.
    ///
    /// At most one fetch per cooldown window is started for unknown `kid`s. A request that
    /// arrives while any fetch is in flight waits for it instead of being refused, and never
    /// starts one itself.
    pub(crate) async fn refetch_for_unknown_kid(
        &self,
        seen: &Arc<Snapshot>,
    ) -> Option<Arc<Snapshot>> {
        let newer = |current: Option<Arc<Snapshot>>| current.filter(|c| !Arc::ptr_eq(c, seen));
        if let Some(current) = newer(self.current.load_full()) {
            return Some(current);
        }
        if self.claim_unknown_kid_slot() {
            let attempts = self.attempts.load(Ordering::Acquire);
            return self.fetch_shared(attempts).await.ok();
        }
        if self.fetching.load(Ordering::Acquire) {
            drop(self.fetch_lock.lock().await);
            return newer(self.current.load_full());
        }
        None
    }

    /// Fetches now, or shares the outcome of a fetch that completed since `seen` attempts.
    #[tracing::instrument(
        name = "logto_guard.fetch_keys",
        level = "debug",
        skip_all,
        fields(source = self.describe_source())
    )]
    async fn fetch_shared(&self, seen: u64) -> Result<Arc<Snapshot>, FetchError> {
        let _flight = self.fetch_lock.lock().await;
        if self.attempts.load(Ordering::Acquire) != seen {
            let failed = lock(&self.last_failure).is_some();
            return match self.current.load_full() {
                Some(snapshot) if !failed => Ok(snapshot),
                _ => Err(FetchError::Request("the shared fetch failed".to_owned())),
            };
        }
        self.fetching.store(true, Ordering::Release);
        let outcome = self.fetch().await;
        self.fetching.store(false, Ordering::Release);
        match &outcome {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "fetched the JWK Set");
                *lock(&self.last_failure) = None;
            }
            Err(error) => {
                tracing::warn!(%error, uri = self.describe_source(), "could not fetch the JWK Set");
                *lock(&self.last_failure) = Some(Instant::now());
                *lock(&self.last_failure_at) = Some(SystemTime::now());
                self.failures.fetch_add(1, Ordering::Release);
            }
        }
        let result = outcome.map(|keys| {
            let snapshot = Arc::new(Snapshot {
                keys,
                fetched_at: Instant::now(),
            });
            self.current.store(Some(Arc::clone(&snapshot)));
            snapshot
        });
        self.attempts.fetch_add(1, Ordering::Release);
        result
    }

    fn refresh_in_background(self: &Arc<Self>) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let cache = Arc::clone(self);
        let refresh = async move {
            let seen = cache.attempts.load(Ordering::Acquire);
            // A failure is logged and remembered by `fetch_shared`; the old keys keep serving.
            let _ = cache.fetch_shared(seen).await;
            cache.refreshing.store(false, Ordering::Release);
        };
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(refresh);
            }
            Err(_) => self.refreshing.store(false, Ordering::Release),
        }
    }

    fn claim_unknown_kid_slot(&self) -> bool {
        let mut last = lock(&self.last_unknown_kid_fetch);
        match *last {
            Some(at) if at.elapsed() < self.cooldown => false,
            _ => {
                *last = Some(Instant::now());
                true
            }
        }
    }

    fn backoff_remaining(&self) -> Option<Duration> {
        let failed_at = (*lock(&self.last_failure))?;
        self.backoff.checked_sub(failed_at.elapsed())
    }

    /// Completed fetch attempts so far.
    pub(crate) fn fetch_attempts(&self) -> u64 {
        self.attempts.load(Ordering::Acquire)
    }

    /// Whether a key set is loaded.
    pub(crate) fn is_loaded(&self) -> bool {
        self.current.load().is_some()
    }

    /// The state of the key set, for monitoring.
    pub(crate) fn status(&self) -> KeyStatus {
        let current = self.current.load_full();
        let age = current.as_ref().map(|s| s.fetched_at.elapsed());
        KeyStatus {
            keys: current.as_ref().map_or(0, |s| s.keys.len()),
            age,
            fetched_at: age.and_then(|age| SystemTime::now().checked_sub(age)),
            last_failure_at: *lock(&self.last_failure_at),
            attempts: self.attempts.load(Ordering::Acquire),
            failures: self.failures.load(Ordering::Acquire),
        }
    }

    async fn fetch(&self) -> Result<KeySet, FetchError> {
        let uri = match &self.source {
            KeySource::Jwks(uri) => uri.clone(),
            KeySource::Discover { issuer, discovered } => match discovered.load_full() {
                Some(uri) => String::clone(&uri),
                None => {
                    let uri = self.discover(issuer).await?;
                    discovered.store(Some(Arc::new(uri.clone())));
                    uri
                }
            },
        };
        KeySet::parse(&self.get(&uri).await?)
    }

    async fn discover(&self, issuer: &str) -> Result<String, FetchError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let body = self.get(&url).await?;
        let document: DiscoveryDocument = serde_json::from_slice(&body)
            .map_err(|_| FetchError::NotJson("OpenID configuration"))?;
        if document.issuer != issuer {
            return Err(FetchError::DiscoveryIssuerMismatch);
        }
        Ok(document.jwks_uri)
    }

    /// GETs `url`, refusing bodies over the size limit before reading them whole.
    async fn get(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(request_error)?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response
            .content_length()
            .is_some_and(|len| len > self.max_bytes as u64)
        {
            return Err(FetchError::TooLarge(self.max_bytes));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(request_error)? {
            if body.len() + chunk.len() > self.max_bytes {
                return Err(FetchError::TooLarge(self.max_bytes));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn describe_source(&self) -> &str {
        match &self.source {
            KeySource::Jwks(uri) => uri,
            KeySource::Discover { issuer, .. } => issuer,
        }
    }
}

fn request_error(error: reqwest::Error) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Request(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::KeySet;

    fn jwk_member() -> impl Strategy<Value = serde_json::Value> {
        prop_oneof![
            Just(serde_json::Value::Null),
            any::<i64>().prop_map(serde_json::Value::from),
            "[A-Za-z0-9_-]{0,96}".prop_map(serde_json::Value::from),
            ".{0,16}".prop_map(serde_json::Value::from),
        ]
    }

    fn jwk() -> impl Strategy<Value = serde_json::Value> {
        let kty = prop_oneof![Just("EC"), Just("RSA"), Just("OKP"), Just("oct"), Just("")];
        let crv = prop_oneof![
            Just("P-256"),
            Just("P-384"),
            Just("P-521"),
            Just("Ed25519"),
            Just("X")
        ];
        let alg = prop_oneof![
            Just("ES256"),
            Just("ES384"),
            Just("RS256"),
            Just("HS256"),
            Just("none")
        ];
        (kty, crv, alg, jwk_member(), jwk_member(), jwk_member(), jwk_member()).prop_map(
            |(kty, crv, alg, x, y, n, e)| {
                serde_json::json!({"kty": kty, "crv": crv, "alg": alg, "x": x, "y": y, "n": n, "e": e, "kid": "k"})
            },
        )
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic_the_jwks_parser(body in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = KeySet::parse(&body);
        }

        #[test]
        fn arbitrary_jwk_members_never_panic_the_jwks_parser(keys in proptest::collection::vec(jwk(), 0..6)) {
            let body = serde_json::json!({ "keys": keys }).to_string();
            let _ = KeySet::parse(body.as_bytes());
        }
    }
}
