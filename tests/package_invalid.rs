//! Every invalid header field and combination is refused with its own typed error, whether it
//! comes from the builder or from received JSON.

mod package_support;

use edoc::{
    AttachmentEntry, BusinessAction, DocumentError, DocumentId, HeaderBuilder, Package,
    PackageError, Urgency,
};
use package_support::*;
use serde_json::{json, Value};
use time::macros::date;

fn header_err(v: &Value) -> DocumentError {
    match parse_value(v) {
        Err(PackageError::Header(e)) => e,
        other => panic!("expected a header error, got {other:?}"),
    }
}

fn edit(f: impl FnOnce(&mut Value)) -> Value {
    let mut v = package_value();
    f(&mut v);
    v
}

#[test]
fn no_recipients_is_refused() {
    let err = HeaderBuilder::new()
        .sender(agency("000.00.00.H57", "UBND"))
        .document_type("CV", "Công văn")
        .number_and_notation("1", "UBND")
        .issued("Huế", date!(2025 - 07 - 01))
        .subject("x")
        .signatory("A", "B", edoc::Competence::None)
        .build();
    assert_eq!(err, Err(DocumentError::NoRecipients));
    let v = edit(|v| v["header"]["recipients"] = json!([]));
    assert_eq!(header_err(&v), DocumentError::NoRecipients);
}

#[test]
fn recipient_equal_to_sender_is_refused_by_name_and_code() {
    let err = builder()
        .recipient(agency("000.00.00.H57", "UBND thành phố Huế"))
        .build();
    assert_eq!(
        err,
        Err(DocumentError::RecipientIsSender {
            agency: "UBND thành phố Huế (000.00.00.H57)".into()
        })
    );
}

#[test]
fn duplicate_recipient_across_main_and_copy_is_refused() {
    let err = builder()
        .copy_recipient(agency("000.01.05.H57", "Xã A Lưới 1"))
        .build();
    assert_eq!(
        err,
        Err(DocumentError::DuplicateRecipient {
            agency: "Xã A Lưới 1 (000.01.05.H57)".into()
        })
    );
}

#[test]
fn due_date_before_issue_date_is_refused() {
    let err = builder().due_date(date!(2025 - 06 - 30)).build();
    assert_eq!(
        err,
        Err(DocumentError::DueBeforeIssue {
            due: date!(2025 - 06 - 30),
            issued: date!(2025 - 07 - 01)
        })
    );
    // The same day is allowed.
    assert!(builder().due_date(date!(2025 - 07 - 01)).build().is_ok());
}

#[test]
fn revoke_update_replace_without_target_are_refused() {
    for (code, action) in [(1, "revoke"), (2, "update"), (3, "replace")] {
        let v = edit(|v| {
            let h = v["header"].as_object_mut().expect("header");
            h.insert("action".into(), json!(code));
            h.remove("actionTarget");
        });
        assert_eq!(
            header_err(&v),
            DocumentError::ActionWithoutTarget { action },
            "code {code}"
        );
    }
}

#[test]
fn target_on_new_is_refused() {
    let v = edit(|v| v["header"]["action"] = json!(0));
    assert_eq!(header_err(&v), DocumentError::TargetOnNew);
}

#[test]
fn unknown_action_and_urgency_codes_are_refused() {
    let v = edit(|v| v["header"]["action"] = json!(4));
    assert_eq!(
        header_err(&v),
        DocumentError::UnknownCode {
            field: "action",
            code: 4
        }
    );
    let v = edit(|v| v["header"]["urgency"] = json!(5));
    assert_eq!(
        header_err(&v),
        DocumentError::UnknownCode {
            field: "urgency",
            code: 5
        }
    );
}

#[test]
fn express_at_set_time_needs_its_time_and_others_must_not_have_one() {
    let v = edit(|v| {
        v["header"]
            .as_object_mut()
            .expect("header")
            .remove("urgencySetTime");
    });
    assert_eq!(header_err(&v), DocumentError::SetTimeMissing);
    let v = edit(|v| v["header"]["urgency"] = json!(3));
    assert_eq!(header_err(&v), DocumentError::SetTimeNotExpected);
}

#[test]
fn duplicate_attachment_names_are_refused() {
    let e = AttachmentEntry::for_bytes("a.pdf", "application/pdf", b"x").expect("entry");
    let err = builder().attachment(e.clone()).attachment(e).build();
    assert_eq!(
        err,
        Err(DocumentError::DuplicateAttachment {
            name: "a.pdf".into()
        })
    );
}

#[test]
fn unsafe_attachment_names_are_refused() {
    let long = "a".repeat(256);
    for (name, reason) in [
        ("../etc/passwd", "it contains a path separator"),
        ("a\\b.pdf", "it contains a path separator"),
        ("C:x.pdf", "it contains a path separator"),
        ("a\u{7}.pdf", "it contains a control character"),
        ("a\n.pdf", "it contains a control character"),
        ("..", "it names a directory"),
        (".", "it names a directory"),
        ("", "it is empty"),
        (" a.pdf", "it has leading or trailing spaces"),
        (long.as_str(), "it is longer than 255 bytes"),
    ] {
        let err = AttachmentEntry::for_bytes(name, "application/pdf", b"x");
        assert_eq!(
            err,
            Err(DocumentError::AttachmentName {
                name: name.chars().take(64).collect(),
                reason
            }),
            "{name:?}"
        );
    }
    let v = edit(|v| v["header"]["attachments"][1]["name"] = json!("../scan.tiff"));
    assert!(matches!(
        header_err(&v),
        DocumentError::AttachmentName { .. }
    ));
}

