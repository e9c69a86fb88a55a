//! The hub's HTTP API over mutual TLS: [`HubService`] serves one [`Router`] as an axum
//! router, [`serve`] runs it on a TCP listener with TLS, limits and graceful shutdown,
//! `forwarder.rs` drains the outbox to the neighbouring hubs, and `config.rs` reads hub.toml
//! and runs all of it ([`HubNode`]).
//!
//! Verification runs on tokio's blocking pool (a bounded number at once), never on the
//! reactor; documents are committed in groups by one committer thread (`commit.rs`).

mod api;
mod caller;
mod commit;
mod config;
mod forwarder;
mod mailbox;
mod metrics;
mod problem;
mod serve;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, TryAcquireError};

use crate::hub::clock::Clock;
use crate::hub::tls::{tls_policy, Side};
use crate::route::{Accepted, Disposition, Router};
use crate::trust::Policy;

pub use caller::{Caller, ClientCertificate};
pub use config::{HubConfig, HubConfigError, HubNode};
pub use forwarder::{Forwarder, ForwarderOptions};
pub use serve::{serve, ServeOptions};

use commit::Committer;
use forwarder::Kicks;
use mailbox::Wakers;
use metrics::Metrics;

/// How a [`HubService`] behaves. Start from [`HubServiceOptions::new`] and change fields.
#[derive(Clone)]
#[non_exhaustive]
pub struct HubServiceOptions {
    /// Where the service reads the time.
    pub clock: Arc<dyn Clock>,
    /// The longest a fetch may wait for a delivery (long polling). Default 30 s.
    pub max_wait: Duration,
    /// The most deliveries one fetch hands out. Default 32 (a fetch holds their bytes in
    /// memory: at most this many packages of `Limits::max_package_bytes`).
    pub fetch_max: usize,
    /// The most documents one group commit (one store transaction) holds. Default 512.
    pub max_group: usize,
    /// How many submissions are verified at once, on the blocking pool. Default twice the
    /// number of CPUs: enough to keep every core busy while others wait for the disk.
    pub verify_concurrency: usize,
    /// Bytes of request bodies held in memory at once, over all connections. Default
    /// 256 MiB; a body that does not fit waits is refused with 503 and Retry-After.
    pub body_budget: usize,
    /// How long a request body may take to arrive. Default 120 s.
    pub body_timeout: Duration,
    /// TLS certificates (SHA-256 of the DER) allowed to read `/metrics`, besides the
    /// registered hubs: the operators' monitoring.
    pub metrics_readers: Vec<[u8; 32]>,
}

impl std::fmt::Debug for HubServiceOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubServiceOptions")
            .field("max_wait", &self.max_wait)
            .field("fetch_max", &self.fetch_max)
            .field("max_group", &self.max_group)
            .field("verify_concurrency", &self.verify_concurrency)
            .field("body_budget", &self.body_budget)
            .field("body_timeout", &self.body_timeout)
            .finish_non_exhaustive()
    }
}

impl HubServiceOptions {
    /// The defaults, reading the time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> HubServiceOptions {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        HubServiceOptions {
            clock,
            max_wait: Duration::from_secs(30),
            fetch_max: 32,
            max_group: 512,
            verify_concurrency: cpus * 2,
            body_budget: 256 << 20,
            body_timeout: Duration::from_secs(120),
            metrics_readers: Vec::new(),
        }
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) router: Arc<Router>,
    pub(crate) tls_policy: Policy,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) options: HubServiceOptions,
    pub(crate) committer: Committer,
    pub(crate) wakers: Wakers,
    pub(crate) kicks: Arc<Kicks>,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) verify_slots: Semaphore,
    /// Request body bytes that may be held at once, in KiB permits.
    pub(crate) body_budget: Semaphore,
    pub(crate) draining: AtomicBool,
    pub(crate) drain: tokio::sync::Notify,
}

impl Shared {
    pub(crate) fn draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Wakes fetches for new deliveries and the forwarder for new outbox entries.
    pub(crate) fn after_accept(&self, accepted: &Accepted) {
        if accepted.duplicate {
            return;
        }
        let mut delivered = 0;
        for d in &accepted.receipt.dispositions {
            match &d.disposition {
                Disposition::Delivered => {
                    delivered += 1;
                    self.wakers.wake(&d.recipient);
                }
                Disposition::Forwarded { hub } => self.kicks.kick(hub),
                Disposition::Refused { .. } => {}
            }
        }
        self.metrics.delivered(delivered);
    }

