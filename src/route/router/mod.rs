//! The hub (trục liên thông): takes signed packages and status messages in, checks them, and
//! routes them to local mailboxes or to the next hub.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use super::hubs::HubRegistry;
use super::receipt::{Disposition, Receipt, RecipientDisposition};
use super::store::{
    MailboxStore, NewDelivery, NewOutboxEntry, Overdue, PayloadKind, StatusUpdate, StoreError,
    Submission, SubmitEffects, Tracking, UrgencyRank,
};
use super::table::{HubId, RoutingTable};
use super::trace::{self, Forwarded, TraceError, TraceHop};

mod batch;
use crate::document::Confidentiality;
use crate::limits::Limits;
use crate::org::{Directory, OrgId};
use crate::package::{Detached, Rejected, TraceEntry, Verifier};
use crate::signed::{hex, SignedMessageError};
use crate::signer::Signer;
use crate::status::{StatusAuthor, StatusCode, StatusMessage};
use crate::trust::{Policy, TrustStore};

/// Everything a hub is made of.
pub struct RouterConfig {
    /// This hub's name.
    pub hub: HubId,
    /// Trust anchors, intermediates and CRLs for every signature the hub checks.
    pub trust: Arc<TrustStore>,
    /// The validation policy.
    pub policy: Policy,
    /// Parsing limits for packages.
    pub limits: Limits,
    /// Agencies, groups and which certificates seal for them.
    pub directory: Arc<Directory>,
    /// Which hub serves which agencies.
    pub table: RoutingTable,
    /// The hubs this hub knows (itself included): their seal certificates.
    pub hubs: HubRegistry,
    /// This hub's seal: signs trace entries and receipts.
    pub seal: Arc<dyn Signer>,
    /// Where submissions, mailboxes, the outbox and statuses are kept.
    pub store: Arc<dyn MailboxStore>,
}

impl std::fmt::Debug for RouterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterConfig")
            .field("hub", &self.hub)
            .finish_non_exhaustive()
    }
}

/// A hub.
///
/// [`Router::submit`] takes a document package from an agency this hub serves,
/// [`Router::submit_status`] a signed status message, and [`Router::receive`] either from a
/// neighbouring hub. Each call checks, de-duplicates, routes, signs a trace entry (documents)
/// and a receipt, and commits every effect in one atomic store commit. [`Router::forward`] then
/// hands queued packages to the next hubs over a [`Transport`].
///
/// Decisions a deployment should know:
/// - Attachments must travel inline: a hub has no side channel for detached content.
/// - A hub never widens a signed recipient list: groups ([`Directory::expand_group`]) are
///   expanded by the sender when it builds the header, so the signatures cover every recipient.
/// - De-duplication is keyed on the document id (for a status, on the digest of its bytes) and
///   compares the package content without its trace, so a retried forward is a duplicate.
/// - Forwarding is at-least-once: a package stays in the outbox until the next hub answers;
///   the next hub's de-duplication makes the retry harmless.
///
/// `examples/hue_exchange.rs` runs two hubs end to end.
pub struct Router {
    cfg: RouterConfig,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("hub", &self.cfg.hub)
            .finish()
    }
}

/// A submission the hub accepted (or had already accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The receipt.
    pub receipt: Receipt,
    /// The receipt signed by the hub's seal (JWS compact), as returned to the submitter.
    pub signed_receipt: Arc<[u8]>,
    /// True when this exact submission had been accepted before: nothing was done again, and
    /// the receipt is the original one.
    pub duplicate: bool,
}

