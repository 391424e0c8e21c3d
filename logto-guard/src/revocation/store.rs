//! Revocations shared through Redis (feature `redis`).
//!
//! The instance that receives a webhook enforces its revocations at once, then stores them in
//! one sorted set per issuer (member: the revocation, score: when it may be forgotten) and
//! publishes them on a channel of the same name, in one transaction. Every instance runs a
//! mirror task: it subscribes, then loads the sorted set (subscribing first, so that nothing
//! published in between is missed), writes back what it holds that Redis lacks (a Redis
//! restarted empty is refilled; revocations it could not store go out), and applies every
//! message. When the connection drops it retries with a backoff and does all of it again.
//! Requests never wait on Redis: they read the in-memory set, which keeps what it has while
//! Redis is away.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt as _;
use redis::AsyncCommands as _;
use serde_json::{Value, json};

use super::{Revocation, Revocations, Revoked};
use crate::config::url_for_logs;
use crate::support::{lock, unix_now};

/// How long one Redis command or connection attempt may take.
const TIMEOUT: Duration = Duration::from_secs(2);
/// The first pause before reconnecting; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often a connected mirror pings Redis and retries the outbox.
const TICK: Duration = Duration::from_secs(2);
/// The most revocations kept for Redis while it is unreachable; beyond, the oldest are dropped
/// from the outbox (they stay enforced here, and a reconnect writes back what this instance
/// holds anyway).
const MAX_OUTBOX: usize = 100_000;

/// The Redis side of a validator's revocations.
pub(crate) struct Store {
    client: redis::Client,
    /// The sorted set and the channel: `logto-guard:revocations:<issuer>`.
    key: String,
    /// The Redis URL as it may be logged (no password).
    url_for_logs: String,
    connection: Mutex<Option<redis::aio::MultiplexedConnection>>,
    /// Whether the mirror is subscribed and the last write went through.
    connected: AtomicBool,
    /// Revocations this instance enforces but could not store yet.
    outbox: Mutex<Vec<Revocation>>,
    /// Whether the mirror task runs.
    mirroring: AtomicBool,
}

/// Why Redis could not be used, for the logs (no URL, no password).
#[derive(Debug)]
pub(crate) struct StoreError(String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<redis::RedisError> for StoreError {
    fn from(error: redis::RedisError) -> Self {
        Self(error.to_string())
    }
}

/// Runs `future` within [`TIMEOUT`].
async fn timed<T>(future: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .map_err(|_| StoreError(format!("no answer within {TIMEOUT:?}")))?
}

impl Store {
    /// A store at `url` for the revocations of `issuer`'s tokens; no I/O.
    pub(crate) fn new(url: &str, issuer: &str) -> Result<Self, StoreError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            key: format!("logto-guard:revocations:{issuer}"),
            url_for_logs: url_for_logs(url),
            connection: Mutex::new(None),
            connected: AtomicBool::new(false),
            outbox: Mutex::new(Vec::new()),
            mirroring: AtomicBool::new(false),
        })
    }

    pub(crate) fn connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    pub(crate) fn outbox_len(&self) -> usize {
        lock(&self.outbox).len()
    }

    async fn connection(&self) -> Result<redis::aio::MultiplexedConnection, StoreError> {
        if let Some(connection) = lock(&self.connection).clone() {
            return Ok(connection);
        }
        let config = redis::AsyncConnectionConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT));
        let connection = self
            .client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *lock(&self.connection) = Some(connection.clone());
        Ok(connection)
    }

    /// Stores `revocations` (kept `retention` seconds after their `issued_up_to`) and
    /// publishes them, in one transaction; drops what expired. On failure the connection is
    /// dropped, to be made anew next time.
    pub(crate) async fn store(
        &self,
        revocations: &[Revocation],
        retention: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        if revocations.is_empty() {
            return Ok(());
        }
        let result = timed(async {
            let mut connection = self.connection().await?;
            let members: Vec<(i64, String)> = revocations
                .iter()
                .map(|r| (r.issued_up_to.saturating_add(retention), encode(r)))
                .collect();
            let message = Value::Array(revocations.iter().map(to_json).collect()).to_string();
            redis::pipe()
                .atomic()
                .zadd_multiple(&self.key, &members)
                .ignore()
                .zrembyscore(&self.key, "-inf", now)
                .ignore()
                .expire(&self.key, retention.max(1))
                .ignore()
                .publish(&self.key, message)
                .ignore()
                .exec_async(&mut connection)
                .await?;
            Ok(())
        })
        .await;
        if result.is_err() {
            *lock(&self.connection) = None;
            self.connected.store(false, Ordering::Relaxed);
        }
        result
    }

    /// The revocations Redis holds that are still in force at `now`.
    pub(crate) async fn load(&self, now: i64) -> Result<Vec<Revocation>, StoreError> {
        let result = timed(async {
            let mut connection = self.connection().await?;
            let members: Vec<String> = connection
                .zrangebyscore(&self.key, format!("({now}"), "+inf")
                .await?;
            Ok(members.iter().filter_map(|m| decode(m)).collect())
        })
        .await;
        if result.is_err() {
            // A connection to a Redis that went away stays broken: the next use makes another.
            *lock(&self.connection) = None;
        }
        result
    }

    /// Keeps `revocations` for a later write: Redis did not take them.
    pub(crate) fn keep_for_later(&self, revocations: &[Revocation]) {
        let mut outbox = lock(&self.outbox);
        outbox.extend_from_slice(revocations);
        if outbox.len() > MAX_OUTBOX {
            let excess = outbox.len() - MAX_OUTBOX;
            outbox.drain(..excess);
            tracing::warn!(
                "logto-guard: {excess} revocation(s) dropped from the Redis outbox (more than \
                 {MAX_OUTBOX} waiting); they stay enforced on this instance"
            );
        }
    }

    /// Writes the outbox to Redis; it is emptied only if the write goes through.
    async fn flush_outbox(&self, retention: i64) -> Result<(), StoreError> {
        let waiting: Vec<Revocation> = lock(&self.outbox).clone();
        if waiting.is_empty() {
            return Ok(());
        }
        self.store(&waiting, retention, unix_now()).await?;
        lock(&self.outbox).drain(..waiting.len());
        tracing::info!(
            "logto-guard: {} revocation(s) kept while Redis was unreachable are stored now",
            waiting.len()
        );
        Ok(())
    }

    /// Starts the mirror task, once; it ends when the validator is dropped.
    pub(crate) fn spawn_mirror(self: &Arc<Self>, revocations: Weak<Revocations>) {
        if self.mirroring.swap(true, Ordering::SeqCst) {
            return;
        }
        tokio::spawn(mirror(Arc::clone(self), revocations));
    }
}

