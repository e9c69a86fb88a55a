//! How the durable store writes its values: a small framed record, read back totally.
//!
//! A record is `[version: u8][json length: u32 LE][JSON][blob]`. The JSON holds the small
//! fields (strings, numbers, instants); the blob holds the one opaque byte string a record may
//! carry (a receipt, a status message), so it is neither escaped nor base64-inflated. Package
//! payloads live in tables of their own, as raw bytes, so that fetch bookkeeping rewrites only
//! the small record.
//!
//! Reading never trusts the bytes: the declared JSON length must fit in what is there, serde
//! refuses unknown fields and caps nesting (128), and every domain value is re-validated
//! through its own parser (`OrgId`, `HubId`, `StatusCode`, urgency 0..=3, instants in range).

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, UtcOffset};

use crate::org::OrgId;
use crate::route::store::{
    DeliveryState, MessageKey, PayloadKind, StatusEvent, StatusRecord, StoreError, Submission,
    UrgencyRank,
};
use crate::route::table::HubId;
use crate::status::StatusCode;

/// The version byte of every record written by this build (the file's format version as well).
///
/// Version 2: message keys (kind, owner, id) instead of bare message ids, outbox entries with
/// the key and digest their receipt must name, status histories with non-deliveries, dead
/// letters.
pub(super) const RECORD_VERSION: u8 = 2;

/// Frames a record: version, JSON length, JSON, blob.
pub(super) fn encode<T: Serialize>(fields: &T, blob: &[u8]) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(fields)
        .map_err(|e| StoreError::Backend(format!("cannot encode a record: {e}")))?;
    let len = u32::try_from(json.len())
        .map_err(|_| StoreError::Backend("record fields larger than 4 GiB".into()))?;
    let mut out = Vec::with_capacity(1 + 4 + json.len() + blob.len());
    out.push(RECORD_VERSION);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(blob);
    Ok(out)
}

/// Reads a record back: its fields and its blob. `what` names the record in errors.
pub(super) fn decode<'b, T: DeserializeOwned>(
    bytes: &'b [u8],
    what: &dyn Fn() -> String,
) -> Result<(T, &'b [u8]), StoreError> {
    let corrupt = |reason: String| StoreError::Corrupt {
        record: what(),
        reason,
    };
    let (&version, rest) = bytes
        .split_first()
        .ok_or_else(|| corrupt("empty record".into()))?;
    if version != RECORD_VERSION {
        return Err(corrupt(format!(
            "record version {version}, this build reads {RECORD_VERSION}"
        )));
    }
    let (len, rest) = rest
        .split_first_chunk::<4>()
        .ok_or_else(|| corrupt("record cut inside its length".into()))?;
    // The declared length is checked against the bytes present before anything is read.
    let len = usize::try_from(u32::from_le_bytes(*len)).unwrap_or(usize::MAX);
    let (json, blob) = rest.split_at_checked(len).ok_or_else(|| {
        corrupt(format!(
            "record declares {len} bytes of fields but holds {}",
            rest.len()
        ))
    })?;
    let fields = serde_json::from_slice(json).map_err(|e| corrupt(e.to_string()))?;
    Ok((fields, blob))
}

/// An instant, kept exactly: Unix seconds, nanoseconds, and the UTC offset in seconds (the
/// offset is kept so that what comes back is what went in, not only the same instant).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(super) struct Stamp(i64, u32, i32);

impl Stamp {
    pub(super) fn of(t: OffsetDateTime) -> Stamp {
        Stamp(
            t.unix_timestamp(),
            t.nanosecond(),
            t.offset().whole_seconds(),
        )
    }

    pub(super) fn get(self) -> Result<OffsetDateTime, String> {
        let utc = OffsetDateTime::from_unix_timestamp(self.0)
            .and_then(|t| t.replace_nanosecond(self.1))
            .map_err(|e| format!("instant out of range: {e}"))?;
        let offset =
            UtcOffset::from_whole_seconds(self.2).map_err(|e| format!("bad UTC offset: {e}"))?;
        utc.checked_to_offset(offset)
            .ok_or_else(|| "instant out of range at its offset".to_string())
    }
}

