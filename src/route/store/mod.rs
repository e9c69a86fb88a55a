//! Mailbox stores: where a hub keeps what it has accepted, delivered, forwarded and heard back.
//!
//! Everything a hub's `submit` changes goes in ONE [`SubmitEffects`] value, committed by ONE
//! call to [`MailboxStore::commit`]: a durable store maps it onto one transaction, so a crash
//! leaves either all of a submission's effects or none (never a delivery without its
//! de-duplication record, which would deliver twice on a retry).
//!
//! Stored packages are opaque bytes: the store knows nothing of the package format.
//!
//! This file holds the [`MailboxStore`] trait and the types it speaks; its implementations sit
//! beside it: `memory.rs` (in memory, for tests and demos) and `durable/` (a redb file).

mod durable;
mod memory;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use time::{Date, OffsetDateTime};

use crate::org::OrgId;
use crate::route::table::HubId;
use crate::status::{StatusCode, StatusTransitionError};

pub use durable::DurableStore;
pub use memory::MemoryStore;

/// How urgent a delivery is, as a rank: a greater rank is fetched first.
///
/// The document's urgency (độ khẩn) maps onto it; edXML codes urgency 0 to 4, and
/// [`UrgencyRank::from_edxml_code`] does the mapping. Express (hỏa tốc) and express with a set
/// time (hỏa tốc hẹn giờ) share the top rank: both must go out at once.
///
/// ```
/// use edoc::UrgencyRank;
/// assert!(UrgencyRank::EXPRESS > UrgencyRank::VERY_URGENT);
/// assert_eq!(UrgencyRank::from_edxml_code(4), Some(UrgencyRank::EXPRESS));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UrgencyRank(u8);

impl UrgencyRank {
    /// Normal (thường), edXML 0.
    pub const NORMAL: UrgencyRank = UrgencyRank(0);
    /// Urgent (khẩn), edXML 1.
    pub const URGENT: UrgencyRank = UrgencyRank(1);
    /// Very urgent (thượng khẩn), edXML 2.
    pub const VERY_URGENT: UrgencyRank = UrgencyRank(2);
    /// Express (hỏa tốc, edXML 3) and express with a set time (hỏa tốc hẹn giờ, edXML 4).
    pub const EXPRESS: UrgencyRank = UrgencyRank(3);

    /// The rank for an edXML urgency code (0 to 4); `None` for any other value.
    pub fn from_edxml_code(code: u8) -> Option<UrgencyRank> {
        match code {
            0..=3 => Some(UrgencyRank(code)),
            4 => Some(UrgencyRank::EXPRESS),
            _ => None,
        }
    }

    /// The rank as a number, 0 (normal) to 3 (express).
    pub fn value(self) -> u8 {
        self.0
    }
}

/// What a stored payload is, so the agency that fetches it knows how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadKind {
    /// A signed document package.
    Document,
    /// A signed status message.
    Status,
    /// A hub's signed non-delivery notice: a document (or status) could not be delivered.
    Notice,
}

/// What a message is de-duplicated on: its kind, who may use the id, and the id. Documents,
/// status messages and non-delivery notices are separate namespaces, and within each an id is
/// qualified by its owner, so no agency can take an id another will use (a document id also
/// begins with its sender's code).
///
/// ```
/// use edoc::MessageKey;
/// let sender = "000.00.45.H57".parse().unwrap();
/// let doc = MessageKey::Document { sender, id: "000.00.45.H57,2025/07/01,12/UBND".into() };
/// let status = MessageKey::Status { from: sender, id: "000.00.45.H57,2025/07/01,12/UBND".into() };
/// assert_ne!(doc, status);
/// assert_eq!(doc.kind(), edoc::PayloadKind::Document);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKey {
    /// A document package: its sender and its document id.
    Document {
        /// The sending agency.
        sender: OrgId,
        /// The document id.
        id: String,
    },
    /// A status message: the answering agency and the status's own id.
    Status {
        /// The agency that sets the status.
        from: OrgId,
        /// The status id.
        id: String,
    },
    /// A non-delivery notice: the hub that issued it and the notice's id.
    Notice {
        /// The issuing hub.
        hub: HubId,
        /// The notice id.
        id: String,
    },
}

