//! What monitoring reads: rejections by route and reason, and the state of the key set.
//!
//! [`Validator::metrics`](crate::Validator::metrics) returns a [`MetricsSnapshot`], whose
//! `ready` says whether keys are loaded. The Rocket
//! fairing counts every rejection it answers, labelled with the matched route (`"GET
//! /orders/<id>"`) and a stable [`reason`](crate::AuthError::reason); other frameworks count theirs with
//! [`Validator::record_rejection`](crate::Validator::record_rejection). With the `prometheus`
//! feature, [`PrometheusCollector`] exposes all of it to a `prometheus-client` registry.
//!
//! Nothing here holds token material: a label is a route template or a reason name.

pub use crate::snapshot::{MetricsSnapshot, RejectionCount};

#[cfg(feature = "prometheus")]
#[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
pub use crate::prometheus::PrometheusCollector;