#[test]
fn malformed_media_type_and_digest_are_refused_with_their_field() {
    let err = AttachmentEntry::for_bytes("a.pdf", "pdf", b"x");
    assert!(matches!(
        err,
        Err(DocumentError::InvalidField { ref field, .. }) if field == "attachments.mediaType"
    ));
    let v = edit(|v| v["header"]["attachments"][0]["mediaType"] = json!("application/pdf; x"));
    assert!(matches!(
        header_err(&v),
        DocumentError::InvalidField { ref field, .. } if field == "attachments[0].mediaType"
    ));
    for bad in ["00", &"A".repeat(64), &"g".repeat(64)] {
        let v = edit(|v| v["header"]["attachments"][1]["sha256"] = json!(bad));
        assert!(matches!(
            header_err(&v),
            DocumentError::InvalidField { ref field, .. } if field == "attachments[1].sha256"
        ));
    }
    let v = edit(|v| v["header"]["attachments"][1]["size"] = json!(-1));
    assert!(matches!(
        parse_value(&v),
        Err(PackageError::Structure { .. })
    ));
}

#[test]
fn empty_or_control_character_text_fields_are_refused_with_their_path() {
    for (path, value) in [
        ("subject", json!("  ")),
        ("place", json!("")),
        ("number", json!("1\u{0}")),
        ("notation", json!("a\tb")),
    ] {
        let v = edit(|v| v["header"][path] = value.clone());
        assert!(
            matches!(header_err(&v), DocumentError::InvalidField { ref field, .. } if field == path),
            "{path}"
        );
    }
    let v = edit(|v| v["header"]["recipients"][1]["name"] = json!(""));
    assert!(matches!(
        header_err(&v),
        DocumentError::InvalidField { ref field, .. } if field == "recipients[1].name"
    ));
    let v = edit(|v| v["header"]["signatory"]["fullName"] = json!(""));
    assert!(matches!(
        header_err(&v),
        DocumentError::InvalidField { ref field, .. } if field == "signatory.fullName"
    ));
    // Free text may hold line breaks.
    assert!(builder().subject("một\ndòng").build().is_ok());
}

#[test]
fn missing_builder_fields_are_named() {
    assert_eq!(
        HeaderBuilder::new().build(),
        Err(DocumentError::Missing { field: "sender" })
    );
    let no_subject = HeaderBuilder::new()
        .sender(agency("000.00.00.H57", "UBND"))
        .recipient(agency("000.00.01.H57", "Sở"))
        .document_type("CV", "Công văn")
        .number_and_notation("1", "UBND")
        .issued("Huế", date!(2025 - 07 - 01))
        .build();
    assert_eq!(no_subject, Err(DocumentError::Missing { field: "subject" }));
}

#[test]
fn document_ids_are_validated() {
    assert!(matches!(
        "".parse::<DocumentId>(),
        Err(DocumentError::DocumentId {
            reason: "must not be empty",
            ..
        })
    ));
    assert!(matches!(
        "a\u{1}b".parse::<DocumentId>(),
        Err(DocumentError::DocumentId {
            reason: "contains a control character",
            ..
        })
    ));
    assert!(matches!(
        " a".parse::<DocumentId>(),
        Err(DocumentError::DocumentId {
            reason: "has leading or trailing spaces",
            ..
        })
    ));
    assert!(matches!(
        "x".repeat(257).parse::<DocumentId>(),
        Err(DocumentError::DocumentId {
            reason: "is longer than 256 bytes",
            ..
        })
    ));
    let v = edit(|v| v["header"]["id"] = json!(""));
    assert!(matches!(
        parse_value(&v),
        Err(PackageError::Structure { ref reason, .. }) if reason.contains("document id")
    ));
}

#[test]
fn builder_generates_the_edxml_id_unless_given() {
    let h = builder().build().expect("valid");
    assert_eq!(h.id().as_str(), "000.00.00.H57,2025/07/01,145/KH-UBND");
    let h = builder()
        .id(doc_id("000.00.00.H57,custom-1"))
        .build()
        .expect("valid");
    assert_eq!(h.id().as_str(), "000.00.00.H57,custom-1");
    // An id is the sender's own: it begins with the sender's code.
    assert!(matches!(
        builder().id(doc_id("custom-1")).build(),
        Err(DocumentError::IdNotFromSender { ref id, sender }) if id == "custom-1" && sender.to_string() == "000.00.00.H57"
    ));
}

