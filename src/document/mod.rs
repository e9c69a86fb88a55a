//! The header of an administrative document (văn bản hành chính) after Decree 30/2020/ND-CP and
//! the edXML MessageHeader, including the manifest of its attachments.
//!
//! The header's RFC 8785 canonical bytes are what the signatures cover, so everything that must
//! be bound by a signature — attachment names, sizes and digests included — lives here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io::Read;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::{Date, OffsetDateTime};

use crate::json::{self, MAX_SAFE_INTEGER};
use crate::{Limits, OrgId};

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

/// Longest attachment name in bytes: the common file-system limit for one path component.
const MAX_ATTACHMENT_NAME_BYTES: usize = 255;
/// Longest document id in bytes: an edXML id is a 13-byte code, a date and a notation.
const MAX_DOCUMENT_ID_BYTES: usize = 256;
/// Longest media type (RFC 6838 §4.2 allows 127 + 1 + 127 characters).
const MAX_MEDIA_TYPE_BYTES: usize = 255;

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
    /// An extension value is not safe JSON (a number outside ±(2^53 − 1), too deep, too long).
    #[error("extension {key:?}: {source}")]
    Extension {
        /// The extension key.
        key: String,
        /// What the JSON check found.
        source: json::JsonError,
    },
}

fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Checks a required text field: not empty, no control characters other than line breaks and
/// tabs in free text, within the string limit.
fn check_text(field: &str, s: &str, limits: &Limits, multiline: bool) -> Result<(), DocumentError> {
    let bad = |reason: String| DocumentError::InvalidField {
        field: field.to_owned(),
        reason,
    };
    if s.trim().is_empty() {
        return Err(bad("must not be empty".into()));
    }
    if s.len() > limits.max_string_bytes {
        return Err(bad(format!(
            "is {} bytes; the limit is {}",
            s.len(),
            limits.max_string_bytes
        )));
    }
    if s.chars()
        .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(bad("contains a control character".into()));
    }
    Ok(())
}

/// The unique id of a document (edXML `DocumentId`), e.g. `000.00.04.G14,2012/08/06,267/VPCP-TTĐT`.
///
/// Any non-empty text of at most 256 bytes without control characters or surrounding spaces is
/// accepted, because ids come from many systems; [`DocumentId::edxml`] builds the edXML form
/// `{sender},{yyyy/MM/dd},{number}/{notation}`.
///
/// ```
/// use edoc::DocumentId;
/// let sender = "000.00.04.G14".parse().unwrap();
/// let date = time::macros::date!(2012 - 08 - 06);
/// let id = DocumentId::edxml(&sender, date, "267", "VPCP-TTĐT").unwrap();
/// assert_eq!(id.as_str(), "000.00.04.G14,2012/08/06,267/VPCP-TTĐT");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct DocumentId(String);

impl DocumentId {
    /// Builds the edXML form `{sender},{yyyy/MM/dd},{number}/{notation}`.
    pub fn edxml(
        sender: &OrgId,
        date: Date,
        number: &str,
        notation: &str,
    ) -> Result<DocumentId, DocumentError> {
        format!(
            "{sender},{:04}/{:02}/{:02},{number}/{notation}",
            date.year(),
            u8::from(date.month()),
            date.day()
        )
        .parse()
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DocumentId {
    type Err = DocumentError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason| DocumentError::DocumentId {
            id: clip(s),
            reason,
        };
        if s.is_empty() {
            return Err(bad("must not be empty"));
        }
        if s.len() > MAX_DOCUMENT_ID_BYTES {
            return Err(bad("is longer than 256 bytes"));
        }
        if s.chars().any(char::is_control) {
            return Err(bad("contains a control character"));
        }
        if s.trim() != s {
            return Err(bad("has leading or trailing spaces"));
        }
        Ok(DocumentId(s.to_owned()))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DocumentId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An agency (cơ quan) named in a header: its code and its name as the sender writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Agency {
    /// The QCVN 102:2016 code.
    pub id: OrgId,
    /// The full name, e.g. "Ủy ban nhân dân xã A Lưới 1".
    pub name: String,
}

impl Agency {
    /// An agency from its code and name.
    pub fn new(id: OrgId, name: impl Into<String>) -> Agency {
        Agency {
            id,
            name: name.into(),
        }
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.id)
    }
}

/// The document type (loại văn bản): a code and its name. Codes differ between systems, so
/// this is open, not an enum; e.g. code `CV`, name "Công văn" (official letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DocumentType {
    /// The type code of the sender's system.
    pub code: String,
    /// The type's name.
    pub name: String,
}

/// The signer's competence (thẩm quyền ký), the prefix written before the position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Competence {
    /// Signs as the head, in their own name (no prefix).
    None,
    /// `TM.` (thay mặt): on behalf of a collective body.
    OnBehalfOf,
    /// `KT.` (ký thay): a deputy signing for the head.
    Deputy,
    /// `TL.` (thừa lệnh): by order.
    ByOrder,
    /// `TUQ.` (thừa ủy quyền): by written, time-limited authorization that cannot be passed on.
    ByAuthorization,
    /// `Q.` (quyền): acting.
    Acting,
}