impl MessageKey {
    /// The kind of message the key names.
    pub fn kind(&self) -> PayloadKind {
        match self {
            MessageKey::Document { .. } => PayloadKind::Document,
            MessageKey::Status { .. } => PayloadKind::Status,
            MessageKey::Notice { .. } => PayloadKind::Notice,
        }
    }

    /// The id within its owner's namespace.
    pub fn id(&self) -> &str {
        match self {
            MessageKey::Document { id, .. }
            | MessageKey::Status { id, .. }
            | MessageKey::Notice { id, .. } => id,
        }
    }

    /// Who owns the id: an agency code, or a hub name.
    pub fn owner(&self) -> String {
        match self {
            MessageKey::Document { sender: a, .. } | MessageKey::Status { from: a, .. } => {
                a.to_string()
            }
            MessageKey::Notice { hub, .. } => hub.to_string(),
        }
    }
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind() {
            PayloadKind::Document => "document",
            PayloadKind::Status => "status",
            PayloadKind::Notice => "notice",
        };
        write!(f, "{kind} {:?} of {}", self.id(), self.owner())
    }
}

/// A store-assigned delivery number. Numbers grow with arrival, so they give arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeliveryId(pub u64);

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "delivery #{}", self.0)
    }
}

/// A store-assigned outbox entry number, growing with arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub u64);

impl fmt::Display for OutboxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "outbox entry #{}", self.0)
    }
}

/// The de-duplication record of one submission: the message's key, the digest of what its
/// signatures sign, and the receipt the hub returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The message's key: kind, owner and id.
    pub key: MessageKey,
    /// SHA-256 of what the message's signatures sign (for a document its canonical header and
    /// attachment digests; for a status or notice its protected header and payload), never of
    /// the signature bytes: a re-encoded signature is the same message.
    pub digest: [u8; 32],
    /// The signed receipt returned to the submitter, as bytes.
    pub receipt: Arc<[u8]>,
    /// When it was accepted.
    pub at: OffsetDateTime,
}

/// A package to put in a local agency's mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// The agency whose mailbox receives it.
    pub recipient: OrgId,
    /// The document concerned (for a status: the document it is about).
    pub document_id: String,
    /// Document or status.
    pub kind: PayloadKind,
    /// How urgent: decides fetch order.
    pub urgency: UrgencyRank,
    /// The package bytes.
    pub payload: Arc<[u8]>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Waiting to be fetched (or back after a visibility timeout).
    Ready,
    /// Fetched and invisible until this instant; back to the mailbox if not acked by then.
    InFlight {
        /// When it becomes visible again.
        until: OffsetDateTime,
    },
    /// Acknowledged: done.
    Acked {
        /// When.
        at: OffsetDateTime,
    },
}

impl DeliveryState {
    /// The state once `agency` acknowledges `delivery` at `now`, or `None` when it already was
    /// (acks are idempotent). A delivery never fetched cannot have been read: its ack is refused.
    /// Both stores apply this one rule.
    pub(crate) fn acknowledged(
        self,
        attempts: u32,
        agency: &OrgId,
        delivery: DeliveryId,
        now: OffsetDateTime,
    ) -> Result<Option<DeliveryState>, StoreError> {
        match self {
            DeliveryState::Acked { .. } => Ok(None),
            DeliveryState::Ready if attempts == 0 => Err(StoreError::NotFetched {
                agency: *agency,
                delivery,
            }),
            _ => Ok(Some(DeliveryState::Acked { at: now })),
        }
    }
}

