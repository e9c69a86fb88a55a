//! The hub's metrics, in the Prometheus (OpenMetrics) text format: submissions, refusals by
//! reason, deliveries, forwards, queue depth per mailbox, and latency histograms.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Submitted {
    kind: &'static str,
    origin: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Reason {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Hub {
    hub: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Mailbox {
    agency: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Endpoint {
    endpoint: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency() -> Histogram {
    // 0.25 ms to about 8 s, doubling.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

fn group_sizes() -> Histogram {
    // 1 to 1024 documents per transaction.
    Histogram::new(exponential_buckets(1.0, 2.0, 11))
}

/// Every metric of one hub.
pub(crate) struct Metrics {
    registry: Registry,
    submitted: Family<Submitted, Counter>,
    refused: Family<Reason, Counter>,
    delivered: Counter,
    forwarded: Family<Hub, Counter>,
    forward_refused: Family<Hub, Counter>,
    forward_failed: Family<Hub, Counter>,
    mailbox_depth: Family<Mailbox, Gauge>,
    requests: Histograms<Endpoint>,
    commit_seconds: Histogram,
    group_size: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics { .. }")
    }
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("edoc");
        let submitted = Family::<Submitted, Counter>::default();
        let refused = Family::<Reason, Counter>::default();
        let delivered = Counter::default();
        let forwarded = Family::<Hub, Counter>::default();
        let forward_refused = Family::<Hub, Counter>::default();
        let forward_failed = Family::<Hub, Counter>::default();
        let mailbox_depth = Family::<Mailbox, Gauge>::default();
        let requests: Histograms<Endpoint> = Family::new_with_constructor(latency);
        let commit_seconds = latency();
        let group_size = group_sizes();
        registry.register(
            "submitted",
            "Documents and statuses accepted (new ones, not duplicates), by kind and origin",
            submitted.clone(),
        );
        registry.register(
            "refused",
            "Requests refused, by reason (the problem type)",
            refused.clone(),
        );
        registry.register(
            "delivered",
            "Deliveries put in local mailboxes",
            delivered.clone(),
        );
        registry.register(
            "forwarded",
            "Packages the next hub accepted, by next hub",
            forwarded.clone(),
        );
        registry.register(
            "forward_refused",
            "Packages the next hub refused (dead letters), by next hub",
            forward_refused.clone(),
        );
        registry.register(
            "forward_failed",
            "Forwarding attempts that failed and will be retried, by next hub",
            forward_failed.clone(),
        );
        registry.register(
            "mailbox_depth",
            "Deliveries waiting (not acknowledged) per local mailbox, counted at scrape time",
            mailbox_depth.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer an API request, by endpoint",
            requests.clone(),
        );
        registry.register(
            "commit_duration_seconds",
            "Time of one group commit (one store transaction)",
            commit_seconds.clone(),
        );
        registry.register(
            "commit_group_size",
            "Documents committed together in one store transaction",
            group_size.clone(),
        );
        Metrics {
            registry,
            submitted,
            refused,
            delivered,
            forwarded,
            forward_refused,
            forward_failed,
            mailbox_depth,
            requests,
            commit_seconds,
            group_size,
        }
    }

    pub(crate) fn submitted(&self, kind: &'static str, origin: &'static str) {
        self.submitted
            .get_or_create(&Submitted { kind, origin })
            .inc();
    }

    pub(crate) fn refused(&self, reason: &str) {
        self.refused
            .get_or_create(&Reason {
                reason: reason.to_owned(),
            })
            .inc();
    }

    pub(crate) fn delivered(&self, n: u64) {
        self.delivered.inc_by(n);
    }

    pub(crate) fn forward(&self, hub: &str, sent: usize, refused: usize, failed: usize) {
        let label = Hub {
            hub: hub.to_owned(),
        };
        self.forwarded.get_or_create(&label).inc_by(sent as u64);
        self.forward_refused
            .get_or_create(&label)
            .inc_by(refused as u64);
        self.forward_failed
            .get_or_create(&label)
            .inc_by(failed as u64);
    }

    pub(crate) fn request(&self, endpoint: &str, took: Duration) {
        self.requests
            .get_or_create(&Endpoint {
                endpoint: endpoint.to_owned(),
            })
            .observe(took.as_secs_f64());
    }

    pub(crate) fn committed(&self, size: usize, took: Duration) {
        self.commit_seconds.observe(took.as_secs_f64());
        self.group_size.observe(size as f64);
    }

    /// The text exposition, with the mailbox depths counted just before.
    pub(crate) fn encode(&self, depths: &[(String, usize)]) -> String {
        self.mailbox_depth.clear();
        for (agency, depth) in depths {
            self.mailbox_depth
                .get_or_create(&Mailbox {
                    agency: agency.clone(),
                })
                .set(i64::try_from(*depth).unwrap_or(i64::MAX));
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