/// Why a hub refused a submission. Nothing was stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// The package did not parse or verify; the report says why, signature by signature.
    #[error("the package failed verification: {0}")]
    Rejected(Box<Rejected>),
    /// The status message did not verify.
    #[error("the status message was refused: {0}")]
    Status(SignedMessageError),
    /// Classified documents never travel on this network (Decision 28/2018/QD-TTg covers only
    /// unclassified exchange).
    #[error("document {document_id} is classified ({level:?}) and cannot be sent through the exchange network")]
    Classified {
        /// The document.
        document_id: String,
        /// Its classification.
        level: Confidentiality,
    },
    /// The sending agency is not served by this hub: it must submit to its own hub.
    #[error("agency {sender} ({name}) is served by {serving}, not by {hub}")]
    NotServedHere {
        /// The sender.
        sender: OrgId,
        /// Its name in the directory (or as the package states it).
        name: String,
        /// The hub that serves it.
        serving: HubId,
        /// This hub.
        hub: HubId,
    },
    /// The sender is not in the directory.
    #[error("the sender {sender} ({name}) is not in the directory")]
    UnknownSender {
        /// The sender.
        sender: OrgId,
        /// Its name as the package states it.
        name: String,
    },
    /// A recipient is not in the directory.
    #[error("recipient {recipient} ({name}) of document {document_id} is not in the directory")]
    UnknownRecipient {
        /// The document or status.
        document_id: String,
        /// The recipient.
        recipient: OrgId,
        /// Its name as the package states it.
        name: String,
    },
    /// The trace of a forwarded package does not verify.
    #[error("the package's trace does not verify: {0}")]
    Trace(TraceError),
    /// A package with a trace came from an agency; only hubs append trace entries.
    #[error("a package from an agency must not carry trace entries (it has {0})")]
    TraceFromAgency(usize),
    /// A hub that is not known sent something.
    #[error("hub {0} is not a known hub")]
    UnknownHub(HubId),
    /// A forwarded package does not come as its trace says: the last entry is not by the
    /// sending hub, or does not forward to this hub, or names recipients the document does not.
    #[error("package from hub {from} was not forwarded to {hub} by it: {reason}")]
    NotForwardedHere {
        /// The sending hub.
        from: HubId,
        /// This hub.
        hub: HubId,
        /// What does not match.
        reason: String,
    },
    /// The same message id was accepted before with different content.
    #[error("{message_id} was already accepted with different content; a changed document needs a new id (update or replace)")]
    Conflict {
        /// The id.
        message_id: String,
    },
    /// A status concerns a document this hub never routed to (or from) that agency.
    #[error("hub {hub} routed no document {document_id} to agency {recipient}")]
    UnknownDocument {
        /// The document.
        document_id: String,
        /// The recipient of that document.
        recipient: OrgId,
        /// This hub.
        hub: HubId,
    },
    /// A status is sent by or to the wrong party (e.g. a recall answer from a non-recipient).
    #[error("status {code} about {document_id} must go between {expected_from} and {expected_to}")]
    WrongParty {
        /// The document.
        document_id: String,
        /// The status.
        code: StatusCode,
        /// Who must send it.
        expected_from: OrgId,
        /// Who must receive it.
        expected_to: OrgId,
    },
    /// The store refused (e.g. a status that may not follow the recorded ones) or failed.
    #[error("{0}")]
    Store(StoreError),
    /// The hub's own seal could not sign.
    #[error("the hub's seal could not sign: {0}")]
    Signing(String),
}

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

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// A submission checked and routed, before its commit.
enum Prepared {
    /// Already accepted: the first answer.
    Done(Accepted),
    /// To commit.
    Commit {
        effects: SubmitEffects,
        receipt: Receipt,
        /// The effects were computed from tracking records (a revoke, update or replace):
        /// they must be prepared after the commit of any submission before them.
        reads_tracking: bool,
    },
}

enum Origin<'a> {
    Agency,
    Hub(&'a HubId),
}

impl Router {
    /// A hub from its parts.
    pub fn new(cfg: RouterConfig) -> Router {
        Router { cfg }
    }

    /// This hub's name.
    pub fn id(&self) -> &HubId {
        &self.cfg.hub
    }

    /// The store, where agencies fetch and acknowledge their deliveries.
    pub fn store(&self) -> &Arc<dyn MailboxStore> {
        &self.cfg.store
    }

    /// The directory.
    pub fn directory(&self) -> &Directory {
        &self.cfg.directory
    }

    /// The known hubs.
    pub fn hubs(&self) -> &HubRegistry {
        &self.cfg.hubs
    }