/// A delivery in an agency's mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The store's number for it.
    pub id: DeliveryId,
    /// The agency whose mailbox holds it.
    pub recipient: OrgId,
    /// The document concerned.
    pub document_id: String,
    /// Document or status.
    pub kind: PayloadKind,
    /// How urgent.
    pub urgency: UrgencyRank,
    /// The package bytes.
    pub payload: Arc<[u8]>,
    /// When it was committed.
    pub arrived: OffsetDateTime,
    /// How many times it has been fetched. More than 1 means it was redelivered: the agency
    /// may have seen it before and must be idempotent.
    pub attempts: u32,
    /// Where it stands.
    pub state: DeliveryState,
}

/// A message to forward to a neighbouring hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxEntry {
    /// The hub to send it to.
    pub next_hub: HubId,
    /// The message (its kind is the key's): the next hub's receipt must name its id.
    pub key: MessageKey,
    /// The de-duplication digest of the message ([`Submission::digest`]): the next hub's
    /// receipt must name it.
    pub digest: [u8; 32],
    /// The document concerned.
    pub document_id: String,
    /// How urgent: decides take order.
    pub urgency: UrgencyRank,
    /// The agencies, beyond that hub, it is for.
    pub recipients: Vec<OrgId>,
    /// The bytes to send (a package with this hub's trace entry, a status with its trace, a
    /// notice).
    pub payload: Arc<[u8]>,
}

/// A message waiting to be forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The store's number for it.
    pub id: OutboxId,
    /// The hub to send it to.
    pub next_hub: HubId,
    /// The message.
    pub key: MessageKey,
    /// Its de-duplication digest, which the next hub's receipt must name.
    pub digest: [u8; 32],
    /// The document concerned.
    pub document_id: String,
    /// How urgent.
    pub urgency: UrgencyRank,
    /// The agencies it is for.
    pub recipients: Vec<OrgId>,
    /// The bytes to send.
    pub payload: Arc<[u8]>,
    /// When it was committed.
    pub queued: OffsetDateTime,
    /// How many times it has been taken for sending.
    pub attempts: u32,
}

/// The tracking of one (document, recipient) pair: who sent it and when an answer is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracking {
    /// The document.
    pub document_id: String,
    /// The agency that sent it.
    pub sender: OrgId,
    /// The agency it went to.
    pub recipient: OrgId,
    /// The due date (hạn xử lý) for the answer, if any.
    pub due: Option<Date>,
}

/// What a (document, recipient) pair's history records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusEvent {
    /// A status the agencies set (or 13, recorded when a recall, update or replacement
    /// arrives).
    Status(StatusCode),
    /// A hub could not deliver the document to the recipient: `refused_by` refused it.
    NotDelivered {
        /// The hub that refused.
        refused_by: HubId,
        /// Its reason, as it gave it.
        reason: String,
    },
}

impl StatusEvent {
    /// The status code, for a status.
    pub fn code(&self) -> Option<StatusCode> {
        match self {
            StatusEvent::Status(c) => Some(*c),
            StatusEvent::NotDelivered { .. } => None,
        }
    }
}

impl fmt::Display for StatusEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusEvent::Status(c) => c.fmt(f),
            StatusEvent::NotDelivered { refused_by, reason } => {
                write!(f, "not delivered: hub {refused_by} refused it: {reason}")
            }
        }
    }
}

/// An event to record for one (document, recipient) pair. The store refuses a status, and with
/// it the whole commit, if [`StatusCode::check_after`] refuses it against the statuses
/// recorded, or if it is older than the latest of them ([`StoreError::OutOfOrder`]). A
/// non-delivery is always recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The document.
    pub document_id: String,
    /// The agency that received (or was to receive) the document.
    pub recipient: OrgId,
    /// The status, or the non-delivery.
    pub event: StatusEvent,
    /// When the status was set (from the status message), or when the hub learned of the
    /// non-delivery.
    pub at: OffsetDateTime,
    /// The signed message, kept as evidence: the status message, or the non-delivery notice.
    pub message: Arc<[u8]>,
}

/// One recorded event of a (document, recipient) pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// The status, or the non-delivery.
    pub event: StatusEvent,
    /// When.
    pub at: OffsetDateTime,
    /// The signed message.
    pub message: Arc<[u8]>,
}

