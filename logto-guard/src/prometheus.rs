//! The metrics of a validator as a `prometheus-client` collector (feature `prometheus`).

use std::time::SystemTime;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Unit;

use crate::validate::Validator;

/// Exposes a [`Validator`]'s [`metrics`](Validator::metrics) to a `prometheus-client`
/// registry, read afresh at every scrape:
///
/// | family | type | meaning |
/// | --- | --- | --- |
/// | `logto_guard_rejections_total{route, reason}` | counter | requests refused, by matched route (`GET /orders/<id>`) and [`reason`](crate::AuthError::reason) |
/// | `logto_guard_ready` | gauge | 1 when a key set is loaded |
/// | `logto_guard_keys` | gauge | signing keys in the current set |
/// | `logto_guard_keys_expired` | gauge | 1 while the keys are dropped past `keys_max_stale` (503 until a fetch succeeds) |
/// | `logto_guard_key_set_age_seconds` | gauge | age of the current set (absent before the first fetch) |
/// | `logto_guard_key_fetch_success_timestamp_seconds` | gauge | Unix time of the current set's fetch |
/// | `logto_guard_key_fetch_failure_timestamp_seconds` | gauge | Unix time of the last failed fetch |
/// | `logto_guard_key_fetches_total` | counter | key-set fetches, successful or not |
/// | `logto_guard_key_fetch_failures_total` | counter | failed key-set fetches |
/// | `logto_guard_revocations` | gauge | revocations in force ([`revocation`](crate::revocation)) |
/// | `logto_guard_webhook_deliveries_total{outcome}` | counter | Logto webhook deliveries by outcome: `accepted`, `ignored`, `bad_signature`, `malformed`, `stale`, `too_large`, `store_failed` |
/// | `logto_guard_revocation_store_connected` | gauge | with Redis (feature `redis`): 1 while this instance follows it |
/// | `logto_guard_revocation_outbox` | gauge | with Redis: revocations enforced here, waiting to be stored |
///
/// Refused revoked tokens count in `logto_guard_rejections_total` with `reason="revoked"`. No
/// label holds a token, a user or an organization id.
///
/// ```
/// use logto_guard::metrics::PrometheusCollector;
/// use logto_guard::{Config, Validator};
/// use prometheus_client::registry::Registry;
///
/// let validator = Validator::new(Config::new("https://my-tenant.logto.app"))?;
/// let mut registry = Registry::default();
/// registry.register_collector(Box::new(PrometheusCollector::new(validator)));
/// let mut scrape = String::new();
/// prometheus_client::encoding::text::encode(&mut scrape, &registry).unwrap();
/// assert!(scrape.contains("logto_guard_ready 0\n"));
/// # Ok::<(), logto_guard::ConfigError>(())
/// ```
pub struct PrometheusCollector {
    validator: Validator,
}

impl PrometheusCollector {
    /// A collector of `validator`'s metrics (a clone shares them).
    #[must_use]
    pub fn new(validator: Validator) -> Self {
        Self { validator }
    }
}

impl std::fmt::Debug for PrometheusCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusCollector")
            .field("issuer", &self.validator.issuer())
            .finish()
    }
}

impl Collector for PrometheusCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> Result<(), std::fmt::Error> {
        let metrics = self.validator.metrics();

        let counter = ConstCounter::new(0_u64);
        let mut family = encoder.encode_descriptor(
            "logto_guard_rejections",
            "Requests refused by logto-guard, by matched route and reason",
            None,
            counter.metric_type(),
        )?;
        for rejection in &metrics.rejections {
            let labels = [
                ("route", rejection.route.as_str()),
                ("reason", rejection.reason),
            ];
            ConstCounter::new(rejection.count).encode(family.encode_family(&labels)?)?;
        }

        gauge(
            &mut encoder,
            "logto_guard_ready",
            "1 when a signing key set is loaded",
            None,
            i64::from(metrics.ready),
        )?;
        gauge(
            &mut encoder,
            "logto_guard_keys",
            "Signing keys in the current key set",
            None,
            i64::try_from(metrics.keys).unwrap_or(i64::MAX),
        )?;
        gauge(
            &mut encoder,
            "logto_guard_keys_expired",
            "1 while the keys are dropped because no fetch succeeded for keys_max_stale",
            None,
            i64::from(metrics.keys_expired),
        )?;
        if let Some(age) = metrics.key_set_age {
            gauge(
                &mut encoder,
                "logto_guard_key_set_age",
                "Age of the current key set",
                Some(&Unit::Seconds),
                age.as_secs_f64(),
            )?;
        }
        if let Some(at) = metrics.last_fetch_success.and_then(unix_seconds) {
            gauge(
                &mut encoder,
                "logto_guard_key_fetch_success_timestamp",
                "Unix time of the last successful key-set fetch",
                Some(&Unit::Seconds),
                at,
            )?;
        }
        if let Some(at) = metrics.last_fetch_failure.and_then(unix_seconds) {
            gauge(
                &mut encoder,
                "logto_guard_key_fetch_failure_timestamp",
                "Unix time of the last failed key-set fetch",
                Some(&Unit::Seconds),
                at,
            )?;
        }
        counter_of(
            &mut encoder,
            "logto_guard_key_fetches",
            "Key-set fetches, successful or not",
            metrics.key_fetches,
        )?;
        counter_of(
            &mut encoder,
            "logto_guard_key_fetch_failures",
            "Failed key-set fetches",
            metrics.key_fetch_failures,
        )?;
        gauge(
            &mut encoder,
            "logto_guard_revocations",
            "Revocations in force: tokens of suspended or deleted users, removed organization \
             members, deleted organizations",
            None,
            i64::try_from(metrics.revocations).unwrap_or(i64::MAX),
        )?;
        let mut family = encoder.encode_descriptor(
            "logto_guard_webhook_deliveries",
            "Logto webhook deliveries, by outcome",
            None,
            counter.metric_type(),
        )?;
        for (outcome, count) in metrics.webhook_deliveries.by_outcome() {
            ConstCounter::new(count).encode(family.encode_family(&[("outcome", outcome)])?)?;
        }
        if let Some(store) = metrics.revocation_store {
            gauge(
                &mut encoder,
                "logto_guard_revocation_store_connected",
                "1 while this instance follows the Redis store of revocations",
                None,
                i64::from(store.connected),
            )?;
            gauge(
                &mut encoder,
                "logto_guard_revocation_outbox",
                "Revocations enforced here that wait to be stored in Redis",
                None,
                i64::try_from(store.outbox).unwrap_or(i64::MAX),
            )?;
        }
        Ok(())
    }
}

fn gauge<N>(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    value: N,
) -> Result<(), std::fmt::Error>
where
    ConstGauge<N>: prometheus_client::encoding::EncodeMetric,
{
    let gauge = ConstGauge::new(value);
    gauge.encode(encoder.encode_descriptor(name, help, unit, gauge.metric_type())?)
}

fn counter_of(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    value: u64,
) -> Result<(), std::fmt::Error> {
    let counter = ConstCounter::new(value);
    counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)
}

fn unix_seconds(at: SystemTime) -> Option<f64> {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .ok()
        .map(|since| since.as_secs_f64())
}
