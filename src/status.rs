//! Status messages (edXML status package): a receiver's answer about a document, and the rules
//! for which status may follow which.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::jades::JadesError;
use crate::org::OrgId;
use crate::package::VerifiedPackage;
use crate::signed::{self, SignedMessageError};
use crate::signer::Signer;
use crate::trust::{AgencyCertificates, CertificateName, Policy, TrustStore};

/// The code of a status message (mã trạng thái), as the edXML status package carries it.
///
/// Serialized as its two-digit string (`"03"`), displayed in words.
///
/// ```
/// use edoc::StatusCode;
/// assert_eq!(StatusCode::from_code("06"), Some(StatusCode::Completed));
/// assert_eq!(StatusCode::Accepted.to_string(), "03 accepted and registered");
/// assert_eq!(serde_json::to_string(&StatusCode::Refused).unwrap(), r#""02""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusCode {
    /// `01`: the document arrived (đã đến).
    Arrived,
    /// `02`: the receiver refused it (từ chối), e.g. it failed the authenticity check.
    Refused,
    /// `03`: accepted and registered (đã tiếp nhận, vào sổ).
    Accepted,
    /// `04`: a leader assigned it for handling (đã phân công).
    Assigned,
    /// `05`: being processed (đang xử lý).
    Processing,
    /// `06`: completed (hoàn thành).
    Completed,
    /// `13`: the sender requests a recall or retrieval (đề nghị thu hồi).
    RecallRequested,
    /// `15`: the receiver agrees to the recall or update (đồng ý thu hồi/cập nhật).
    RecallAgreed,
    /// `16`: the receiver refuses the recall or update (từ chối thu hồi/cập nhật).
    RecallRefused,
}

/// Who sends a status with a given code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusAuthor {
    /// The agency that received the document (every code but 13).
    Recipient,
    /// The agency that sent the document (13, recall requested).
    Sender,
}

impl StatusCode {
    /// Every code, in numeric order.
    pub const ALL: [StatusCode; 9] = [
        StatusCode::Arrived,
        StatusCode::Refused,
        StatusCode::Accepted,
        StatusCode::Assigned,
        StatusCode::Processing,
        StatusCode::Completed,
        StatusCode::RecallRequested,
        StatusCode::RecallAgreed,
        StatusCode::RecallRefused,
    ];

