//! Operations endpoints, public on purpose: readiness for the orchestrator and metrics for
//! Prometheus. Expose them only where they belong (an internal port or network) in production.

use logto_guard::Validator;
use logto_guard::metrics::PrometheusCollector;
use prometheus_client::registry::Registry;
use rocket::http::{ContentType, Status};
use rocket::serde::json::{Json, Value, json};
use rocket::{Route, get, routes};

/// The content type of the OpenMetrics text format, which Prometheus scrapes.
const OPENMETRICS: (&str, &str) = ("application", "openmetrics-text");

/// `GET /ready`: 200 once the signing keys are loaded, 503 before (fetching them now if
/// none are, at most once per `failed_fetch_backoff`). With revocations shared through Redis
/// (`LOGTO_REDIS_URL`), `revocation_store` says whether this instance follows it: an instance
/// cut off from Redis stays ready (it enforces the revocations it holds), and says so.
#[logto_guard::public]
#[get("/ready")]
async fn ready(validator: &Validator) -> (Status, Json<Value>) {
    let mut answer = match validator.warm_up().await {
        Ok(()) => (Status::Ok, json!({"status": "ready"})),
        Err(error) => (
            Status::ServiceUnavailable,
            json!({"status": "not ready", "reason": error.to_string()}),
        ),
    };
    if let Some(store) = validator.metrics().revocation_store {
        answer.1["revocation_store"] = json!(if store.connected {
            "connected"
        } else {
            "unreachable: revocations received by other instances do not arrive"
        });
    }
    (answer.0, Json(answer.1))
}

/// `GET /metrics`: logto-guard's metrics in the OpenMetrics text format. An app with metrics
/// of its own registers the collector in its registry once instead.
#[logto_guard::public]
#[get("/metrics")]
fn metrics(validator: &Validator) -> Result<(ContentType, String), Status> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(PrometheusCollector::new(validator.clone())));
    let mut body = String::new();
    prometheus_client::encoding::text::encode(&mut body, &registry)
        .map_err(|_| Status::InternalServerError)?;
    let content_type = ContentType::new(OPENMETRICS.0, OPENMETRICS.1)
        .with_params([("version", "1.0.0"), ("charset", "utf-8")]);
    Ok((content_type, body))
}

/// The operations routes, to mount at `/`.
pub(crate) fn routes() -> Vec<Route> {
    routes![ready, metrics]
}
