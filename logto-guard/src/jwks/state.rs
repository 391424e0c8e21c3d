//! The key cache's fetch state: when to use the keys, refresh them, refetch for an unknown
//! `kid`, wait, or refuse.
//!
//! Every decision and transition of the key cache is a method here, a plain function of the
//! state and the instant it is given: no I/O, no clock, no lock. [`KeyCache`](super::KeyCache)
//! holds the state behind one mutex, performs the fetches this state asks for, and reports
//! their outcome back with [`FetchState::complete`].

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use super::FetchError;
use super::key_set::KeySet;

/// The hold after the first unknown-`kid` refetch that found nothing new: short, so that a
/// stray token does not hide a rotation for long. Each further one doubles it, up to the
/// configured cooldown.
pub(crate) const FIRST_HOLD: Duration = Duration::from_secs(1);

/// How many `kid`s that left a held set are remembered as gone: a rotation retires one key, a
/// staged one two, so this outlasts many rotations while bounding the memory.
const GONE_CAPACITY: usize = 32;

/// How many `kid`s ever held are remembered, to tell a key never seen (a rotation) from one
/// that a replica lagging behind serves again.
const SEEN_CAPACITY: usize = 64;

/// A bounded memory of `kid`s, oldest forgotten first.
#[derive(Debug, Clone, Hash)]
struct Kids {
    kids: VecDeque<Box<str>>,
    capacity: usize,
}

impl Kids {
    fn new(capacity: usize) -> Self {
        Self {
            kids: VecDeque::new(),
            capacity,
        }
    }

    fn contains(&self, kid: &str) -> bool {
        self.kids.iter().any(|mine| &**mine == kid)
    }

    fn remember(&mut self, kid: &str) {
        if self.contains(kid) {
            return;
        }
        if self.kids.len() == self.capacity {
            self.kids.pop_front();
        }
        self.kids.push_back(kid.into());
    }

    fn forget_those_in(&mut self, keys: &KeySet) {
        self.kids.retain(|kid| !keys.has_kid(kid));
    }
}

/// The cache's time rules, from the config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// A set this old is refreshed in the background.
    pub(crate) max_age: Duration,
    /// A set the issuer has not confirmed for this long is dropped.
    pub(crate) max_stale: Duration,
    /// The longest hold on unknown-`kid` refetches (`unknown_kid_cooldown`): holds start at
    /// [`FIRST_HOLD`] and double up to it.
    pub(crate) cooldown: Duration,
    /// After a failed fetch, no fetch for this long.
    pub(crate) backoff: Duration,
}

/// Why a fetch was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Reason {
    /// No key set is loaded.
    Load,
    /// The loaded set is older than `max_age`.
    Refresh,
    /// A token asked for a key the loaded set lacks.
    UnknownKid,
}

/// What a fetch brought back.
pub(crate) enum Fetched {
    /// A key set (HTTP 200), with the response's `ETag`.
    Keys { keys: KeySet, etag: Option<String> },
    /// HTTP 304: the set we hold is still current.
    NotModified,
    /// No usable answer, and why.
    Failed(FetchError),
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
    /// No fetch now (a hold or the backoff): the `kid` is unknown.
    Refused,
    /// The `kid` was in a set we held and a fetch saw it leave: refused with no fetch.
    Gone,
}

/// The key set in use.
#[cfg_attr(test, derive(Clone))]
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

/// A hold on unknown-`kid` refetches: none until `from + length`.
#[derive(Debug, Clone, Copy)]
struct Hold {
    from: Instant,
    length: Duration,
}

/// What monitoring reads; see [`FetchState::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyStatus {
    pub(crate) keys: usize,
    /// Time since the issuer last confirmed the set in use.
    pub(crate) age: Option<Duration>,
    pub(crate) confirmed_at: Option<SystemTime>,
    pub(crate) last_failure_at: Option<SystemTime>,
    /// Why the last fetch failed, as long as none succeeded since.
    pub(crate) last_error: Option<FetchError>,
    /// Whether the keys were dropped for being older than `max_stale`, and no fetch has
    /// succeeded since.
    pub(crate) expired: bool,
    pub(crate) attempts: u64,
    pub(crate) failures: u64,
}