    /// The two-digit edXML code.
    pub fn code(self) -> &'static str {
        match self {
            StatusCode::Arrived => "01",
            StatusCode::Refused => "02",
            StatusCode::Accepted => "03",
            StatusCode::Assigned => "04",
            StatusCode::Processing => "05",
            StatusCode::Completed => "06",
            StatusCode::RecallRequested => "13",
            StatusCode::RecallAgreed => "15",
            StatusCode::RecallRefused => "16",
        }
    }

    /// The status for a two-digit edXML code; `None` for any other string.
    pub fn from_code(code: &str) -> Option<StatusCode> {
        StatusCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// What the code means, in words.
    pub fn words(self) -> &'static str {
        match self {
            StatusCode::Arrived => "arrived",
            StatusCode::Refused => "refused",
            StatusCode::Accepted => "accepted and registered",
            StatusCode::Assigned => "assigned by a leader",
            StatusCode::Processing => "being processed",
            StatusCode::Completed => "completed",
            StatusCode::RecallRequested => "recall requested",
            StatusCode::RecallAgreed => "recall or update agreed",
            StatusCode::RecallRefused => "recall or update refused",
        }
    }

    /// Who may send this code: the document's sender for 13, its recipient for the rest.
    pub fn author(self) -> StatusAuthor {
        match self {
            StatusCode::RecallRequested => StatusAuthor::Sender,
            _ => StatusAuthor::Recipient,
        }
    }

    fn is_recall(self) -> bool {
        matches!(
            self,
            StatusCode::RecallRequested | StatusCode::RecallAgreed | StatusCode::RecallRefused
        )
    }

    /// Whether `self` may directly follow the work status `previous` (`None`: nothing yet).
    ///
    /// This is the table for the document's own workflow (01–06) plus the recall request; the
    /// recall answers 15/16 are allowed only right after 13, which needs the history:
    /// use [`StatusCode::check_after`] to check a new status against what is recorded.
    ///
    /// | previous | may be followed by |
    /// |---|---|
    /// | nothing | 01, 02, 03, 13 |
    /// | 01 arrived | 02, 03, 13 |
    /// | 02 refused | 13 only: a refusal is final |
    /// | 03 accepted | 04, 05, 06, 13 |
    /// | 04 assigned | 04 (reassigned), 05, 06, 13 |
    /// | 05 processing | 04, 05 (progress), 06, 13 |
    /// | 06 completed | 13 only: completion is final |
    /// | 13 recall requested | 15, 16 |
    /// | 15 recall agreed | nothing: the document is withdrawn or superseded |
    /// | 16 recall refused | (as the status before the 13) |
    pub fn may_follow(self, previous: Option<StatusCode>) -> bool {
        use StatusCode::*;
        match previous {
            None => matches!(self, Arrived | Refused | Accepted | RecallRequested),
            Some(Arrived) => matches!(self, Refused | Accepted | RecallRequested),
            Some(Refused) | Some(Completed) => self == RecallRequested,
            Some(Accepted) => matches!(self, Assigned | Processing | Completed | RecallRequested),
            Some(Assigned) | Some(Processing) => {
                matches!(self, Assigned | Processing | Completed | RecallRequested)
            }
            Some(RecallRequested) => matches!(self, RecallAgreed | RecallRefused),
            Some(RecallAgreed) => false,
            // After a refused recall the work goes on from where it was; the caller that
            // knows the history decides (see `check_after`).
            Some(RecallRefused) => false,
        }
    }

    /// Checks that `self` may be recorded after the statuses already recorded for one
    /// (document, recipient) pair, oldest first.
    ///
    /// The rule is [`StatusCode::may_follow`] applied to the latest status, except after
    /// 16 (recall refused): then the work continues, so the rule applies to the latest status
    /// before the recall exchange (and a new 13 is allowed).
    ///
    /// ```
    /// use edoc::StatusCode::*;
    /// assert!(Processing.check_after(&[Accepted, RecallRequested, RecallRefused]).is_ok());
    /// assert!(Processing.check_after(&[Completed, RecallRequested, RecallRefused]).is_err());
    /// ```
    pub fn check_after(self, history: &[StatusCode]) -> Result<(), StatusTransitionError> {
        let latest = history.last().copied();
        let allowed = if latest == Some(StatusCode::RecallRefused) {
            let work = history.iter().rev().find(|c| !c.is_recall()).copied();
            self == StatusCode::RecallRequested || (!self.is_recall() && self.may_follow(work))
        } else {
            self.may_follow(latest)
        };
        if allowed {
            Ok(())
        } else {
            Err(StatusTransitionError {
                next: self,
                previous: latest,
                reason: reason(self, latest),
            })
        }
    }
}

fn reason(next: StatusCode, previous: Option<StatusCode>) -> &'static str {
    use StatusCode::*;
    match (previous, next) {
        (Some(Refused), _) => "a refusal is final; only a recall request may follow",
        (Some(Completed), _) => "completion is final; only a recall request may follow",
        (Some(RecallAgreed), _) => "the recall or update was agreed; the document is closed",
        (Some(RecallRequested), _) => "a recall request must be answered with 15 or 16 first",
        (_, RecallAgreed) | (_, RecallRefused) => "15 and 16 only answer a recall request (13)",
        (_, Arrived) => "01 arrived can only be the first status",
        (_, Refused) => "a document can only be refused on arrival, before it is accepted",
        (_, Accepted) => "03 accepted can only follow arrival",
        (Some(RecallRefused), _) => "the work status before the recall does not allow it",
        (_, Assigned) | (_, Processing) | (_, Completed) => {
            "the document must be accepted (03) first"
        }
        (_, RecallRequested) => "a recall request is already pending",
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.words())
    }
}