    /// Every (document, recipient) this hub routed whose due date passed before `today`
    /// without 06 completed.
    pub fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError> {
        self.cfg.store.overdue(today)
    }

    /// Accepts a document package from an agency this hub serves.
    ///
    /// In order: parse (strict, bounded) and verify (signatures, chains, commitments, seal of
    /// the sender), with the full report on failure; authorize (no trace, sender served here
    /// and in the directory, every recipient in the directory, not classified); de-duplicate
    /// (the same package again returns the first receipt; the same id with other content is a
    /// [`SubmitError::Conflict`]); route each recipient; sign a trace entry; sign a receipt;
    /// commit it all at once.
    pub fn submit(&self, bytes: &[u8], now: OffsetDateTime) -> Result<Accepted, SubmitError> {
        self.submit_document(bytes, Origin::Agency, now)
    }

    /// Accepts a signed status message from an agency this hub serves.
    pub fn submit_status(
        &self,
        bytes: &[u8],
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        self.submit_status_inner(bytes, Origin::Agency, now)
    }

    /// Accepts a package or status forwarded by the known hub `from`.
    pub fn receive(
        &self,
        from: &HubId,
        kind: PayloadKind,
        bytes: &[u8],
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        if !self.cfg.hubs.contains(from) || *from == self.cfg.hub {
            return Err(SubmitError::UnknownHub(from.clone()));
        }
        match kind {
            PayloadKind::Document => self.submit_document(bytes, Origin::Hub(from), now),
            PayloadKind::Status => self.submit_status_inner(bytes, Origin::Hub(from), now),
        }
    }

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
            for entry in self.cfg.store.take_outbox(hub, max, now)? {
                match transport.send(hub, &self.cfg.hub, entry.kind, &entry.payload, now) {
                    Ok(_) => {
                        self.cfg.store.complete_outbox(hub, entry.id, now)?;
                        report.sent += 1;
                    }
                    // A missing link may be configured later, and an outage ends: keep it.
                    Err(
                        e @ (TransportError::Unavailable { .. } | TransportError::UnknownHub(_)),
                    ) => {
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
        }
        Ok(report)
    }

    fn agency_name(&self, id: &OrgId, stated: &str) -> String {
        self.cfg
            .directory
            .agency(id)
            .map_or_else(|| stated.to_owned(), |a| a.name().to_owned())
    }

    /// A duplicate's answer, or a conflict.
    fn previous(
        &self,
        message_id: &str,
        digest: &[u8; 32],
    ) -> Result<Option<Accepted>, SubmitError> {
        let Some(prev) = self
            .cfg
            .store
            .lookup_submission(message_id)
            .map_err(SubmitError::Store)?
        else {
            return Ok(None);
        };
        if prev.digest != *digest {
            return Err(SubmitError::Conflict {
                message_id: message_id.to_owned(),
            });
        }
        let receipt = own_receipt(&prev.receipt).ok_or_else(|| {
            SubmitError::Store(StoreError::Backend(format!(
                "the stored receipt of {message_id} is unreadable"
            )))
        })?;
        Ok(Some(Accepted {
            receipt,
            signed_receipt: prev.receipt,
            duplicate: true,
        }))
    }

    fn commit(
        &self,
        effects: SubmitEffects,
        receipt: Receipt,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        let signed_receipt = effects.submission.receipt.clone();
        let message_id = effects.submission.message_id.clone();
        let digest = effects.submission.digest;
        match self.cfg.store.commit(effects, now) {
            Ok(_) => Ok(Accepted {
                receipt,
                signed_receipt,
                duplicate: false,
            }),
            // Another submit of the same message won the race: answer as it was answered.
            Err(StoreError::DuplicateSubmission { .. }) => {
                self.previous(&message_id, &digest)?.ok_or_else(|| {
                    SubmitError::Store(StoreError::Backend("submission vanished".into()))
                })
            }
            Err(e) => Err(SubmitError::Store(e)),
        }
    }

    fn route(&self, recipient: &OrgId, origin: &Origin<'_>) -> Disposition {
        let hub = self.cfg.table.hub_for(recipient);
        if *hub == self.cfg.hub {
            Disposition::Delivered
        } else if matches!(origin, Origin::Hub(from) if *from == hub) {
            Disposition::Refused {
                reason: format!("routing loop: the route to {recipient} leads back to {hub}"),
            }
        } else if !self.cfg.hubs.contains(hub) {
            Disposition::Refused {
                reason: format!("hub {} has no link to hub {hub}", self.cfg.hub),
            }
        } else {
            Disposition::Forwarded { hub: hub.clone() }
        }
    }

    fn sign_receipt(&self, receipt: &Receipt) -> Result<Arc<[u8]>, SubmitError> {
        receipt
            .sign(self.cfg.seal.as_ref())
            .map(|s| Arc::from(s.into_bytes()))
            .map_err(|e| SubmitError::Signing(e.to_string()))
    }

    fn submit_document(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        match self.prepare_document(bytes, origin, now)? {
            Prepared::Done(done) => Ok(done),
            Prepared::Commit {
                effects, receipt, ..
            } => self.commit(effects, receipt, now),
        }
    }

    /// Everything [`Router::submit`] does but the commit.
    fn prepare_document(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Prepared, SubmitError> {
        let cfg = &self.cfg;
        // 1. Parse and verify. Attachments must be inline: a hub has no side channel.
        let verified = Verifier::new(&cfg.trust, &cfg.policy)
            .with_directory(cfg.directory.as_ref())
            .verify_bytes(bytes, &cfg.limits, &mut Detached::none(), now)
            .map_err(|r| SubmitError::Rejected(Box::new(r)))?;
        let header = verified.header();
        let document_id = header.id().to_string();
        let sender = header.sender().clone();

        // 2. Authorize.
        if header.confidentiality().is_classified() {
            return Err(SubmitError::Classified {
                document_id,
                level: header.confidentiality(),
            });
        }
        let mut seen = HashSet::new();
        let mut all: Vec<OrgId> = Vec::new();
        for r in header.all_recipients() {
            if seen.insert(r.id) {
                all.push(r.id);
            }
        }
        let trace_len = verified.package().trace().len();
        let (recipients, previous_sha256) = match origin {
            Origin::Agency => {
                if trace_len > 0 {
                    return Err(SubmitError::TraceFromAgency(trace_len));
                }
                // The sender's own hub must know it; hubs further on need not.
                if cfg.directory.agency(&sender.id).is_none() {
                    return Err(SubmitError::UnknownSender {
                        sender: sender.id,
                        name: sender.name,
                    });
                }
                let serving = cfg.table.hub_for(&sender.id);
                if *serving != cfg.hub {
                    return Err(SubmitError::NotServedHere {
                        name: self.agency_name(&sender.id, &sender.name),
                        sender: sender.id,
                        serving: serving.clone(),
                        hub: cfg.hub.clone(),
                    });
                }
                (all, None)
            }
            Origin::Hub(from) => {
                let hops = trace::verify_trace(&verified, &cfg.hubs, &cfg.trust, &cfg.policy, now)
                    .map_err(SubmitError::Trace)?;
                let not_here = |reason: String| SubmitError::NotForwardedHere {
                    from: from.clone(),
                    hub: cfg.hub.clone(),
                    reason,
                };
                let last = hops
                    .last()
                    .ok_or_else(|| not_here("the package has no trace".into()))?;
                if last.hub != *from {
                    return Err(not_here(format!("its last trace entry is by {}", last.hub)));
                }
                let mine = last
                    .forwarded
                    .iter()
                    .find(|f| f.hub == cfg.hub)
                    .ok_or_else(|| not_here("its last trace entry forwards nothing here".into()))?;
                if let Some(r) = mine.recipients.iter().find(|r| !seen.contains(r)) {
                    return Err(not_here(format!("{r} is not a recipient of the document")));
                }
                let previous = verified
                    .package()
                    .trace()
                    .last()
                    .map(|e| hex(&trace::entry_digest(e)));
                (mine.recipients.clone(), previous)
            }
        };

        // Every recipient this hub handles must exist (a hub need not know the agencies
        // other hubs serve).
        if let Some(r) = recipients
            .iter()
            .find(|r| cfg.directory.agency(r).is_none())
        {
            let name = header
                .all_recipients()
                .find(|a| a.id == *r)
                .map_or_else(String::new, |a| a.name.clone());
            return Err(SubmitError::UnknownRecipient {
                document_id,
                recipient: *r,
                name,
            });
        }

        // 3. De-duplicate, on the content (the trace is left out: a retried forward with a
        // different trace is the same document).
        let content = *verified.content_digest();
        if let Some(done) = self.previous(&document_id, &content)? {
            return Ok(Prepared::Done(done));
        }

        // 4. Route.
        let mut dispositions = Vec::with_capacity(recipients.len());
        let mut delivered = Vec::new();
        let mut forwarded: BTreeMap<HubId, Vec<OrgId>> = BTreeMap::new();
        let mut forward_order: Vec<HubId> = Vec::new();
        for r in &recipients {
            let d = self.route(r, &origin);
            match &d {
                Disposition::Delivered => delivered.push(*r),
                Disposition::Forwarded { hub } => {
                    if !forwarded.contains_key(hub) {
                        forward_order.push(hub.clone());
                    }
                    forwarded.entry(hub.clone()).or_default().push(*r);
                }
                Disposition::Refused { reason } => {
                    tracing::info!(document = %document_id, recipient = %r, %reason, "recipient refused");
                }
            }
            dispositions.push(RecipientDisposition {
                recipient: *r,
                disposition: d,
            });
        }
        let forwards: Vec<Forwarded> = forward_order
            .into_iter()
            .map(|hub| Forwarded {
                recipients: forwarded.remove(&hub).unwrap_or_default(),
                hub,
            })
            .collect();

        // 5. Trace entry, chained to the previous one.
        let hop = TraceHop {
            hub: cfg.hub.clone(),
            time: now,
            document_id: document_id.clone(),
            action: header.action().code(),
            content_sha256: hex(&content),
            previous_sha256,
            delivered: delivered.clone(),
            forwarded: forwards.clone(),
        };
        let entry = trace::make_entry(cfg.seal.as_ref(), &hop)
            .map_err(|e| SubmitError::Signing(e.to_string()))?;
        let urgency = UrgencyRank::from(header.urgency());
        let due = header.due_date();
        let action = header.action().clone();
        // The bytes as received with the entry spliced in (a copy), or, when the layout is
        // not the usual one, the package re-serialized (base64 and JSON over every inline
        // attachment: it would dominate routing on large packages).
        let out: Arc<[u8]> = match append_trace(bytes, verified.package().trace(), &entry) {
            Some(spliced) => Arc::from(spliced),
            None => {
                let mut package = verified.into_package();
                package.push_trace(entry);
                Arc::from(package.to_json())
            }
        };

        // 6. Receipt, then every effect in one commit.
        let receipt = Receipt {
            hub: cfg.hub.clone(),
            message_id: document_id.clone(),
            content_sha256: hex(&content),
            from: sender.id,
            received: now,
            dispositions,
        };
        let signed_receipt = self.sign_receipt(&receipt)?;
        let mut effects = SubmitEffects::new(Submission {
            message_id: document_id.clone(),
            digest: content,
            receipt: signed_receipt,
            at: now,
        });
        for r in &delivered {
            effects.deliveries.push(NewDelivery {
                recipient: *r,
                document_id: document_id.clone(),
                kind: PayloadKind::Document,
                urgency,
                payload: out.clone(),
            });
        }
        for f in &forwards {
            effects.outbox.push(NewOutboxEntry {
                next_hub: f.hub.clone(),
                document_id: document_id.clone(),
                kind: PayloadKind::Document,
                urgency,
                recipients: f.recipients.clone(),
                payload: out.clone(),
            });
        }
        let routed = delivered
            .iter()
            .chain(forwards.iter().flat_map(|f| f.recipients.iter()));
        for r in routed {
            effects.tracking.push(Tracking {
                document_id: document_id.clone(),
                sender: sender.id,
                recipient: *r,
                due,
            });
            // A recall, update or replacement records 13 (recall or retrieval requested)
            // against the earlier document, where this hub routed it from the same sender;
            // the recipient answers 15 or 16.
            if let Some(target) = action.target() {
                let target = target.to_string();
                if let Some(t) = cfg.store.tracked(&target, r).map_err(SubmitError::Store)? {
                    if t.sender == sender.id {
                        effects.statuses.push(StatusUpdate {
                            document_id: target,
                            recipient: *r,
                            code: StatusCode::RecallRequested,
                            at: now,
                            message: out.clone(),
                        });
                    }
                }
            }
        }
        tracing::info!(hub = %cfg.hub, document = %document_id, delivered = delivered.len(), forwarded = forwards.len(), "document accepted");
        Ok(Prepared::Commit {
            effects,
            receipt,
            reads_tracking: action.target().is_some(),
        })
    }

    fn submit_status_inner(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        let cfg = &self.cfg;
        let verified = StatusMessage::verify_signed(
            bytes,
            &cfg.trust,
            &cfg.policy,
            cfg.directory.as_ref(),
            now,
        )
        .map_err(SubmitError::Status)?;
        let msg = verified.message();
        if let Origin::Agency = origin {
            let serving = cfg.table.hub_for(&msg.from);
            if *serving != cfg.hub {
                return Err(SubmitError::NotServedHere {
                    name: self.agency_name(&msg.from, "unknown agency"),
                    sender: msg.from,
                    serving: serving.clone(),
                    hub: cfg.hub.clone(),
                });
            }
        }
        // Who received the document, and who sent it.
        let (recipient, sender) = match msg.code.author() {
            StatusAuthor::Recipient => (msg.from, msg.to),
            StatusAuthor::Sender => (msg.to, msg.from),
        };
        let tracked = cfg
            .store
            .tracked(&msg.document_id, &recipient)
            .map_err(SubmitError::Store)?
            .ok_or_else(|| SubmitError::UnknownDocument {
                document_id: msg.document_id.clone(),
                recipient,
                hub: cfg.hub.clone(),
            })?;
        if tracked.sender != sender {
            let (expected_from, expected_to) = match msg.code.author() {
                StatusAuthor::Recipient => (recipient, tracked.sender),
                StatusAuthor::Sender => (tracked.sender, recipient),
            };
            return Err(SubmitError::WrongParty {
                document_id: msg.document_id.clone(),
                code: msg.code,
                expected_from,
                expected_to,
            });
        }
        let digest = sha256(bytes);
        let message_id = format!("status:{}", hex(&digest));
        if let Some(done) = self.previous(&message_id, &digest)? {
            return Ok(done);
        }
        let disposition = self.route(&msg.to, &origin);
        // The hub that delivers must know the agency; a transit hub need not.
        if disposition == Disposition::Delivered && cfg.directory.agency(&msg.to).is_none() {
            return Err(SubmitError::UnknownRecipient {
                document_id: msg.document_id.clone(),
                recipient: msg.to,
                name: "unknown agency".into(),
            });
        }
        let receipt = Receipt {
            hub: cfg.hub.clone(),
            message_id: message_id.clone(),
            content_sha256: hex(&digest),
            from: msg.from,
            received: now,
            dispositions: vec![RecipientDisposition {
                recipient: msg.to,
                disposition: disposition.clone(),
            }],
        };
        let signed_receipt = self.sign_receipt(&receipt)?;
        let mut effects = SubmitEffects::new(Submission {
            message_id,
            digest,
            receipt: signed_receipt,
            at: now,
        });
        let payload = verified.bytes().clone();
        effects.statuses.push(StatusUpdate {
            document_id: msg.document_id.clone(),
            recipient,
            code: msg.code,
            at: msg.time,
            message: payload.clone(),
        });
        match disposition {
            Disposition::Delivered => effects.deliveries.push(NewDelivery {
                recipient: msg.to,
                document_id: msg.document_id.clone(),
                kind: PayloadKind::Status,
                urgency: UrgencyRank::NORMAL,
                payload,
            }),
            Disposition::Forwarded { hub } => effects.outbox.push(NewOutboxEntry {
                next_hub: hub,
                document_id: msg.document_id.clone(),
                kind: PayloadKind::Status,
                urgency: UrgencyRank::NORMAL,
                recipients: vec![msg.to],
                payload,
            }),
            Disposition::Refused { .. } => {}
        }
        tracing::info!(hub = %cfg.hub, document = %msg.document_id, code = %msg.code, "status accepted");
        self.commit(effects, receipt, now)
    }
}

/// `original` (a package that parsed, with trace `before`) with `entry` appended to its
/// trace, when its top-level `trace` array is its last member, as [`Package::to_json`](crate::package::Package::to_json)
/// writes it. `None` for any other layout.
///
/// The key `"trace":[` cannot occur inside a JSON string (a quote there is escaped), and the
/// tail after its last occurrence must parse as exactly the package's trace followed by the
/// closing brace, so the splice lands in the top-level array and nowhere else.
fn append_trace(original: &[u8], before: &[TraceEntry], entry: &TraceEntry) -> Option<Vec<u8>> {
    const KEY: &[u8] = b"\"trace\":[";
    let last = original.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if original.get(last) != Some(&b'}') {
        return None;
    }
    let key_at = original.windows(KEY.len()).rposition(|w| w == KEY)?;
    let open = key_at + KEY.len() - 1;
    let array = original.get(open..last)?;
    let found: Vec<TraceEntry> = serde_json::from_slice(array).ok()?;
    if found != before {
        return None;
    }
    let close = open + array.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if original.get(close) != Some(&b']') {
        return None;
    }
    let mut out = Vec::with_capacity(original.len() + 4096);
    out.extend_from_slice(original.get(..close)?);
    if !before.is_empty() {
        out.push(b',');
    }
    serde_json::to_writer(&mut out, entry).ok()?;
    out.extend_from_slice(original.get(close..)?);
    Some(out)
}

/// Reads back a receipt this hub signed and stored (no verification: it is our own record).
fn own_receipt(signed: &[u8]) -> Option<Receipt> {
    use base64::Engine;
    let text = std::str::from_utf8(signed).ok()?;
    let payload = text.split('.').nth(1)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&json).ok()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8) -> TraceEntry {
        TraceEntry {
            payload: format!("p{n}"),
            protected: format!("h{n}"),
            signature: format!("s{n}"),
        }
    }

