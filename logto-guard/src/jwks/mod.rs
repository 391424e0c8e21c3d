//! An issuer's signing keys: the cache that fetches the JWK Set, over HTTP. The validator has
//! one per trusted issuer (the endpoint's and each custom domain's), each with its own state.
//!
//! Keys are served from memory. An old set is refreshed in the background while it keeps
//! serving; a set the issuer has not confirmed for `keys_max_stale` is dropped. An unknown
//! `kid` may trigger a refetch, held back after refetches that found no new key; a `kid` seen
//! leaving the set triggers none. Refetches are conditional (`If-None-Match`), and
//! all requests share the one fetch in flight. The rules live in [`state`]; this module does
//! the I/O.

mod key_set;
mod state;

use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Instant, SystemTime};

use serde::Deserialize;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;
use tracing::Instrument as _;

pub(crate) use key_set::{KeySet, Lookup};
pub(crate) use state::KeyStatus;
use state::{FetchState, Fetched, Read, Refetch, Timing};

use crate::config::{Config, ConfigError, check_url, url_for_logs};
use crate::http::{BodyError, describe_error, read_limited};
use crate::support::lock;

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
    #[error("discovery document names a `jwks_uri` that is refused: {0}")]
    DiscoveredUriRefused(ConfigError),
    #[error("no Tokio runtime to fetch on")]
    NoRuntime,
}

/// Fetches, caches and refreshes the issuer's key set.
pub(crate) struct KeyCache {
    source: KeySource,
    http: reqwest::Client,
    max_bytes: usize,
    /// The algorithms an RSA key published without `alg` verifies.
    rsa_algorithms: Vec<crate::algorithm::Algorithm>,
    /// Held only to read or change the state, never across an await.
    state: Mutex<FetchState>,
    /// Wakes the requests waiting for the fetch in flight when it ends.
    fetch_ended: Notify,
}

enum KeySource {
    Jwks(String),
    /// Discover `jwks_uri` from the issuer's OpenID configuration, then keep it.
    Discover {
        issuer: String,
        /// Same transport rule for a discovered URI as for a configured one.
        allow_insecure_http: bool,
        discovered: OnceLock<String>,
    },
}

#[derive(Deserialize)]
struct DiscoveryDocument {
    issuer: String,
    jwks_uri: String,
}

/// The key set could not be had; the caller decides what that means.
#[derive(Debug)]
pub(crate) struct Unavailable {
    pub(crate) retry_after: std::time::Duration,
}

impl KeyCache {
    /// The HTTP client of the key caches of `config`, shared by those of all its issuers.
    pub(crate) fn http_client(config: &Config) -> Result<reqwest::Client, reqwest::Error> {
        reqwest::Client::builder()
            .timeout(config.fetch_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
    }

    /// Builds the cache of `issuer`'s keys for a checked config: from `jwks_uri`, or discovered
    /// when `None`.
    pub(crate) fn new(
        config: &Config,
        http: reqwest::Client,
        issuer: &str,
        jwks_uri: Option<String>,
    ) -> Self {
        let source = match jwks_uri {
            Some(uri) => KeySource::Jwks(uri),
            None => KeySource::Discover {
                issuer: issuer.to_owned(),
                allow_insecure_http: config.allow_insecure_http,
                discovered: OnceLock::new(),
            },
        };
        let timing = Timing {
            max_age: config.keys_max_age,
            max_stale: config.keys_max_stale,
            cooldown: config.unknown_kid_cooldown,
            backoff: config.failed_fetch_backoff,
        };
        Self {
            source,
            http,
            max_bytes: config.max_jwks_bytes,
            rsa_algorithms: config.rsa_algorithms_without_alg(),
            state: Mutex::new(FetchState::new(timing)),
            fetch_ended: Notify::new(),
        }
    }

    /// The current key set, fetching it if there is none; an old set is returned at once and
    /// refreshed in the background.
    pub(crate) async fn snapshot(self: &Arc<Self>) -> Result<Arc<KeySet>, Unavailable> {
        let fetch_ended = {
            let mut state = lock(&self.state);
            match state.read(Instant::now()) {
                Read::Use(keys) => return Ok(keys),
                Read::UseAndRefresh(keys) => {
                    drop(state);
                    self.start_fetch();
                    return Ok(keys);
                }
                Read::Unavailable(retry_after) => return Err(Unavailable { retry_after }),
                Read::Load => {
                    let fetch_ended = self.fetch_end_while_locked();
                    drop(state);
                    self.start_fetch();
                    fetch_ended
                }
                Read::Wait => self.fetch_end_while_locked(),
            }
        };
        fetch_ended.await;
        lock(&self.state)
            .settled(Instant::now())
            .map_err(|retry_after| Unavailable { retry_after })
    }

    /// After a token asked for a key that `seen` lacks: a newer set if one can be had now.
    pub(crate) async fn refetch_for_unknown_kid(
        self: &Arc<Self>,
        seen: &Arc<KeySet>,
        kid: Option<&str>,
    ) -> Option<Arc<KeySet>> {
        let fetch_ended = {
            let mut state = lock(&self.state);
            match state.unknown_kid(seen, kid, Instant::now()) {
                Refetch::Newer(keys) => return Some(keys),
                Refetch::Refused => return None,
                Refetch::Gone => {
                    tracing::debug!("the token's key left the JWK Set; no refetch");
                    return None;
                }
                Refetch::Fetch => {
                    let fetch_ended = self.fetch_end_while_locked();
                    drop(state);
                    self.start_fetch();
                    fetch_ended
                }
                Refetch::Wait => self.fetch_end_while_locked(),
            }
        };
        fetch_ended.await;
        lock(&self.state).newer_than(seen)
    }

    /// The end of the fetch in flight, to await once the state is unlocked. Called with the
    /// state locked, so that the fetch cannot end (and notify) before this listens; made only
    /// for a request that waits, never on the path that uses the keys at hand.
    fn fetch_end_while_locked(&self) -> Pin<Box<Notified<'_>>> {
        let mut fetch_ended = Box::pin(self.fetch_ended.notified());
        fetch_ended.as_mut().enable();
        fetch_ended
    }

