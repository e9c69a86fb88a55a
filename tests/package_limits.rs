//! Untrusted bytes: every limit, duplicate keys, number range, malformed and hostile input.

mod package_support;

use std::time::Instant;

use edoc::{DocumentError, JsonError, Limits, Package, PackageError};
use package_support::*;
use serde_json::{json, Value};

fn parse_with(v: &Value, limits: &Limits) -> Result<Package, PackageError> {
    Package::parse(&serde_json::to_vec(v).expect("value"), limits)
}

fn json_err(r: Result<Package, PackageError>) -> JsonError {
    match r {
        Err(PackageError::Json(e)) => e,
        other => panic!("expected a JSON error, got {other:?}"),
    }
}

/// The package text with `"key":` replaced by `"key":<value>,"key":` at its first occurrence
/// after `after`, which duplicates the key in that object.
fn duplicate_key(after: &str, key: &str, value: &str) -> Vec<u8> {
    let text = String::from_utf8(full_package().to_json()).expect("utf-8");
    let start = text.find(after).expect("anchor") + after.len();
    let needle = format!("\"{key}\":");
    let at = start + text[start..].find(&needle).expect("key");
    let mut out = text[..at].to_owned();
    out.push_str(&format!("{needle}{value},"));
    out.push_str(&text[at..]);
    out.into_bytes()
}

#[test]
fn duplicate_key_at_depth_one_is_refused() {
    let bytes = duplicate_key("", "edoc", "1");
    assert_eq!(
        json_err(Package::parse(&bytes, &Limits::default())),
        JsonError::DuplicateKey {
            path: "$".into(),
            key: "edoc".into()
        }
    );
}

#[test]
fn duplicate_key_at_depth_three_is_refused() {
    let bytes = duplicate_key("\"sender\":", "id", "\"000.00.01.H57\"");
    assert_eq!(
        json_err(Package::parse(&bytes, &Limits::default())),
        JsonError::DuplicateKey {
            path: "header.sender".into(),
            key: "id".into()
        }
    );
}

#[test]
fn duplicate_key_inside_extensions_is_refused_even_when_escaped() {
    let text = String::from_utf8(full_package().to_json()).expect("utf-8");
    let text = text.replacen("\"book\":", "\"b\\u006fok\":\"X\",\"book\":", 1);
    assert_eq!(
        json_err(Package::parse(text.as_bytes(), &Limits::default())),
        JsonError::DuplicateKey {
            path: "header.extensions[\"vn.hue.registryBook\"]".into(),
            key: "book".into()
        }
    );
}

#[test]
fn integers_from_two_to_the_53_are_refused_with_their_path() {
    let mut v = package_value();
    v["header"]["extensions"]["big"] = json!(9_007_199_254_740_992u64);
    assert_eq!(
        json_err(parse_value(&v)),
        JsonError::NumberOutOfRange {
            path: "header.extensions.big".into()
        }
    );
    v["header"]["extensions"]["big"] = json!(-9_007_199_254_740_992i64);
    assert!(matches!(
        json_err(parse_value(&v)),
        JsonError::NumberOutOfRange { .. }
    ));
    v["header"]["extensions"]["big"] = json!(9_007_199_254_740_991u64);
    assert!(parse_value(&v).is_ok());
    let mut v = package_value();
    v["header"]["attachments"][0]["size"] = json!(1u64 << 53);
    assert_eq!(
        json_err(parse_value(&v)),
        JsonError::NumberOutOfRange {
            path: "header.attachments[0].size".into()
        }
    );
}

#[test]
fn total_size_limit_is_enforced_before_parsing() {
    let bytes = full_package().to_json();
    let limits = Limits {
        max_package_bytes: bytes.len() - 1,
        ..Limits::default()
    };
    assert_eq!(
        json_err(Package::parse(&bytes, &limits)),
        JsonError::TooLarge {
            size: bytes.len(),
            limit: bytes.len() - 1
        }
    );
    let limits = Limits {
        max_package_bytes: bytes.len(),
        ..Limits::default()
    };
    assert!(Package::parse(&bytes, &limits).is_ok());
}

