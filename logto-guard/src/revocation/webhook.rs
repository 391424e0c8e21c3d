//! Receiving a Logto webhook without any web framework: size, signature, event, freshness,
//! and the outcome counters.

use std::sync::atomic::{AtomicU64, Ordering};

use aws_lc_rs::hmac;

/// The header Logto signs its webhooks in: the hex HMAC-SHA256 of the raw body under the
/// hook's signing key (some Logto versions write it `sha256=<hex>`; both are accepted).
pub const SIGNATURE_HEADER: &str = "logto-signature-sha-256";

/// The largest webhook body read, in bytes (1 MiB): an `Organization.Membership.Updated` event
/// with four full delta lists of [`MEMBERSHIP_DELTA_CAP`](super::MEMBERSHIP_DELTA_CAP) ids is
/// about 0.5 MiB.
pub const MAX_WEBHOOK_BYTES: usize = 1024 * 1024;

/// What a webhook that was taken did.
///
/// ```
/// use logto_guard::revocation::WebhookOutcome;
///
/// assert_eq!(WebhookOutcome::Ignored.label(), "ignored");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookOutcome {
    /// The event ends access: this many revocations are enforced from now on.
    Accepted {
        /// How many revocations the event called for.
        revocations: usize,
    },
    /// A genuine event that ends no access (another event, a user unsuspended, members only
    /// added): nothing changes.
    Ignored,
}

impl WebhookOutcome {
    /// The stable label the metrics count it under: `accepted` or `ignored`.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::Accepted { .. } => "accepted",
            Self::Ignored => "ignored",
        }
    }

    /// The HTTP status to answer with: 200.
    #[must_use]
    pub fn status(&self) -> u16 {
        200
    }

    /// The JSON body to answer with, which Logto keeps in the hook's logs: the outcome and the
    /// number of revocations, never an id.
    #[must_use]
    pub fn body(&self) -> String {
        match self {
            Self::Accepted { revocations } => {
                format!(r#"{{"outcome":"accepted","revocations":{revocations}}}"#)
            }
            Self::Ignored => r#"{"outcome":"ignored"}"#.to_owned(),
        }
    }
}

/// A webhook that was refused; nothing changed. Each knows its status and stable label, and
/// its description ([`Display`](std::fmt::Display)) names no id.
///
/// ```
/// use logto_guard::revocation::WebhookError;
///
/// assert_eq!(WebhookError::BadSignature.status(), 401);
/// assert_eq!(WebhookError::BadSignature.label(), "bad_signature");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is larger than [`MAX_WEBHOOK_BYTES`]: 413.
    #[error("webhook body larger than 1048576 bytes")]
    TooLarge,
    /// No `logto-signature-sha-256` header: 401.
    #[error("no logto-signature-sha-256 header")]
    MissingSignature,
    /// The signature does not match the body under the configured key: 401.
    #[error("logto-signature-sha-256 does not match the body")]
    BadSignature,
    /// A signed body that is not a Logto event, or an event that ends access without naming
    /// whose: 400.
    #[error("malformed event: {0}")]
    Malformed(&'static str),
    /// A signed event whose `createdAt` is further from now than the replay window
    /// ([`Config::webhook_replay_window`](crate::Config::webhook_replay_window)): a replay, or
    /// clocks far apart. 400, which Logto does not retry.
    #[error("event createdAt is outside the replay window of {window_seconds} s")]
    Stale {
        /// The replay window, in seconds.
        window_seconds: u64,
    },
    /// No signing key is configured, so no webhook can be verified: 500.
    #[error("no webhook signing key is configured")]
    NotConfigured,
    /// The event's revocations are enforced on this instance, but Redis did not take them
    /// (feature `redis`): 503, so that the failure shows in Logto's hook logs. They are kept
    /// and stored once Redis is back.
    #[error(
        "the revocations are enforced on this instance but could not be shared: Redis is unreachable"
    )]
    StoreFailed,
}

