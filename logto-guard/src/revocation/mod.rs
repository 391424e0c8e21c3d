//! Revocation in seconds: Logto's webhooks, enforced on every request.
//!
//! A Logto access token stays valid until it expires, whatever happens to its user or app in
//! the meantime: suspending a user, deleting them, removing them from an organization changes
//! nothing in a token already issued. Logto tells about those changes with **webhooks**; this
//! module turns the events that end access into [`Revocation`]s, and the validator refuses every
//! token a revocation covers ([`AuthError::Revoked`](crate::AuthError::Revoked): 401
//! `invalid_token`, "token was revoked"), token-cache hits included.
//!
//! | event | revokes |
//! | --- | --- |
//! | `User.SuspensionStatus.Updated` with `data.isSuspended: true` | every token whose `sub` is the user, issued up to the event |
//! | `User.Deleted` | every token whose `sub` is the user, issued up to the event |
//! | `Organization.Membership.Updated` | the tokens **for the organization** whose `sub` or `client_id` is a removed user or app (`removedUserIds`, `removedApplicationIds`), issued up to the event; a list of [`MEMBERSHIP_DELTA_CAP`] entries (Logto cut it) revokes every token for the organization |
//! | `Organization.Deleted` | every token for the organization, issued up to the event |
//!
//! A token is *for an organization* when it is an organization token (`aud` =
//! `urn:logto:organization:<id>`) or an organization-level API resource token
//! (`organization_id` = `<id>`). "Issued up to the event" compares the token's `iat` with the
//! event's `createdAt` (whole seconds, both from Logto's clock): tokens issued afterwards are
//! Logto's to refuse, and it does (a suspended user, a removed member gets no new token). A
//! token without `iat` that a revocation would otherwise cover is revoked.
//!
//! The Rocket fairing receives the webhook itself once a signing key is configured
//! ([`Config::webhook_signing_key`](crate::Config::webhook_signing_key)); other frameworks pass
//! the raw body and the signature header to
//! [`Validator::receive_webhook`](crate::Validator::receive_webhook), and any source of their
//! own to [`Validator::revoke`](crate::Validator::revoke).

mod event;
pub(crate) mod set;
#[cfg(feature = "redis")]
mod store;
mod timestamp;
mod webhook;

pub use event::{HookEvent, revocations};
pub(crate) use webhook::{Deliveries, verify_signature};

use crate::signing_key::SigningKey;
pub use webhook::{
    MAX_WEBHOOK_BYTES, RevocationStoreStatus, SIGNATURE_HEADER, WebhookDeliveries, WebhookError,
    WebhookOutcome,
};

/// The Logto webhook events that can end access, in the order of the table above: what a
/// Logto webhook must send for revocation. `sync --webhook` registers exactly these (feature
/// `sync`); every other event is answered 200 and ignored.
///
/// ```
/// assert!(logto_guard::revocation::HOOK_EVENTS.contains(&"User.Deleted"));
/// ```
pub const HOOK_EVENTS: [&str; 4] = [
    event::USER_SUSPENSION_UPDATED,
    event::USER_DELETED,
    event::ORGANIZATION_MEMBERSHIP_UPDATED,
    event::ORGANIZATION_DELETED,
];

/// The most ids Logto puts in one list of an `Organization.Membership.Updated` event
/// (`removedUserIds`, `removedApplicationIds`); a longer change is cut to this many. A list
/// of this length may be incomplete, so it revokes every token for the organization.
pub const MEMBERSHIP_DELTA_CAP: usize = 5000;

/// Tokens that must no longer be accepted: whose, and issued up to when.
///
/// ```
/// use logto_guard::revocation::{Revocation, Revoked};
///
/// let revocation = Revocation::new(Revoked::Subject("user-1".into()), 1_700_000_000);
/// assert_eq!(revocation.issued_up_to, 1_700_000_000);
/// ```
///
/// Its `Debug` shows the ids it names: never log it above `debug`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revocation {
    /// Which tokens.
    pub revoked: Revoked,
    /// The last `iat` (seconds since the Unix epoch) that is revoked: tokens issued later are
    /// not. For a webhook, the event's `createdAt`.
    pub issued_up_to: i64,
}

impl Revocation {
    /// The tokens `revoked` names, issued at or before `issued_up_to` (seconds since the Unix
    /// epoch).
    #[must_use]
    pub fn new(revoked: Revoked, issued_up_to: i64) -> Self {
        Self {
            revoked,
            issued_up_to,
        }
    }
}