#[test]
fn header_size_limit_is_enforced_on_the_canonical_form() {
    let p = full_package();
    let size = p.canonical_header().len();
    let limits = Limits {
        max_header_bytes: size - 1,
        ..Limits::default()
    };
    match Package::parse(&p.to_json(), &limits) {
        Err(PackageError::HeaderTooLarge { size: s, limit }) => {
            assert_eq!((s, limit), (size, size - 1))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn depth_limit_is_enforced_inside_extensions() {
    let mut v = package_value();
    v["header"]["extensions"]["deep"] = json!([[[[[[]]]]]]);
    let limits = Limits {
        max_depth: 6,
        ..Limits::default()
    };
    assert_eq!(
        json_err(parse_with(&v, &limits)),
        JsonError::TooDeep {
            path: "header.extensions.deep[0][0][0]".into(),
            limit: 6
        }
    );
}

#[test]
fn ten_thousand_open_brackets_are_refused_fast_without_overflowing_the_stack() {
    let start = Instant::now();
    let bytes = "[".repeat(10_000);
    assert!(matches!(
        json_err(Package::parse(bytes.as_bytes(), &Limits::default())),
        JsonError::TooDeep { limit: 32, .. }
    ));
    let inside = format!(
        "{{\"edoc\":1,\"header\":{{\"extensions\":{}",
        "[".repeat(10_000)
    );
    assert!(matches!(
        json_err(Package::parse(inside.as_bytes(), &Limits::default())),
        JsonError::TooDeep { limit: 32, .. }
    ));
    // Printed, not asserted: timing depends on the machine.
    println!("two 10 000-deep inputs refused in {:?}", start.elapsed());
}

#[test]
fn recipient_limit_counts_main_and_copy_recipients() {
    let v = package_value();
    let limits = Limits {
        max_recipients: 2,
        ..Limits::default()
    };
    match parse_with(&v, &limits) {
        Err(PackageError::Header(DocumentError::TooMany {
            field: "recipients",
            count: 3,
            limit: 2,
        })) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn attachment_and_extension_limits_are_enforced() {
    let v = package_value();
    let limits = Limits {
        max_attachments: 1,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with(&v, &limits),
        Err(PackageError::Header(DocumentError::TooMany {
            field: "attachments",
            count: 2,
            limit: 1
        }))
    ));
    let limits = Limits {
        max_extension_entries: 1,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with(&v, &limits),
        Err(PackageError::Header(DocumentError::TooMany {
            field: "extensions",
            count: 2,
            limit: 1
        }))
    ));
}

#[test]
fn signature_and_trace_limits_are_enforced() {
    let v = package_value();
    let limits = Limits {
        max_signatures: 1,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with(&v, &limits),
        Err(PackageError::TooMany {
            field: "signatures",
            count: 2,
            limit: 1
        })
    ));
    let limits = Limits {
        max_trace_entries: 0,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with(&v, &limits),
        Err(PackageError::TooMany {
            field: "trace",
            count: 1,
            limit: 0
        })
    ));
}

#[test]
fn string_limit_applies_to_header_and_signature_strings_but_not_inline_data() {
    let mut v = package_value();
    let limits = Limits {
        max_string_bytes: 71,
        ..Limits::default()
    };
    assert_eq!(v["attachments"][0]["data"].as_str().map(str::len), Some(72));
    // The inline data (72 base64 characters) is exempt; an 80-byte subject is not.
    v["header"]["subject"] = json!("s".repeat(80));
    assert_eq!(
        json_err(parse_with(&v, &limits)),
        JsonError::StringTooLong {
            path: "header.subject".into(),
            length: 80,
            limit: 71
        }
    );
    let limits = Limits {
        max_string_bytes: 100,
        ..Limits::default()
    };
    v["signatures"]["signatures"][1]["signature"] = json!("A".repeat(101));
    assert_eq!(
        json_err(parse_with(&v, &limits)),
        JsonError::StringTooLong {
            path: "signatures.signatures[1].signature".into(),
            length: 101,
            limit: 100
        }
    );
}

#[test]
fn non_utf8_bytes_are_a_syntax_error() {
    let mut bytes = full_package().to_json();
    let at = bytes
        .windows(3)
        .position(|w| w == b"Hu\xe1")
        .expect("a Vietnamese place name");
    bytes[at + 2] = 0xff;
    assert!(matches!(
        json_err(Package::parse(&bytes, &Limits::default())),
        JsonError::Syntax { .. }
    ));
}

#[test]
fn every_truncation_of_a_valid_package_is_a_syntax_error() {
    let bytes = full_package().to_json();
    for n in 0..bytes.len() {
        match Package::parse(&bytes[..n], &Limits::default()) {
            Err(PackageError::Json(JsonError::Syntax { .. })) => {}
            other => panic!("prefix of {n} bytes: {other:?}"),
        }
    }
}

#[test]
fn inline_content_must_be_in_the_manifest_once_and_standard_base64() {
    let mut v = package_value();
    v["attachments"][0]["name"] = json!("other.pdf");
    assert!(matches!(
        parse_value(&v),
        Err(PackageError::NotInManifest { ref name }) if name == "other.pdf"
    ));
    let mut v = package_value();
    let first = v["attachments"][0].clone();
    v["attachments"].as_array_mut().expect("array").push(first);
    assert!(matches!(
        parse_value(&v),
        Err(PackageError::DuplicateInline { ref name }) if name == "ke-hoach.pdf"
    ));
    for bad in ["JVBERi0xLjc", "JVBERi0x_-c=", "JVBE Ri0x", "JVBERi0xLjc=="] {
        let mut v = package_value();
        v["attachments"][0]["data"] = json!(bad);
        assert!(
            matches!(parse_value(&v), Err(PackageError::Base64 { ref name }) if name == "ke-hoach.pdf"),
            "{bad}"
        );
    }
}

#[test]
fn arbitrary_byte_soup_never_panics() {
    // A cheap stand-in for fuzzing: mutate every byte of a valid package in turn.
    let bytes = full_package().to_json();
    let mut parsed = 0usize;
    for i in (0..bytes.len()).step_by(3) {
        for b in [b'{', b'"', b'\\', b'0', 0x80, b']'] {
            let mut m = bytes.clone();
            m[i] = b;
            if Package::parse(&m, &Limits::default()).is_ok() {
                parsed += 1;
            }
        }
    }
    println!("mutants that still parse: {parsed}");
}
