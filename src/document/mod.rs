//! The header of an administrative document (văn bản hành chính) after Decree 30/2020/ND-CP and
//! the edXML MessageHeader, including the manifest of its attachments.
//!
//! The header's RFC 8785 canonical bytes are what the signatures cover, so everything that must
//! be bound by a signature — attachment names, sizes and digests included — lives here.
//!
//! One concept to a file: the [`Header`] and its [`HeaderBuilder`], each part of the header
//! ([`DocumentId`], [`Agency`], [`Urgency`], ...), the attachment manifest entry
//! ([`AttachmentEntry`]; the attachment *content* is the package's, in `package/attachment.rs`),
//! the errors, and the header's wire form (`repr.rs`).

mod agency;
mod attachment;
mod builder;
mod business_action;
mod competence;
mod confidentiality;
mod document_type;
mod error;
mod header;
mod id;
mod in_reply_to;
mod repr;
mod signatory;
mod urgency;

pub use agency::Agency;
pub use attachment::AttachmentEntry;
pub use builder::HeaderBuilder;
pub use business_action::BusinessAction;
pub use competence::Competence;
pub use confidentiality::Confidentiality;
pub use document_type::DocumentType;
pub use error::DocumentError;
pub use header::Header;
pub use id::DocumentId;
pub use in_reply_to::InReplyTo;
pub(crate) use repr::HeaderRepr;
pub use signatory::Signatory;
pub use urgency::Urgency;

use crate::limits::Limits;
#[cfg(test)]
use crate::org::OrgId;

time::serde::format_description!(iso_date, Date, "[year]-[month]-[day]");

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

/// A valid header for the unit tests of this module's files.
#[cfg(test)]
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