/// Whose tokens a [`Revocation`] ends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Revoked {
    /// Every token whose `sub` is this id: a user's, or a machine-to-machine app's (whose `sub`
    /// is its app id).
    Subject(String),
    /// The tokens for `organization` whose `sub` or `client_id` is `member` (a user or an app):
    /// a member removed from the organization keeps every other token.
    Member {
        /// The organization id.
        organization: String,
        /// The user or app id.
        member: String,
    },
    /// Every token for this organization id, whoever holds it.
    Organization(String),
}

/// What a validator knows about revocation: the set it enforces, how it takes webhooks, and
/// their counters. Shared by the validator's clones.
pub(crate) struct Revocations {
    pub(crate) set: set::RevocationSet,
    key: Option<aws_lc_rs::hmac::Key>,
    replay_window: std::time::Duration,
    /// The longest token lifetime the set is sized for, in seconds.
    max_token_lifetime: i64,
    /// Whether a token living longer than `max_token_lifetime` was reported already.
    lifetime_reported: std::sync::atomic::AtomicBool,
    deliveries: Deliveries,
    /// Where the revocations are shared with the other instances.
    #[cfg(feature = "redis")]
    store: Option<std::sync::Arc<store::Store>>,
}

impl Revocations {
    /// The revocation state of a validator for `issuer`'s tokens; no I/O.
    pub(crate) fn new(
        config: &crate::config::Config,
        issuer: &str,
    ) -> Result<Self, crate::config::ConfigError> {
        let seconds = |d: std::time::Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        let max_token_lifetime = seconds(config.max_token_lifetime);
        #[cfg(feature = "redis")]
        let store = config
            .redis_url
            .as_ref()
            .map(|url| {
                store::Store::new(url.as_str(), issuer)
                    .map(std::sync::Arc::new)
                    .map_err(|_| crate::config::ConfigError::InvalidRedisUrl)
            })
            .transpose()?;
        #[cfg(not(feature = "redis"))]
        let _ = issuer;
        Ok(Self {
            set: set::RevocationSet::new(max_token_lifetime.saturating_add(seconds(config.leeway))),
            key: config
                .webhook_signing_key
                .as_ref()
                .filter(|key| !key.is_empty())
                .map(SigningKey::hmac_key),
            replay_window: config.webhook_replay_window,
            max_token_lifetime,
            lifetime_reported: std::sync::atomic::AtomicBool::new(false),
            deliveries: Deliveries::default(),
            #[cfg(feature = "redis")]
            store,
        })
    }

    /// How long an entry is kept after its `issued_up_to`, in seconds.
    #[cfg(feature = "redis")]
    pub(crate) fn retention(&self) -> i64 {
        self.set.retention()
    }

    /// Enforces `revocations` from now on; with Redis, shares them too (the mirror stores them
    /// within a few seconds). Returns how many are in force.
    pub(crate) fn revoke(&self, revocations: &[Revocation], now: i64) -> usize {
        let in_force = self.set.insert(revocations, now);
        #[cfg(feature = "redis")]
        if let Some(store) = &self.store {
            store.keep_for_later(revocations);
        }
        in_force
    }

    /// The state of the Redis store, when there is one.
    pub(crate) fn store_status(&self) -> Option<RevocationStoreStatus> {
        #[cfg(feature = "redis")]
        if let Some(store) = &self.store {
            return Some(RevocationStoreStatus {
                connected: store.connected(),
                outbox: store.outbox_len(),
            });
        }
        None
    }

    /// Loads what Redis holds now into the set; a failure is logged.
    #[cfg(all(feature = "redis", feature = "rocket"))]
    pub(crate) async fn load_shared(&self) {
        let Some(store) = &self.store else {
            return;
        };
        let now = crate::support::unix_now();
        match store.load(now).await {
            Ok(loaded) => {
                self.set.insert(&loaded, now);
            }
            Err(error) => tracing::warn!(
                "logto-guard: could not load the revocations from Redis at start ({error}); \
                 serving anyway, they are loaded once Redis answers"
            ),
        }
    }