/// Everything the key cache knows about its keys and fetches.
#[cfg_attr(test, derive(Clone))]
pub(crate) struct FetchState {
    timing: Timing,
    loaded: Option<Loaded>,
    /// Why the fetch in flight was started; `None` when none is.
    in_flight: Option<Reason>,
    /// When the last fetch failed, as long as none succeeded since: the backoff runs from it.
    failed_at: Option<Instant>,
    /// Unknown-`kid` refetches are held back until its end; see [`FetchState::hold_back`].
    hold: Option<Hold>,
    /// `kid`s that left a set we held, none of them in the loaded set.
    gone: Kids,
    /// `kid`s of every set we held.
    seen: Kids,
    last_failure_at: Option<SystemTime>,
    last_error: Option<FetchError>,
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
            hold: None,
            gone: Kids::new(GONE_CAPACITY),
            seen: Kids::new(SEEN_CAPACITY),
            last_failure_at: None,
            last_error: None,
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

    /// A token asked for a key that `seen`, the keys its request used, lacks; `kid` is its
    /// header's.
    ///
    /// A `kid` known to be gone is refused at once. Otherwise a refetch is made unless one is
    /// in flight (then wait for it), the backoff runs, or a hold runs: each refetch that did
    /// not find a key never seen before holds the next ones back, [`FIRST_HOLD`] at first,
    /// doubling up to the cooldown. So a forged-`kid` flood costs at most
    /// ⌈log2(cooldown / first hold)⌉ + 1 fetches in its first cooldown window and one per
    /// window after that, whatever the issuer answers; a rotation holds nothing back.
    pub(crate) fn unknown_kid(
        &mut self,
        seen: &Arc<KeySet>,
        kid: Option<&str>,
        now: Instant,
    ) -> Refetch {
        self.drop_if_stale(now);
        if kid.is_some_and(|kid| self.gone.contains(kid)) {
            return Refetch::Gone;
        }
        if let Some(newer) = self.newer_than(seen) {
            return Refetch::Newer(newer);
        }
        if self.in_flight.is_some() {
            return Refetch::Wait;
        }
        let holding = self
            .hold
            .is_some_and(|hold| now.saturating_duration_since(hold.from) < hold.length);
        if holding || self.loaded.is_none() || self.backoff_remaining(now).is_some() {
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
        let held = self.loaded.as_ref().map(|loaded| Arc::clone(&loaded.keys));
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
            (Fetched::NotModified, None) => {
                self.last_error = Some(FetchError::Status(304));
                None
            }
            (Fetched::Failed(error), _) => {
                self.last_error = Some(error);
                None
            }
        };
        if changed.is_some() {
            self.failed_at = None;
            self.last_error = None;
            self.expired = false;
        } else {
            self.failed_at = Some(now);
            self.last_failure_at = Some(wall);
            self.failures += 1;
        }
        let rotated = changed == Some(true) && self.brings_a_new_key();
        if changed == Some(true) {
            self.note_departures(held.as_deref());
        }
        // A key never seen before is what tells a rotation from a forged or stale `kid`: a set
        // that only changed (replicas answering with two sets mid-rotation) holds back too.
        if reason == Some(Reason::UnknownKid) && !rotated {
            self.hold_back(now);
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
            last_error: self.last_error.clone(),
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

    /// Starts a hold after an unknown-`kid` refetch that did not bring its key: twice the
    /// last one (up to the cooldown) while the refetches keep coming, [`FIRST_HOLD`] again
    /// once a whole cooldown passed after the last hold without one.
    fn hold_back(&mut self, now: Instant) {
        let cooldown = self.timing.cooldown;
        let length = match self.hold {
            Some(hold) if now.saturating_duration_since(hold.from) < hold.length + cooldown => {
                (hold.length * 2).min(cooldown)
            }
            _ => FIRST_HOLD.min(cooldown),
        };
        self.hold = Some(Hold { from: now, length });
    }

    /// Whether the loaded set has a `kid` that no set held before had.
    fn brings_a_new_key(&self) -> bool {
        self.loaded
            .as_ref()
            .is_some_and(|loaded| loaded.keys.kids().any(|kid| !self.seen.contains(kid)))
    }

    /// After the loaded set replaced `held`: the `kid`s it brings are seen and no longer gone;
    /// those of `held` it lacks are gone only when the set moved on: its first key, the one
    /// Logto signs with, was never seen. A replica lagging (one rotation) behind answers with
    /// a first key already seen; marking what it lacks gone would refuse the key that signs
    /// now, with no refetch, until the next refresh. Keys it lacks stay unknown, one held-back
    /// refetch away.
    fn note_departures(&mut self, held: Option<&KeySet>) {
        let Some(loaded) = &self.loaded else { return };
        let current = &loaded.keys;
        let moved_on = current
            .kids()
            .next()
            .is_some_and(|first| !self.seen.contains(first));
        self.gone.forget_those_in(current);
        for kid in current.kids() {
            self.seen.remember(kid);
        }
        if !moved_on {
            return;
        }
        let departed = held.into_iter().flat_map(KeySet::kids);
        for kid in departed.filter(|kid| !current.has_kid(kid)) {
            self.gone.remember(kid);
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
mod model;

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
    pub(super) fn keys(kids: &[&str]) -> KeySet {
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
        state.complete(Fetched::Failed(FetchError::Timeout), t0, SystemTime::now());
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
        state.complete(
            Fetched::Failed(FetchError::Timeout),
            t0 + 11 * SECOND,
            SystemTime::now(),
        );
        assert!(matches!(state.read(t0 + 12 * SECOND), Read::Use(_)));
        assert!(matches!(
            state.read(t0 + 16 * SECOND),
            Read::UseAndRefresh(_)
        ));
    }

    #[test]
    fn a_refetch_that_brings_its_key_holds_nothing_back() {
        let t0 = Instant::now();
        let (mut state, first) = loaded(&["a"], t0);
        assert!(matches!(
            state.unknown_kid(&first, Some("b"), t0),
            Refetch::Fetch
        ));
        state.complete(fetched(&["b", "a"], None), t0, SystemTime::now());
        let Some(second) = state.newer_than(&first) else {
            panic!("the rotation replaced the set")
        };
        // A second rotation a moment later is fetched at once.
        assert!(matches!(
            state.unknown_kid(&second, Some("c"), t0 + SECOND / 10),
            Refetch::Fetch
        ));
        state.complete(fetched(&["c", "b"], None), t0, SystemTime::now());
        assert!(state.newer_than(&second).is_some());
        // Asking with the old set finds the newer one without a fetch.
        assert!(matches!(
            state.unknown_kid(&first, Some("c"), t0 + SECOND),
            Refetch::Newer(_)
        ));
    }

    #[test]
    fn the_same_set_or_a_304_holds_refetches_back_for_the_first_hold() {
        let outcomes: [fn() -> Fetched; 2] =
            [|| fetched(&["a"], Some("\"v1\"")), || Fetched::NotModified];
        for outcome in outcomes {
            let t0 = Instant::now();
            let (mut state, keys) = loaded(&["a"], t0);
            assert!(matches!(
                state.unknown_kid(&keys, Some("x"), t0),
                Refetch::Fetch
            ));
            state.complete(outcome(), t0, SystemTime::now());
            assert!(
                state.newer_than(&keys).is_none(),
                "nothing new replaces nothing"
            );
            let almost = t0 + FIRST_HOLD - Duration::from_millis(1);
            assert!(matches!(
                state.unknown_kid(&keys, Some("y"), almost),
                Refetch::Refused
            ));
            assert!(matches!(
                state.unknown_kid(&keys, Some("y"), t0 + FIRST_HOLD),
                Refetch::Fetch
            ));
        }
    }

    #[test]
    fn a_failed_refetch_waits_out_the_backoff() {
        let t0 = Instant::now();
        let (mut state, keys) = loaded(&["a"], t0);
        assert!(matches!(
            state.unknown_kid(&keys, Some("x"), t0),
            Refetch::Fetch
        ));
        state.complete(Fetched::Failed(FetchError::Timeout), t0, SystemTime::now());
        assert!(matches!(
            state.unknown_kid(&keys, Some("x"), t0 + 4 * SECOND),
            Refetch::Refused
        ));
        assert!(matches!(
            state.unknown_kid(&keys, Some("x"), t0 + 5 * SECOND),
            Refetch::Fetch
        ));
    }

    /// Floods `state` with forged `kid`s every 10 ms for `seconds`, answering each refetch
    /// with `answer(n)` for the n-th one; returns the second each refetch started at.
    fn flood(
        state: &mut FetchState,
        t0: Instant,
        seconds: u64,
        mut answer: impl FnMut(usize) -> Fetched,
    ) -> Vec<f64> {
        let mut starts = Vec::new();
        let step = Duration::from_millis(10);
        let mut now = t0;
        while now < t0 + Duration::from_secs(seconds) {
            let Read::Use(seen) = state.read(now) else {
                panic!("the flood never ages the set out")
            };
            let forged = format!("forged-{}", starts.len());
            if let Refetch::Fetch = state.unknown_kid(&seen, Some(&forged), now) {
                state.complete(answer(starts.len()), now, SystemTime::now());
                starts.push(now.duration_since(t0).as_secs_f64());
            }
            now += step;
        }
        starts
    }

    /// The documented bound: ⌈log2(cooldown / first hold)⌉ + 1 in the first window.
    fn first_window_bound(timing: Timing) -> usize {
        let ratio = timing.cooldown.as_secs_f64() / FIRST_HOLD.as_secs_f64();
        ratio.log2().ceil() as usize + 1
    }

    fn long_lived() -> Timing {
        Timing {
            max_age: 1000 * SECOND,
            max_stale: 2000 * SECOND,
            ..timing()
        }
    }

    #[test]
    fn a_flood_of_forged_kids_costs_the_documented_fetches() {
        let t0 = Instant::now();
        let mut state = FetchState::new(long_lived());
        assert!(matches!(state.read(t0), Read::Load));
        state.complete(fetched(&["a"], None), t0, SystemTime::now());
        let starts = flood(&mut state, t0, 120, |_| Fetched::NotModified);
        // Holds of 1, 2, 4, 8, 16, then 30 s.
        assert_eq!(starts, [0.0, 1.0, 3.0, 7.0, 15.0, 31.0, 61.0, 91.0]);
        let first_window = starts.iter().filter(|&&at| at < 30.0).count();
        assert!(first_window <= first_window_bound(long_lived()));
    }

    #[test]
    fn alternating_sets_cost_no_more_than_the_same_set() {
        let t0 = Instant::now();
        let mut state = FetchState::new(long_lived());
        assert!(matches!(state.read(t0), Read::Load));
        state.complete(fetched(&["a"], None), t0, SystemTime::now());
        // Replicas mid-rotation: every answer differs from the set held.
        let starts = flood(&mut state, t0, 120, |n| {
            if n % 2 == 0 {
                fetched(&["b", "a"], None)
            } else {
                fetched(&["a"], None)
            }
        });
        // The first answer brings `b`, never seen: a rotation, no hold. From then on `b` is
        // held or known gone, so no answer is new and the holds grow as for the same set.
        assert_eq!(
            starts,
            [0.0, 0.01, 1.01, 3.01, 7.01, 15.01, 31.01, 61.01, 91.01]
        );
    }

    #[test]
    fn the_holds_start_over_after_a_quiet_cooldown() {
        let t0 = Instant::now();
        let mut state = FetchState::new(long_lived());
        assert!(matches!(state.read(t0), Read::Load));
        state.complete(fetched(&["a"], None), t0, SystemTime::now());
        let Read::Use(keys) = state.read(t0) else {
            panic!("loaded")
        };
        let starts = flood(&mut state, t0, 40, |_| Fetched::NotModified);
        assert_eq!(starts.last(), Some(&31.0), "the last hold is 30 s");
        // Quiet until a whole cooldown after that hold: the next hold is the first one again.
        let later = t0 + 91 * SECOND;
        assert!(matches!(
            state.unknown_kid(&keys, Some("x"), later),
            Refetch::Fetch
        ));
        state.complete(Fetched::NotModified, later, SystemTime::now());
        assert!(matches!(
            state.unknown_kid(&keys, Some("y"), later + FIRST_HOLD),
            Refetch::Fetch
        ));
    }

    #[test]
    fn a_kid_that_left_the_set_is_refused_without_a_fetch_or_a_hold() {
        let t0 = Instant::now();
        let (mut state, first) = loaded(&["a"], t0);
        // Two immediate rotations, like Logto's: `a` leaves with the second.
        for (new, set) in [("b", &["b", "a"]), ("c", &["c", "b"])] {
            let Read::Use(seen) = state.read(t0) else {
                panic!("loaded")
            };
            assert!(matches!(
                state.unknown_kid(&seen, Some(new), t0),
                Refetch::Fetch
            ));
            state.complete(fetched(set, None), t0, SystemTime::now());
        }
        let Read::Use(current) = state.read(t0) else {
            panic!("loaded")
        };
        let attempts = state.status(t0).attempts;
        assert!(matches!(
            state.unknown_kid(&current, Some("a"), t0),
            Refetch::Gone
        ));
        assert!(matches!(
            state.unknown_kid(&first, Some("a"), t0),
            Refetch::Gone
        ));
        assert_eq!(state.status(t0).attempts, attempts, "no fetch");
        // A staged rotation's Next key, a moment later, is fetched at once.
        assert!(matches!(
            state.unknown_kid(&current, Some("d"), t0 + SECOND / 10),
            Refetch::Fetch
        ));
    }

    #[test]
    fn a_set_that_brings_a_gone_kid_back_forgets_it() {
        let t0 = Instant::now();
        let (mut state, first) = loaded(&["a"], t0);
        assert!(matches!(
            state.read(t0 + 10 * SECOND),
            Read::UseAndRefresh(_)
        ));
        state.complete(fetched(&["b"], None), t0 + 10 * SECOND, SystemTime::now());
        assert!(matches!(
            state.unknown_kid(&first, Some("a"), t0 + 10 * SECOND),
            Refetch::Gone
        ));
        assert!(matches!(
            state.read(t0 + 20 * SECOND),
            Read::UseAndRefresh(_)
        ));
        state.complete(
            fetched(&["a", "b"], None),
            t0 + 20 * SECOND,
            SystemTime::now(),
        );
        assert!(matches!(
            state.unknown_kid(&first, Some("a"), t0 + 20 * SECOND),
            Refetch::Newer(_)
        ));
    }

    /// A lagging replica's answer after a rotation must not make the key that signs now gone.
    #[test]
    fn a_lagging_replica_does_not_make_the_signing_key_gone() {
        let t0 = Instant::now();
        let (mut state, seen) = loaded(&["b", "a"], t0);
        assert!(matches!(
            state.unknown_kid(&seen, Some("c"), t0),
            Refetch::Fetch
        ));
        state.complete(fetched(&["c", "b"], None), t0, SystemTime::now());
        let Read::Use(seen) = state.read(t0) else {
            panic!("loaded")
        };
        let t1 = t0 + SECOND / 10;
        assert!(matches!(
            state.unknown_kid(&seen, Some("forged"), t1),
            Refetch::Fetch
        ));
        // The lagging replica answers with the set before the rotation.
        state.complete(fetched(&["b", "a"], None), t1, SystemTime::now());
        let t2 = t1 + FIRST_HOLD;
        let Read::Use(seen) = state.read(t2) else {
            panic!("loaded")
        };
        assert!(matches!(
            state.unknown_kid(&seen, Some("c"), t2),
            Refetch::Fetch
        ));
        state.complete(fetched(&["c", "b"], None), t2, SystemTime::now());
        assert!(
            state
                .newer_than(&seen)
                .is_some_and(|keys| keys.has_kid("c"))
        );
    }

    /// A set that only lost a key (a lagging replica, or a key deleted by hand) marks nothing
    /// gone: that key's tokens stay one refetch away.
    #[test]
    fn a_set_that_only_lost_keys_marks_nothing_gone() {
        let t0 = Instant::now();
        let (mut state, _) = loaded(&["c", "b"], t0);
        assert!(matches!(
            state.read(t0 + 10 * SECOND),
            Read::UseAndRefresh(_)
        ));
        state.complete(fetched(&["b"], None), t0 + 10 * SECOND, SystemTime::now());
        let Read::Use(seen) = state.read(t0 + 10 * SECOND) else {
            panic!("loaded")
        };
        assert!(matches!(
            state.unknown_kid(&seen, Some("c"), t0 + 10 * SECOND),
            Refetch::Fetch
        ));
    }

    #[test]
    fn the_memory_of_gone_kids_is_bounded() {
        let t0 = Instant::now();
        let mut state = FetchState::new(long_lived());
        for n in 0..(GONE_CAPACITY + 8) {
            let kid = format!("k{n}");
            if n == 0 {
                assert!(matches!(state.read(t0), Read::Load));
            } else {
                let Read::Use(seen) = state.read(t0) else {
                    panic!("loaded")
                };
                assert!(matches!(
                    state.unknown_kid(&seen, Some(kid.as_str()), t0),
                    Refetch::Fetch
                ));
            }
            state.complete(fetched(&[&kid], None), t0, SystemTime::now());
        }
        assert_eq!(state.gone.kids.len(), GONE_CAPACITY);
        assert_eq!(
            state.gone.kids.front().map(|k| &**k),
            Some("k7"),
            "the oldest are forgotten"
        );
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
            state.unknown_kid(&keys, Some("x"), t0 + 10 * SECOND),
            Refetch::Wait
        ));
        state.abandon();
        assert!(matches!(
            state.unknown_kid(&keys, Some("x"), t0 + 10 * SECOND),
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
                state.complete(Fetched::Failed(FetchError::Timeout), now, SystemTime::now());
            }
            now += SECOND;
        }
        assert!(matches!(state.read(t0 + 99 * SECOND), Read::Use(_)));
        // At the limit the keys are dropped and a load is tried; it fails too.
        let at_limit = t0 + 100 * SECOND;
        assert!(matches!(state.read(at_limit), Read::Load));
        state.complete(
            Fetched::Failed(FetchError::Timeout),
            at_limit,
            SystemTime::now(),
        );
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