impl Competence {
    /// The prefix as written on the document: `TM.`, `KT.`, `TL.`, `TUQ.`, `Q.` or empty.
    pub fn prefix(self) -> &'static str {
        match self {
            Competence::None => "",
            Competence::OnBehalfOf => "TM.",
            Competence::Deputy => "KT.",
            Competence::ByOrder => "TL.",
            Competence::ByAuthorization => "TUQ.",
            Competence::Acting => "Q.",
        }
    }
}

/// Who signs the document as the competent person (người ký).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Signatory {
    /// Full name.
    pub full_name: String,
    /// Position, e.g. "Chủ tịch".
    pub position: String,
    /// Competence.
    pub competence: Competence,
}

/// Urgency (độ khẩn), edXML codes 0 to 4.
///
/// `Ord` ranks by urgency: a more urgent value is *greater*, so sort with
/// `std::cmp::Reverse` to put the most urgent first. Among two express-at-set-time values the
/// earlier time is the more urgent.
///
/// ```
/// use edoc::Urgency;
/// let mut v = vec![Urgency::Normal, Urgency::Express, Urgency::Urgent];
/// v.sort_by(|a, b| b.cmp(a));
/// assert_eq!(v, [Urgency::Express, Urgency::Urgent, Urgency::Normal]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Urgency {
    /// Normal (thường), code 0.
    Normal,
    /// Urgent (khẩn), code 1.
    Urgent,
    /// Very urgent (thượng khẩn), code 2.
    VeryUrgent,
    /// Express (hỏa tốc), code 3.
    Express,
    /// Express at a set time (hỏa tốc hẹn giờ), code 4, with the time.
    ExpressAtSetTime(OffsetDateTime),
}

impl Urgency {
    /// The edXML code, 0 (normal) to 4 (express at a set time); also the urgency rank.
    pub fn code(self) -> u8 {
        match self {
            Urgency::Normal => 0,
            Urgency::Urgent => 1,
            Urgency::VeryUrgent => 2,
            Urgency::Express => 3,
            Urgency::ExpressAtSetTime(_) => 4,
        }
    }

    /// The set time of express-at-set-time.
    pub fn set_time(self) -> Option<OffsetDateTime> {
        match self {
            Urgency::ExpressAtSetTime(t) => Some(t),
            _ => None,
        }
    }
}

impl PartialOrd for Urgency {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Urgency {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.code()
            .cmp(&other.code())
            // Earlier set time is more urgent, hence greater.
            .then_with(|| other.set_time().cmp(&self.set_time()))
    }
}

/// Confidentiality (độ mật). Classified documents must not travel through ordinary exchange
/// (Decision 28/2018/QD-TTg does not cover state secrets); the router refuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidentiality {
    /// Not classified.
    None,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl Confidentiality {
    /// True for any classification above `None`.
    pub fn is_classified(self) -> bool {
        self != Confidentiality::None
    }
}

/// The document this one answers (edXML `ResponseFor`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InReplyTo {
    /// The agency that issued the document answered.
    pub agency: OrgId,
    /// Its number and notation (số, ký hiệu), e.g. `267/VPCP-TTĐT`.
    pub code: String,
    /// Its date of issue.
    #[serde(with = "iso_date")]
    pub date: Date,
    /// Its document id.
    pub document_id: DocumentId,
}

/// The business action (edXML trace `BusinessDocType`): what this document does to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BusinessAction {
    /// Code 0: a new document.
    New,
    /// Code 1: revokes (recalls, thu hồi) the target document.
    Revoke(DocumentId),
    /// Code 2: updates the target document.
    Update(DocumentId),
    /// Code 3: replaces the target document.
    Replace(DocumentId),
}

impl BusinessAction {
    /// The edXML code 0 to 3.
    pub fn code(&self) -> u8 {
        match self {
            BusinessAction::New => 0,
            BusinessAction::Revoke(_) => 1,
            BusinessAction::Update(_) => 2,
            BusinessAction::Replace(_) => 3,
        }
    }

    /// The document concerned, for revoke, update and replace.
    pub fn target(&self) -> Option<&DocumentId> {
        match self {
            BusinessAction::New => None,
            BusinessAction::Revoke(t) | BusinessAction::Update(t) | BusinessAction::Replace(t) => {
                Some(t)
            }
        }
    }
}

