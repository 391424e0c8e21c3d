//! The key cache's state machine, model-checked: every interleaving of a small world is
//! explored exhaustively (breadth first) and the key cache's properties are checked in every
//! state reached.
//!
//! The world: two concurrent requests, each with a token whose `kid` is the issuer's signing
//! key, a key the issuer retired, or a forged one; an issuer that rotates its keys twice at
//! most, immediately or staged (the Next key published first, signing later); fetches that end
//! with the issuer's current set, with the set before its last change (a replica lagging
//! behind), with a 304 when that is the set held, or with a failure, in any order with
//! everything else; and a clock that advances one second at a time, without end, across max
//! age (2 s), backoff (1 s), the unknown-`kid` holds (1, then 2 s = the cooldown) and max
//! stale (4 s). States
//! are told apart by how long ago things happened (capped where the rules stop caring), not
//! by the time on the clock, so the exploration closes: it stops when no step leads anywhere
//! new, having covered every interleaving of any length. The key cache's mutex makes each call into [`FetchState`] one atomic step; what a
//! request does between two calls (look its `kid` up in the set it holds) is a step of its
//! own, so anything else can happen in between.
//!
//! The properties, each checked where it can fail (see [`Violation`]):
//! - **one fetch**: at most one fetch is in flight, and a request told to wait always has one
//!   to wait for, which wakes it when it ends;
//! - **first token**: a token signed by a key the issuer serves is accepted, unless a
//!   documented bound applies — a hold (only after a refetch that found no new key) or the
//!   backoff is running, no keys are held, or the fetch it waited for was answered by a
//!   lagging replica or failed;
//! - **flood**: refetches for `kid`s that found no new key number at most
//!   ⌈log2(cooldown / first hold)⌉ + 1 in any cooldown window;
//! - **stale**: no set is handed to a request once the issuer has not confirmed it for
//!   `max_stale`;
//! - **gone**: a `kid` is never accepted by a request that began after a fetch saw it leave
//!   the set (and before one brought it back);
//! - **metrics**: readiness, key count, age, expiry, attempts and failures agree with what
//!   the issuer answered.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::tests::keys;
use super::*;

const SECOND: Duration = Duration::from_secs(1);
/// Concurrent requests.
const REQUESTS: usize = 2;
/// Key changes (rotations, immediate or staged) the issuer makes at most.
const KEY_CHANGES: u8 = 2;
/// Steps explored from the start: every interleaving of up to this many steps is covered.
/// 11 keeps `cargo test` under a minute on two cores (a debug build); 14 (1.4 M states,
/// 3 min) found nothing more.
const DEPTH: usize = 11;
/// The `kid` no issuer ever serves.
const FORGED: u8 = 99;

fn timing() -> Timing {
    Timing {
        max_age: 2 * SECOND,
        max_stale: 4 * SECOND,
        cooldown: 2 * SECOND,
        backoff: SECOND,
    }
}

/// The issuer, as Logto runs it: two keys after an immediate rotation (the new one first), a
/// third (Next) published while a staged rotation waits to sign with it.
#[derive(Clone, Hash)]
struct Issuer {
    published: Vec<u8>,
    /// What a replica that missed the last change still serves.
    previous: Vec<u8>,
    signer: u8,
    staged: Option<u8>,
    changes: u8,
    /// The last `kid` that left the published set.
    retired: Option<u8>,
}

impl Issuer {
    fn new() -> Self {
        Self {
            published: vec![1],
            previous: vec![1],
            signer: 1,
            staged: None,
            changes: 0,
            retired: None,
        }
    }

    fn publish(&mut self, set: Vec<u8>) {
        self.retired = self
            .published
            .iter()
            .copied()
            .rfind(|kid| !set.contains(kid))
            .or(self.retired);
        self.previous = std::mem::replace(&mut self.published, set);
    }

    fn new_kid(&self) -> u8 {
        self.published.iter().max().copied().unwrap_or(0) + 1
    }
}

/// Why the model's fetch was started.
#[derive(Clone, Copy, Hash, PartialEq, Eq, Debug)]
enum FetchKind {
    Load,
    Refresh,
    UnknownKid,
}

