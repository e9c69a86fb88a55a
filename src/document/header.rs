//! The header of a document: every field, its accessors, its canonical bytes and its checks.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::agency::Agency;
use super::attachment::AttachmentEntry;
use super::business_action::BusinessAction;
use super::confidentiality::Confidentiality;
use super::document_type::DocumentType;
use super::error::DocumentError;
use super::id::DocumentId;
use super::in_reply_to::InReplyTo;
use super::repr::HeaderRepr;
use super::signatory::Signatory;
use super::urgency::Urgency;
use super::{check_text, clip};
use crate::json;
use crate::limits::Limits;

/// The header of a document: everything the signatures cover.
///
/// Built with [`HeaderBuilder`](super::HeaderBuilder) or parsed from a package; in both cases
/// every field and every combination has been checked. Its
/// [`canonical_bytes`](Header::canonical_bytes) are the bytes that get signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub(super) id: DocumentId,
    pub(super) sender: Agency,
    pub(super) recipients: Vec<Agency>,
    pub(super) copy_recipients: Vec<Agency>,
    pub(super) document_type: DocumentType,
    pub(super) number: String,
    pub(super) notation: String,
    pub(super) place: String,
    pub(super) issue_date: Date,
    pub(super) subject: String,
    pub(super) summary: Option<String>,
    pub(super) signatory: Signatory,
    pub(super) urgency: Urgency,
    pub(super) confidentiality: Confidentiality,
    pub(super) due_date: Option<Date>,
    pub(super) in_reply_to: Option<InReplyTo>,
    pub(super) steering_type: u8,
    pub(super) page_count: Option<u32>,
    pub(super) action: BusinessAction,
    pub(super) extensions: BTreeMap<String, serde_json::Value>,
    pub(super) attachments: Vec<AttachmentEntry>,
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
        // The id and every document this one acts on are the sender's own: no agency can take
        // the id another will use, or recall, update or replace another's document.
        if self.id.sender() != Some(self.sender.id) {
            return Err(DocumentError::IdNotFromSender {
                id: clip(self.id.as_str()),
                sender: self.sender.id,
            });
        }
        let acted_on = match &self.action {
            BusinessAction::New => None,
            BusinessAction::Revoke(t) => Some(("revoke", t)),
            BusinessAction::Update(t) => Some(("update", t)),
            BusinessAction::Replace(t) => Some(("replace", t)),
        };
        if let Some((action, target)) = acted_on {
            if target.sender() != Some(self.sender.id) {
                return Err(DocumentError::ActionOnAnothersDocument {
                    action,
                    target: clip(target.as_str()),
                    sender: self.sender.id,
                });
            }
        }
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::sample;

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
}