fn date_of(julian: i32) -> Result<Date, String> {
    Date::from_julian_day(julian).map_err(|e| format!("date out of range: {e}"))
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum KindRec {
    Document,
    Status,
    Notice,
}

impl KindRec {
    pub(super) fn of(k: PayloadKind) -> KindRec {
        match k {
            PayloadKind::Document => KindRec::Document,
            PayloadKind::Status => KindRec::Status,
            PayloadKind::Notice => KindRec::Notice,
        }
    }

    pub(super) fn get(self) -> PayloadKind {
        match self {
            KindRec::Document => PayloadKind::Document,
            KindRec::Status => PayloadKind::Status,
            KindRec::Notice => PayloadKind::Notice,
        }
    }
}

/// A message key as the messages table and outbox records hold it: kind, owner, id.
pub(super) fn key_parts(key: &MessageKey) -> (&'static str, String, &str) {
    let kind = match key.kind() {
        PayloadKind::Document => "document",
        PayloadKind::Status => "status",
        PayloadKind::Notice => "notice",
    };
    (kind, key.owner(), key.id())
}

/// The key back from its parts, each checked.
pub(super) fn key_of(kind: &str, owner: &str, id: &str) -> Result<MessageKey, String> {
    let agency =
        || -> Result<OrgId, String> { owner.parse().map_err(|e| format!("key owner: {e}")) };
    Ok(match kind {
        "document" => MessageKey::Document {
            sender: agency()?,
            id: id.to_owned(),
        },
        "status" => MessageKey::Status {
            from: agency()?,
            id: id.to_owned(),
        },
        "notice" => MessageKey::Notice {
            hub: owner.parse().map_err(|e| format!("key owner: {e}"))?,
            id: id.to_owned(),
        },
        other => return Err(format!("unknown message kind {other:?}")),
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyRec(String, String, String);

impl KeyRec {
    fn of(key: &MessageKey) -> KeyRec {
        let (kind, owner, id) = key_parts(key);
        KeyRec(kind.to_owned(), owner, id.to_owned())
    }

    fn get(&self) -> Result<MessageKey, String> {
        key_of(&self.0, &self.1, &self.2)
    }
}

fn urgency_of(rank: u8) -> Result<UrgencyRank, String> {
    // Ranks are 0..=3; 4 is an edXML code, never a stored rank.
    match rank {
        0..=3 => UrgencyRank::from_edxml_code(rank).ok_or_else(|| format!("urgency rank {rank}")),
        _ => Err(format!("urgency rank {rank} (ranks are 0 to 3)")),
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StateRec {
    Ready,
    InFlight(Stamp),
    Acked(Stamp),
}

/// A delivery without its payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveryRec {
    recipient: OrgId,
    document: String,
    kind: KindRec,
    urgency: u8,
    arrived: Stamp,
    attempts: u32,
    state: StateRec,
}

/// A delivery's fields, checked.
pub(super) struct DeliveryFields {
    pub(super) recipient: OrgId,
    pub(super) document_id: String,
    pub(super) kind: PayloadKind,
    pub(super) urgency: UrgencyRank,
    pub(super) arrived: OffsetDateTime,
    pub(super) attempts: u32,
    pub(super) state: DeliveryState,
}

impl DeliveryFields {
    pub(super) fn encode(&self) -> Result<Vec<u8>, StoreError> {
        let rec = DeliveryRec {
            recipient: self.recipient,
            document: self.document_id.clone(),
            kind: KindRec::of(self.kind),
            urgency: self.urgency.value(),
            arrived: Stamp::of(self.arrived),
            attempts: self.attempts,
            state: match self.state {
                DeliveryState::Ready => StateRec::Ready,
                DeliveryState::InFlight { until } => StateRec::InFlight(Stamp::of(until)),
                DeliveryState::Acked { at } => StateRec::Acked(Stamp::of(at)),
            },
        };
        encode(&rec, &[])
    }

    pub(super) fn decode(bytes: &[u8], id: u64) -> Result<DeliveryFields, StoreError> {
        let what = || format!("delivery #{id}");
        let (rec, _): (DeliveryRec, _) = decode(bytes, &what)?;
        let checked = || -> Result<DeliveryFields, String> {
            Ok(DeliveryFields {
                recipient: rec.recipient,
                document_id: rec.document.clone(),
                kind: rec.kind.get(),
                urgency: urgency_of(rec.urgency)?,
                arrived: rec.arrived.get()?,
                attempts: rec.attempts,
                state: match rec.state {
                    StateRec::Ready => DeliveryState::Ready,
                    StateRec::InFlight(s) => DeliveryState::InFlight { until: s.get()? },
                    StateRec::Acked(s) => DeliveryState::Acked { at: s.get()? },
                },
            })
        };
        checked().map_err(|reason| StoreError::Corrupt {
            record: what(),
            reason,
        })
    }
}

/// An outbox entry without its payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OutboxRec {
    next_hub: String,
    key: KeyRec,
    digest: [u8; 32],
    document: String,
    urgency: u8,
    recipients: Vec<OrgId>,
    queued: Stamp,
    attempts: u32,
    hidden_until: Option<Stamp>,
}

/// An outbox entry's fields, checked.
#[derive(Debug, Clone)]
pub(super) struct OutboxFields {
    pub(super) next_hub: HubId,
    pub(super) key: MessageKey,
    pub(super) digest: [u8; 32],
    pub(super) document_id: String,
    pub(super) urgency: UrgencyRank,
    pub(super) recipients: Vec<OrgId>,
    pub(super) queued: OffsetDateTime,
    pub(super) attempts: u32,
    /// Taken for sending and invisible until then.
    pub(super) hidden_until: Option<OffsetDateTime>,
}

impl OutboxFields {
    pub(super) fn encode(&self) -> Result<Vec<u8>, StoreError> {
        encode(&self.rec(), &[])
    }

    fn rec(&self) -> OutboxRec {
        OutboxRec {
            next_hub: self.next_hub.as_str().to_owned(),
            key: KeyRec::of(&self.key),
            digest: self.digest,
            document: self.document_id.clone(),
            urgency: self.urgency.value(),
            recipients: self.recipients.clone(),
            queued: Stamp::of(self.queued),
            attempts: self.attempts,
            hidden_until: self.hidden_until.map(Stamp::of),
        }
    }

    pub(super) fn decode(bytes: &[u8], id: u64) -> Result<OutboxFields, StoreError> {
        let what = || format!("outbox entry #{id}");
        let (rec, _): (OutboxRec, _) = decode(bytes, &what)?;
        OutboxFields::check(&rec).map_err(|reason| StoreError::Corrupt {
            record: what(),
            reason,
        })
    }

    fn check(rec: &OutboxRec) -> Result<OutboxFields, String> {
        Ok(OutboxFields {
            next_hub: rec.next_hub.parse().map_err(|e| format!("next hub: {e}"))?,
            key: rec.key.get()?,
            digest: rec.digest,
            document_id: rec.document.clone(),
            urgency: urgency_of(rec.urgency)?,
            recipients: rec.recipients.clone(),
            queued: rec.queued.get()?,
            attempts: rec.attempts,
            hidden_until: rec.hidden_until.map(Stamp::get).transpose()?,
        })
    }
}

/// A dead letter: the outbox entry as it was, the refusal, and (the blob) its payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadLetterRec {
    outbox_id: u64,
    entry: OutboxRec,
    refused_by: String,
    recipients: Vec<OrgId>,
    reason: String,
    at: Stamp,
}

/// A dead letter's fields, checked; the payload is the record's blob.
pub(super) struct DeadLetterFields {
    pub(super) outbox_id: u64,
    pub(super) entry: OutboxFields,
    pub(super) refused_by: HubId,
    pub(super) recipients: Vec<OrgId>,
    pub(super) reason: String,
    pub(super) at: OffsetDateTime,
}

impl DeadLetterFields {
    pub(super) fn encode(&self, payload: &[u8]) -> Result<Vec<u8>, StoreError> {
        encode(
            &DeadLetterRec {
                outbox_id: self.outbox_id,
                entry: self.entry.rec(),
                refused_by: self.refused_by.as_str().to_owned(),
                recipients: self.recipients.clone(),
                reason: self.reason.clone(),
                at: Stamp::of(self.at),
            },
            payload,
        )
    }

    pub(super) fn decode(bytes: &[u8], id: u64) -> Result<(DeadLetterFields, &[u8]), StoreError> {
        let what = || format!("dead letter #{id}");
        let (rec, payload): (DeadLetterRec, _) = decode(bytes, &what)?;
        let checked = || -> Result<DeadLetterFields, String> {
            Ok(DeadLetterFields {
                outbox_id: rec.outbox_id,
                entry: OutboxFields::check(&rec.entry)?,
                refused_by: rec
                    .refused_by
                    .parse()
                    .map_err(|e| format!("refused by: {e}"))?,
                recipients: rec.recipients.clone(),
                reason: rec.reason.clone(),
                at: rec.at.get()?,
            })
        };
        let fields = checked().map_err(|reason| StoreError::Corrupt {
            record: what(),
            reason,
        })?;
        Ok((fields, payload))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SubmissionRec {
    digest: [u8; 32],
    at: Stamp,
}

/// A de-duplication record; the receipt is the blob.
pub(super) fn encode_submission(s: &Submission) -> Result<Vec<u8>, StoreError> {
    encode(
        &SubmissionRec {
            digest: s.digest,
            at: Stamp::of(s.at),
        },
        &s.receipt,
    )
}

pub(super) fn decode_submission(bytes: &[u8], key: &MessageKey) -> Result<Submission, StoreError> {
    let what = || format!("submission of {key}");
    let (rec, receipt): (SubmissionRec, _) = decode(bytes, &what)?;
    Ok(Submission {
        key: key.clone(),
        digest: rec.digest,
        receipt: Arc::from(receipt),
        at: rec.at.get().map_err(|reason| StoreError::Corrupt {
            record: what(),
            reason,
        })?,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TrackingRec {
    sender: OrgId,
    /// Julian day number of the due date.
    due: Option<i32>,
}

/// The sender and due date of a tracked (document, recipient) pair.
pub(super) fn encode_tracking(sender: OrgId, due: Option<Date>) -> Result<Vec<u8>, StoreError> {
    encode(
        &TrackingRec {
            sender,
            due: due.map(Date::to_julian_day),
        },
        &[],
    )
}

pub(super) fn decode_tracking(
    bytes: &[u8],
    document_id: &str,
    recipient: &str,
) -> Result<(OrgId, Option<Date>), StoreError> {
    let what = || format!("tracking of document {document_id:?} for agency {recipient}");
    let (rec, _): (TrackingRec, _) = decode(bytes, &what)?;
    let due = rec
        .due
        .map(date_of)
        .transpose()
        .map_err(|reason| StoreError::Corrupt {
            record: what(),
            reason,
        })?;
    Ok((rec.sender, due))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum EventRec {
    Status(StatusCode),
    NotDelivered { refused_by: String, reason: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusRec {
    event: EventRec,
    at: Stamp,
}

/// One recorded event; the signed message is the blob.
pub(super) fn encode_status(
    event: &StatusEvent,
    at: OffsetDateTime,
    message: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let event = match event {
        StatusEvent::Status(code) => EventRec::Status(*code),
        StatusEvent::NotDelivered { refused_by, reason } => EventRec::NotDelivered {
            refused_by: refused_by.as_str().to_owned(),
            reason: reason.clone(),
        },
    };
    encode(
        &StatusRec {
            event,
            at: Stamp::of(at),
        },
        message,
    )
}

pub(super) fn decode_status(
    bytes: &[u8],
    document_id: &str,
    recipient: &str,
) -> Result<StatusRecord, StoreError> {
    let what = || format!("status of document {document_id:?} for agency {recipient}");
    let (rec, message): (StatusRec, _) = decode(bytes, &what)?;
    let checked = || -> Result<StatusRecord, String> {
        Ok(StatusRecord {
            event: match rec.event {
                EventRec::Status(code) => StatusEvent::Status(code),
                EventRec::NotDelivered { refused_by, reason } => StatusEvent::NotDelivered {
                    refused_by: refused_by.parse().map_err(|e| format!("refused by: {e}"))?,
                    reason,
                },
            },
            at: rec.at.get()?,
            message: Arc::from(message),
        })
    };
    checked().map_err(|reason| StoreError::Corrupt {
        record: what(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn delivery() -> DeliveryFields {
        DeliveryFields {
            recipient: "000.00.41.H57".parse().unwrap(),
            document_id: "000.00.00.H57,2025/07/01,45/KH-UBND".into(),
            kind: PayloadKind::Document,
            urgency: UrgencyRank::VERY_URGENT,
            arrived: datetime!(2025-07-01 08:00:00.123456789 +07:00),
            attempts: 3,
            state: DeliveryState::InFlight {
                until: datetime!(2025-07-01 08:05 +07:00),
            },
        }
    }

    #[test]
    fn delivery_record_round_trips_with_its_offset() {
        let d = delivery();
        let back = DeliveryFields::decode(&d.encode().unwrap(), 7).unwrap();
        assert_eq!(back.recipient, d.recipient);
        assert_eq!(back.document_id, d.document_id);
        assert_eq!(back.urgency, d.urgency);
        assert_eq!(back.attempts, 3);
        assert_eq!(back.state, d.state);
        assert_eq!(back.arrived, d.arrived);
        assert_eq!(back.arrived.offset(), d.arrived.offset());
        assert_eq!(back.arrived.nanosecond(), 123_456_789);
    }

    #[test]
    fn submission_receipt_is_kept_as_raw_bytes() {
        let key = MessageKey::Document {
            sender: "000.00.41.H57".parse().unwrap(),
            id: "m".into(),
        };
        let s = Submission {
            key: key.clone(),
            digest: [0xab; 32],
            receipt: Arc::from(&b"\x00\xff{\"receipt\"}"[..]),
            at: datetime!(2025-07-01 08:00 UTC),
        };
        let bytes = encode_submission(&s).unwrap();
        assert_eq!(decode_submission(&bytes, &key).unwrap(), s);
    }

    fn assert_corrupt(bytes: &[u8], expected: &str) {
        match DeliveryFields::decode(bytes, 9) {
            Err(StoreError::Corrupt { record, reason }) => {
                assert_eq!(record, "delivery #9");
                assert!(reason.contains(expected), "{reason:?} lacks {expected:?}");
            }
            Err(other) => panic!("expected Corrupt, got {other:?}"),
            Ok(_) => panic!("expected Corrupt, got a delivery"),
        }
    }

    #[test]
    fn empty_and_cut_records_are_corrupt() {
        assert_corrupt(b"", "empty record");
        assert_corrupt(&[RECORD_VERSION, 0, 0], "cut inside its length");
    }

    #[test]
    fn a_declared_length_beyond_the_record_is_corrupt_without_allocating_it() {
        let mut bytes = vec![RECORD_VERSION];
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(b"{}");
        assert_corrupt(&bytes, "declares 4294967295 bytes");
    }

    #[test]
    fn a_record_of_another_version_is_corrupt() {
        let mut bytes = delivery().encode().unwrap();
        bytes[0] = 1;
        assert_corrupt(&bytes, "record version 1");
    }

    #[test]
    fn out_of_range_fields_are_corrupt() {
        let good = delivery().encode().unwrap();
        let json = std::str::from_utf8(&good[5..]).unwrap();
        for (from, to, expected) in [
            ("\"urgency\":2", "\"urgency\":4", "urgency rank 4"),
            (
                "\"attempts\":3",
                "\"attempts\":3,\"extra\":1",
                "unknown field",
            ),
            ("\"000.00.41.H57\"", "\"41.H57\"", ""),
            (
                "[1751331600,123456789,25200]",
                "[1751331600,123456789,100000]",
                "offset",
            ),
            (
                "[1751331600,123456789,25200]",
                "[9223372036854775807,0,0]",
                "out of range",
            ),
        ] {
            assert!(json.contains(from), "{json} lacks {from}");
            let edited = json.replace(from, to);
            let mut bytes = vec![RECORD_VERSION];
            bytes.extend_from_slice(&u32::try_from(edited.len()).unwrap().to_le_bytes());
            bytes.extend_from_slice(edited.as_bytes());
            assert_corrupt(&bytes, expected);
        }
    }

    #[test]
    fn every_prefix_and_every_byte_flip_decodes_or_is_corrupt_never_panics() {
        let good = delivery().encode().unwrap();
        for cut in 0..good.len() {
            // A prefix is always damaged: the JSON is cut or the length is.
            assert!(matches!(
                DeliveryFields::decode(&good[..cut], 1),
                Err(StoreError::Corrupt { .. })
            ));
        }
        for i in 0..good.len() {
            for bit in 0..8 {
                let mut bytes = good.clone();
                bytes[i] ^= 1 << bit;
                match DeliveryFields::decode(&bytes, 1) {
                    Ok(_) | Err(StoreError::Corrupt { .. }) => {}
                    Err(other) => panic!("byte {i} bit {bit}: {other:?}"),
                }
            }
        }
    }
}