impl WebhookError {
    /// The HTTP status to answer with.
    #[must_use]
    pub fn status(&self) -> u16 {
        match self {
            Self::TooLarge => 413,
            Self::MissingSignature | Self::BadSignature => 401,
            Self::Malformed(_) | Self::Stale { .. } => 400,
            Self::NotConfigured => 500,
            Self::StoreFailed => 503,
        }
    }

    /// The `error` member of the JSON body.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge => "payload_too_large",
            Self::MissingSignature | Self::BadSignature => "invalid_signature",
            Self::Malformed(_) => "malformed_event",
            Self::Stale { .. } => "stale_event",
            Self::NotConfigured => "not_configured",
            Self::StoreFailed => "store_failed",
        }
    }

    /// The stable label the metrics count it under: `too_large`, `bad_signature` (missing or
    /// wrong), `malformed`, `stale`, `store_failed`, `not_configured`.
    #[must_use]
    pub fn label(&self) -> &'static str {
        match self {
            Self::TooLarge => "too_large",
            Self::MissingSignature | Self::BadSignature => "bad_signature",
            Self::Malformed(_) => "malformed",
            Self::Stale { .. } => "stale",
            Self::StoreFailed => "store_failed",
            Self::NotConfigured => "not_configured",
        }
    }

    /// The JSON body to answer with: `{"error": ..., "error_description": ...}`.
    #[must_use]
    pub fn body(&self) -> String {
        serde_json::json!({"error": self.code(), "error_description": self.to_string()}).to_string()
    }
}

/// Webhook deliveries counted by outcome, in [`MetricsSnapshot`](crate::metrics::MetricsSnapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDeliveries {
    /// Events that ended access: revocations enforced.
    pub accepted: u64,
    /// Genuine events that end no access.
    pub ignored: u64,
    /// A missing or wrong signature.
    pub bad_signature: u64,
    /// Signed bodies that are no Logto event.
    pub malformed: u64,
    /// Signed events outside the replay window.
    pub stale: u64,
    /// Bodies over [`MAX_WEBHOOK_BYTES`].
    pub too_large: u64,
    /// Revocations enforced here that Redis did not take (answered 503).
    pub store_failed: u64,
}

/// The state of the Redis store of revocations (feature `redis`), in
/// [`MetricsSnapshot`](crate::metrics::MetricsSnapshot).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RevocationStoreStatus {
    /// Whether this instance follows Redis now (subscribed, and the last write went through).
    /// While not, the revocations in memory stay enforced, but those received by other
    /// instances do not arrive.
    pub connected: bool,
    /// Revocations enforced here and waiting to be stored in Redis.
    pub outbox: usize,
}

