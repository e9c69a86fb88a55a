//! The hub (trục liên thông): takes signed packages and status messages in, checks them, and
//! routes them to local mailboxes or to the next hub.
//!
//! This file holds the hub's parts and the steps every submission shares (de-duplication,
//! routing a recipient, the receipt, the commit); `document.rs` checks and routes a document
//! package, `status.rs` a status message, `batch.rs` many packages in one commit, and
//! `transport.rs` hands queued packages to the next hubs.

mod batch;
mod document;
// Used by the hub server only.
#[cfg(feature = "server")]
mod group;
mod notice;
mod status;
mod transport;

use std::sync::Arc;

use time::{Date, OffsetDateTime};

use super::hubs::HubRegistry;
use super::receipt::{Disposition, Receipt};
use super::store::{
    DeadLetter, MailboxStore, MessageKey, Overdue, PayloadKind, StoreError, SubmitEffects,
};
use super::table::{HubId, RoutingTable};
use super::trace::TraceError;
use crate::document::Confidentiality;
use crate::jades::JadesError;
use crate::limits::Limits;
use crate::org::{Directory, OrgId};
use crate::package::Rejected;
use crate::signed::SignedMessageError;
use crate::signer::Signer;
use crate::status::StatusCode;
use crate::trust::{Policy, TrustStore};

#[cfg(feature = "server")]
pub(crate) use group::PreparedSubmission;
pub use transport::{ForwardReport, InProcessNetwork, Transport, TransportError};

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
/// - A document id begins with its sender's code, and de-duplication is keyed on (sender, id)
///   (statuses and non-delivery notices in namespaces of their own) and compares what the
///   signatures sign (the canonical header and the attachment digests), not the signature
///   bytes or the trace: a re-encoded signature or a retried forward is a duplicate.
/// - Forwarding is at-least-once: a message stays in the outbox until the next hub's receipt
///   verifies (its registered seal, this message, this content); the next hub's
///   de-duplication makes a retry harmless. A refusal makes it a dead letter, and a signed
///   non-delivery notice goes back to the sender: an acknowledged document is never dropped
///   silently.
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
    /// A non-delivery notice from another hub did not verify.
    #[error("the non-delivery notice was refused: {0}")]
    Notice(SignedMessageError),
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
    /// The same message key was accepted before with different content.
    #[error("{key} was already accepted with different content; a changed document needs a new id (update or replace)")]
    Conflict {
        /// The message key.
        key: MessageKey,
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
    /// A non-delivery notice names a message this hub never accepted (or other content).
    #[error("hub {hub} accepted no {what} matching the non-delivery notice")]
    UnknownMessage {
        /// What the notice names.
        what: String,
        /// This hub.
        hub: HubId,
    },
    /// The hub's own seal could not sign.
    #[error("the hub's seal could not sign: {0}")]
    Signing(#[source] JadesError),
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

    /// The trust store, policy and parsing limits the hub checks submissions with (the hub
    /// server checks TLS client certificates against the same store).
    #[cfg(feature = "server")]
    pub(crate) fn checks(&self) -> (&Arc<TrustStore>, &Policy, &Limits) {
        (&self.cfg.trust, &self.cfg.policy, &self.cfg.limits)
    }

    /// Every (document, recipient) this hub routed whose due date passed before `today`
    /// without 06 completed, or that a hub could not deliver ([`MailboxStore::overdue`]).
    pub fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError> {
        self.cfg.store.overdue(today)
    }

    /// Every message a next hub refused, kept for the operator ([`MailboxStore::dead_letters`]).
    pub fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        self.cfg.store.dead_letters()
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

    /// Accepts a package, status or non-delivery notice forwarded by the known hub `from`.
    ///
    /// `from` must be authenticated by the caller (the network layer's mutual TLS): the trace
    /// (documents, statuses) or the notice's signature is checked against it.
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
            PayloadKind::Notice => self.receive_notice(bytes, from, now),
        }
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
        key: &MessageKey,
        digest: &[u8; 32],
    ) -> Result<Option<Accepted>, SubmitError> {
        let Some(prev) = self
            .cfg
            .store
            .lookup_submission(key)
            .map_err(SubmitError::Store)?
        else {
            return Ok(None);
        };
        if prev.digest != *digest {
            return Err(SubmitError::Conflict { key: key.clone() });
        }
        let receipt = own_receipt(&prev.receipt).ok_or_else(|| {
            SubmitError::Store(StoreError::Backend(format!(
                "the stored receipt of {key} is unreadable"
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
        let key = effects.submission.key.clone();
        let digest = effects.submission.digest;
        match self.cfg.store.commit(effects, now) {
            Ok(_) => Ok(Accepted {
                receipt,
                signed_receipt,
                duplicate: false,
            }),
            // Another submit of the same message won the race: answer as it was answered.
            Err(StoreError::DuplicateSubmission { .. }) => {
                self.previous(&key, &digest)?.ok_or_else(|| {
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
            .map_err(SubmitError::Signing)
    }
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