impl Serialize for StatusCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for StatusCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = StatusCode;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a two-digit status code: 01-06, 13, 15 or 16")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<StatusCode, E> {
                StatusCode::from_code(v).ok_or_else(|| {
                    E::custom(format_args!(
                        "unknown status code {:?}; expected 01-06, 13, 15 or 16",
                        v.chars().take(16).collect::<String>()
                    ))
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// A status that may not follow the ones already recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status {next} cannot follow {}: {reason}", previous.map_or_else(|| "nothing".to_string(), |p| p.to_string()))]
pub struct StatusTransitionError {
    /// The status refused.
    pub next: StatusCode,
    /// The latest status recorded, if any.
    pub previous: Option<StatusCode>,
    /// Why, in words.
    pub reason: &'static str,
}

/// The staff member who handled the document (cán bộ xử lý).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Staff {
    /// Full name.
    pub name: String,
    /// Position, e.g. "Chuyên viên" (specialist).
    pub position: String,
}

/// The body of a status message (gói tin trạng thái): an agency's answer about one document.
///
/// Signing it (the answering agency's seal, commitment proof of receipt) is the router's job;
/// this is the content that gets signed.
///
/// ```
/// use edoc::{StatusCode, StatusMessage, Staff};
/// let msg = StatusMessage {
///     from: "000.00.05.H57".parse().unwrap(),
///     to: "000.00.45.H57".parse().unwrap(),
///     document_id: "000.00.45.H57,2025/07/01,12/UBND-VP".into(),
///     code: StatusCode::Accepted,
///     description: "Đã tiếp nhận".into(),
///     time: time::macros::datetime!(2025-07-01 09:00 +07:00),
///     staff: Staff { name: "Nguyễn Văn A".into(), position: "Chuyên viên".into() },
/// };
/// let json = msg.to_json();
/// assert_eq!(StatusMessage::from_json(&json).unwrap(), msg);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StatusMessage {
    /// The agency that answers.
    pub from: OrgId,
    /// The agency the status goes to: the document's sender (or, for 13, its recipient).
    pub to: OrgId,
    /// The edXML id of the document concerned.
    pub document_id: String,
    /// The status.
    pub code: StatusCode,
    /// Free text, e.g. why the document was refused.
    pub description: String,
    /// When the status was set.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Who handled it.
    pub staff: Staff,
}

/// Why a status message body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusMessageError {
    /// The input is larger than [`StatusMessage::MAX_JSON_BYTES`].
    #[error("status message is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// The size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Malformed JSON, an unknown or duplicate field, or a value of the wrong type.
    #[error("status message JSON is invalid: {0}")]
    Json(String),
    /// A text field is empty (where required), too long or holds control characters.
    #[error("status message field {field} is invalid: {reason}")]
    Field {
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
}

impl StatusMessage {
    /// Largest accepted JSON body: 64 KiB. edXML status messages are a few hundred bytes; the
    /// description is bounded by [`StatusMessage::MAX_DESCRIPTION_CHARS`].
    pub const MAX_JSON_BYTES: usize = 64 << 10;
    /// Longest description: 4 000 characters, a long paragraph explaining a refusal.
    pub const MAX_DESCRIPTION_CHARS: usize = 4_000;
    /// Longest document id and staff field: 256 characters (an edXML id is ~60).
    pub const MAX_FIELD_CHARS: usize = 256;

    /// Parses and checks a status message body from untrusted JSON.
    pub fn from_json(bytes: &[u8]) -> Result<StatusMessage, StatusMessageError> {
        if bytes.len() > Self::MAX_JSON_BYTES {
            return Err(StatusMessageError::TooLarge {
                size: bytes.len(),
                limit: Self::MAX_JSON_BYTES,
            });
        }
        let msg: StatusMessage =
            serde_json::from_slice(bytes).map_err(|e| StatusMessageError::Json(e.to_string()))?;
        msg.check()?;
        Ok(msg)
    }