    /// Reserves room for a body of `bytes` in the memory budget, or says the hub is full.
    pub(crate) fn reserve_body(
        &self,
        bytes: usize,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, TryAcquireError> {
        let kib = u32::try_from(bytes.div_ceil(1024).max(1)).unwrap_or(u32::MAX);
        self.body_budget.try_acquire_many(kib)
    }
}

/// A hub's HTTP API, serving one [`Router`]: hand [`HubService::api`] to [`serve`], or mount
/// it in your own axum service (behind TLS that puts the client's certificate in each
/// request as a [`ClientCertificate`]).
///
/// The endpoints (under `/v1`, described by `GET /v1/openapi.json`):
///
/// | method and path | who | what |
/// |---|---|---|
/// | `POST /v1/documents` | an agency | submit a package it sent; answers the hub's signed receipt |
/// | `POST /v1/statuses` | an agency | submit a status message it signed |
/// | `GET /v1/mailbox?max=&wait=` | an agency | fetch from its own mailbox, waiting up to `wait` seconds |
/// | `POST /v1/mailbox/{id}/ack` | an agency | acknowledge one of its deliveries |
/// | `POST /v1/hub/documents`, `POST /v1/hub/statuses` | a registered hub | hub-to-hub receive |
/// | `GET /v1/receipts?document=` | the sender | the receipt of one of its documents |
/// | `GET /v1/statuses?document=` | the sender (or a recipient) | the status history |
/// | `GET /v1/overdue?on=` | an agency | its documents past their due date |
/// | `GET /healthz`, `GET /readyz` | anyone with a valid certificate | liveness, readiness |
/// | `GET /metrics` | hubs and `metrics_readers` | Prometheus text |
///
/// Refusals are RFC 9457 `application/problem+json`; a package that failed verification
/// carries its validation report.
#[derive(Clone)]
pub struct HubService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for HubService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubService")
            .field("hub", self.shared.router.id())
            .finish_non_exhaustive()
    }
}

impl HubService {
    /// The service for `router`; starts its committer thread.
    pub fn new(router: Arc<Router>, options: HubServiceOptions) -> std::io::Result<HubService> {
        let metrics = Arc::new(Metrics::new());
        let committer = Committer::start(
            Arc::clone(&router),
            Arc::clone(&options.clock),
            Arc::clone(&metrics),
            options.max_group,
            options.max_group.saturating_mul(4),
        )?;
        let (_, policy, _) = router.checks();
        let kicks = Arc::new(Kicks::new(
            router.hubs().hubs().filter(|h| *h != router.id()),
        ));
        let budget_kib = (options.body_budget / 1024).clamp(1, Semaphore::MAX_PERMITS);
        Ok(HubService {
            shared: Arc::new(Shared {
                tls_policy: tls_policy(policy, Side::Client),
                clock: Arc::clone(&options.clock),
                verify_slots: Semaphore::new(options.verify_concurrency.max(1)),
                body_budget: Semaphore::new(budget_kib),
                committer,
                wakers: Wakers::default(),
                kicks,
                metrics,
                draining: AtomicBool::new(false),
                drain: tokio::sync::Notify::new(),
                options,
                router,
            }),
        })
    }

    /// The API as an axum router, to serve or to mount.
    pub fn api(&self) -> axum::Router {
        api::routes(Arc::clone(&self.shared))
    }

    /// The router this service serves.
    pub fn router(&self) -> &Arc<Router> {
        &self.shared.router
    }

    /// Starts draining: `/readyz` answers 503, waiting fetches return at once, new
    /// submissions are refused with 503. Requests in flight finish.
    pub fn begin_shutdown(&self) {
        self.shared.draining.store(true, Ordering::SeqCst);
        self.shared.drain.notify_waiters();
        self.shared.wakers.wake_all();
        self.shared.kicks.kick_all();
    }

    /// Commits whatever is queued and stops the committer. Call it after the server has
    /// stopped ([`serve`] returned); blocking, so from a blocking thread.
    pub fn close(&self) {
        self.begin_shutdown();
        self.shared.committer.close();
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}