    /// Wakes the requests waiting for the fetch that just ended. Called with the state locked:
    /// a request that takes the lock next and starts another fetch listens for that one's end,
    /// and is not woken by this one's.
    fn notify_fetch_end(&self) {
        self.fetch_ended.notify_waiters();
    }

    /// Runs the fetch the state just marked in flight, on its own task so that it ends (and
    /// wakes its waiters) even if the request that started it goes away.
    fn start_fetch(self: &Arc<Self>) {
        let ending = FetchEnding {
            cache: Arc::clone(self),
            reported: false,
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::warn!("cannot fetch the JWK Set outside a Tokio runtime");
            ending.complete(Fetched::Failed(FetchError::NoRuntime));
            return;
        };
        runtime.spawn(async move {
            let etag = lock(&ending.cache.state).etag();
            let fetched = ending.cache.fetch(etag).await;
            ending.complete(fetched);
        });
    }

    /// The state of the keys, for monitoring.
    pub(crate) fn status(&self) -> KeyStatus {
        lock(&self.state).status(Instant::now())
    }

    async fn fetch(&self, etag: Option<String>) -> Fetched {
        // A span by hand rather than `#[tracing::instrument]` (see `Validator::verify`).
        let span = tracing::debug_span!("logto_guard.fetch_keys", source = %self.describe_source());
        async {
            match self.try_fetch(etag).await {
                Ok(fetched) => fetched,
                Err(error) => {
                    tracing::warn!(%error, uri = %self.describe_source(), "could not fetch the JWK Set");
                    Fetched::Failed(error)
                }
            }
        }
        .instrument(span)
        .await
    }

    async fn try_fetch(&self, etag: Option<String>) -> Result<Fetched, FetchError> {
        let uri = self.jwks_uri().await?;
        let response = self.send(uri, etag.as_deref()).await?;
        if etag.is_some() && response.status() == reqwest::StatusCode::NOT_MODIFIED {
            tracing::debug!("the JWK Set is unchanged (304)");
            return Ok(Fetched::NotModified);
        }
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let keys = KeySet::parse(&self.body(response).await?, &self.rsa_algorithms)?;
        tracing::debug!(keys = keys.len(), "fetched the JWK Set");
        Ok(Fetched::Keys { keys, etag })
    }