#[derive(Clone, Hash)]
struct InFlight {
    kind: FetchKind,
    started: u64,
}

#[derive(Clone)]
enum Phase {
    Idle,
    /// Read a set; looks its `kid` up next.
    Holding(Arc<KeySet>),
    /// Waits for the load in flight.
    Loading,
    /// Waits for the refetch in flight; `seen` is the set its `kid` was missing from.
    Refetching(Arc<KeySet>),
    /// Woken by the end of the load it waited for.
    LoadEnded,
    /// Woken by the end of the refetch it waited for.
    RefetchEnded(Arc<KeySet>),
}

#[derive(Clone)]
struct Request {
    phase: Phase,
    kid: u8,
    /// A lagging replica or a failure answered since the request began.
    tainted: bool,
    /// A fetch had seen its `kid` leave the set when it read its set.
    gone_at_read: bool,
}

#[derive(Clone, Copy, Debug)]
enum TokenKind {
    Signing,
    Retired,
    Forged,
}

#[derive(Clone, Copy, Debug)]
enum Answer {
    Current,
    Lagging,
    Failure,
}

/// A step of the world.
#[derive(Clone, Copy, Debug)]
enum Action {
    Tick,
    Rotate,
    Stage,
    Promote,
    Complete(Answer),
    Start(usize, TokenKind),
    Step(usize),
}

/// A broken property, named.
#[derive(Debug)]
struct Violation(String);

#[derive(Clone)]
struct World {
    t0: Instant,
    now: u64,
    cache: FetchState,
    issuer: Issuer,
    fetch: Option<InFlight>,
    requests: [Request; REQUESTS],
    /// `kid`s a fetch saw leave the set held, until one brings them back.
    seen_gone: BTreeSet<u8>,
    /// `kid`s the cache ever held.
    ever_held: BTreeSet<u8>,
    /// When each refetch for an unknown `kid` that found no new key started.
    fruitless_refetches: Vec<u64>,
    /// When the issuer last confirmed the set held (200 or 304).
    confirmed: Option<u64>,
    /// When the last refetch that found no new key ended: only it may start a hold.
    fruitless_end: Option<u64>,
    /// When the last failed fetch ended: the backoff runs from it.
    failure_end: Option<u64>,
}

fn kid_name(kid: u8) -> String {
    format!("k{kid}")
}

fn kids_of(set: &KeySet) -> Vec<u8> {
    set.kids()
        .filter_map(|kid| kid.strip_prefix('k')?.parse().ok())
        .collect()
}

fn key_set(kids: &[u8]) -> KeySet {
    let names: Vec<String> = kids.iter().copied().map(kid_name).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    keys(&names)
}

impl World {
    fn new() -> Self {
        let idle = Request {
            phase: Phase::Idle,
            kid: 0,
            tainted: false,
            gone_at_read: false,
        };
        Self {
            t0: Instant::now(),
            now: 0,
            cache: FetchState::new(timing()),
            issuer: Issuer::new(),
            fetch: None,
            requests: [idle.clone(), idle],
            seen_gone: BTreeSet::new(),
            ever_held: BTreeSet::new(),
            fruitless_refetches: Vec::new(),
            confirmed: None,
            fruitless_end: None,
            failure_end: None,
        }
    }

    fn instant(&self) -> Instant {
        self.t0 + Duration::from_secs(self.now)
    }

    fn held_kids(&self) -> Option<Vec<u8>> {
        self.cache
            .loaded
            .as_ref()
            .map(|loaded| kids_of(&loaded.keys))
    }

