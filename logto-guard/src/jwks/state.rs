//! The key cache's fetch state: when to use the keys, refresh them, refetch for an unknown
//! `kid`, wait, or refuse.
//!
//! Every decision and transition of the key cache is a method here, a plain function of the
//! state and the instant it is given: no I/O, no clock, no lock. [`KeyCache`](super::KeyCache)
//! holds the state behind one mutex, performs the fetches this state asks for, and reports
//! their outcome back with [`FetchState::complete`].

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::key_set::KeySet;

/// The cache's time rules, from the config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// A set this old is refreshed in the background.
    pub(crate) max_age: Duration,
    /// A set the issuer has not confirmed for this long is dropped.
    pub(crate) max_stale: Duration,
    /// After an unknown-`kid` refetch found nothing new, none for this long.
    pub(crate) cooldown: Duration,
    /// After a failed fetch, no fetch for this long.
    pub(crate) backoff: Duration,
}

/// Why a fetch was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// No key set is loaded.
    Load,
    /// The loaded set is older than `max_age`.
    Refresh,
    /// A token named a `kid` the loaded set lacks.
    UnknownKid,
}

/// What a fetch brought back.
pub(crate) enum Fetched {
    /// A key set (HTTP 200), with the response's `ETag`.
    Keys { keys: KeySet, etag: Option<String> },
    /// HTTP 304: the set we hold is still current.
    NotModified,
    /// No usable answer (logged where it happened).
    Failed,
}

/// What a request should do to get keys.
pub(crate) enum Read {
    /// Use these keys.
    Use(Arc<KeySet>),
    /// Use these keys, and start a background refresh (now in flight).
    UseAndRefresh(Arc<KeySet>),
    /// No keys: start a fetch (now in flight) and wait for it.
    Load,
    /// No keys, a fetch is in flight: wait for it.
    Wait,
    /// No keys, and a fetch failed a moment ago: the client should retry after this.
    Unavailable(Duration),
}

/// What a request whose `kid` is not in the keys it used should do.
pub(crate) enum Refetch {
    /// A fetch since then brought these keys: look again.
    Newer(Arc<KeySet>),
    /// Start a fetch (now in flight) and wait for it.
    Fetch,
    /// A fetch is in flight: wait for it.
    Wait,
    /// No fetch now (cooldown or backoff): the `kid` is unknown.
    Refused,
}

/// The key set in use.
struct Loaded {
    keys: Arc<KeySet>,
    etag: Option<String>,
    /// When the issuer last confirmed this set (HTTP 200 with these keys, or 304).
    confirmed_at: Instant,
    confirmed_at_wall: SystemTime,
}

impl Loaded {
    fn confirm(&mut self, now: Instant, wall: SystemTime) {
        self.confirmed_at = now;
        self.confirmed_at_wall = wall;
    }
}

/// What monitoring reads; see [`FetchState::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyStatus {
    pub(crate) keys: usize,
    /// Time since the issuer last confirmed the set in use.
    pub(crate) age: Option<Duration>,
    pub(crate) confirmed_at: Option<SystemTime>,
    pub(crate) last_failure_at: Option<SystemTime>,
    /// Whether the keys were dropped for being older than `max_stale`, and no fetch has
    /// succeeded since.
    pub(crate) expired: bool,
    pub(crate) attempts: u64,
    pub(crate) failures: u64,
}

/// Everything the key cache knows about its keys and fetches.
pub(crate) struct FetchState {
    timing: Timing,
    loaded: Option<Loaded>,
    /// Why the fetch in flight was started; `None` when none is.
    in_flight: Option<Reason>,
    /// When the last fetch failed, as long as none succeeded since: the backoff runs from it.
    failed_at: Option<Instant>,
    /// When an unknown-`kid` refetch last found nothing new: the cooldown runs from it.
    found_nothing_at: Option<Instant>,
    last_failure_at: Option<SystemTime>,
    expired: bool,
    attempts: u64,
    failures: u64,
}

impl FetchState {
    pub(crate) fn new(timing: Timing) -> Self {
        Self {
            timing,
            loaded: None,
            in_flight: None,
            failed_at: None,
            found_nothing_at: None,
            last_failure_at: None,
            expired: false,
            attempts: 0,
            failures: 0,
        }
    }

    /// A request wants keys.
    pub(crate) fn read(&mut self, now: Instant) -> Read {
        self.drop_if_stale(now);
        if let Some(loaded) = &self.loaded {
            let keys = Arc::clone(&loaded.keys);
            let old = now.saturating_duration_since(loaded.confirmed_at) >= self.timing.max_age;
            if old && self.in_flight.is_none() && self.backoff_remaining(now).is_none() {
                self.in_flight = Some(Reason::Refresh);
                return Read::UseAndRefresh(keys);
            }
            return Read::Use(keys);
        }
        if self.in_flight.is_some() {
            return Read::Wait;
        }
        if let Some(remaining) = self.backoff_remaining(now) {
            return Read::Unavailable(remaining);
        }
        self.in_flight = Some(Reason::Load);
        Read::Load
    }

