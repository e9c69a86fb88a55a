//! How hubs hand messages to each other: the [`Transport`] trait, [`Router::forward`] over it
//! (which verifies the next hub's receipt, and dead-letters refusals), and
//! [`InProcessNetwork`], the transport between hubs in one process.

use std::collections::BTreeMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::{Router, SubmitError};
use crate::org::OrgId;
use crate::route::receipt::{Disposition, Receipt};
use crate::route::store::{OutboxEntry, PayloadKind, StoreError};
use crate::route::table::HubId;
use crate::signed::hex;

/// Why a message could not be handed to the next hub.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The transport has no link to that hub.
    #[error("no link to hub {0}")]
    UnknownHub(HubId),
    /// The next hub refused the message; retrying will not help. Return this only for a
    /// refusal that comes, authenticated, from the next hub itself (over mutual TLS, say):
    /// it turns the message into a dead letter.
    #[error("hub {hub} refused it: {reason}")]
    Refused {
        /// The hub.
        hub: HubId,
        /// Its reason.
        reason: String,
    },
    /// The link failed; the message stays queued and is retried.
    #[error("hub {hub} is unreachable: {reason}")]
    Unavailable {
        /// The hub.
        hub: HubId,
        /// Why.
        reason: String,
    },
}

/// How hubs hand messages to each other: one synchronous call per message.
///
/// The contract:
/// - `send` delivers `payload` (a package, a status with its trace, or a non-delivery notice,
///   as `kind` says) from hub `from` to hub `to`, and returns the next hub's answer **as
///   received**: it should be the next hub's signed receipt, but the transport need not check
///   it. [`Router::forward`] verifies it (signed by `to`'s registered seal, for this message
///   and this content) before the message leaves the outbox; any other answer is retried.
/// - [`TransportError::Refused`] only for a refusal the next hub itself gave (authenticated);
///   [`Router::forward`] then keeps the message as a dead letter and notifies the sender.
/// - Anything else (timeouts, connection failures, 5xx, a missing link) is
///   [`TransportError::Unavailable`] or [`TransportError::UnknownHub`]: retried.
pub trait Transport: Send + Sync {
    /// Hands `payload` from hub `from` to hub `to`; returns the next hub's answer, unverified.
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
    /// Messages the next hub accepted, on its verified receipt.
    pub sent: usize,
    /// Messages the next hub refused, wholly or for some recipients: now dead letters, with a
    /// non-delivery notice on its way to the sender. One line each: the document and the
    /// reason.
    pub refused: Vec<String>,
    /// Messages left queued after a link failure or an answer that is not the next hub's
    /// receipt for them (they come back after the store's visibility timeout).
    pub retried: usize,
    /// Of the retried, those whose answer was not a valid receipt, with why.
    pub bad_receipts: Vec<String>,
}

/// Why a next hub's answer does not prove delivery.
fn check_receipt(
    router: &Router,
    to: &HubId,
    entry: &OutboxEntry,
    answer: &[u8],
    now: OffsetDateTime,
) -> Result<Receipt, String> {
    let cfg = &router.cfg;
    let receipt = Receipt::verify(answer, &cfg.hubs, &cfg.trust, &cfg.policy, now)
        .map_err(|e| format!("not a valid receipt: {e}"))?;
    if receipt.hub != *to {
        return Err(format!("a receipt of hub {}, not of {to}", receipt.hub));
    }
    if receipt.message_id != entry.key.id() {
        return Err(format!(
            "a receipt for {:?}, not for {:?}",
            receipt.message_id,
            entry.key.id()
        ));
    }
    if receipt.content_sha256 != hex(&entry.digest) {
        return Err("a receipt for other content".into());
    }
    if let Some(r) = entry
        .recipients
        .iter()
        .find(|r| receipt.disposition(r).is_none())
    {
        return Err(format!("the receipt says nothing of recipient {r}"));
    }
    Ok(receipt)
}

impl Router {
    /// Hands up to `max` queued messages per next hub to `transport`.
    ///
    /// A message leaves the outbox only when the next hub's answer is its receipt: signed by a
    /// certificate the registry lists for that hub, for this message id and this content
    /// digest, with a disposition for each recipient. Refused by the next hub (or refused for
    /// some recipients in its receipt), it becomes a dead letter ([`Router::dead_letters`]),
    /// the non-delivery is recorded in the history of each (document, recipient), and a signed
    /// [`NonDeliveryNotice`](crate::route::NonDeliveryNotice) goes to the sender's mailbox or
    /// towards its hub, in one store step. On a link failure, a missing link, or any answer
    /// that is not such a receipt, the message stays and comes back after the store's
    /// visibility timeout.
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
            report.bad_receipts.extend(one.bad_receipts);
        }
        Ok(report)
    }

    /// [`Router::forward`] for one next hub only: what a forwarder with a concurrency limit
    /// and a backoff per neighbour calls. Several calls may run at once; each takes its own
    /// entries (a taken entry is invisible to the others until the visibility timeout).
    /// Receipts are verified and refusals dead-lettered exactly as by [`Router::forward`].
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
            let kind = entry.key.kind();
            match transport.send(hub, &self.cfg.hub, kind, &entry.payload, now) {
                Ok(answer) => match check_receipt(self, hub, &entry, &answer, now) {
                    Ok(receipt) => {
                        let refused: Vec<(OrgId, String)> = entry
                            .recipients
                            .iter()
                            .filter_map(|r| match receipt.disposition(r) {
                                Some(Disposition::Refused { reason }) => Some((*r, reason.clone())),
                                _ => None,
                            })
                            .collect();
                        if refused.is_empty() {
                            self.cfg.store.complete_outbox(hub, entry.id, now)?;
                            report.sent += 1;
                        } else {
                            let reason = refused
                                .iter()
                                .map(|(r, why)| format!("{r}: {why}"))
                                .collect::<Vec<_>>()
                                .join("; ");
                            let recipients = refused.into_iter().map(|(r, _)| r).collect();
                            self.refused(hub, &entry, recipients, reason, now, &mut report)?;
                        }
                    }
                    Err(why) => {
                        tracing::warn!(hub = %hub, document = %entry.document_id, %why, "the next hub's answer is not its receipt; will retry");
                        report.retried += 1;
                        report
                            .bad_receipts
                            .push(format!("{}: {why}", entry.document_id));
                    }
                },
                // A missing link may be configured later, and an outage ends: keep it.
                Err(e @ (TransportError::Unavailable { .. } | TransportError::UnknownHub(_))) => {
                    tracing::warn!(hub = %hub, document = %entry.document_id, error = %e, "forwarding failed; will retry");
                    report.retried += 1;
                }
                Err(TransportError::Refused { reason, .. }) => {
                    let recipients = entry.recipients.clone();
                    self.refused(hub, &entry, recipients, reason, now, &mut report)?;
                }
            }
        }
        Ok(report)
    }

    fn refused(
        &self,
        hub: &HubId,
        entry: &OutboxEntry,
        recipients: Vec<OrgId>,
        reason: String,
        now: OffsetDateTime,
        report: &mut ForwardReport,
    ) -> Result<(), StoreError> {
        tracing::warn!(hub = %hub, document = %entry.document_id, %reason, "next hub refused; kept as a dead letter, the sender is notified");
        report
            .refused
            .push(format!("{}: {reason}", entry.document_id));
        self.dead_letter(hub, entry, recipients, reason, now)?;
        Ok(())
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
                total.bad_receipts.extend(r.bad_receipts);
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
