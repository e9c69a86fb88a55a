//! [`HeaderBuilder`]: a header field by field, checked when built.

use std::collections::BTreeMap;

use time::Date;

use super::agency::Agency;
use super::attachment::AttachmentEntry;
use super::business_action::BusinessAction;
use super::competence::Competence;
use super::confidentiality::Confidentiality;
use super::document_type::DocumentType;
use super::error::DocumentError;
use super::header::Header;
use super::id::DocumentId;
use super::in_reply_to::InReplyTo;
use super::signatory::Signatory;
use super::urgency::Urgency;
use crate::limits::Limits;

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
    use crate::document::sample;

    #[test]
    fn a_builder_from_a_header_rebuilds_it_unchanged_and_can_add_an_attachment() {
        let header = Header {
            urgency: Urgency::Express,
            confidentiality: Confidentiality::Confidential,
            due_date: Some(time::macros::date!(2025 - 07 - 18)),
            id: format!("{},custom-id", sample().sender.id)
                .parse()
                .expect("id"),
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
}
