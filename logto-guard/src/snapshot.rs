//! The state a validator reports at one moment, and the rejection counters behind it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use crate::revocation::{RevocationStoreStatus, WebhookDeliveries};
use crate::support::lock;

/// The state of a [`Validator`](crate::Validator) at one moment.
///
/// A validator that trusts several issuers (custom domains) has a key set per issuer; the
/// gauges then describe the worst of them (fewest keys, oldest set, any expired), so that
/// `ready` holds only when every issuer's keys are loaded, and the fetch counters add up.
///
/// ```
/// use logto_guard::{AuthError, Config, Validator};
///
/// let validator = Validator::new(Config::new("https://my-tenant.logto.app"))?;
/// validator.record_rejection(&AuthError::Expired, "GET /orders");
/// let metrics = validator.metrics();
/// assert!(!metrics.ready);
/// assert_eq!(metrics.rejections_with_reason("expired"), 1);
/// assert_eq!(metrics.rejections_on_route("GET /orders"), 1);
/// # Ok::<(), logto_guard::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Whether a key set is loaded (and not dropped past `keys_max_stale`) for every trusted
    /// issuer: tokens can be verified. No I/O; a readiness endpoint should rather call
    /// [`Validator::warm_up`](crate::Validator::warm_up), which also fetches missing keys.
    pub ready: bool,
    /// How many usable signing keys the current key set has (0 before the first fetch, and
    /// while the keys are expired); with several issuers, the fewest of any.
    pub keys: usize,
    /// Whether the keys were dropped because no fetch succeeded for `keys_max_stale`: requests
    /// get 503 until one does.
    pub keys_expired: bool,
    /// How long ago Logto last confirmed the current key set (a fetch that returned it, or
    /// 304); with several issuers, the oldest, and `None` while one has no set.
    pub key_set_age: Option<Duration>,
    /// When the last successful key-set fetch (200 or 304) completed; with several issuers,
    /// the earliest of their last successes, and `None` while one never had one.
    pub last_fetch_success: Option<SystemTime>,
    /// When the last failed key-set fetch (of any issuer) completed, even if a later one
    /// succeeded.
    pub last_fetch_failure: Option<SystemTime>,
    /// Completed key-set fetches, successful or not.
    pub key_fetches: u64,
    /// Failed key-set fetches.
    pub key_fetch_failures: u64,
    /// Rejections counted so far, sorted by route, then reason.
    pub rejections: Vec<RejectionCount>,
    /// Revocations in force: tokens of suspended or deleted users, of removed organization
    /// members, of deleted organizations (see [`revocation`](crate::revocation)).
    pub revocations: usize,
    /// Logto webhook deliveries, by outcome.
    pub webhook_deliveries: WebhookDeliveries,
    /// The Redis store of revocations, when one is configured (feature `redis`): whether this
    /// instance follows it, and what waits to be stored.
    pub revocation_store: Option<RevocationStoreStatus>,
}

/// How many requests of one route were refused for one reason.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RejectionCount {
    /// The matched route as `"METHOD /path/<param>"` (the route's template, not the request's
    /// path), or whatever label [`Validator::record_rejection`](crate::Validator::record_rejection)
    /// was given.
    pub route: String,
    /// The [`reason`](crate::AuthError::reason) label.
    pub reason: &'static str,
    /// How many.
    pub count: u64,
}

impl MetricsSnapshot {
    /// All rejections for `reason` (a [`reason`](crate::AuthError::reason) label), over every route.
    #[must_use]
    pub fn rejections_with_reason(&self, reason: &str) -> u64 {
        self.rejections
            .iter()
            .filter(|r| r.reason == reason)
            .map(|r| r.count)
            .sum()
    }

    /// All rejections on `route` (`"METHOD /path"`), for every reason.
    #[must_use]
    pub fn rejections_on_route(&self, route: &str) -> u64 {
        self.rejections
            .iter()
            .filter(|r| r.route == route)
            .map(|r| r.count)
            .sum()
    }

    /// All rejections.
    #[must_use]
    pub fn total_rejections(&self) -> u64 {
        self.rejections.iter().map(|r| r.count).sum()
    }
}

/// Distinct `(route, reason)` series kept; beyond, rejections count under [`OTHER_ROUTE`], so
/// that labels passed by hand cannot grow memory without bound.
const MAX_SERIES: usize = 4096;

/// The route label of rejections beyond [`MAX_SERIES`].
const OTHER_ROUTE: &str = "(other)";

/// The rejection counters a validator and its clones share.
#[derive(Debug, Default)]
pub(crate) struct Rejections {
    counts: Mutex<HashMap<(String, &'static str), u64>>,
}

impl Rejections {
    pub(crate) fn record(&self, route: &str, reason: &'static str) {
        let mut counts = lock(&self.counts);
        if let Some(count) = counts.get_mut(&(route.to_owned(), reason)) {
            *count += 1;
            return;
        }
        let route = if counts.len() < MAX_SERIES {
            route
        } else {
            OTHER_ROUTE
        };
        *counts.entry((route.to_owned(), reason)).or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> Vec<RejectionCount> {
        let mut rejections: Vec<RejectionCount> = lock(&self.counts)
            .iter()
            .map(|((route, reason), count)| RejectionCount {
                route: route.clone(),
                reason,
                count: *count,
            })
            .collect();
        rejections.sort_by(|a, b| (&a.route, a.reason).cmp(&(&b.route, b.reason)));
        rejections
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_route_and_reason_and_caps_the_series() {
        let rejections = Rejections::default();
        rejections.record("GET /a", "expired");
        rejections.record("GET /a", "expired");
        rejections.record("GET /b", "missing_credentials");
        let snapshot = rejections.snapshot();
        assert_eq!(snapshot.len(), 2);
        assert_eq!(
            (snapshot[0].route.as_str(), snapshot[0].count),
            ("GET /a", 2)
        );
        for i in 0..MAX_SERIES + 10 {
            rejections.record(&format!("GET /{i}"), "expired");
        }
        let snapshot = rejections.snapshot();
        assert!(snapshot.len() <= MAX_SERIES + 1);
        assert!(snapshot.iter().any(|r| r.route == OTHER_ROUTE));
    }
}
