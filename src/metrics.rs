//! Prometheus metrics (`GET /metrics`, text format via `prometheus-client`). Authentik's own
//! metrics have no login counters; ours fill that gap.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct IntegrationLabels {
    pub integration: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub integration: String,
    pub endpoint: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LoginLabels {
    pub integration: String,
    pub result: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AlertLabels {
    pub kind: String,
    pub severity: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0].into_iter())
}

/// Every metric Lookout exports.
pub struct Metrics {
    registry: Registry,
    pub up: Family<IntegrationLabels, Gauge>,
    pub last_success: Family<EndpointLabels, Gauge<f64, AtomicU64>>,
    pub upstream_requests: Family<IntegrationLabels, Counter>,
    pub upstream_errors: Family<IntegrationLabels, Counter>,
    pub upstream_latency: Family<IntegrationLabels, Histogram, fn() -> Histogram>,
    pub logins_seen: Family<LoginLabels, Counter>,
    pub active_alerts: Family<AlertLabels, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("lookout");
        let up = Family::<IntegrationLabels, Gauge>::default();
        registry.register(
            "integration_up",
            "1 when every endpoint of the integration refreshed successfully last time",
            up.clone(),
        );
        let last_success = Family::<EndpointLabels, Gauge<f64, AtomicU64>>::default();
        registry.register(
            "last_success_timestamp_seconds",
            "Unix time of the endpoint's last successful refresh",
            last_success.clone(),
        );
        let upstream_requests = Family::<IntegrationLabels, Counter>::default();
        registry.register(
            "upstream_requests",
            "HTTP requests sent upstream (including retries)",
            upstream_requests.clone(),
        );
        let upstream_errors = Family::<IntegrationLabels, Counter>::default();
        registry.register(
            "upstream_errors",
            "Upstream calls that failed after retries",
            upstream_errors.clone(),
        );
        let upstream_latency =
            Family::<IntegrationLabels, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register(
            "upstream_request_duration_seconds",
            "Upstream request latency",
            upstream_latency.clone(),
        );
        let logins_seen = Family::<LoginLabels, Counter>::default();
        registry.register(
            "logins_seen",
            "Login events seen, by result (success, failure)",
            logins_seen.clone(),
        );
        let active_alerts = Family::<AlertLabels, Gauge>::default();
        registry.register(
            "active_alerts",
            "Alerts currently raised, by kind and severity",
            active_alerts.clone(),
        );
        Metrics {
            registry,
            up,
            last_success,
            upstream_requests,
            upstream_errors,
            upstream_latency,
            logins_seen,
            active_alerts,
        }
    }
}

impl Metrics {
    /// The OpenMetrics text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }

    pub fn integration(id: &str) -> IntegrationLabels {
        IntegrationLabels {
            integration: id.to_owned(),
        }
    }
}