    async fn jwks_uri(&self) -> Result<&str, FetchError> {
        match &self.source {
            KeySource::Jwks(uri) => Ok(uri),
            KeySource::Discover {
                issuer,
                allow_insecure_http,
                discovered,
            } => {
                if let Some(uri) = discovered.get() {
                    return Ok(uri);
                }
                let uri = self.discover(issuer, *allow_insecure_http).await?;
                tracing::debug!(uri = %url_for_logs(&uri), "discovered the JWK Set URI");
                Ok(discovered.get_or_init(|| uri))
            }
        }
    }

    async fn discover(
        &self,
        issuer: &str,
        allow_insecure_http: bool,
    ) -> Result<String, FetchError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let body = self.body(self.send(&url, None).await?).await?;
        let document: DiscoveryDocument = serde_json::from_slice(&body)
            .map_err(|_| FetchError::NotJson("OpenID configuration"))?;
        if document.issuer != issuer {
            return Err(FetchError::DiscoveryIssuerMismatch);
        }
        check_url("jwks_uri", &document.jwks_uri, allow_insecure_http)
            .map_err(FetchError::DiscoveredUriRefused)?;
        Ok(document.jwks_uri)
    }

    /// GETs `url`, conditionally (`If-None-Match`) when `etag` is given.
    async fn send(&self, url: &str, etag: Option<&str>) -> Result<reqwest::Response, FetchError> {
        let mut request = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(etag) = etag {
            request = request.header(reqwest::header::IF_NONE_MATCH, etag);
        }
        request.send().await.map_err(request_error)
    }

    /// The body of a successful response, refused over the size limit before it is read whole.
    async fn body(&self, response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        read_limited(response, self.max_bytes)
            .await
            .map_err(|error| match error {
                BodyError::TooLarge => FetchError::TooLarge(self.max_bytes),
                BodyError::Read(error) => request_error(error),
            })
    }

    /// Where the keys come from, for logs: the JWK Set URI once known, else the issuer whose
    /// discovery document names it; never with credentials or a query.
    fn describe_source(&self) -> String {
        let uri = match &self.source {
            KeySource::Jwks(uri) => uri,
            KeySource::Discover {
                issuer, discovered, ..
            } => discovered.get().unwrap_or(issuer),
        };
        url_for_logs(uri)
    }
}

/// The end of the fetch in flight: reported once, with its outcome, or as abandoned when the
/// task running it is dropped first (its runtime shut down); either way its waiters wake.
struct FetchEnding {
    cache: Arc<KeyCache>,
    reported: bool,
}

impl FetchEnding {
    fn complete(mut self, fetched: Fetched) {
        let mut state = lock(&self.cache.state);
        state.complete(fetched, Instant::now(), SystemTime::now());
        self.cache.notify_fetch_end();
        drop(state);
        self.reported = true;
    }
}

impl Drop for FetchEnding {
    fn drop(&mut self) {
        if !self.reported {
            let mut state = lock(&self.cache.state);
            state.abandon();
            self.cache.notify_fetch_end();
        }
    }
}

fn request_error(error: reqwest::Error) -> FetchError {
    if error.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Request(describe_error(&error.without_url()))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::KeyCache;
    use crate::config::Config;

    /// The text of every log record written through it.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            crate::support::lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failed_fetch_logs_its_uri_without_credentials_or_query() {
        // A port nothing listens on: the fetch fails at once.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let uri = format!("http://svc:hunter2@127.0.0.1:{port}/oidc/jwks?api_key=k3y#frag");
        // Not checked: the log must not depend on the config check having run.
        let config = Config::new("https://tenant.logto.app").jwks_uri(uri);
        let http = KeyCache::http_client(&config).expect("client");
        let cache = Arc::new(KeyCache::new(
            &config,
            http,
            "https://tenant.logto.app/oidc",
            config.known_key_set_url(),
        ));
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        tracing::subscriber::with_default(subscriber, || {
            runtime.block_on(async {
                assert!(cache.snapshot().await.is_err(), "nothing listens");
            });
        });
        let logs = String::from_utf8_lossy(&crate::support::lock(&captured.0)).into_owned();
        assert!(logs.contains("could not fetch the JWK Set"), "{logs}");
        let shown = format!("http://127.0.0.1:{port}/oidc/jwks");
        assert!(logs.contains(&format!("source={shown}")), "{logs}");
        assert!(logs.contains(&format!("uri={shown}")), "{logs}");
        for hidden in ["svc", "hunter2", "api_key", "k3y", "frag"] {
            assert!(!logs.contains(hidden), "{hidden} in {logs}");
        }
    }
}
