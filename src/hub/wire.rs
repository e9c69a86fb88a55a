//! The JSON bodies the hub server writes and the client reads. Packages travel as they are
//! (`application/json`), status messages as JWS compact text (`application/jose`); everything
//! else is one of these. `openapi.json` describes them.

use base64::Engine;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::org::OrgId;
use crate::route::{DeliveryId, Overdue, PayloadKind, StatusEvent, StatusRecord, UrgencyRank};
use crate::status::StatusCode;

/// Paths of the API (version 1).
pub(crate) mod paths {
    pub(crate) const DOCUMENTS: &str = "/v1/documents";
    pub(crate) const STATUSES: &str = "/v1/statuses";
    pub(crate) const MAILBOX: &str = "/v1/mailboxes/{agency}";
    pub(crate) const ACK: &str = "/v1/mailboxes/{agency}/deliveries/{id}/ack";
    pub(crate) const HUB_DOCUMENTS: &str = "/v1/hub/documents";
    pub(crate) const HUB_STATUSES: &str = "/v1/hub/statuses";
    pub(crate) const HUB_NOTICES: &str = "/v1/hub/notices";
    pub(crate) const RECEIPTS: &str = "/v1/receipts";
    pub(crate) const OVERDUE: &str = "/v1/overdue";
    pub(crate) const OPENAPI: &str = "/v1/openapi.json";
    pub(crate) const HEALTHZ: &str = "/healthz";
    pub(crate) const READYZ: &str = "/readyz";
    pub(crate) const METRICS: &str = "/metrics";
}

/// A status message's media type: JWS compact serialization (RFC 7515 §9.2.1).
pub(crate) const JOSE: &str = "application/jose";
/// RFC 9457.
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";

pub(crate) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn unb64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// The `from` of a status message (JWS compact, JSON payload), read WITHOUT verifying it:
/// the server checks it against the caller before the router verifies the same bytes, and the
/// client against the receipt. `None` when it cannot be read.
pub(crate) fn status_author(bytes: &[u8]) -> Option<OrgId> {
    #[derive(Deserialize)]
    struct Author {
        from: OrgId,
    }
    let text = std::str::from_utf8(bytes).ok()?.trim();
    let payload = text.split('.').nth(1)?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice::<Author>(&json).ok().map(|a| a.from)
}

/// The answer to an accepted submission.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ReceiptBody {
    /// The hub's signed receipt, JWS compact: the only part a client relies on.
    pub(crate) signed_receipt: String,
    /// True when the hub had accepted this exact submission before (the receipt is the
    /// first one).
    pub(crate) duplicate: bool,
}

/// The kind of a stored payload, as the API names it.
pub(crate) fn kind_name(kind: PayloadKind) -> &'static str {
    match kind {
        PayloadKind::Document => "document",
        _ => "status",
    }
}

pub(crate) fn kind_from_name(name: &str) -> Option<PayloadKind> {
    match name {
        "document" => Some(PayloadKind::Document),
        "status" => Some(PayloadKind::Status),
        _ => None,
    }
}

/// One delivery handed out by a fetch.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct DeliveryBody {
    pub(crate) id: u64,
    pub(crate) document_id: String,
    pub(crate) kind: String,
    pub(crate) urgency: u8,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) arrived: OffsetDateTime,
    pub(crate) attempts: u32,
    /// The package (or status message) bytes, base64.
    pub(crate) payload: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FetchBody {
    pub(crate) deliveries: Vec<DeliveryBody>,
}

/// A delivery fetched from a hub: the bytes to verify, then acknowledge.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FetchedDelivery {
    /// The hub's number for it: what [`HubClient::ack`](crate::HubClient::ack) takes.
    pub id: DeliveryId,
    /// The document concerned (for a status: the document it answers).
    pub document_id: String,
    /// A document package or a status message.
    pub kind: PayloadKind,
    /// How urgent.
    pub urgency: UrgencyRank,
    /// When the hub committed it.
    pub arrived: OffsetDateTime,
    /// How many times it has been fetched; more than 1 means it may have been seen before.
    pub attempts: u32,
    /// The bytes, UNVERIFIED: verify a document with a [`Verifier`](crate::Verifier) and a
    /// status with [`StatusMessage::verify_signed`](crate::StatusMessage::verify_signed).
    pub payload: Vec<u8>,
}

impl FetchedDelivery {
    pub(crate) fn from_body(b: DeliveryBody) -> Option<FetchedDelivery> {
        Some(FetchedDelivery {
            id: DeliveryId(b.id),
            document_id: b.document_id,
            kind: kind_from_name(&b.kind)?,
            urgency: UrgencyRank::from_edxml_code(b.urgency)?,
            arrived: b.arrived,
            attempts: b.attempts,
            payload: unb64(&b.payload)?,
        })
    }
}