    /// Checks the text fields: lengths, no control characters, required ones not empty.
    pub fn check(&self) -> Result<(), StatusMessageError> {
        let field = |field, value: &str, max: usize, required: bool| {
            let reason = if required && value.trim().is_empty() {
                Some("it is empty")
            } else if value.chars().count() > max {
                Some("it is too long")
            } else if value
                .chars()
                .any(|c| c.is_control() && !(field == "description" && c == '\n'))
            {
                Some("it holds control characters")
            } else {
                None
            };
            reason.map_or(Ok(()), |reason| {
                Err(StatusMessageError::Field { field, reason })
            })
        };
        field("documentId", &self.document_id, Self::MAX_FIELD_CHARS, true)?;
        field(
            "description",
            &self.description,
            Self::MAX_DESCRIPTION_CHARS,
            false,
        )?;
        field("staff.name", &self.staff.name, Self::MAX_FIELD_CHARS, true)?;
        field(
            "staff.position",
            &self.staff.position,
            Self::MAX_FIELD_CHARS,
            false,
        )?;
        if self.from == self.to {
            return Err(StatusMessageError::Field {
                field: "to",
                reason: "an agency does not send a status to itself",
            });
        }
        Ok(())
    }

    /// The canonical JSON (RFC 8785) of this body: the bytes that get signed.
    pub fn to_json(&self) -> Vec<u8> {
        // Strings, an enum as string and an RFC 3339 time: canonicalization cannot fail.
        serde_json_canonicalizer::to_vec(self).unwrap_or_default()
    }
}

/// What a status answers, for [`StatusMessage::sign_answer`]: the document, verified, the
/// statuses already set for it between the same two agencies, and what to check the seal with.
#[derive(Clone, Copy)]
pub struct AnswerContext<'a> {
    /// The document the status is about, verified (the proof that it is a real document).
    pub document: &'a VerifiedPackage,
    /// The statuses already set for this (document, recipient), oldest first: the transition
    /// rules ([`StatusCode::check_after`]) apply against them. Empty for a first answer.
    pub history: &'a [StatusCode],
    /// Trust anchors and CRLs for the seal's chain.
    pub trust: &'a TrustStore,
    /// The policy the hub applies (chain, organization binding, times).
    pub policy: &'a Policy,
    /// Which certificates seal for which agency, beyond their organizationIdentifier.
    pub agencies: &'a dyn AgencyCertificates,
    /// The clock.
    pub now: OffsetDateTime,
}

impl fmt::Debug for AnswerContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnswerContext")
            .field("document", &self.document.header().id().to_string())
            .field("history", &self.history)
            .field("now", &self.now)
            .finish_non_exhaustive()
    }
}

/// Why [`StatusMessage::sign_answer`] signed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusSignError {
    /// A field of the message is invalid.
    #[error(transparent)]
    Invalid(StatusMessageError),
    /// The message names another document than the one it answers.
    #[error("the status is about document {stated}, but the document answered is {document}")]
    OtherDocument {
        /// The document id the message states.
        stated: String,
        /// The id of the document given.
        document: String,
    },
    /// The message does not go between the document's sender and one of its recipients the
    /// way its code requires (a recipient answers the sender; the sender sends 13).
    #[error("status {code} about document {document_id} must go from {expected_from} to {expected_to}, not from {from} to {to}")]
    WrongParty {
        /// The status.
        code: StatusCode,
        /// The document.
        document_id: String,
        /// Who the message says it comes from.
        from: OrgId,
        /// Who it says it goes to.
        to: OrgId,
        /// Who must send it (for a recipient's answer, the first recipient when `from` is
        /// none of them).
        expected_from: OrgId,
        /// Who must receive it.
        expected_to: OrgId,
    },
    /// The code may not follow the statuses already set.
    #[error(transparent)]
    Transition(StatusTransitionError),
    /// The signed status would not verify as a hub verifies it: most often, a seal that
    /// is not the answering agency's own.
    #[error("the status would be refused: {0}")]
    WouldNotVerify(SignedMessageError),
    /// The seal could not sign.
    #[error("the seal could not sign: {0}")]
    Signing(#[source] JadesError),
}

