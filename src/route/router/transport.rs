//! How hubs hand packages to each other: the [`Transport`] trait, [`Router::forward`] over it,
//! and [`InProcessNetwork`], the transport between hubs in one process.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::{Router, SubmitError};
use crate::route::store::{PayloadKind, StoreError};
use crate::route::table::HubId;

/// Why a package could not be handed to the next hub.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The transport has no link to that hub.
    #[error("no link to hub {0}")]
    UnknownHub(HubId),
    /// The next hub refused the package; retrying will not help.
    #[error("hub {hub} refused it: {reason}")]
    Refused {
        /// The hub.
        hub: HubId,
        /// Its reason.
        reason: String,
    },
    /// The link failed; the package stays queued and is retried.
    #[error("hub {hub} is unreachable: {reason}")]
    Unavailable {
        /// The hub.
        hub: HubId,
        /// Why.
        reason: String,
    },
}

/// How hubs hand packages to each other.
pub trait Transport: Send + Sync {
    /// Delivers `payload` from hub `from` to hub `to`, returning the next hub's signed receipt.
    fn send(
        &self,
        to: &HubId,
        from: &HubId,
        kind: PayloadKind,
        payload: &[u8],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, TransportError>;
}

/// What one [`Router::forward`] call did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ForwardReport {
    /// Packages the next hub accepted.
    pub sent: usize,
    /// Packages the next hub refused (dropped from the outbox, logged), with the reasons.
    pub refused: Vec<String>,
    /// Packages left queued after a link failure (they come back after the store's visibility
    /// timeout).
    pub retried: usize,
}

impl Router {
    /// Hands up to `max` queued packages per next hub to `transport`.
    ///
    /// Accepted ones leave the outbox; refused ones too (retrying cannot help; the refusal is
    /// logged and reported); on a link failure or a missing link the package stays and comes
    /// back after the store's visibility timeout.
    pub fn forward(
        &self,
        transport: &dyn Transport,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<ForwardReport, StoreError> {
        let mut report = ForwardReport::default();
        for hub in self.cfg.hubs.hubs().filter(|h| **h != self.cfg.hub) {
            let one = self.forward_to(hub, transport, max, now)?;
            report.sent += one.sent;
            report.retried += one.retried;
            report.refused.extend(one.refused);
        }
        Ok(report)
    }

    /// [`Router::forward`] for one next hub only: what a forwarder with a concurrency limit
    /// and a backoff per neighbour calls. Several calls may run at once; each takes its own
    /// entries (a taken entry is invisible to the others until the visibility timeout).
    pub fn forward_to(
        &self,
        hub: &HubId,
        transport: &dyn Transport,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<ForwardReport, StoreError> {
        let mut report = ForwardReport::default();
        if *hub == self.cfg.hub {
            return Ok(report);
        }
        for entry in self.cfg.store.take_outbox(hub, max, now)? {
            match transport.send(hub, &self.cfg.hub, entry.kind, &entry.payload, now) {
                Ok(_) => {
                    self.cfg.store.complete_outbox(hub, entry.id, now)?;
                    report.sent += 1;
                }
                // A missing link may be configured later, and an outage ends: keep it.
                Err(e @ (TransportError::Unavailable { .. } | TransportError::UnknownHub(_))) => {
                    tracing::warn!(hub = %hub, document = %entry.document_id, error = %e, "forwarding failed; will retry");
                    report.retried += 1;
                }
                Err(e) => {
                    tracing::warn!(hub = %hub, document = %entry.document_id, error = %e, "next hub refused the package");
                    self.cfg.store.complete_outbox(hub, entry.id, now)?;
                    report.refused.push(format!("{}: {e}", entry.document_id));
                }
            }
        }
        Ok(report)
    }
}

/// Hubs in one process, linked directly: the [`Transport`] for tests, demos and single-host
/// deployments.
#[derive(Debug, Default)]
pub struct InProcessNetwork {
    routers: BTreeMap<HubId, Arc<Router>>,
}

impl InProcessNetwork {
    /// An empty network.
    pub fn new() -> InProcessNetwork {
        InProcessNetwork::default()
    }

    /// Adds a hub (replacing one with the same name).
    pub fn add(&mut self, router: Arc<Router>) {
        self.routers.insert(router.id().clone(), router);
    }

    /// The hub with this name.
    pub fn router(&self, hub: &HubId) -> Option<&Arc<Router>> {
        self.routers.get(hub)
    }

    /// Lets every hub forward its outbox until nothing moves (at most 16 rounds: a route
    /// longer than that is a loop). Returns the total of the rounds' reports.
    pub fn pump(&self, now: OffsetDateTime) -> Result<ForwardReport, StoreError> {
        let mut total = ForwardReport::default();
        for _ in 0..16 {
            let mut moved = 0;
            for router in self.routers.values() {
                let r = router.forward(self, 1_000, now)?;
                moved += r.sent + r.refused.len();
                total.sent += r.sent;
                total.retried += r.retried;
                total.refused.extend(r.refused);
            }
            if moved == 0 {
                break;
            }
        }
        Ok(total)
    }
}

impl Transport for InProcessNetwork {
    fn send(
        &self,
        to: &HubId,
        from: &HubId,
        kind: PayloadKind,
        payload: &[u8],
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, TransportError> {
        let router = self
            .routers
            .get(to)
            .ok_or_else(|| TransportError::UnknownHub(to.clone()))?;
        router
            .receive(from, kind, payload, now)
            .map(|a| a.signed_receipt.to_vec())
            .map_err(|e| match e {
                SubmitError::Store(StoreError::Backend(reason)) => TransportError::Unavailable {
                    hub: to.clone(),
                    reason,
                },
                other => TransportError::Refused {
                    hub: to.clone(),
                    reason: other.to_string(),
                },
            })
    }
}