/// One recorded status, as the API writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusBody {
    /// The status code, or `not-delivered` for a hub's non-delivery notice.
    pub(crate) code: String,
    /// For `not-delivered`: the hub that refused the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refused_by: Option<String>,
    /// For `not-delivered`: the refusing hub's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) at: OffsetDateTime,
    /// The signed status message, JWS compact.
    pub(crate) message: String,
}

impl StatusBody {
    pub(crate) fn from_record(r: &StatusRecord) -> StatusBody {
        let (code, refused_by, reason) = event_words(&r.event);
        StatusBody {
            code,
            refused_by,
            reason,
            at: r.at,
            message: String::from_utf8_lossy(&r.message).into_owned(),
        }
    }

    pub(crate) fn into_record(self) -> Option<StatusRecord> {
        Some(StatusRecord {
            event: event_from_words(&self.code, self.refused_by, self.reason)?,
            at: self.at,
            message: self.message.into_bytes().into(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecipientStatuses {
    pub(crate) recipient: OrgId,
    pub(crate) statuses: Vec<StatusBody>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HistoryBody {
    pub(crate) document_id: String,
    pub(crate) recipients: Vec<RecipientStatuses>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverdueItem {
    pub(crate) document_id: String,
    pub(crate) sender: OrgId,
    pub(crate) recipient: OrgId,
    /// YYYY-MM-DD, when the document has a due date.
    pub(crate) due: Option<String>,
    /// The latest status code, or `not-delivered`.
    pub(crate) latest: Option<String>,
    /// For `not-delivered`: the hub that refused the document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refused_by: Option<String>,
    /// For `not-delivered`: the refusing hub's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
}

/// A status event in the API's words: its code (or `not-delivered`), and for a non-delivery
/// the refusing hub and its reason.
fn event_words(e: &StatusEvent) -> (String, Option<String>, Option<String>) {
    match e {
        StatusEvent::Status(c) => (c.code().to_owned(), None, None),
        StatusEvent::NotDelivered { refused_by, reason } => (
            NOT_DELIVERED.to_owned(),
            Some(refused_by.to_string()),
            Some(reason.clone()),
        ),
    }
}

fn event_from_words(
    code: &str,
    refused_by: Option<String>,
    reason: Option<String>,
) -> Option<StatusEvent> {
    if code == NOT_DELIVERED {
        Some(StatusEvent::NotDelivered {
            refused_by: refused_by?.parse().ok()?,
            reason: reason.unwrap_or_default(),
        })
    } else {
        Some(StatusEvent::Status(StatusCode::from_code(code)?))
    }
}

const NOT_DELIVERED: &str = "not-delivered";

const DAY: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// A date as the API writes it: `2025-07-18`.
pub(crate) fn day(d: Date) -> String {
    d.format(DAY).unwrap_or_default()
}

/// A date as the API reads it.
pub(crate) fn parse_day(text: &str) -> Option<Date> {
    Date::parse(text, DAY).ok()
}

impl OverdueItem {
    pub(crate) fn from_overdue(o: &Overdue) -> OverdueItem {
        let (latest, refused_by, reason) = match &o.latest {
            Some(e) => {
                let (code, by, reason) = event_words(e);
                (Some(code), by, reason)
            }
            None => (None, None, None),
        };
        OverdueItem {
            document_id: o.document_id.clone(),
            sender: o.sender,
            recipient: o.recipient,
            due: o.due.map(day),
            latest,
            refused_by,
            reason,
        }
    }

    pub(crate) fn into_overdue(self) -> Option<Overdue> {
        let latest = match self.latest {
            None => None,
            Some(code) => Some(event_from_words(&code, self.refused_by, self.reason)?),
        };
        let due = match self.due {
            None => None,
            Some(d) => Some(parse_day(&d)?),
        };
        Some(Overdue {
            document_id: self.document_id,
            sender: self.sender,
            recipient: self.recipient,
            due,
            latest,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OverdueBody {
    /// YYYY-MM-DD.
    pub(crate) on: String,
    pub(crate) overdue: Vec<OverdueItem>,
}

/// An RFC 9457 problem: why the hub refused a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `urn:edoc:problem:rejected`.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the kind.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened, in words: names the document, the agency and the certificate.
    pub detail: String,
    /// For a package that failed verification: the ETSI sub-indication
    /// (e.g. `HASH_FAILURE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_indication: Option<String>,
    /// For a package that failed verification: its full validation report
    /// ([`ValidationReport`](crate::ValidationReport) as JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<serde_json::Value>,
}

impl Problem {
    /// The problem's short name: the last part of its type URI (`rejected`, `conflict`, ...).
    pub fn kind(&self) -> &str {
        self.type_uri.rsplit(':').next().unwrap_or(&self.type_uri)
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.title, self.status, self.detail)
    }
}