impl StatusMessage {
    /// Signs the message as the answer to a document, applying the rules a hub applies when it
    /// verifies it; nothing is signed unless all hold:
    /// - the message's own checks ([`StatusMessage::check`]);
    /// - it is about `ctx.document` (a verified package), from one of its recipients to its
    ///   sender, or for 13 (recall requested) from its sender to one of its recipients;
    /// - its code may follow `ctx.history` ([`StatusCode::check_after`]);
    /// - signed, it verifies as [`StatusMessage::verify_signed`] verifies it: above all, the
    ///   seal is the answering agency's own, and its time is close to the signing time.
    ///
    /// Returns the JWS compact bytes.
    pub fn sign_answer(
        &self,
        seal: &dyn Signer,
        ctx: &AnswerContext<'_>,
    ) -> Result<Vec<u8>, StatusSignError> {
        self.check().map_err(StatusSignError::Invalid)?;
        let header = ctx.document.header();
        let document = header.id().to_string();
        if self.document_id != document {
            return Err(StatusSignError::OtherDocument {
                stated: self.document_id.clone(),
                document,
            });
        }
        let sender = header.sender().id;
        let is_recipient = |a: &OrgId| header.all_recipients().any(|r| r.id == *a);
        let first_recipient = header.all_recipients().next().map_or(sender, |r| r.id);
        let (ok, expected_from, expected_to) = match self.code.author() {
            StatusAuthor::Recipient => (
                is_recipient(&self.from) && self.to == sender,
                if is_recipient(&self.from) {
                    self.from
                } else {
                    first_recipient
                },
                sender,
            ),
            StatusAuthor::Sender => (
                self.from == sender && is_recipient(&self.to),
                sender,
                if is_recipient(&self.to) {
                    self.to
                } else {
                    first_recipient
                },
            ),
        };
        if !ok {
            return Err(StatusSignError::WrongParty {
                code: self.code,
                document_id: document,
                from: self.from,
                to: self.to,
                expected_from,
                expected_to,
            });
        }
        self.code
            .check_after(ctx.history)
            .map_err(StatusSignError::Transition)?;
        let bytes = self.sign(seal).map_err(StatusSignError::Signing)?;
        StatusMessage::verify_signed(&bytes, ctx.trust, ctx.policy, ctx.agencies, ctx.now)
            .map_err(StatusSignError::WouldNotVerify)?;
        Ok(bytes)
    }
}

/// A status message whose signature checked out: by the answering agency's seal (its
/// certificate names that agency, or the directory lists it), with proof of receipt.
#[derive(Debug, Clone)]
pub struct VerifiedStatus {
    message: StatusMessage,
    signer: CertificateName,
    bytes: std::sync::Arc<[u8]>,
    signed_content: [u8; 32],
    signing_time: OffsetDateTime,
}

impl VerifiedStatus {
    /// The status message.
    pub fn message(&self) -> &StatusMessage {
        &self.message
    }

    /// Who signed it (the answering agency's seal).
    pub fn signer(&self) -> &CertificateName {
        &self.signer
    }

    /// The signed bytes: the JWS compact string, without surrounding whitespace.
    pub fn bytes(&self) -> &std::sync::Arc<[u8]> {
        &self.bytes
    }

    /// The status's id: `status:` and the hex SHA-256 of what its signature signs (the
    /// protected header and the payload). Every status has its own (the header carries the
    /// signing time and the seal's certificate), and no re-encoding of the signature value or
    /// whitespace around the JWS changes it. Hubs de-duplicate statuses on it; document ids,
    /// which begin with an agency code, can never take it.
    pub fn id(&self) -> String {
        format!("status:{}", signed::hex(&self.signed_content))
    }

    /// SHA-256 of what the signature signs (`protected.payload`), the de-duplication digest.
    pub fn signed_content(&self) -> &[u8; 32] {
        &self.signed_content
    }