impl StatusRecord {
    /// The status code, when the record is a status.
    pub fn code(&self) -> Option<StatusCode> {
        self.event.code()
    }
}

/// A store-assigned dead letter number, growing with arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeadLetterId(pub u64);

impl fmt::Display for DeadLetterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dead letter #{}", self.0)
    }
}

/// A next hub's refusal of an outbox entry (wholly, or for some of its recipients), with what
/// it changes here: committed at once with the entry's move to the dead letters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The hub that refused.
    pub refused_by: HubId,
    /// The recipients it refused (all of the entry's, or those its receipt refused).
    pub recipients: Vec<OrgId>,
    /// Its reason.
    pub reason: String,
    /// The non-delivery notice this hub issues, as one more submission: its de-duplication
    /// record (with this hub's signed receipt for it), the
    /// [`StatusEvent::NotDelivered`] of each (document, recipient), and the notice delivered to
    /// the sender's mailbox or queued towards its hub. Tracking entries are not allowed here.
    /// `None` when no notice is sent (the refused message was itself a notice).
    pub notice: Option<SubmitEffects>,
}

/// An outbox entry a next hub refused: kept, with its payload, for the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The store's number for it.
    pub id: DeadLetterId,
    /// The entry as it left the outbox (attempts and payload included).
    pub entry: OutboxEntry,
    /// The hub that refused it.
    pub refused_by: HubId,
    /// The recipients refused.
    pub recipients: Vec<OrgId>,
    /// The reason given.
    pub reason: String,
    /// When it was refused.
    pub at: OffsetDateTime,
}

/// Everything one `submit` changes, committed at once or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitEffects {
    /// The de-duplication record. Its message id must be new to the store.
    pub submission: Submission,
    /// Packages for local mailboxes.
    pub deliveries: Vec<NewDelivery>,
    /// Packages for neighbouring hubs.
    pub outbox: Vec<NewOutboxEntry>,
    /// (document, recipient) pairs to track; each must be new to the store.
    pub tracking: Vec<Tracking>,
    /// Statuses to record, in order.
    pub statuses: Vec<StatusUpdate>,
}

impl From<crate::document::Urgency> for UrgencyRank {
    fn from(u: crate::document::Urgency) -> UrgencyRank {
        // Codes 0 to 4 always map.
        UrgencyRank::from_edxml_code(u.code()).unwrap_or(UrgencyRank::EXPRESS)
    }
}

impl SubmitEffects {
    /// Effects with only the de-duplication record, to fill in.
    pub fn new(submission: Submission) -> SubmitEffects {
        SubmitEffects {
            submission,
            deliveries: Vec::new(),
            outbox: Vec::new(),
            tracking: Vec::new(),
            statuses: Vec::new(),
        }
    }
}

/// What a commit assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    /// The ids of the deliveries, in the order given.
    pub deliveries: Vec<DeliveryId>,
    /// The ids of the outbox entries, in the order given.
    pub outbox: Vec<OutboxId>,
}

/// A (document, recipient) pair that needs its sender's attention: its due date passed
/// without 06 completed, or it could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The document.
    pub document_id: String,
    /// Who sent it.
    pub sender: OrgId,
    /// Who has not completed it.
    pub recipient: OrgId,
    /// The due date, if the document has one.
    pub due: Option<Date>,
    /// The latest event recorded, if any (e.g. 02 refused, 05 processing, not delivered).
    pub latest: Option<StatusEvent>,
}