/// The mirror task: see the module's documentation.
async fn mirror(store: Arc<Store>, revocations: Weak<Revocations>) {
    let mut backoff = FIRST_BACKOFF;
    let mut reported_down = false;
    loop {
        match subscribe(&store).await {
            Ok(pubsub) => {
                let Some(held) = revocations.upgrade() else {
                    return;
                };
                match catch_up(&store, &held).await {
                    Ok(loaded) => {
                        store.connected.store(true, Ordering::Relaxed);
                        backoff = FIRST_BACKOFF;
                        reported_down = false;
                        tracing::info!(
                            "logto-guard: revocations shared through Redis at {}: {loaded} in \
                             force loaded",
                            store.url_for_logs
                        );
                        drop(held);
                        if !follow(&store, &revocations, pubsub).await {
                            return;
                        }
                        store.connected.store(false, Ordering::Relaxed);
                        let held = revocations.upgrade();
                        tracing::warn!(
                            "logto-guard: lost the connection to Redis at {}; the {} \
                             revocation(s) in memory stay enforced, reconnecting",
                            store.url_for_logs,
                            held.map_or(0, |r| r.set.active(unix_now()))
                        );
                    }
                    Err(error) => {
                        store.connected.store(false, Ordering::Relaxed);
                        report_down(&store, &error, &mut reported_down);
                    }
                }
            }
            Err(error) => {
                store.connected.store(false, Ordering::Relaxed);
                report_down(&store, &error, &mut reported_down);
            }
        }
        if revocations.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

fn report_down(store: &Store, error: &StoreError, reported: &mut bool) {
    if !*reported {
        tracing::warn!(
            "logto-guard: Redis at {} is unreachable ({error}); the revocations in memory stay \
             enforced, retrying",
            store.url_for_logs
        );
        *reported = true;
    }
}

async fn subscribe(store: &Store) -> Result<redis::aio::PubSub, StoreError> {
    timed(async {
        let mut pubsub = store.client.get_async_pubsub().await?;
        pubsub.subscribe(&store.key).await?;
        Ok(pubsub)
    })
    .await
}

/// After subscribing: loads what Redis holds, and writes back what this instance holds that
/// Redis lacks (its outbox included). Returns how many were loaded.
async fn catch_up(store: &Store, revocations: &Revocations) -> Result<usize, StoreError> {
    let now = unix_now();
    let loaded = store.load(now).await?;
    revocations.set.insert(&loaded, now);
    let in_redis: HashSet<String> = loaded.iter().map(encode).collect();
    let missing: Vec<Revocation> = revocations
        .set
        .entries(now)
        .into_iter()
        .filter(|r| !in_redis.contains(&encode(r)))
        .collect();
    store.store(&missing, revocations.retention(), now).await?;
    lock(&store.outbox).clear();
    if !missing.is_empty() {
        tracing::info!(
            "logto-guard: {} revocation(s) this instance enforces were missing from Redis; \
             stored now",
            missing.len()
        );
    }
    Ok(loaded.len())
}

/// Applies the published revocations until the connection drops (`true`) or the validator is
/// gone (`false`); pings Redis and retries the outbox every [`TICK`].
async fn follow(
    store: &Store,
    revocations: &Weak<Revocations>,
    pubsub: redis::aio::PubSub,
) -> bool {
    let (mut sink, mut messages) = pubsub.split();
    loop {
        match tokio::time::timeout(TICK, messages.next()).await {
            Ok(Some(message)) => {
                let Some(held) = revocations.upgrade() else {
                    return false;
                };
                let received = decode_message(message.get_payload_bytes());
                if !received.is_empty() {
                    held.set.insert(&received, unix_now());
                }
            }
            Ok(None) => return true,
            Err(_) => {
                let Some(held) = revocations.upgrade() else {
                    return false;
                };
                let alive = timed(async { Ok(sink.ping::<String>().await?) }).await;
                if alive.is_err() || store.flush_outbox(held.retention()).await.is_err() {
                    return true;
                }
                store.connected.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// A revocation as JSON: `{"s": sub, "t": up_to}`, `{"o": org, "m": member, "t": ..}` or
/// `{"o": org, "t": ..}`.
fn to_json(revocation: &Revocation) -> Value {
    let t = revocation.issued_up_to;
    match &revocation.revoked {
        Revoked::Subject(subject) => json!({"s": subject, "t": t}),
        Revoked::Member {
            organization,
            member,
        } => json!({"o": organization, "m": member, "t": t}),
        Revoked::Organization(organization) => json!({"o": organization, "t": t}),
    }
}

/// The sorted-set member of a revocation: its JSON, whose members serde_json writes in a fixed
/// order, so equal revocations are equal members.
fn encode(revocation: &Revocation) -> String {
    to_json(revocation).to_string()
}

fn from_json(value: &Value) -> Option<Revocation> {
    let text = |name: &str| {
        value
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let up_to = value.get("t")?.as_i64()?;
    let revoked = match (text("s"), text("o"), text("m")) {
        (Some(subject), None, None) => Revoked::Subject(subject),
        (None, Some(organization), Some(member)) => Revoked::Member {
            organization,
            member,
        },
        (None, Some(organization), None) => Revoked::Organization(organization),
        _ => return None,
    };
    Some(Revocation::new(revoked, up_to))
}

fn decode(member: &str) -> Option<Revocation> {
    from_json(&serde_json::from_str(member).ok()?)
}

/// A published message: a JSON array of revocations; what cannot be read is skipped.
fn decode_message(payload: &[u8]) -> Vec<Revocation> {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Array(values)) => values.iter().filter_map(from_json).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocations_survive_the_round_trip() {
        let all = [
            Revocation::new(Revoked::Subject("u1".into()), 10),
            Revocation::new(
                Revoked::Member {
                    organization: "o1".into(),
                    member: "app-1".into(),
                },
                20,
            ),
            Revocation::new(Revoked::Organization("o\"2".into()), -30),
        ];
        for revocation in &all {
            assert_eq!(decode(&encode(revocation)).as_ref(), Some(revocation));
        }
        let message = Value::Array(all.iter().map(to_json).collect()).to_string();
        assert_eq!(decode_message(message.as_bytes()), all);
        assert_eq!(
            encode(&all[1]),
            encode(&Revocation::new(
                Revoked::Member {
                    organization: "o1".into(),
                    member: "app-1".into()
                },
                20
            ))
        );
    }

    #[test]
    fn what_is_not_a_revocation_is_skipped() {
        for member in [
            "",
            "[]",
            r#"{"s":"u1"}"#,
            r#"{"s":"","t":1}"#,
            r#"{"s":"u1","o":"o1","t":1}"#,
            r#"{"m":"u1","t":1}"#,
            r#"{"s":"u1","t":"1"}"#,
        ] {
            assert_eq!(decode(member), None, "{member}");
        }
        assert_eq!(decode_message(b"not json"), []);
        assert_eq!(
            decode_message(br#"[{"s":"u1","t":1},{"x":1}]"#),
            [Revocation::new(Revoked::Subject("u1".into()), 1)]
        );
    }
}
