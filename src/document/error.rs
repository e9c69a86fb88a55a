//! Why a document header, or one of its parts, is invalid.

use time::Date;

use crate::json;
use crate::org::OrgId;

/// Why a document header, or one of its parts, is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// A required field was not given to the builder.
    #[error("header field {field} is required")]
    Missing {
        /// The JSON name of the field.
        field: &'static str,
    },
    /// A field's value is malformed (empty, too long, a control character, a bad format).
    #[error("header field {field}: {reason}")]
    InvalidField {
        /// The JSON path of the field, e.g. `recipients[2].name`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The document has no main recipient (nơi nhận).
    #[error("the document has no main recipient")]
    NoRecipients,
    /// The sender is also listed as a recipient.
    #[error("recipient {agency} is the sender itself")]
    RecipientIsSender {
        /// The agency, by name and code.
        agency: String,
    },
    /// The same agency appears twice among the main and copy recipients.
    #[error("recipient {agency} is listed twice")]
    DuplicateRecipient {
        /// The agency, by name and code.
        agency: String,
    },
    /// More entries than the limit allows.
    #[error("header field {field} has {count} entries; the limit is {limit}")]
    TooMany {
        /// `recipients` (main and copy together), `attachments` or `extensions`.
        field: &'static str,
        /// How many were given.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// The due date (hạn xử lý) is before the date of issue.
    #[error("due date {due} is before the date of issue {issued}")]
    DueBeforeIssue {
        /// The due date.
        due: Date,
        /// The date of issue.
        issued: Date,
    },
    /// A code that this version does not know (urgency, business action).
    #[error("header field {field}: unknown code {code}")]
    UnknownCode {
        /// The field.
        field: &'static str,
        /// The code found.
        code: u64,
    },
    /// Urgency "express at a set time" (hỏa tốc hẹn giờ) without its time.
    #[error("urgency express-at-set-time (code 4) needs urgencySetTime")]
    SetTimeMissing,
    /// A set time given with an urgency other than express-at-set-time.
    #[error("urgencySetTime is only allowed with urgency code 4 (express at a set time)")]
    SetTimeNotExpected,
    /// Revoke, update or replace without the id of the document concerned.
    #[error("business action {action} needs the id of the document it concerns (actionTarget)")]
    ActionWithoutTarget {
        /// `revoke`, `update` or `replace`.
        action: &'static str,
    },
    /// A target document id given with business action `new`.
    #[error("business action new must not name a target document")]
    TargetOnNew,
    /// An attachment name is not a safe file name.
    #[error("attachment name {name:?} is not a safe file name: {reason}")]
    AttachmentName {
        /// The name (truncated to 64 characters).
        name: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// Two attachments share a name.
    #[error("attachment name {name:?} is used twice")]
    DuplicateAttachment {
        /// The repeated name.
        name: String,
    },
    /// A document id is malformed.
    #[error("document id {id:?}: {reason}")]
    DocumentId {
        /// The id (truncated to 64 characters).
        id: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The document id does not begin with the sender's code, so it is not the sender's id to
    /// use: another agency could take an id that the sender will need.
    #[error(
        "document id {id:?} does not begin with the sender's code {sender}; a document id is \
         the sender's own: {sender},yyyy/MM/dd,number/notation (edXML)"
    )]
    IdNotFromSender {
        /// The id (truncated to 64 characters).
        id: String,
        /// The sender.
        sender: OrgId,
    },
    /// A revoke, update or replace names a document of another agency: only its sender may
    /// recall or change a document.
    #[error(
        "business action {action} of document {target:?} refused: only its sender may revoke, \
         update or replace a document, and that id is not of {sender}"
    )]
    ActionOnAnothersDocument {
        /// `revoke`, `update` or `replace`.
        action: &'static str,
        /// The target id (truncated to 64 characters).
        target: String,
        /// The sender of this document.
        sender: OrgId,
    },
    /// An extension value is not safe JSON (a number outside ±(2^53 − 1), too deep, too long).
    #[error("extension {key:?}: {source}")]
    Extension {
        /// The extension key.
        key: String,
        /// What the JSON check found.
        source: json::JsonError,
    },
}