impl Overdue {
    /// The pair's entry in the overdue list on `today`, from its tracking and its history
    /// (oldest first), or `None` if it is not overdue. Both stores apply this one rule.
    pub(crate) fn of(
        tracking: &Tracking,
        history: &[StatusRecord],
        today: Date,
    ) -> Option<Overdue> {
        let last_status = history.iter().rposition(|r| r.code().is_some());
        let undelivered = history
            .iter()
            .rposition(|r| matches!(r.event, StatusEvent::NotDelivered { .. }))
            .is_some_and(|i| last_status.is_none_or(|s| s < i));
        let late = tracking.due.is_some_and(|due| due < today);
        let completed = history
            .iter()
            .any(|r| r.code() == Some(StatusCode::Completed));
        ((late || undelivered) && !completed).then(|| Overdue {
            document_id: tracking.document_id.clone(),
            sender: tracking.sender,
            recipient: tracking.recipient,
            due: tracking.due,
            latest: history.last().map(|r| r.event.clone()),
        })
    }

    /// The list's order: by due date (undated first), document id, then recipient.
    pub(crate) fn sort(list: &mut [Overdue]) {
        list.sort_by(|a, b| {
            (a.due, &a.document_id, a.recipient).cmp(&(b.due, &b.document_id, b.recipient))
        });
    }
}

/// Checks that `update` may be recorded after `history` (oldest first, including what the same
/// commit recorded before it): a status must be allowed after the statuses recorded
/// ([`StatusCode::check_after`]) and not older than the latest of them. Both stores apply this
/// one rule.
pub(crate) fn check_status_update(
    history: &[StatusRecord],
    update: &StatusUpdate,
) -> Result<(), StoreError> {
    let StatusEvent::Status(code) = update.event else {
        return Ok(());
    };
    let codes: Vec<StatusCode> = history.iter().filter_map(StatusRecord::code).collect();
    code.check_after(&codes)
        .map_err(|source| StoreError::Transition {
            document_id: update.document_id.clone(),
            recipient: update.recipient,
            source,
        })?;
    if let Some(latest) = history.iter().rev().find(|r| r.code().is_some()) {
        if update.at < latest.at {
            return Err(StoreError::OutOfOrder {
                document_id: update.document_id.clone(),
                recipient: update.recipient,
                at: update.at,
                latest: latest.at,
            });
        }
    }
    Ok(())
}