/// One entry of the attachment manifest. It is part of the header, so every signature covers the
/// name, media type, size and digest of every attachment, inline or detached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentEntry {
    name: String,
    media_type: String,
    size: u64,
    sha256: [u8; 32],
    description: Option<String>,
}

impl AttachmentEntry {
    /// An entry from known metadata; checks the name, media type and size.
    pub fn new(
        name: impl Into<String>,
        media_type: impl Into<String>,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<AttachmentEntry, DocumentError> {
        let entry = AttachmentEntry {
            name: name.into(),
            media_type: media_type.into(),
            size,
            sha256,
            description: None,
        };
        entry.check("attachments", &Limits::default())?;
        Ok(entry)
    }

    /// An entry for content held in memory: size and digest are computed.
    pub fn for_bytes(
        name: impl Into<String>,
        media_type: impl Into<String>,
        content: &[u8],
    ) -> Result<AttachmentEntry, DocumentError> {
        let digest: [u8; 32] = Sha256::digest(content).into();
        AttachmentEntry::new(name, media_type, content.len() as u64, digest)
    }

    /// An entry for content read from `reader`, hashed as a stream in constant memory.
    pub fn for_reader(
        name: impl Into<String>,
        media_type: impl Into<String>,
        reader: impl Read,
    ) -> Result<AttachmentEntry, crate::PackageError> {
        let (size, digest) = hash_stream(reader)?;
        Ok(AttachmentEntry::new(name, media_type, size, digest)?)
    }

    /// Adds a description.
    pub fn with_description(mut self, description: impl Into<String>) -> AttachmentEntry {
        self.description = Some(description.into());
        self
    }

    /// The file name, unique within the document.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The media type, e.g. `application/pdf`.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// SHA-256 of the content.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// The optional description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    fn check(&self, field: &str, limits: &Limits) -> Result<(), DocumentError> {
        check_attachment_name(&self.name)?;
        let mt = &self.media_type;
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        let ok = mt.len() <= MAX_MEDIA_TYPE_BYTES
            && matches!(mt.split_once('/'), Some((t, s)) if token(t) && token(s));
        if !ok {
            return Err(DocumentError::InvalidField {
                field: format!("{field}.mediaType"),
                reason: format!("{:?} is not a media type like application/pdf", clip(mt)),
            });
        }
        if self.size > MAX_SAFE_INTEGER {
            return Err(DocumentError::InvalidField {
                field: format!("{field}.size"),
                reason: "is larger than 2^53 − 1".into(),
            });
        }
        if let Some(d) = &self.description {
            check_text(&format!("{field}.description"), d, limits, true)?;
        }
        Ok(())
    }
}

/// A safe file name: 1 to 255 bytes, no path separator (`/`, `\`, `:`), no control character,
/// not `.` or `..`, no surrounding spaces. Stops a detached attachment from naming a path
/// outside the folder it is read from.
fn check_attachment_name(name: &str) -> Result<(), DocumentError> {
    let bad = |reason| DocumentError::AttachmentName {
        name: clip(name),
        reason,
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.len() > MAX_ATTACHMENT_NAME_BYTES {
        return Err(bad("it is longer than 255 bytes"));
    }
    if name.contains(['/', '\\', ':']) {
        return Err(bad("it contains a path separator"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("it contains a control character"));
    }
    if name == "." || name == ".." {
        return Err(bad("it names a directory"));
    }
    if name.trim() != name {
        return Err(bad("it has leading or trailing spaces"));
    }
    Ok(())
}

/// Hashes a stream in constant memory (a 64 KiB buffer): returns its size and SHA-256.
pub fn hash_stream(mut reader: impl Read) -> std::io::Result<(u64, [u8; 32])> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        size = size.saturating_add(n as u64);
    }
    Ok((size, hasher.finalize().into()))
}

/// The header of a document: everything the signatures cover.
///
/// Built with [`HeaderBuilder`] or parsed from a package; in both cases every field and every
/// combination has been checked. Its [`canonical_bytes`](Header::canonical_bytes) are the bytes
/// that get signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    id: DocumentId,
    sender: Agency,
    recipients: Vec<Agency>,
    copy_recipients: Vec<Agency>,
    document_type: DocumentType,
    number: String,
    notation: String,
    place: String,
    issue_date: Date,
    subject: String,
    summary: Option<String>,
    signatory: Signatory,
    urgency: Urgency,
    confidentiality: Confidentiality,
    due_date: Option<Date>,
    in_reply_to: Option<InReplyTo>,
    steering_type: u8,
    page_count: Option<u32>,
    action: BusinessAction,
    extensions: BTreeMap<String, serde_json::Value>,
    attachments: Vec<AttachmentEntry>,
}