    #[test]
    fn splice_matches_reserialization_and_refuses_other_layouts() {
        let tail = |t: &[TraceEntry]| serde_json::to_string(t).unwrap();
        let doc = |t: &[TraceEntry]| {
            format!(
                r#"{{"edoc":1,"header":{{"x":"\"trace\":[]"}},"trace":{}}}"#,
                tail(t)
            )
        };
        let none = doc(&[]);
        assert_eq!(
            append_trace(none.as_bytes(), &[], &entry(1)).unwrap(),
            doc(&[entry(1)]).into_bytes()
        );
        let one = doc(&[entry(1)]);
        assert_eq!(
            append_trace(one.as_bytes(), &[entry(1)], &entry(2)).unwrap(),
            doc(&[entry(1), entry(2)]).into_bytes()
        );
        // The trace found must be the package's trace.
        assert_eq!(append_trace(one.as_bytes(), &[], &entry(2)), None);
        // Trace not last: fall back.
        let first = format!(r#"{{"trace":{},"edoc":1}}"#, tail(&[]));
        assert_eq!(append_trace(first.as_bytes(), &[], &entry(1)), None);
        // A nested "trace" key at the end of an extension is not the top-level array.
        let nested = r#"{"trace":[],"header":{"ext":{"trace":[]}}}"#;
        assert_eq!(append_trace(nested.as_bytes(), &[], &entry(1)), None);
        assert_eq!(append_trace(b"", &[], &entry(1)), None);
        assert_eq!(append_trace(b"}", &[], &entry(1)), None);
    }
}