/// Why a store refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The message key was already submitted. The whole commit was refused. If the digest is
    /// the same, it is a retry (answer with the stored receipt); otherwise a conflict.
    #[error("{key} was already submitted{}", if *same_content { "" } else { " with different content" })]
    DuplicateSubmission {
        /// The message key.
        key: MessageKey,
        /// Whether the earlier submission had the same digest.
        same_content: bool,
    },
    /// The (document, recipient) pair is already tracked. The whole commit was refused.
    #[error("document {document_id:?} is already tracked for agency {recipient}")]
    DuplicateTracking {
        /// The document.
        document_id: String,
        /// The recipient.
        recipient: OrgId,
    },
    /// A status may not follow the recorded ones. The whole commit was refused.
    #[error("document {document_id:?} for agency {recipient}: {source}")]
    Transition {
        /// The document.
        document_id: String,
        /// The recipient.
        recipient: OrgId,
        /// The rule broken.
        source: StatusTransitionError,
    },
    /// A status is older than the latest status recorded for its (document, recipient): a
    /// status held back and sent late, or replayed. The whole commit was refused.
    #[error("document {document_id:?} for agency {recipient}: a status set at {at} cannot follow one set at {latest}")]
    OutOfOrder {
        /// The document.
        document_id: String,
        /// The recipient.
        recipient: OrgId,
        /// The time the refused status states.
        at: OffsetDateTime,
        /// The time of the latest status recorded.
        latest: OffsetDateTime,
    },
    /// A dead letter asked to carry tracking entries, which only a submission makes.
    #[error("a refusal must not track new (document, recipient) pairs")]
    TrackingInRefusal,
    /// The delivery is not in this agency's mailbox (unknown, or another agency's: the two are
    /// not told apart, so one agency cannot probe another's mailbox).
    #[error("{delivery} is not in the mailbox of agency {agency}")]
    NotInMailbox {
        /// The agency that asked.
        agency: OrgId,
        /// The delivery named.
        delivery: DeliveryId,
    },
    /// The delivery was never fetched, so it cannot be acknowledged.
    #[error("{delivery} for agency {agency} was never fetched, so it cannot be acknowledged")]
    NotFetched {
        /// The agency.
        agency: OrgId,
        /// The delivery.
        delivery: DeliveryId,
    },
    /// The outbox entry is not queued for this hub.
    #[error("{entry} is not queued for hub {hub}")]
    NotInOutbox {
        /// The hub named.
        hub: HubId,
        /// The entry named.
        entry: OutboxId,
    },
    /// The storage itself failed.
    #[error("mailbox store failed: {0}")]
    Backend(String),
    /// The store file is held by another process (or another handle in this one). A durable
    /// store has one owner at a time: two hubs writing one file would deliver twice.
    #[error("mailbox store {} is in use by another process; stop that hub first", path.display())]
    Locked {
        /// The store file.
        path: PathBuf,
    },
    /// The store file was written in a format this build does not read: a newer one, or an
    /// unknown one. It is left untouched.
    #[error("mailbox store {} has format version {found}; this build reads version {supported} only", path.display())]
    UnsupportedVersion {
        /// The store file.
        path: PathBuf,
        /// The version recorded in the file.
        found: u64,
        /// The version this build reads and writes.
        supported: u64,
    },
    /// The file exists but is not a mailbox store (another database, or not a database at all).
    /// It is never overwritten.
    #[error("{} is not a mailbox store: {reason}", path.display())]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// A stored record could not be read back. Nothing is guessed or repaired.
    #[error("mailbox store is damaged: {record}: {reason}")]
    Corrupt {
        /// Which record, in words (e.g. "delivery #12").
        record: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where a hub keeps submissions, mailboxes, the outbox and statuses.
///
/// ```
/// use std::sync::Arc;
/// use edoc::{MailboxStore, MemoryStore, MessageKey, NewDelivery, PayloadKind, StoreError,
///            Submission, SubmitEffects, UrgencyRank};
/// use time::{macros::datetime, Duration};
///
/// let store = MemoryStore::new(Duration::minutes(5));
/// let now = datetime!(2025-07-01 08:00 +07:00);
/// let commune: edoc::OrgId = "000.00.45.H57".parse()?;
/// let city: edoc::OrgId = "000.00.00.H57".parse()?;
/// let key = MessageKey::Document { sender: city, id: "doc-1".into() };
/// let mut effects = SubmitEffects::new(Submission {
///     key: key.clone(),
///     digest: [7; 32],
///     receipt: Arc::from(&b"signed receipt"[..]),
///     at: now,
/// });
/// effects.deliveries.push(NewDelivery {
///     recipient: commune,
///     document_id: "doc-1".into(),
///     kind: PayloadKind::Document,
///     urgency: UrgencyRank::URGENT,
///     payload: Arc::from(&b"package bytes"[..]),
/// });
/// store.commit(effects.clone(), now)?;
/// // The same submission again is recognised, with the stored receipt to answer it.
/// assert!(matches!(store.commit(effects, now),
///                  Err(StoreError::DuplicateSubmission { same_content: true, .. })));
///
/// let got = store.fetch(&commune, 10, now)?;
/// store.ack(&commune, got[0].id, now)?;
/// assert!(store.fetch(&commune, 10, now + Duration::hours(1))?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Writes go through [`MailboxStore::commit`] (or [`MailboxStore::commit_batch`]) only, except
/// the bookkeeping of fetch/ack and take/complete/dead-letter. Every time is an input; the store
/// never reads the clock. A delivery fetched at `now` is invisible until `now` plus the store's
/// visibility timeout; not acked by then, it comes back (at-least-once delivery). The outbox
/// works the same way: an entry taken at `now` comes back unless it is completed (the next hub
/// accepted it) or dead-lettered (the next hub refused it) by then.
///
/// Every operation that changes anything is atomic: all of its effects, or none and an error.
/// Implementations must give exactly the answers of [`MemoryStore`] (`tests/durable.rs` drives
/// an implementation and the memory store with the same random operations and compares).
pub trait MailboxStore: Send + Sync {
    /// Applies all of `effects` atomically, or nothing and an error. Refused when the message key
    /// was already submitted ([`StoreError::DuplicateSubmission`], saying whether with the same
    /// digest), a tracked pair is already tracked ([`StoreError::DuplicateTracking`]), or a
    /// status breaks the transition rules or is older than the latest status of its pair
    /// ([`StoreError::Transition`], [`StoreError::OutOfOrder`]; see [`StatusUpdate`]).
    fn commit(&self, effects: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError>;

    /// Applies several submissions atomically, in order: all, or nothing and the first error.
    /// Later items see the effects of earlier ones (two with one message key conflict).
    fn commit_batch(
        &self,
        batch: Vec<SubmitEffects>,
        now: OffsetDateTime,
    ) -> Result<Vec<Committed>, StoreError>;

    /// The de-duplication record of a message key.
    fn lookup_submission(&self, key: &MessageKey) -> Result<Option<Submission>, StoreError>;

    /// Up to `max` visible deliveries of `agency`: most urgent first, then in arrival order.
    /// Each becomes invisible until `now` plus the visibility timeout.
    fn fetch(
        &self,
        agency: &OrgId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<Delivery>, StoreError>;

    /// Acknowledges a fetched delivery: it never comes back. Acknowledging it again is a no-op;
    /// a late acknowledgement (after the timeout) is accepted.
    fn ack(
        &self,
        agency: &OrgId,
        delivery: DeliveryId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Every delivery ever made to `agency`, in arrival order, with its state.
    fn deliveries(&self, agency: &OrgId) -> Result<Vec<Delivery>, StoreError>;

    /// Up to `max` visible outbox entries for `hub`, most urgent first then in arrival order;
    /// each becomes invisible until `now` plus the visibility timeout.
    fn take_outbox(
        &self,
        hub: &HubId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<OutboxEntry>, StoreError>;

    /// Marks an outbox entry as accepted by `hub` (its receipt verified): it is removed.
    fn complete_outbox(
        &self,
        hub: &HubId,
        entry: OutboxId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Moves an outbox entry that `hub` refused to the dead letters, and applies the
    /// refusal's effects (the non-delivery in each pair's history, the notice for the sender)
    /// in the same atomic step. [`StoreError::NotInOutbox`] if the entry is not queued for
    /// `hub`; [`StoreError::DuplicateSubmission`] if the notice's key is already known;
    /// [`StoreError::TrackingInRefusal`] if the effects track pairs.
    fn dead_letter(
        &self,
        hub: &HubId,
        entry: OutboxId,
        refusal: Refusal,
        now: OffsetDateTime,
    ) -> Result<DeadLetterId, StoreError>;

    /// Every dead letter, oldest first, for the operator.
    fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError>;

    /// The events recorded for (document, recipient), oldest first: statuses, and
    /// non-deliveries.
    fn status_history(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Vec<StatusRecord>, StoreError>;

    /// The latest event recorded for (document, recipient).
    fn latest_status(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Option<StatusRecord>, StoreError> {
        Ok(self.status_history(document_id, recipient)?.pop())
    }

    /// The tracking record of (document, recipient): who sent it and when it is due.
    fn tracked(&self, document_id: &str, recipient: &OrgId)
        -> Result<Option<Tracking>, StoreError>;

    /// Every tracked (document, recipient) that needs its sender's attention, sorted by due
    /// date (undated first), document id, then recipient: those whose due date is before
    /// `today`, and those a hub could not deliver (a non-delivery with no status after it,
    /// whatever the due date: they will never be completed), unless a 06 completed is recorded.
    ///
    /// `today` is the calendar date where the agencies are (Vietnam, UTC+7): a document due on
    /// 18 July is overdue from 19 July. Only 06 clears a pair: a refused (02) or recalled (15)
    /// one is still listed, with its latest event, for the sender to see.
    fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError>;
}