#[test]
fn invalid_agency_code_unknown_fields_and_wrong_types_are_structure_errors_with_a_path() {
    for (v, want_path, want_reason) in [
        (
            edit(|v| v["header"]["sender"]["id"] = json!("000.00.00.h57")),
            "header.sender.id",
            "capital letter",
        ),
        (
            edit(|v| v["header"]["colour"] = json!("red")),
            "header",
            "colour",
        ),
        (edit(|v| v["extra"] = json!(1)), "$", "extra"),
        (
            edit(|v| v["signatures"]["payload"] = json!("")),
            "signatures",
            "payload",
        ),
        (
            edit(|v| v["signatures"]["signatures"][0]["header"] = json!({})),
            "signatures.signatures[0]",
            "header",
        ),
        (
            edit(|v| v["trace"][0]["extra"] = json!("")),
            "trace[0]",
            "extra",
        ),
        (
            edit(|v| v["attachments"][0]["size"] = json!(1)),
            "attachments[0]",
            "size",
        ),
        (
            edit(|v| v["header"]["issueDate"] = json!("2025-7-1")),
            "header.issueDate",
            "",
        ),
        (
            edit(|v| v["header"]["urgency"] = json!("0")),
            "header.urgency",
            "invalid type",
        ),
        (
            edit(|v| {
                v.as_object_mut().expect("object").remove("trace");
            }),
            "$",
            "missing field `trace`",
        ),
    ] {
        match parse_value(&v) {
            Err(PackageError::Structure { path, reason, .. }) => {
                assert_eq!(path, want_path, "{reason}");
                assert!(reason.contains(want_reason), "{reason}");
            }
            other => panic!("{v}: {other:?}"),
        }
    }
}

#[test]
fn other_format_versions_are_refused_by_number() {
    for (value, found) in [
        (json!(2), "2"),
        (json!(0), "0"),
        (json!("1"), "\"1\""),
        (json!(1.5), "1.5"),
    ] {
        let v = edit(|v| v["edoc"] = value.clone());
        match parse_value(&v) {
            Err(PackageError::UnsupportedVersion { found: f }) => assert_eq!(f, found),
            other => panic!("{value}: {other:?}"),
        }
    }
    let v = edit(|v| {
        v.as_object_mut().expect("object").remove("edoc");
    });
    assert!(matches!(
        parse_value(&v),
        Err(PackageError::UnsupportedVersion { .. })
    ));
    let msg = parse_value(&edit(|v| v["edoc"] = json!(2)))
        .expect_err("refused")
        .to_string();
    assert_eq!(
        msg,
        "unsupported package version 2; this library reads version 1"
    );
}

#[test]
fn unsafe_extension_value_from_the_builder_is_refused() {
    let err = builder()
        .extension("n", json!(9_007_199_254_740_992u64))
        .build();
    assert!(matches!(
        err,
        Err(DocumentError::Extension { ref key, source: edoc::JsonError::NumberOutOfRange { .. } }) if key == "n"
    ));
}

#[test]
fn revoke_with_target_and_urgency_order_are_modelled() {
    let h = builder()
        .action(BusinessAction::Revoke(doc_id("000.00.00.H57,x")))
        .urgency(Urgency::VeryUrgent)
        .build()
        .expect("valid");
    assert_eq!(h.action().code(), 1);
    assert_eq!(h.action().target(), Some(&doc_id("000.00.00.H57,x")));
    let p = Package::new(h, []).expect("package");
    let back = Package::parse(&p.to_json(), &edoc::Limits::default()).expect("parses");
    assert_eq!(back.header().urgency(), Urgency::VeryUrgent);
    assert!(Urgency::Express > Urgency::VeryUrgent);
    let early = Urgency::ExpressAtSetTime(time::macros::datetime!(2025-07-02 08:00 +07:00));
    let late = Urgency::ExpressAtSetTime(time::macros::datetime!(2025-07-02 09:00 +07:00));
    assert!(early > late && late > Urgency::Express);
}

#[test]
fn header_not_in_normal_form_is_refused_so_signed_bytes_match_the_meaning() {
    for (field, v) in [
        (
            "header.summary",
            edit(|v| v["header"]["summary"] = Value::Null),
        ),
        (
            "header.pageCount",
            edit(|v| v["header"]["pageCount"] = Value::Null),
        ),
        (
            "header.urgencySetTime",
            edit(|v| v["header"]["urgencySetTime"] = json!("2025-07-02T08:00:00.000+07:00")),
        ),
        (
            "header.extensions",
            edit(|v| v["header"]["extensions"] = json!({})),
        ),
    ] {
        match parse_value(&v) {
            Err(PackageError::HeaderNotNormal { field: f }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // The same instant written in normal form is accepted.
    let v = edit(|v| v["header"]["urgencySetTime"] = json!("2025-07-02T08:00:00+07:00"));
    assert!(parse_value(&v).is_ok());
}

#[test]
fn members_that_are_always_written_are_required() {
    for member in ["copyRecipients", "steeringType", "attachments"] {
        let v = edit(|v| {
            v["header"].as_object_mut().expect("header").remove(member);
        });
        match parse_value(&v) {
            Err(PackageError::Structure { path, reason, .. }) => {
                assert_eq!(path, "header");
                assert!(reason.contains(member), "{reason}");
            }
            other => panic!("{member}: {other:?}"),
        }
    }
}