impl WebhookDeliveries {
    /// Every count with its label, in a fixed order: for exporters.
    #[must_use]
    pub fn by_outcome(&self) -> [(&'static str, u64); 7] {
        [
            ("accepted", self.accepted),
            ("ignored", self.ignored),
            ("bad_signature", self.bad_signature),
            ("malformed", self.malformed),
            ("stale", self.stale),
            ("too_large", self.too_large),
            ("store_failed", self.store_failed),
        ]
    }
}

/// The counters behind [`WebhookDeliveries`].
#[derive(Debug, Default)]
pub(crate) struct Deliveries {
    accepted: AtomicU64,
    ignored: AtomicU64,
    bad_signature: AtomicU64,
    malformed: AtomicU64,
    stale: AtomicU64,
    too_large: AtomicU64,
    store_failed: AtomicU64,
}

impl Deliveries {
    pub(crate) fn record(&self, outcome: Result<&WebhookOutcome, &WebhookError>) {
        let counter = match outcome {
            Ok(WebhookOutcome::Accepted { .. }) => &self.accepted,
            Ok(WebhookOutcome::Ignored) => &self.ignored,
            Err(WebhookError::MissingSignature | WebhookError::BadSignature) => &self.bad_signature,
            Err(WebhookError::Malformed(_)) => &self.malformed,
            Err(WebhookError::Stale { .. }) => &self.stale,
            Err(WebhookError::TooLarge) => &self.too_large,
            Err(WebhookError::StoreFailed) => &self.store_failed,
            Err(WebhookError::NotConfigured) => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> WebhookDeliveries {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        WebhookDeliveries {
            accepted: read(&self.accepted),
            ignored: read(&self.ignored),
            bad_signature: read(&self.bad_signature),
            malformed: read(&self.malformed),
            stale: read(&self.stale),
            too_large: read(&self.too_large),
            store_failed: read(&self.store_failed),
        }
    }
}

/// Whether `header` (hex, optionally after `sha256=`) is the HMAC-SHA256 of `body` under
/// `key`; compared in constant time.
pub(crate) fn verify_signature(key: &hmac::Key, header: &str, body: &[u8]) -> bool {
    let header = header.trim();
    let hex = header.strip_prefix("sha256=").unwrap_or(header);
    let mut tag = [0_u8; 32];
    if hex.len() != 2 * tag.len() {
        return false;
    }
    for (byte, pair) in tag.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
        let (Some(high), Some(low)) = (hex_digit(pair[0]), hex_digit(pair[1])) else {
            return false;
        };
        *byte = high << 4 | low;
    }
    hmac::verify(key, body, &tag).is_ok()
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing_key::SigningKey;

    /// Logto's own test vectors (`packages/core/src/utils/sign.test.ts`): key `foo`, the body
    /// `JSON.stringify({bar: 'bar', foo: 'foo'})` and `JSON.stringify({})`.
    #[test]
    fn verifies_logtos_test_vectors() {
        let key = SigningKey::new("foo".to_owned()).hmac_key();
        let body = br#"{"bar":"bar","foo":"foo"}"#;
        let signature = "436958f1dbfefab37712fb3927760490fbf7757da8c0b2306ee7b485f0360eee";
        assert!(verify_signature(&key, signature, body));
        // The prefixed form of some Logto versions, and upper-case hex.
        assert!(verify_signature(&key, &format!("sha256={signature}"), body));
        assert!(verify_signature(&key, &signature.to_uppercase(), body));
        assert!(verify_signature(
            &key,
            "c76356efa19d219d1d7e08ccb20b1d26db53b143156f406c99dcb8e0876d6c55",
            b"{}"
        ));
    }

    #[test]
    fn refuses_every_other_signature() {
        let key = SigningKey::new("foo".to_owned()).hmac_key();
        let body = br#"{"bar":"bar","foo":"foo"}"#;
        let good = "436958f1dbfefab37712fb3927760490fbf7757da8c0b2306ee7b485f0360eee";
        let other_key = SigningKey::new("fooo".to_owned()).hmac_key();
        assert!(!verify_signature(&other_key, good, body));
        assert!(!verify_signature(
            &key,
            good,
            br#"{"bar":"bar","foo":"fo0"}"#
        ));
        let flipped = format!("{}f", &good[..63]);
        for bad in [
            "",
            "sha256=",
            &good[..62],
            &format!("{good}00"),
            &flipped,
            &format!("sha1={good}"),
            &good.replace('4', "g"),
            "zz6958f1dbfefab37712fb3927760490fbf7757da8c0b2306ee7b485f0360eee",
        ] {
            assert!(!verify_signature(&key, bad, body), "{bad:?}");
        }
    }

    #[test]
    fn the_key_never_shows() {
        let key = SigningKey::new("sk_live_very_secret".to_owned());
        assert!(!format!("{key:?}").contains("secret"));
    }

    #[test]
    fn errors_and_outcomes_answer_as_documented() {
        assert_eq!(WebhookError::TooLarge.status(), 413);
        assert_eq!(WebhookError::MissingSignature.status(), 401);
        assert_eq!(WebhookError::Malformed("x").status(), 400);
        let stale = WebhookError::Stale {
            window_seconds: 300,
        };
        assert_eq!(stale.status(), 400);
        assert_eq!(
            stale.body(),
            r#"{"error":"stale_event","error_description":"event createdAt is outside the replay window of 300 s"}"#
        );
        assert_eq!(
            WebhookOutcome::Accepted { revocations: 2 }.body(),
            r#"{"outcome":"accepted","revocations":2}"#
        );
    }
}