    fn actions(&self) -> Vec<Action> {
        let mut actions = vec![Action::Tick];
        if self.issuer.changes < KEY_CHANGES && self.issuer.staged.is_none() {
            actions.extend([Action::Rotate, Action::Stage]);
        }
        if self.issuer.staged.is_some() {
            actions.push(Action::Promote);
        }
        if self.fetch.is_some() {
            actions.extend([
                Action::Complete(Answer::Current),
                Action::Complete(Answer::Failure),
            ]);
            if self.issuer.previous != self.issuer.published {
                actions.push(Action::Complete(Answer::Lagging));
            }
        }
        for (slot, request) in self.requests.iter().enumerate() {
            match request.phase {
                Phase::Idle => {
                    actions.push(Action::Start(slot, TokenKind::Signing));
                    actions.push(Action::Start(slot, TokenKind::Forged));
                    if self.issuer.retired.is_some() {
                        actions.push(Action::Start(slot, TokenKind::Retired));
                    }
                }
                Phase::Holding(_) | Phase::LoadEnded | Phase::RefetchEnded(_) => {
                    actions.push(Action::Step(slot));
                }
                Phase::Loading | Phase::Refetching(_) => {}
            }
        }
        actions
    }

    fn apply(&mut self, action: Action) -> Result<(), Violation> {
        let counted = (self.cache.attempts, self.cache.failures);
        match action {
            Action::Tick => {
                self.now += 1;
                let window = timing().cooldown.as_secs();
                let now = self.now;
                self.fruitless_refetches.retain(|&at| at + window > now);
            }
            Action::Rotate => {
                let new = self.issuer.new_kid();
                let signer = self.issuer.signer;
                self.issuer.publish(vec![new, signer]);
                self.issuer.signer = new;
                self.issuer.changes += 1;
            }
            Action::Stage => {
                let new = self.issuer.new_kid();
                let mut set = vec![self.issuer.signer, new];
                set.extend(self.issuer.published.get(1));
                self.issuer.publish(set);
                self.issuer.staged = Some(new);
                self.issuer.changes += 1;
            }
            Action::Promote => {
                let new = self.issuer.staged.take().expect("a staged key");
                let signer = self.issuer.signer;
                self.issuer.publish(vec![new, signer]);
                self.issuer.signer = new;
            }
            Action::Complete(answer) => self.complete(answer),
            Action::Start(slot, kind) => self.start(slot, kind)?,
            Action::Step(slot) => self.step(slot)?,
        }
        let expected = match action {
            Action::Complete(Answer::Failure) => (counted.0 + 1, counted.1 + 1),
            Action::Complete(_) => (counted.0 + 1, counted.1),
            _ => counted,
        };
        if (self.cache.attempts, self.cache.failures) != expected {
            return Err(Violation(format!(
                "metrics: (attempts, failures) went from {counted:?} to {:?} on {action:?}",
                (self.cache.attempts, self.cache.failures)
            )));
        }
        self.check_metrics()
    }

    fn begin_fetch(&mut self, kind: FetchKind) -> Result<(), Violation> {
        if self.fetch.is_some() {
            return Err(Violation("one fetch: a second fetch was started".into()));
        }
        self.fetch = Some(InFlight {
            kind,
            started: self.now,
        });
        Ok(())
    }

    fn must_have_fetch(&self) -> Result<(), Violation> {
        if self.fetch.is_none() {
            return Err(Violation(
                "one fetch: a request waits with no fetch in flight to wake it".into(),
            ));
        }
        Ok(())
    }

    fn complete(&mut self, answer: Answer) {
        let fetch = self.fetch.take().expect("a fetch in flight");
        let held = self.held_kids();
        let answered = match answer {
            Answer::Current => Some(self.issuer.published.clone()),
            Answer::Lagging => Some(self.issuer.previous.clone()),
            Answer::Failure => None,
        };
        let fetched = match &answered {
            // The set held: its ETag matches, so the issuer answers 304.
            Some(kids) if held.as_ref() == Some(kids) => Fetched::NotModified,
            Some(kids) => Fetched::Keys {
                keys: key_set(kids),
                etag: Some(format!("{kids:?}")),
            },
            None => Fetched::Failed(FetchError::Timeout),
        };
        self.cache
            .complete(fetched, self.instant(), SystemTime::UNIX_EPOCH);
        match &answered {
            Some(kids) => {
                let new_key = kids.iter().any(|kid| !self.ever_held.contains(kid));
                if fetch.kind == FetchKind::UnknownKid && !new_key {
                    self.fruitless_refetches.push(fetch.started);
                    self.fruitless_end = Some(self.now);
                }
                for kid in held.iter().flatten().filter(|kid| !kids.contains(kid)) {
                    self.seen_gone.insert(*kid);
                }
                for kid in kids {
                    self.seen_gone.remove(kid);
                    self.ever_held.insert(*kid);
                }
                self.confirmed = Some(self.now);
            }
            None => {
                self.failure_end = Some(self.now);
                if fetch.kind == FetchKind::UnknownKid {
                    self.fruitless_refetches.push(fetch.started);
                    self.fruitless_end = Some(self.now);
                }
            }
        }
        let taint = !matches!(answer, Answer::Current);
        for request in &mut self.requests {
            request.phase = match std::mem::replace(&mut request.phase, Phase::Idle) {
                Phase::Loading => Phase::LoadEnded,
                Phase::Refetching(seen) => Phase::RefetchEnded(seen),
                other => other,
            };
            if !matches!(request.phase, Phase::Idle) {
                request.tainted |= taint;
            }
        }
    }