impl Header {
    /// The document id.
    pub fn id(&self) -> &DocumentId {
        &self.id
    }
    /// The issuing agency (cơ quan ban hành).
    pub fn sender(&self) -> &Agency {
        &self.sender
    }
    /// Main recipients (nơi nhận).
    pub fn recipients(&self) -> &[Agency] {
        &self.recipients
    }
    /// Recipients of a copy only (để biết, phối hợp).
    pub fn copy_recipients(&self) -> &[Agency] {
        &self.copy_recipients
    }
    /// Main and copy recipients together.
    pub fn all_recipients(&self) -> impl Iterator<Item = &Agency> {
        self.recipients.iter().chain(&self.copy_recipients)
    }
    /// The document type.
    pub fn document_type(&self) -> &DocumentType {
        &self.document_type
    }
    /// The number (số), e.g. `267`.
    pub fn number(&self) -> &str {
        &self.number
    }
    /// The notation (ký hiệu), e.g. `VPCP-TTĐT`.
    pub fn notation(&self) -> &str {
        &self.notation
    }
    /// The place of issue (địa danh).
    pub fn place(&self) -> &str {
        &self.place
    }
    /// The date of issue.
    pub fn issue_date(&self) -> Date {
        self.issue_date
    }
    /// The subject (trích yếu).
    pub fn subject(&self) -> &str {
        &self.subject
    }
    /// The optional content summary.
    pub fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }
    /// The competent person who signs.
    pub fn signatory(&self) -> &Signatory {
        &self.signatory
    }
    /// Urgency.
    pub fn urgency(&self) -> Urgency {
        self.urgency
    }
    /// Confidentiality.
    pub fn confidentiality(&self) -> Confidentiality {
        self.confidentiality
    }
    /// The date by which an answer is expected.
    pub fn due_date(&self) -> Option<Date> {
        self.due_date
    }
    /// The document this one answers.
    pub fn in_reply_to(&self) -> Option<&InReplyTo> {
        self.in_reply_to.as_ref()
    }
    /// The edXML steering type code (loại chỉ đạo); 0 when none.
    pub fn steering_type(&self) -> u8 {
        self.steering_type
    }
    /// Number of pages.
    pub fn page_count(&self) -> Option<u32> {
        self.page_count
    }
    /// The business action.
    pub fn action(&self) -> &BusinessAction {
        &self.action
    }
    /// Deployment-specific extension fields; the only place unknown data is allowed.
    pub fn extensions(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.extensions
    }
    /// The attachment manifest, in order.
    pub fn attachments(&self) -> &[AttachmentEntry] {
        &self.attachments
    }
    /// The manifest entry with this name.
    pub fn attachment(&self, name: &str) -> Option<&AttachmentEntry> {
        self.attachments.iter().find(|a| a.name == name)
    }

    /// The RFC 8785 (JCS) canonical form of the header: the bytes that get signed.
    ///
    /// Whitespace, key order and string escapes of the received JSON do not change it.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        // Every map key in the header is a string and every number an integer, so JCS
        // serialization cannot fail.
        serde_json_canonicalizer::to_vec(&HeaderRepr::from(self.clone()))
            .expect("a header always serializes: string keys, safe integers")
    }

    /// Checks every field and combination against `limits`.
    pub(crate) fn validate(&self, limits: &Limits) -> Result<(), DocumentError> {
        check_text("sender.name", &self.sender.name, limits, false)?;
        let recipient_count = self.recipients.len() + self.copy_recipients.len();
        if recipient_count > limits.max_recipients {
            return Err(DocumentError::TooMany {
                field: "recipients",
                count: recipient_count,
                limit: limits.max_recipients,
            });
        }
        if self.recipients.is_empty() {
            return Err(DocumentError::NoRecipients);
        }
        let mut seen = BTreeSet::new();
        for (list, agencies) in [
            ("recipients", &self.recipients),
            ("copyRecipients", &self.copy_recipients),
        ] {
            for (i, a) in agencies.iter().enumerate() {
                check_text(&format!("{list}[{i}].name"), &a.name, limits, false)?;
                if a.id == self.sender.id {
                    return Err(DocumentError::RecipientIsSender {
                        agency: a.to_string(),
                    });
                }
                if !seen.insert(a.id) {
                    return Err(DocumentError::DuplicateRecipient {
                        agency: a.to_string(),
                    });
                }
            }
        }
        check_text("documentType.code", &self.document_type.code, limits, false)?;
        check_text("documentType.name", &self.document_type.name, limits, false)?;
        check_text("number", &self.number, limits, false)?;
        check_text("notation", &self.notation, limits, false)?;
        check_text("place", &self.place, limits, false)?;
        check_text("subject", &self.subject, limits, true)?;
        if let Some(s) = &self.summary {
            check_text("summary", s, limits, true)?;
        }
        check_text(
            "signatory.fullName",
            &self.signatory.full_name,
            limits,
            false,
        )?;
        check_text(
            "signatory.position",
            &self.signatory.position,
            limits,
            false,
        )?;
        if let Some(t) = self.urgency.set_time() {
            // RFC 3339 has no seconds in offsets and four-digit years only; refusing such a time
            // here keeps serialization (and so signing) infallible.
            if t.format(&time::format_description::well_known::Rfc3339)
                .is_err()
            {
                return Err(DocumentError::InvalidField {
                    field: "urgencySetTime".into(),
                    reason: "cannot be written in RFC 3339 (offset with seconds, or year outside 0000-9999)"
                        .into(),
                });
            }
        }
        if let Some(due) = self.due_date {
            if due < self.issue_date {
                return Err(DocumentError::DueBeforeIssue {
                    due,
                    issued: self.issue_date,
                });
            }
        }
        if let Some(r) = &self.in_reply_to {
            check_text("inReplyTo.code", &r.code, limits, false)?;
        }
        if self.extensions.len() > limits.max_extension_entries {
            return Err(DocumentError::TooMany {
                field: "extensions",
                count: self.extensions.len(),
                limit: limits.max_extension_entries,
            });
        }
        for (key, value) in &self.extensions {
            check_text("extensions", key, limits, false)?;
            // Values set through the builder get the same check as parsed ones, so nothing
            // that a strict reader would refuse is ever signed.
            let bytes = serde_json::to_vec(value).unwrap_or_default();
            json::check(&bytes, limits).map_err(|source| DocumentError::Extension {
                key: clip(key),
                source,
            })?;
        }
        if self.attachments.len() > limits.max_attachments {
            return Err(DocumentError::TooMany {
                field: "attachments",
                count: self.attachments.len(),
                limit: limits.max_attachments,
            });
        }
        let mut names = BTreeSet::new();
        for (i, a) in self.attachments.iter().enumerate() {
            a.check(&format!("attachments[{i}]"), limits)?;
            if !names.insert(a.name.as_str()) {
                return Err(DocumentError::DuplicateAttachment {
                    name: clip(&a.name),
                });
            }
        }
        Ok(())
    }

    /// Builds a header from its wire form, checking everything against `limits`.
    pub(crate) fn from_repr(r: HeaderRepr, limits: &Limits) -> Result<Header, DocumentError> {
        let urgency = match (r.urgency, r.urgency_set_time) {
            (0, None) => Urgency::Normal,
            (1, None) => Urgency::Urgent,
            (2, None) => Urgency::VeryUrgent,
            (3, None) => Urgency::Express,
            (4, Some(t)) => Urgency::ExpressAtSetTime(t),
            (4, None) => return Err(DocumentError::SetTimeMissing),
            (0..=3, Some(_)) => return Err(DocumentError::SetTimeNotExpected),
            (code, _) => {
                return Err(DocumentError::UnknownCode {
                    field: "urgency",
                    code,
                })
            }
        };
        let action = action_from(r.action, r.action_target)?;
        let mut attachments = Vec::with_capacity(r.attachments.len().min(limits.max_attachments));
        for (i, a) in r.attachments.into_iter().enumerate() {
            let sha256 = from_hex(&a.sha256).ok_or_else(|| DocumentError::InvalidField {
                field: format!("attachments[{i}].sha256"),
                reason: "must be 64 lowercase hexadecimal digits".into(),
            })?;
            attachments.push(AttachmentEntry {
                name: a.name,
                media_type: a.media_type,
                size: a.size,
                sha256,
                description: a.description,
            });
        }
        let header = Header {
            id: r.id,
            sender: r.sender,
            recipients: r.recipients,
            copy_recipients: r.copy_recipients,
            document_type: r.document_type,
            number: r.number,
            notation: r.notation,
            place: r.place,
            issue_date: r.issue_date,
            subject: r.subject,
            summary: r.summary,
            signatory: r.signatory,
            urgency,
            confidentiality: r.confidentiality,
            due_date: r.due_date,
            in_reply_to: r.in_reply_to,
            steering_type: r.steering_type,
            page_count: r.page_count,
            action,
            extensions: r.extensions,
            attachments,
        };
        header.validate(limits)?;
        Ok(header)
    }
}

