//! Shared helpers for the package tests: a realistic header and package, and JSON surgery.
#![allow(dead_code)] // Each test binary uses a different subset.

use edoc::{
    Agency, AttachmentEntry, BusinessAction, Competence, Confidentiality, DocumentId, Header,
    HeaderBuilder, InReplyTo, JwsSignature, Limits, Package, PackageError, TraceEntry, Urgency,
};
use serde_json::{json, Value};
use time::macros::{date, datetime};

pub(crate) fn agency(code: &str, name: &str) -> Agency {
    Agency::new(code.parse().expect("test agency code"), name)
}

/// The inline attachment content used by `full_package`.
pub(crate) const PLAN: &[u8] = b"%PDF-1.7 plan for 100% of houses before 18 July 2025";
/// The detached attachment content used by `full_package`.
pub(crate) const SCAN: &[u8] = b"detached scan bytes, kept beside the package";

/// A builder with every required field set, for the city writing to two communes.
pub(crate) fn builder() -> HeaderBuilder {
    HeaderBuilder::new()
        .sender(agency("000.00.00.H57", "Ủy ban nhân dân thành phố Huế"))
        .recipient(agency("000.01.05.H57", "Ủy ban nhân dân xã A Lưới 1"))
        .recipient(agency("000.02.05.H57", "Ủy ban nhân dân xã A Lưới 2"))
        .document_type("KH", "Kế hoạch")
        .number_and_notation("145", "KH-UBND")
        .issued("Huế", date!(2025 - 07 - 01))
        .subject("Kế hoạch xóa nhà tạm, nhà dột nát")
        .signatory("Nguyễn Văn A", "Phó Chủ tịch", Competence::Deputy)
}

/// A header that uses every optional field.
pub(crate) fn full_header() -> Header {
    builder()
        .copy_recipient(agency("000.00.05.H57", "Sở Tài chính"))
        .summary("Hoàn thành 100% trước hội nghị sơ kết ngày 18/7/2025.\nDòng thứ hai.")
        .urgency(Urgency::ExpressAtSetTime(
            datetime!(2025-07-02 08:00 +07:00),
        ))
        .confidentiality(Confidentiality::None)
        .due_date(date!(2025 - 07 - 18))
        .in_reply_to(InReplyTo {
            agency: "000.01.05.H57".parse().expect("code"),
            code: "12/BC-UBND".into(),
            date: date!(2025 - 06 - 20),
            document_id: "000.01.05.H57,2025/06/20,12/BC-UBND".parse().expect("id"),
        })
        .steering_type(1)
        .page_count(3)
        .action(BusinessAction::Replace(
            "000.00.00.H57,2025/06/30,140/KH-UBND".parse().expect("id"),
        ))
        .extension("vn.hue.registryBook", json!({"book": "KH", "seq": 145}))
        .extension("vn.hue.flags", json!([true, null, 1.5, "x"]))
        .attachment(
            AttachmentEntry::for_bytes("ke-hoach.pdf", "application/pdf", PLAN)
                .expect("entry")
                .with_description("Kế hoạch"),
        )
        .attachment(AttachmentEntry::for_bytes("scan.tiff", "image/tiff", SCAN).expect("entry"))
        .build()
        .expect("full header is valid")
}

/// A package with one inline and one detached attachment, two signatures and a trace entry.
pub(crate) fn full_package() -> Package {
    let mut p =
        Package::new(full_header(), [("ke-hoach.pdf".to_owned(), PLAN.to_vec())]).expect("package");
    p.push_signature(JwsSignature {
        protected: "eyJhbGciOiJFUzI1NiJ9".into(),
        signature: "c2lnbmF0dXJlLTE".into(),
    });
    p.push_signature(JwsSignature {
        protected: "eyJhbGciOiJQUzI1NiJ9".into(),
        signature: "c2lnbmF0dXJlLTI".into(),
    });
    p.push_trace(TraceEntry {
        payload: "eyJodWIiOiIwMDAuMDAuMDAuSDU3In0".into(),
        protected: "eyJhbGciOiJFUzI1NiJ9".into(),
        signature: "aG9w".into(),
    });
    p
}

/// The package's JSON as a value, for editing.
pub(crate) fn package_value() -> Value {
    serde_json::from_slice(&full_package().to_json()).expect("own output is JSON")
}

/// Parses an edited value with default limits.
pub(crate) fn parse_value(v: &Value) -> Result<Package, PackageError> {
    Package::parse(&serde_json::to_vec(v).expect("value"), &Limits::default())
}

pub(crate) fn doc_id(s: &str) -> DocumentId {
    s.parse().expect("document id")
}