    /// After waiting for a fetch that a [`Read::Load`] or [`Read::Wait`] asked for.
    pub(crate) fn settled(&mut self, now: Instant) -> Result<Arc<KeySet>, Duration> {
        self.drop_if_stale(now);
        match &self.loaded {
            Some(loaded) => Ok(Arc::clone(&loaded.keys)),
            None => Err(self.timing.backoff.max(Duration::from_secs(1))),
        }
    }

    /// A token's `kid` is not in `seen`, the keys its request used.
    ///
    /// Refetches are bounded by the cooldown, which only a refetch that found nothing new
    /// starts: a forged `kid` costs one fetch per window, a real rotation is seen at once.
    pub(crate) fn unknown_kid(&mut self, seen: &Arc<KeySet>, now: Instant) -> Refetch {
        self.drop_if_stale(now);
        if let Some(newer) = self.newer_than(seen) {
            return Refetch::Newer(newer);
        }
        if self.in_flight.is_some() {
            return Refetch::Wait;
        }
        let cooling = self
            .found_nothing_at
            .is_some_and(|at| now.saturating_duration_since(at) < self.timing.cooldown);
        if cooling || self.loaded.is_none() || self.backoff_remaining(now).is_some() {
            return Refetch::Refused;
        }
        self.in_flight = Some(Reason::UnknownKid);
        Refetch::Fetch
    }

    /// The keys in use, if a fetch replaced `seen` with another set.
    pub(crate) fn newer_than(&self, seen: &Arc<KeySet>) -> Option<Arc<KeySet>> {
        self.loaded
            .as_ref()
            .filter(|loaded| !Arc::ptr_eq(&loaded.keys, seen))
            .map(|loaded| Arc::clone(&loaded.keys))
    }

    /// The `ETag` to send with the next fetch (`If-None-Match`).
    pub(crate) fn etag(&self) -> Option<String> {
        self.loaded.as_ref().and_then(|loaded| loaded.etag.clone())
    }

    /// The fetch in flight ended with `fetched`.
    pub(crate) fn complete(&mut self, fetched: Fetched, now: Instant, wall: SystemTime) {
        let reason = self.in_flight.take();
        self.attempts += 1;
        let changed = match (fetched, self.loaded.as_mut()) {
            (Fetched::Keys { keys, etag }, Some(loaded)) if loaded.keys.same_keys(&keys) => {
                loaded.etag = etag;
                loaded.confirm(now, wall);
                Some(false)
            }
            (Fetched::NotModified, Some(loaded)) => {
                loaded.confirm(now, wall);
                Some(false)
            }
            (Fetched::Keys { keys, etag }, _) => {
                self.loaded = Some(Loaded {
                    keys: Arc::new(keys),
                    etag,
                    confirmed_at: now,
                    confirmed_at_wall: wall,
                });
                Some(true)
            }
            // A 304 for a set dropped meanwhile confirms nothing.
            (Fetched::NotModified, None) | (Fetched::Failed, _) => None,
        };
        if changed.is_some() {
            self.failed_at = None;
            self.expired = false;
        } else {
            self.failed_at = Some(now);
            self.last_failure_at = Some(wall);
            self.failures += 1;
        }
        // Only a refetch that found a changed set (a rotation, not a forged `kid`) leaves the
        // cooldown alone.
        if reason == Some(Reason::UnknownKid) && changed != Some(true) {
            self.found_nothing_at = Some(now);
        }
    }

    /// The fetch in flight was dropped before it ended (its runtime shut down).
    pub(crate) fn abandon(&mut self) {
        self.in_flight = None;
    }

    /// The state of the keys, for monitoring.
    pub(crate) fn status(&mut self, now: Instant) -> KeyStatus {
        self.drop_if_stale(now);
        KeyStatus {
            keys: self.loaded.as_ref().map_or(0, |l| l.keys.len()),
            age: self
                .loaded
                .as_ref()
                .map(|l| now.saturating_duration_since(l.confirmed_at)),
            confirmed_at: self.loaded.as_ref().map(|l| l.confirmed_at_wall),
            last_failure_at: self.last_failure_at,
            expired: self.expired,
            attempts: self.attempts,
            failures: self.failures,
        }
    }