    fn start(&mut self, slot: usize, kind: TokenKind) -> Result<(), Violation> {
        let kid = match kind {
            TokenKind::Signing => self.issuer.signer,
            TokenKind::Retired => self.issuer.retired.expect("a retired key"),
            TokenKind::Forged => FORGED,
        };
        self.requests[slot] = Request {
            phase: Phase::Idle,
            kid,
            tainted: false,
            gone_at_read: self.seen_gone.contains(&kid),
        };
        let now = self.instant();
        self.requests[slot].phase = match self.cache.read(now) {
            Read::Use(keys) => {
                self.check_fresh()?;
                Phase::Holding(keys)
            }
            Read::UseAndRefresh(keys) => {
                self.check_fresh()?;
                self.begin_fetch(FetchKind::Refresh)?;
                Phase::Holding(keys)
            }
            Read::Load => {
                self.begin_fetch(FetchKind::Load)?;
                Phase::Loading
            }
            Read::Wait => {
                self.must_have_fetch()?;
                Phase::Loading
            }
            Read::Unavailable(_) => return self.refuse(slot, Refusal::NoKeys),
        };
        Ok(())
    }

    fn step(&mut self, slot: usize) -> Result<(), Violation> {
        let now = self.instant();
        match self.requests[slot].phase.clone() {
            Phase::Holding(keys) => self.look_up(slot, &keys),
            Phase::LoadEnded => match self.cache.settled(now) {
                Ok(keys) => {
                    self.check_fresh()?;
                    self.requests[slot].gone_at_read =
                        self.seen_gone.contains(&self.requests[slot].kid);
                    self.look_up(slot, &keys)
                }
                Err(_) => self.refuse(slot, Refusal::NoKeys),
            },
            Phase::RefetchEnded(seen) => match self.cache.newer_than(&seen) {
                Some(keys) => self.look_up_newer(slot, &keys),
                None => self.refuse(slot, Refusal::NothingNewer),
            },
            Phase::Idle | Phase::Loading | Phase::Refetching(_) => unreachable!("not runnable"),
        }
    }

    /// A request looks its `kid` up in the set it read, and asks for a refetch if it is not
    /// there: what `Validator::verify_uncached` does.
    fn look_up(&mut self, slot: usize, keys: &Arc<KeySet>) -> Result<(), Violation> {
        let kid = self.requests[slot].kid;
        if keys.has_kid(&kid_name(kid)) {
            return self.accept(slot, self.requests[slot].gone_at_read);
        }
        let now = self.instant();
        match self.cache.unknown_kid(keys, Some(&kid_name(kid)), now) {
            Refetch::Newer(newer) => self.look_up_newer(slot, &newer),
            Refetch::Fetch => {
                self.begin_fetch(FetchKind::UnknownKid)?;
                self.requests[slot].phase = Phase::Refetching(Arc::clone(keys));
                Ok(())
            }
            Refetch::Wait => {
                self.must_have_fetch()?;
                self.requests[slot].phase = Phase::Refetching(Arc::clone(keys));
                Ok(())
            }
            Refetch::Refused => self.refuse(slot, Refusal::Held),
            Refetch::Gone => self.refuse(slot, Refusal::Gone),
        }
    }