    /// Starts sharing the revocations through Redis, once (a task on the current Tokio
    /// runtime); nothing without Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn start_sharing(self: &std::sync::Arc<Self>) {
        if let Some(store) = &self.store {
            store.spawn_mirror(std::sync::Arc::downgrade(self));
        }
    }

    /// Whether webhooks can be received (a signing key is configured).
    pub(crate) fn receives_webhooks(&self) -> bool {
        self.key.is_some()
    }

    pub(crate) fn deliveries(&self) -> WebhookDeliveries {
        self.deliveries.snapshot()
    }

    /// Takes a webhook at `now`: see [`crate::Validator::receive_webhook`]. Counts and logs
    /// the outcome (the event's name and counts, never an id).
    pub(crate) async fn receive(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<WebhookOutcome, WebhookError> {
        let (outcome, revoked) = match self.take(signature, body, now) {
            Ok(taken) => taken,
            Err(error) => return Err(self.refuse(error)),
        };
        #[cfg(feature = "redis")]
        if let Some(store) = &self.store
            && !revoked.is_empty()
            && let Err(error) = store.store(&revoked, self.retention(), now).await
        {
            store.keep_for_later(&revoked);
            tracing::warn!(
                "logto-guard: Redis did not take {} revocation(s) ({error}): enforced on this \
                 instance now, stored once Redis is back",
                revoked.len()
            );
            return Err(self.refuse(WebhookError::StoreFailed));
        }
        #[cfg(not(feature = "redis"))]
        let _ = revoked;
        self.deliveries.record(Ok(&outcome));
        Ok(outcome)
    }

    /// Counts and logs a webhook refused with `error`, also one refused before
    /// [`receive`](Self::receive) saw it (a body too large to read whole).
    pub(crate) fn refuse(&self, error: WebhookError) -> WebhookError {
        self.deliveries.record(Err(&error));
        tracing::warn!(
            "logto-guard: webhook refused with {}: {error}",
            error.status()
        );
        error
    }

    /// The outcome of a webhook, with the revocations it enforced here.
    fn take(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(WebhookOutcome, Vec<Revocation>), WebhookError> {
        let key = self.key.as_ref().ok_or(WebhookError::NotConfigured)?;
        if body.len() > MAX_WEBHOOK_BYTES {
            return Err(WebhookError::TooLarge);
        }
        let signature = signature.ok_or(WebhookError::MissingSignature)?;
        if !verify_signature(key, signature, body) {
            return Err(WebhookError::BadSignature);
        }
        let event = HookEvent::parse(body)?;
        let window = i64::try_from(self.replay_window.as_secs()).unwrap_or(i64::MAX);
        if now.abs_diff(event.created_at()) > window.unsigned_abs() {
            return Err(WebhookError::Stale {
                window_seconds: self.replay_window.as_secs(),
            });
        }
        let revoked = revocations(&event);
        if revoked.is_empty() {
            tracing::debug!(
                "logto-guard: webhook {} ends no access; ignored",
                event_name_for_logs(&event)
            );
            return Ok((WebhookOutcome::Ignored, revoked));
        }
        self.set.insert(&revoked, now);
        tracing::info!(
            "logto-guard: webhook {}: {} revocation(s) enforced from now on",
            event.name(),
            revoked.len()
        );
        Ok((
            WebhookOutcome::Accepted {
                revocations: revoked.len(),
            },
            revoked,
        ))
    }

    /// Reports, once, a token that lives longer than `max_token_lifetime`: a revocation would
    /// be forgotten before such a token expires.
    pub(crate) fn check_token_lifetime(&self, token: &crate::token::AccessToken) {
        let Some(issued_at) = token.issued_at() else {
            return;
        };
        if token.expires_at().saturating_sub(issued_at) > self.max_token_lifetime
            && !self
                .lifetime_reported
                .swap(true, std::sync::atomic::Ordering::Relaxed)
        {
            tracing::warn!(
                "logto-guard: a token lives {} s, longer than `max_token_lifetime` ({} s): a \
                 revocation would be forgotten before such a token expires; set \
                 `max_token_lifetime` to the longest token expiration of your API resources",
                token.expires_at().saturating_sub(issued_at),
                self.max_token_lifetime
            );
        }
    }
}

/// An event's name as logged: Logto's event names are its own, but only the known ones are
/// shown, so that a log line never carries arbitrary text from a body.
fn event_name_for_logs(event: &HookEvent) -> &str {
    if event.ends_access() {
        event.name()
    } else {
        "(an event that ends no access)"
    }
}