    /// Past `max_stale` without a confirmation, keys are no longer trusted: the issuer may have
    /// removed them, and an attacker who blocks our traffic to it must not keep them alive.
    fn drop_if_stale(&mut self, now: Instant) {
        let stale = self.loaded.as_ref().is_some_and(|loaded| {
            now.saturating_duration_since(loaded.confirmed_at) >= self.timing.max_stale
        });
        if stale {
            tracing::warn!(
                max_stale_secs = self.timing.max_stale.as_secs_f64(),
                "dropping the JWK Set: no fetch has succeeded for `keys_max_stale`; requests get \
                 503 until one does"
            );
            self.loaded = None;
            self.expired = true;
        }
    }

    fn backoff_remaining(&self, now: Instant) -> Option<Duration> {
        let failed_at = self.failed_at?;
        self.timing
            .backoff
            .checked_sub(now.saturating_duration_since(failed_at))
            .filter(|remaining| !remaining.is_zero())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn timing() -> Timing {
        Timing {
            max_age: 10 * SECOND,
            max_stale: 100 * SECOND,
            cooldown: 30 * SECOND,
            backoff: 5 * SECOND,
        }
    }

    /// A set of Ed25519 keys named `kids`: one public key for all, the `kid` alone makes them
    /// distinct, so the same `kids` make the same set.
    fn keys(kids: &[&str]) -> KeySet {
        static PUBLIC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let x = PUBLIC.get_or_init(|| {
            let pair = aws_lc_rs::signature::Ed25519KeyPair::generate().expect("key generation");
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                aws_lc_rs::signature::KeyPair::public_key(&pair).as_ref(),
            )
        });
        let jwks: Vec<_> = kids
            .iter()
            .map(|kid| serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid}))
            .collect();
        let body = serde_json::json!({ "keys": jwks }).to_string();
        KeySet::parse(body.as_bytes(), &[]).expect("a valid set")
    }

    fn fetched(kids: &[&str], etag: Option<&str>) -> Fetched {
        Fetched::Keys {
            keys: keys(kids),
            etag: etag.map(str::to_owned),
        }
    }

    fn loaded(kids: &[&str], t0: Instant) -> (FetchState, Arc<KeySet>) {
        let mut state = FetchState::new(timing());
        assert!(matches!(state.read(t0), Read::Load));
        state.complete(fetched(kids, Some("\"v1\"")), t0, SystemTime::now());
        let Read::Use(keys) = state.read(t0) else {
            panic!("a loaded set is used")
        };
        (state, keys)
    }

    #[test]
    fn the_first_read_loads_and_others_wait_for_it() {
        let t0 = Instant::now();
        let mut state = FetchState::new(timing());
        assert!(matches!(state.read(t0), Read::Load));
        assert!(matches!(state.read(t0), Read::Wait));
        state.complete(fetched(&["a"], None), t0, SystemTime::now());
        assert!(state.settled(t0).is_ok());
        assert!(matches!(state.read(t0), Read::Use(_)));
        assert_eq!(state.status(t0).attempts, 1);
    }

    #[test]
    fn a_failed_load_backs_off_then_loads_again() {
        let t0 = Instant::now();
        let mut state = FetchState::new(timing());
        assert!(matches!(state.read(t0), Read::Load));
        state.complete(Fetched::Failed, t0, SystemTime::now());
        assert_eq!(state.settled(t0).err(), Some(5 * SECOND));
        assert!(matches!(state.read(t0 + 2 * SECOND), Read::Unavailable(d) if d == 3 * SECOND));
        assert!(matches!(state.read(t0 + 5 * SECOND), Read::Load));
        let status = state.status(t0 + 5 * SECOND);
        assert_eq!((status.attempts, status.failures), (1, 1));
    }

    #[test]
    fn an_old_set_is_used_while_one_refresh_runs() {
        let t0 = Instant::now();
        let (mut state, _) = loaded(&["a"], t0);
        assert!(matches!(state.read(t0 + 9 * SECOND), Read::Use(_)));
        assert!(matches!(
            state.read(t0 + 10 * SECOND),
            Read::UseAndRefresh(_)
        ));
        assert!(matches!(state.read(t0 + 10 * SECOND), Read::Use(_)));
        // A failed refresh keeps the keys and waits out the backoff before the next one.
        state.complete(Fetched::Failed, t0 + 11 * SECOND, SystemTime::now());
        assert!(matches!(state.read(t0 + 12 * SECOND), Read::Use(_)));
        assert!(matches!(
            state.read(t0 + 16 * SECOND),
            Read::UseAndRefresh(_)
        ));
    }

    #[test]
    fn a_changed_set_does_not_start_the_cooldown() {
        let t0 = Instant::now();
        let (mut state, first) = loaded(&["a"], t0);
        assert!(matches!(state.unknown_kid(&first, t0), Refetch::Fetch));
        state.complete(fetched(&["b", "a"], None), t0, SystemTime::now());
        let Some(second) = state.newer_than(&first) else {
            panic!("the rotation replaced the set")
        };
        // A second rotation a second later is fetched at once.
        assert!(matches!(
            state.unknown_kid(&second, t0 + SECOND),
            Refetch::Fetch
        ));
        state.complete(fetched(&["c", "b"], None), t0 + SECOND, SystemTime::now());
        assert!(state.newer_than(&second).is_some());
        // Asking with the old set finds the newer one without a fetch.
        assert!(matches!(
            state.unknown_kid(&first, t0 + SECOND),
            Refetch::Newer(_)
        ));
    }

    #[test]
    fn the_same_set_or_a_304_or_a_failure_starts_the_cooldown() {
        let outcomes: [fn() -> Fetched; 3] = [
            || fetched(&["a"], Some("\"v1\"")),
            || Fetched::NotModified,
            || Fetched::Failed,
        ];
        for outcome in outcomes {
            let t0 = Instant::now();
            let (mut state, keys) = loaded(&["a"], t0);
            assert!(matches!(state.unknown_kid(&keys, t0), Refetch::Fetch));
            state.complete(outcome(), t0, SystemTime::now());
            assert!(
                state.newer_than(&keys).is_none(),
                "nothing new replaces nothing"
            );
            assert!(matches!(
                state.unknown_kid(&keys, t0 + 29 * SECOND),
                Refetch::Refused
            ));
            assert!(matches!(
                state.unknown_kid(&keys, t0 + 30 * SECOND),
                Refetch::Fetch
            ));
        }
    }

    #[test]
    fn unknown_kids_wait_for_a_fetch_in_flight() {
        let t0 = Instant::now();
        let (mut state, keys) = loaded(&["a"], t0);
        assert!(matches!(
            state.read(t0 + 10 * SECOND),
            Read::UseAndRefresh(_)
        ));
        assert!(matches!(
            state.unknown_kid(&keys, t0 + 10 * SECOND),
            Refetch::Wait
        ));
        state.abandon();
        assert!(matches!(
            state.unknown_kid(&keys, t0 + 10 * SECOND),
            Refetch::Fetch
        ));
    }

    #[test]
    fn the_etag_of_the_loaded_set_is_sent_and_a_304_confirms_it() {
        let t0 = Instant::now();
        let (mut state, keys) = loaded(&["a"], t0);
        assert_eq!(state.etag().as_deref(), Some("\"v1\""));
        assert!(matches!(
            state.read(t0 + 10 * SECOND),
            Read::UseAndRefresh(_)
        ));
        state.complete(Fetched::NotModified, t0 + 10 * SECOND, SystemTime::now());
        assert_eq!(
            state.status(t0 + 10 * SECOND).age,
            Some(Duration::ZERO),
            "confirmed"
        );
        assert!(state.newer_than(&keys).is_none(), "the same set is kept");
    }

    #[test]
    fn keys_unconfirmed_for_max_stale_are_dropped_until_a_fetch_succeeds() {
        let t0 = Instant::now();
        let (mut state, _) = loaded(&["a"], t0);
        // Refreshes keep failing.
        let mut now = t0 + 10 * SECOND;
        while now < t0 + 100 * SECOND {
            if let Read::UseAndRefresh(_) = state.read(now) {
                state.complete(Fetched::Failed, now, SystemTime::now());
            }
            now += SECOND;
        }
        assert!(matches!(state.read(t0 + 99 * SECOND), Read::Use(_)));
        // At the limit the keys are dropped and a load is tried; it fails too.
        let at_limit = t0 + 100 * SECOND;
        assert!(matches!(state.read(at_limit), Read::Load));
        state.complete(Fetched::Failed, at_limit, SystemTime::now());
        assert!(state.settled(at_limit).is_err());
        assert!(matches!(
            state.read(at_limit + SECOND),
            Read::Unavailable(_)
        ));
        let status = state.status(at_limit + SECOND);
        assert!(status.expired);
        assert_eq!((status.keys, status.age), (0, None));
        // After the backoff a load is tried again, and its success restores service.
        let later = at_limit + 5 * SECOND;
        assert!(matches!(state.read(later), Read::Load));
        state.complete(fetched(&["a"], None), later, SystemTime::now());
        assert!(state.settled(later).is_ok());
        assert!(!state.status(later).expired);
    }

    #[test]
    fn a_304_extends_the_life_of_the_keys() {
        let t0 = Instant::now();
        let (mut state, _) = loaded(&["a"], t0);
        assert!(matches!(
            state.read(t0 + 90 * SECOND),
            Read::UseAndRefresh(_)
        ));
        state.complete(Fetched::NotModified, t0 + 90 * SECOND, SystemTime::now());
        assert!(matches!(
            state.read(t0 + 150 * SECOND),
            Read::UseAndRefresh(_)
        ));
        assert!(!state.status(t0 + 150 * SECOND).expired);
    }
}