    fn look_up_newer(&mut self, slot: usize, keys: &Arc<KeySet>) -> Result<(), Violation> {
        self.check_fresh()?;
        let kid = self.requests[slot].kid;
        if keys.has_kid(&kid_name(kid)) {
            self.accept(slot, self.seen_gone.contains(&kid))
        } else {
            self.refuse(slot, Refusal::NothingNewer)
        }
    }

    fn accept(&mut self, slot: usize, gone: bool) -> Result<(), Violation> {
        let kid = self.requests[slot].kid;
        self.requests[slot].phase = Phase::Idle;
        if kid == FORGED {
            return Err(Violation("a forged kid was accepted".into()));
        }
        if gone {
            return Err(Violation(format!(
                "gone: k{kid} was accepted after a fetch saw it leave the set"
            )));
        }
        Ok(())
    }

    fn refuse(&mut self, slot: usize, refusal: Refusal) -> Result<(), Violation> {
        let request = std::mem::replace(&mut self.requests[slot].phase, Phase::Idle);
        drop(request);
        let Request { kid, tainted, .. } = self.requests[slot];
        let served = self.issuer.published.contains(&kid);
        if !served || tainted {
            return Ok(());
        }
        let bound = match refusal {
            Refusal::NoKeys => self.cache.loaded.is_none(),
            // A hold only after a refetch that found no new key, for at most the cooldown.
            Refusal::Held => {
                let within = |end: Option<u64>, span: Duration| {
                    end.is_some_and(|end| self.now - end < span.as_secs())
                };
                self.cache.loaded.is_none()
                    || within(self.fruitless_end, timing().cooldown)
                    || within(self.failure_end, timing().backoff)
            }
            Refusal::NothingNewer => self.cache.loaded.is_none(),
            Refusal::Gone => false,
        };
        if bound {
            return Ok(());
        }
        Err(Violation(format!(
            "first token: k{kid}, which the issuer serves, was refused ({refusal:?}) with no \
             documented bound in force"
        )))
    }

    /// A set handed to a request was confirmed by the issuer within `max_stale`.
    fn check_fresh(&self) -> Result<(), Violation> {
        let max_stale = timing().max_stale.as_secs();
        match self.confirmed {
            Some(at) if self.now - at < max_stale => Ok(()),
            _ => Err(Violation(
                "stale: a set unconfirmed for max_stale was handed to a request".into(),
            )),
        }
    }

    fn check_fruitless_refetches(&self) -> Result<(), Violation> {
        let timing = timing();
        let window = timing.cooldown.as_secs();
        let ratio = timing.cooldown.as_secs_f64() / FIRST_HOLD.as_secs_f64();
        let bound = ratio.log2().ceil() as usize + 1;
        for &from in &self.fruitless_refetches {
            let in_window = self
                .fruitless_refetches
                .iter()
                .filter(|&&at| at >= from && at < from + window)
                .count();
            if in_window > bound {
                return Err(Violation(format!(
                    "flood: {in_window} refetches that found no new key within {window} s \
                     (bound {bound})"
                )));
            }
        }
        Ok(())
    }

    fn check_metrics(&mut self) -> Result<(), Violation> {
        self.check_fruitless_refetches()?;
        let max_stale = timing().max_stale.as_secs();
        let fresh = self.confirmed.filter(|&at| self.now - at < max_stale);
        let status = self.cache.status(self.instant());
        let expected = (
            fresh.is_some(),
            fresh.map(|at| Duration::from_secs(self.now - at)),
            self.confirmed.is_some() && fresh.is_none(),
        );
        let actual = (status.keys > 0, status.age, status.expired);
        if expected != actual {
            return Err(Violation(format!(
                "metrics: (ready, age, expired) are {actual:?}, the issuer's answers say \
                 {expected:?}"
            )));
        }
        Ok(())
    }