    /// The signing time the signature claims (`iat`).
    pub fn signing_time(&self) -> OffsetDateTime {
        self.signing_time
    }
}

impl StatusMessage {
    /// Largest signed status accepted: the body's limit, base64url-encoded, plus a few
    /// certificates.
    pub const MAX_SIGNED_BYTES: usize = 128 << 10;

    /// Signs the message with the answering agency's seal (commitment proof of receipt,
    /// signing time [`StatusMessage::time`]): a JWS compact string over the canonical JSON.
    ///
    /// This is the signing step alone: it checks nothing. An agency's software answers with
    /// [`StatusMessage::sign_answer`], which refuses what a hub would refuse.
    pub fn sign(&self, seal: &dyn Signer) -> Result<Vec<u8>, JadesError> {
        signed::sign(seal, &self.to_json(), self.time).map(String::into_bytes)
    }

    /// Verifies a signed status message: JAdES form, proof of receipt, signature, a chain
    /// trusted under `policy`, the body's own checks, a seal that belongs to
    /// [`StatusMessage::from`] (per the policy's organization binding, with `agencies` listing
    /// extra certificates), and its times: [`StatusMessage::time`] within
    /// [`Policy::status_time_window_seconds`] of the signing time, and not ahead of `now` by
    /// more than [`Policy::clock_skew_seconds`] ([`SignedMessageError::Time`]).
    ///
    /// How long ago the status was set is for the hub that takes it to judge (against its own
    /// clock, or the first hub's trace entry): an archived status verifies years later.
    pub fn verify_signed(
        bytes: &[u8],
        trust: &TrustStore,
        policy: &Policy,
        agencies: &dyn AgencyCertificates,
        now: OffsetDateTime,
    ) -> Result<VerifiedStatus, SignedMessageError> {
        let what = "status message";
        let checked = signed::verify(bytes, what, Self::MAX_SIGNED_BYTES, trust, policy, now)?;
        let message = StatusMessage::from_json(&checked.payload).map_err(|e| {
            SignedMessageError::Content {
                what,
                reason: e.to_string(),
            }
        })?;
        checked
            .chain
            .check_organization(&message.from, policy.organization_binding, Some(agencies))
            .map_err(|_| SignedMessageError::WrongSigner {
                what,
                signer: checked.chain.subject().to_string(),
                claimed: format!("agency {}", message.from),
            })?;
        check_times(&message, checked.signing_time, policy, now)?;
        Ok(VerifiedStatus {
            message,
            signer: checked.chain.subject().clone(),
            bytes: std::sync::Arc::from(bytes.trim_ascii()),
            signed_content: checked.signed_content,
            signing_time: checked.signing_time,
        })
    }
}

/// The status's own time against its signing time and the clock.
fn check_times(
    message: &StatusMessage,
    signing_time: OffsetDateTime,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<(), SignedMessageError> {
    let what = "status message";
    let window = time::Duration::seconds(i64::from(policy.status_time_window_seconds));
    let skew = time::Duration::seconds(i64::from(policy.clock_skew_seconds));
    if (message.time - signing_time).abs() > window {
        return Err(SignedMessageError::Time {
            what,
            reason: format!(
                "it states the time {}, but was signed at {}; the policy allows {} seconds between them",
                message.time, signing_time, policy.status_time_window_seconds
            ),
        });
    }
    if message.time > now + skew {
        return Err(SignedMessageError::Time {
            what,
            reason: format!(
                "it states the time {}, ahead of the clock ({now}) by more than the policy's {} seconds of skew",
                message.time, policy.clock_skew_seconds
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_two_digits() {
        for c in StatusCode::ALL {
            assert_eq!(StatusCode::from_code(c.code()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(serde_json::from_str::<StatusCode>(&json).unwrap(), c);
        }
        assert_eq!(StatusCode::from_code("1"), None);
        assert!(serde_json::from_str::<StatusCode>("\"14\"").is_err());
        assert!(serde_json::from_str::<StatusCode>("3").is_err());
    }
}
