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

/// The de-duplication record of one submission: the message id, the digest of the exact bytes
/// submitted, and the receipt the hub returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// The id of the submitted message: the edXML document id for a document, the status
    /// message's own id for a status.
    pub message_id: String,
    /// SHA-256 of the submitted bytes.
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

/// A package to forward to a neighbouring hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutboxEntry {
    /// The hub to send it to.
    pub next_hub: HubId,
    /// The document concerned.
    pub document_id: String,
    /// Document or status.
    pub kind: PayloadKind,
    /// How urgent: decides take order.
    pub urgency: UrgencyRank,
    /// The agencies, beyond that hub, it is for.
    pub recipients: Vec<OrgId>,
    /// The package bytes (with this hub's trace entry).
    pub payload: Arc<[u8]>,
}

/// A package waiting to be forwarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    /// The store's number for it.
    pub id: OutboxId,
    /// The hub to send it to.
    pub next_hub: HubId,
    /// The document concerned.
    pub document_id: String,
    /// Document or status.
    pub kind: PayloadKind,
    /// How urgent.
    pub urgency: UrgencyRank,
    /// The agencies it is for.
    pub recipients: Vec<OrgId>,
    /// The package bytes.
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

/// A status to record for one (document, recipient) pair. The store refuses it, and with it
/// the whole commit, if [`StatusCode::check_after`] refuses it against the recorded history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// The document.
    pub document_id: String,
    /// The agency that received the document (whoever sent the status).
    pub recipient: OrgId,
    /// The status.
    pub code: StatusCode,
    /// When the status was set (from the status message).
    pub at: OffsetDateTime,
    /// The signed status message, as bytes, kept as evidence.
    pub message: Arc<[u8]>,
}

/// One recorded status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// The status.
    pub code: StatusCode,
    /// When it was set.
    pub at: OffsetDateTime,
    /// The signed status message.
    pub message: Arc<[u8]>,
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

/// A (document, recipient) pair whose due date has passed without 06 completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    /// The document.
    pub document_id: String,
    /// Who sent it.
    pub sender: OrgId,
    /// Who has not completed it.
    pub recipient: OrgId,
    /// The due date that passed.
    pub due: Date,
    /// The latest status recorded, if any (e.g. 02 refused, 05 processing).
    pub latest: Option<StatusCode>,
}

/// Why a store refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The message id was already submitted. The whole commit was refused. If the digest is the
    /// same, it is a retry (answer with the stored receipt); otherwise a conflict.
    #[error("message {message_id:?} was already submitted{}", if *same_content { "" } else { " with different content" })]
    DuplicateSubmission {
        /// The message id.
        message_id: String,
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
/// use edoc::{MailboxStore, MemoryStore, NewDelivery, PayloadKind, StoreError, Submission,
///            SubmitEffects, UrgencyRank};
/// use time::{macros::datetime, Duration};
///
/// let store = MemoryStore::new(Duration::minutes(5));
/// let now = datetime!(2025-07-01 08:00 +07:00);
/// let commune: edoc::OrgId = "000.00.45.H57".parse()?;
/// let mut effects = SubmitEffects::new(Submission {
///     message_id: "doc-1".into(),
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
/// the bookkeeping of fetch/ack and take/complete. Every time is an input; the store never
/// reads the clock. A delivery fetched at `now` is invisible until `now` plus the store's
/// visibility timeout; not acked by then, it comes back (at-least-once delivery).
pub trait MailboxStore: Send + Sync {
    /// Applies all of `effects` atomically, or nothing and an error. Refused when the message id
    /// was already submitted ([`StoreError::DuplicateSubmission`]), a tracked pair is already
    /// tracked, or a status breaks the transition rules.
    fn commit(&self, effects: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError>;

    /// Applies several submissions atomically, in order: all, or nothing and the first error.
    /// Later items see the effects of earlier ones (two with one message id conflict).
    fn commit_batch(
        &self,
        batch: Vec<SubmitEffects>,
        now: OffsetDateTime,
    ) -> Result<Vec<Committed>, StoreError>;

    /// The de-duplication record of a message id.
    fn lookup_submission(&self, message_id: &str) -> Result<Option<Submission>, StoreError>;

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

    /// Marks an outbox entry as handed over to `hub`: it is removed.
    fn complete_outbox(
        &self,
        hub: &HubId,
        entry: OutboxId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The statuses recorded for (document, recipient), oldest first.
    fn status_history(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Vec<StatusRecord>, StoreError>;

    /// The latest status recorded for (document, recipient).
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

    /// Every tracked (document, recipient) whose due date is before `today` and whose statuses
    /// hold no 06 completed, sorted by due date, document id, then recipient.
    ///
    /// `today` is the calendar date where the agencies are (Vietnam, UTC+7): a document due on
    /// 18 July is overdue from 19 July. Only 06 clears a pair: a refused (02) or recalled (15)
    /// one is still listed, with its latest status, for the sender to see.
    fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError>;
}