fn action_from(code: u64, target: Option<DocumentId>) -> Result<BusinessAction, DocumentError> {
    let name = match code {
        0 if target.is_some() => return Err(DocumentError::TargetOnNew),
        0 => return Ok(BusinessAction::New),
        1 => "revoke",
        2 => "update",
        3 => "replace",
        code => {
            return Err(DocumentError::UnknownCode {
                field: "action",
                code,
            })
        }
    };
    let target = target.ok_or(DocumentError::ActionWithoutTarget { action: name })?;
    Ok(match code {
        1 => BusinessAction::Revoke(target),
        2 => BusinessAction::Update(target),
        _ => BusinessAction::Replace(target),
    })
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 15)]));
    }
    s
}

fn from_hex(s: &str) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        if let [hi, lo] = pair {
            *o = (digit(*hi)? << 4) | digit(*lo)?;
        }
    }
    Some(out)
}

/// The wire form of the header: field names are camelCase and stable (docs/package-format.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct HeaderRepr {
    id: DocumentId,
    sender: Agency,
    recipients: Vec<Agency>,
    copy_recipients: Vec<Agency>,
    document_type: DocumentType,
    number: String,
    notation: String,
    place: String,
    #[serde(with = "iso_date")]
    issue_date: Date,
    subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    signatory: Signatory,
    urgency: u64,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    urgency_set_time: Option<OffsetDateTime>,
    confidentiality: Confidentiality,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "iso_date::option"
    )]
    due_date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    in_reply_to: Option<InReplyTo>,
    steering_type: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page_count: Option<u32>,
    action: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action_target: Option<DocumentId>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    extensions: BTreeMap<String, serde_json::Value>,
    attachments: Vec<AttachmentRepr>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct AttachmentRepr {
    name: String,
    media_type: String,
    size: u64,
    sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

impl From<Header> for HeaderRepr {
    fn from(h: Header) -> HeaderRepr {
        HeaderRepr {
            id: h.id,
            sender: h.sender,
            recipients: h.recipients,
            copy_recipients: h.copy_recipients,
            document_type: h.document_type,
            number: h.number,
            notation: h.notation,
            place: h.place,
            issue_date: h.issue_date,
            subject: h.subject,
            summary: h.summary,
            signatory: h.signatory,
            urgency: u64::from(h.urgency.code()),
            urgency_set_time: h.urgency.set_time(),
            confidentiality: h.confidentiality,
            due_date: h.due_date,
            in_reply_to: h.in_reply_to,
            steering_type: h.steering_type,
            page_count: h.page_count,
            action: u64::from(h.action.code()),
            action_target: h.action.target().cloned(),
            extensions: h.extensions,
            attachments: h
                .attachments
                .into_iter()
                .map(|a| AttachmentRepr {
                    name: a.name,
                    media_type: a.media_type,
                    size: a.size,
                    sha256: to_hex(&a.sha256),
                    description: a.description,
                })
                .collect(),
        }
    }
}

impl Serialize for Header {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        HeaderRepr::from(self.clone()).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Header {
    /// Deserializes and validates with `Limits::default()`. Untrusted bytes should go through
    /// `Package::parse`, which also runs the strict JSON pre-pass.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let repr = HeaderRepr::deserialize(d)?;
        Header::from_repr(repr, &Limits::default()).map_err(serde::de::Error::custom)
    }
}

/// Builds a [`Header`] for the common case: a new, normal, unclassified document.
///
/// ```
/// use edoc::{Agency, Competence, HeaderBuilder, Signatory};
/// use time::macros::date;
/// let header = HeaderBuilder::new()
///     .sender(Agency::new("000.00.05.H57".parse().unwrap(), "Sở Tài chính"))
///     .recipient(Agency::new("000.01.05.H57".parse().unwrap(), "UBND xã A Lưới 1"))
///     .document_type("CV", "Công văn")
///     .number_and_notation("12", "STC-QLG")
///     .issued("Huế", date!(2025 - 07 - 01))
///     .subject("Hướng dẫn mua sắm")
///     .signatory("Nguyễn Văn A", "Giám đốc", Competence::None)
///     .build()
///     .unwrap();
/// assert_eq!(header.id().as_str(), "000.00.05.H57,2025/07/01,12/STC-QLG");
/// ```
#[derive(Debug, Clone, Default)]
pub struct HeaderBuilder {
    id: Option<DocumentId>,
    sender: Option<Agency>,
    recipients: Vec<Agency>,
    copy_recipients: Vec<Agency>,
    document_type: Option<DocumentType>,
    number: Option<(String, String)>,
    issued: Option<(String, Date)>,
    subject: Option<String>,
    summary: Option<String>,
    signatory: Option<Signatory>,
    urgency: Option<Urgency>,
    confidentiality: Option<Confidentiality>,
    due_date: Option<Date>,
    in_reply_to: Option<InReplyTo>,
    steering_type: u8,
    page_count: Option<u32>,
    action: Option<BusinessAction>,
    extensions: BTreeMap<String, serde_json::Value>,
    attachments: Vec<AttachmentEntry>,
}

impl From<Header> for HeaderBuilder {
    /// A builder holding every field of `header`, its id included, e.g. to add attachments to
    /// a header read from a file before building it again (every check runs again in `build`).
    fn from(h: Header) -> HeaderBuilder {
        HeaderBuilder {
            id: Some(h.id),
            sender: Some(h.sender),
            recipients: h.recipients,
            copy_recipients: h.copy_recipients,
            document_type: Some(h.document_type),
            number: Some((h.number, h.notation)),
            issued: Some((h.place, h.issue_date)),
            subject: Some(h.subject),
            summary: h.summary,
            signatory: Some(h.signatory),
            urgency: Some(h.urgency),
            confidentiality: Some(h.confidentiality),
            due_date: h.due_date,
            in_reply_to: h.in_reply_to,
            steering_type: h.steering_type,
            page_count: h.page_count,
            action: Some(h.action),
            extensions: h.extensions,
            attachments: h.attachments,
        }
    }
}

impl HeaderBuilder {
    /// An empty builder.
    pub fn new() -> HeaderBuilder {
        HeaderBuilder::default()
    }
    /// Sets the document id; without it the edXML form is generated.
    pub fn id(mut self, id: DocumentId) -> Self {
        self.id = Some(id);
        self
    }
    /// Sets the sender (required).
    pub fn sender(mut self, sender: Agency) -> Self {
        self.sender = Some(sender);
        self
    }
    /// Adds a main recipient (at least one is required).
    pub fn recipient(mut self, agency: Agency) -> Self {
        self.recipients.push(agency);
        self
    }
    /// Adds a copy recipient.
    pub fn copy_recipient(mut self, agency: Agency) -> Self {
        self.copy_recipients.push(agency);
        self
    }
    /// Sets the document type (required).
    pub fn document_type(mut self, code: impl Into<String>, name: impl Into<String>) -> Self {
        self.document_type = Some(DocumentType {
            code: code.into(),
            name: name.into(),
        });
        self
    }
    /// Sets the number and notation (required), e.g. `267` and `VPCP-TTĐT`.
    pub fn number_and_notation(
        mut self,
        number: impl Into<String>,
        notation: impl Into<String>,
    ) -> Self {
        self.number = Some((number.into(), notation.into()));
        self
    }
    /// Sets the place and date of issue (required).
    pub fn issued(mut self, place: impl Into<String>, date: Date) -> Self {
        self.issued = Some((place.into(), date));
        self
    }
    /// Sets the subject (required).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }
    /// Sets the content summary.
    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }
    /// Sets the signer (required).
    pub fn signatory(
        mut self,
        full_name: impl Into<String>,
        position: impl Into<String>,
        competence: Competence,
    ) -> Self {
        self.signatory = Some(Signatory {
            full_name: full_name.into(),
            position: position.into(),
            competence,
        });
        self
    }
    /// Sets the urgency (default normal).
    pub fn urgency(mut self, urgency: Urgency) -> Self {
        self.urgency = Some(urgency);
        self
    }
    /// Sets the confidentiality (default none).
    pub fn confidentiality(mut self, c: Confidentiality) -> Self {
        self.confidentiality = Some(c);
        self
    }
    /// Sets the due date.
    pub fn due_date(mut self, date: Date) -> Self {
        self.due_date = Some(date);
        self
    }
    /// Sets the document this one answers.
    pub fn in_reply_to(mut self, reply: InReplyTo) -> Self {
        self.in_reply_to = Some(reply);
        self
    }
    /// Sets the edXML steering type code.
    pub fn steering_type(mut self, code: u8) -> Self {
        self.steering_type = code;
        self
    }
    /// Sets the page count.
    pub fn page_count(mut self, pages: u32) -> Self {
        self.page_count = Some(pages);
        self
    }
    /// Sets the business action (default new).
    pub fn action(mut self, action: BusinessAction) -> Self {
        self.action = Some(action);
        self
    }
    /// Adds an extension field.
    pub fn extension(mut self, key: impl Into<String>, value: serde_json::Value) -> Self {
        self.extensions.insert(key.into(), value);
        self
    }
    /// Adds an attachment to the manifest.
    pub fn attachment(mut self, entry: AttachmentEntry) -> Self {
        self.attachments.push(entry);
        self
    }

    /// Checks everything with `Limits::default()` and builds the header.
    pub fn build(self) -> Result<Header, DocumentError> {
        self.build_with(&Limits::default())
    }

    /// Checks everything against `limits` and builds the header.
    pub fn build_with(self, limits: &Limits) -> Result<Header, DocumentError> {
        let sender = self
            .sender
            .ok_or(DocumentError::Missing { field: "sender" })?;
        let document_type = self.document_type.ok_or(DocumentError::Missing {
            field: "documentType",
        })?;
        let (number, notation) = self
            .number
            .ok_or(DocumentError::Missing { field: "number" })?;
        let (place, issue_date) = self
            .issued
            .ok_or(DocumentError::Missing { field: "issueDate" })?;
        let subject = self
            .subject
            .ok_or(DocumentError::Missing { field: "subject" })?;
        let signatory = self
            .signatory
            .ok_or(DocumentError::Missing { field: "signatory" })?;
        let id = match self.id {
            Some(id) => id,
            None => DocumentId::edxml(&sender.id, issue_date, &number, &notation)?,
        };
        let header = Header {
            id,
            sender,
            recipients: self.recipients,
            copy_recipients: self.copy_recipients,
            document_type,
            number,
            notation,
            place,
            issue_date,
            subject,
            summary: self.summary,
            signatory,
            urgency: self.urgency.unwrap_or(Urgency::Normal),
            confidentiality: self.confidentiality.unwrap_or(Confidentiality::None),
            due_date: self.due_date,
            in_reply_to: self.in_reply_to,
            steering_type: self.steering_type,
            page_count: self.page_count,
            action: self.action.unwrap_or(BusinessAction::New),
            extensions: self.extensions,
            attachments: self.attachments,
        };
        header.validate(limits)?;
        Ok(header)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_uppercase_and_wrong_length() {
        let d: [u8; 32] = Sha256::digest(b"abc").into();
        assert_eq!(from_hex(&to_hex(&d)), Some(d));
        assert_eq!(from_hex(&to_hex(&d).to_uppercase()), None);
        assert_eq!(from_hex(&to_hex(&d)[..62]), None);
        assert_eq!(from_hex("é".repeat(32).as_str()), None);
    }

    #[test]
    fn set_time_with_an_offset_in_seconds_is_refused_so_signing_cannot_fail() {
        let offset = time::UtcOffset::from_hms(7, 0, 30).expect("offset");
        let t = time::macros::datetime!(2025-07-02 08:00).assume_offset(offset);
        let header = Header {
            urgency: Urgency::ExpressAtSetTime(t),
            ..sample()
        };
        assert!(matches!(
            header.validate(&Limits::default()),
            Err(DocumentError::InvalidField { ref field, .. }) if field == "urgencySetTime"
        ));
    }

    #[test]
    fn unknown_urgency_code_beyond_u8_is_reported_whole() {
        let mut repr = HeaderRepr::from(sample());
        repr.urgency = 1 << 40;
        assert_eq!(
            Header::from_repr(repr, &Limits::default()),
            Err(DocumentError::UnknownCode {
                field: "urgency",
                code: 1 << 40
            })
        );
    }

    #[test]
    fn a_builder_from_a_header_rebuilds_it_unchanged_and_can_add_an_attachment() {
        let header = Header {
            urgency: Urgency::Express,
            confidentiality: Confidentiality::Confidential,
            due_date: Some(time::macros::date!(2025 - 07 - 18)),
            id: "custom-id".parse().expect("id"),
            ..sample()
        };
        let rebuilt = HeaderBuilder::from(header.clone()).build().expect("valid");
        assert_eq!(rebuilt, header);
        assert_eq!(rebuilt.canonical_bytes(), header.canonical_bytes());

        let entry = AttachmentEntry::for_bytes("a.pdf", "application/pdf", b"%PDF").expect("entry");
        let more = HeaderBuilder::from(header.clone())
            .attachment(entry.clone())
            .build()
            .expect("valid");
        assert_eq!(more.attachments(), &[entry]);
        assert_eq!(more.id(), header.id());
    }

    fn sample() -> Header {
        let org = |c: &str| c.parse::<OrgId>().expect("code");
        HeaderBuilder::new()
            .sender(Agency::new(org("000.00.00.H57"), "UBND"))
            .recipient(Agency::new(org("000.00.05.H57"), "Sở"))
            .document_type("CV", "Công văn")
            .number_and_notation("1", "UBND")
            .issued("Huế", time::macros::date!(2025 - 07 - 01))
            .subject("x")
            .signatory("A", "B", Competence::None)
            .build()
            .expect("valid")
    }
}
