//! The wire form of the header (camelCase JSON, docs/package-format.md) and the conversions
//! between it and [`Header`]: reading one checks everything, as the builder does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::agency::Agency;
use super::attachment::AttachmentEntry;
use super::business_action::BusinessAction;
use super::confidentiality::Confidentiality;
use super::document_type::DocumentType;
use super::error::DocumentError;
use super::header::Header;
use super::id::DocumentId;
use super::in_reply_to::InReplyTo;
use super::iso_date;
use super::signatory::Signatory;
use super::urgency::Urgency;
use crate::limits::Limits;

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

impl Header {
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

#[cfg(test)]
mod tests {
    use sha2::{Digest, Sha256};

    use super::*;
    use crate::document::sample;

    #[test]
    fn hex_round_trips_and_refuses_uppercase_and_wrong_length() {
        let d: [u8; 32] = Sha256::digest(b"abc").into();
        assert_eq!(from_hex(&to_hex(&d)), Some(d));
        assert_eq!(from_hex(&to_hex(&d).to_uppercase()), None);
        assert_eq!(from_hex(&to_hex(&d)[..62]), None);
        assert_eq!(from_hex("é".repeat(32).as_str()), None);
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
}