    /// Everything that decides what can happen next, with times as ages (capped where the
    /// rules stop telling them apart), so that the same situation later is the same state.
    fn fingerprint(&self) -> u64 {
        let timing = timing();
        let now = self.instant();
        let age = |at: Instant, cap: Duration| now.saturating_duration_since(at).min(cap);
        let ago = |at: u64, cap: u64| (self.now - at).min(cap);
        let stale = timing.max_stale.as_secs();
        let cache = &self.cache;
        let loaded = cache.loaded.as_ref();
        let mut hasher = DefaultHasher::new();
        (
            &self.issuer,
            self.fetch
                .as_ref()
                .map(|fetch| (fetch.kind, ago(fetch.started, timing.cooldown.as_secs()))),
            &self.seen_gone,
            &self.ever_held,
            self.fruitless_refetches
                .iter()
                .map(|&at| ago(at, timing.cooldown.as_secs()))
                .collect::<Vec<_>>(),
            self.confirmed.map(|at| ago(at, stale)),
            self.fruitless_end
                .map(|at| ago(at, timing.cooldown.as_secs())),
            self.failure_end.map(|at| ago(at, timing.backoff.as_secs())),
        )
            .hash(&mut hasher);
        (
            loaded.map(|l| {
                (
                    kids_of(&l.keys),
                    l.etag.clone(),
                    age(l.confirmed_at, timing.max_stale),
                )
            }),
            cache.in_flight,
            cache.failed_at.map(|at| age(at, timing.backoff)),
            cache
                .hold
                .map(|hold| (age(hold.from, hold.length + timing.cooldown), hold.length)),
            &cache.gone,
            &cache.seen,
            cache.expired,
        )
            .hash(&mut hasher);
        for request in &self.requests {
            let set = |keys: &Arc<KeySet>| {
                let current = loaded.is_some_and(|l| Arc::ptr_eq(&l.keys, keys));
                (kids_of(keys), current)
            };
            let phase = match &request.phase {
                Phase::Idle => (0, None),
                Phase::Holding(keys) => (1, Some(set(keys))),
                Phase::Loading => (2, None),
                Phase::Refetching(keys) => (3, Some(set(keys))),
                Phase::LoadEnded => (4, None),
                Phase::RefetchEnded(keys) => (5, Some(set(keys))),
            };
            (phase, request.kid, request.tainted, request.gone_at_read).hash(&mut hasher);
        }
        hasher.finish()
    }
}

#[derive(Clone, Copy, Debug)]
enum Refusal {
    NoKeys,
    Held,
    Gone,
    NothingNewer,
}

/// What exploring found: the number of distinct states, or the path to a violation.
struct Exploration {
    states: usize,
    transitions: usize,
}

fn explore() -> Result<Exploration, String> {
    let start = World::new();
    let mut parents: HashMap<u64, (u64, Action)> = HashMap::new();
    let mut visited = HashSet::from([start.fingerprint()]);
    let mut queue = VecDeque::from([(start, 0)]);
    let mut transitions = 0;
    while let Some((world, depth)) = queue.pop_front() {
        if depth == DEPTH {
            continue;
        }
        let from = world.fingerprint();
        for action in world.actions() {
            transitions += 1;
            let mut next = world.clone();
            if let Err(Violation(property)) = next.apply(action) {
                return Err(format!(
                    "{property}\nafter: {}",
                    trace(&parents, from, action)
                ));
            }
            let fingerprint = next.fingerprint();
            if visited.insert(fingerprint) {
                parents.insert(fingerprint, (from, action));
                queue.push_back((next, depth + 1));
            }
        }
    }
    Ok(Exploration {
        states: visited.len(),
        transitions,
    })
}

fn trace(parents: &HashMap<u64, (u64, Action)>, mut at: u64, last: Action) -> String {
    let mut steps = vec![last];
    while let Some(&(parent, action)) = parents.get(&at) {
        steps.push(action);
        at = parent;
    }
    steps.reverse();
    steps
        .iter()
        .map(|step| format!("{step:?}"))
        .collect::<Vec<_>>()
        .join(" → ")
}

#[test]
fn every_interleaving_keeps_the_key_cache_properties() {
    match explore() {
        Ok(Exploration {
            states,
            transitions,
        }) => {
            println!("key cache model: {states} states, {transitions} transitions explored");
            assert!(states > 10_000, "the model explored only {states} states");
        }
        Err(counterexample) => panic!("{counterexample}"),
    }
}
