//! How the CLI writes things for a clerk: times in RFC 3339 in Vietnam's zone (UTC+07:00, the
//! zone documents are dated in), and urgency, confidentiality and roles by their names.

use edoc::{Commitment, Confidentiality, Urgency};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// Vietnam's zone: UTC+07:00 all year.
pub(crate) fn vietnam() -> UtcOffset {
    UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC)
}

/// `2025-07-02T17:00:00+07:00`.
pub(crate) fn time_text(t: OffsetDateTime) -> String {
    t.to_offset(vietnam())
        .format(&Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

/// The urgency (độ khẩn) by its Vietnamese name, with the edXML code.
pub(crate) fn urgency(u: Urgency) -> String {
    match u {
        Urgency::Normal => "Thường (normal, code 0)".to_owned(),
        Urgency::Urgent => "Khẩn (urgent, code 1)".to_owned(),
        Urgency::VeryUrgent => "Thượng khẩn (very urgent, code 2)".to_owned(),
        Urgency::Express => "Hỏa tốc (express, code 3)".to_owned(),
        Urgency::ExpressAtSetTime(at) => {
            format!(
                "Hỏa tốc hẹn giờ (express at a set time, code 4): {}",
                time_text(at)
            )
        }
    }
}

/// The confidentiality (độ mật) by its Vietnamese name.
pub(crate) fn confidentiality(c: Confidentiality) -> &'static str {
    match c {
        Confidentiality::None => "Không (not classified)",
        Confidentiality::Confidential => "Mật (confidential)",
        Confidentiality::Secret => "Tối mật (secret)",
        Confidentiality::TopSecret => "Tuyệt mật (top secret)",
    }
}

/// A signature's role in a short word.
pub(crate) fn role(c: Option<Commitment>) -> &'static str {
    match c {
        Some(Commitment::ProofOfApproval) => "approval",
        Some(Commitment::ProofOfOrigin) => "seal",
        Some(Commitment::ProofOfReceipt) => "receipt",
        None => "no commitment",
    }
}

/// A signature's role as the subject of a sentence.
pub(crate) fn role_noun(c: Option<Commitment>) -> &'static str {
    match c {
        Some(Commitment::ProofOfOrigin) => "seal",
        Some(Commitment::ProofOfReceipt) => "receipt",
        _ => "signature",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_in_vietnam() {
        let t = time::macros::datetime!(2031-01-01 0:00 UTC);
        assert_eq!(time_text(t), "2031-01-01T07:00:00+07:00");
    }
}
