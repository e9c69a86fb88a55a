//! Round trips, determinism and canonical bytes of the package format.

mod package_support;

use edoc::{Limits, Package};
use package_support::*;
use serde_json::Value;

#[test]
fn full_package_round_trips_to_an_equal_model_and_identical_bytes() {
    let p = full_package();
    let bytes = p.to_json();
    let back = Package::parse(&bytes, &Limits::default()).expect("parses");
    assert_eq!(back, p);
    assert_eq!(back.header(), p.header());
    assert_eq!(back.to_json(), bytes);
}

#[test]
fn minimal_header_round_trips() {
    let header = builder().build().expect("valid");
    let p = Package::new(header, []).expect("package");
    let back = Package::parse(&p.to_json(), &Limits::default()).expect("parses");
    assert_eq!(back, p);
    assert!(back.signatures().is_empty());
    assert!(back.trace().is_empty());
}

#[test]
fn header_round_trips_through_serde_alone() {
    let h = full_header();
    let s = serde_json::to_string(&h).expect("serializes");
    let back: edoc::Header = serde_json::from_str(&s).expect("deserializes");
    assert_eq!(back, h);
}

#[test]
fn extension_insertion_order_does_not_change_the_bytes() {
    let a = builder()
        .extension("b", serde_json::json!(1))
        .extension("a", serde_json::json!(2))
        .build()
        .expect("valid");
    let b = builder()
        .extension("a", serde_json::json!(2))
        .extension("b", serde_json::json!(1))
        .build()
        .expect("valid");
    assert_eq!(
        Package::new(a, []).expect("p").to_json(),
        Package::new(b, []).expect("p").to_json()
    );
}

/// Writes JSON pretty-printed, with every object's keys in reverse order and every ASCII
/// letter `A`..`Z` in strings written as a `\u00XX` escape.
fn reformat(v: &Value, indent: usize, out: &mut String) {
    let pad = "  ".repeat(indent + 1);
    match v {
        Value::Object(m) => {
            out.push_str("{\n");
            let keys: Vec<_> = m.keys().rev().collect();
            for (i, k) in keys.iter().enumerate() {
                out.push_str(&pad);
                escape(k, out);
                out.push_str(" :\t");
                reformat(&m[k.as_str()], indent + 1, out);
                if i + 1 < keys.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        Value::Array(a) => {
            out.push_str("[ ");
            for (i, x) in a.iter().enumerate() {
                reformat(x, indent + 1, out);
                if i + 1 < a.len() {
                    out.push_str(" ,\r\n");
                }
            }
            out.push_str(" ]");
        }
        Value::String(s) => escape(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn escape(s: &str, out: &mut String) {
    let plain = serde_json::to_string(s).expect("string");
    for c in plain.chars() {
        if c.is_ascii_uppercase() {
            out.push_str(&format!("\\u{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
}

#[test]
fn reformatted_package_has_identical_canonical_header_bytes() {
    let p = full_package();
    let v: Value = serde_json::from_slice(&p.to_json()).expect("json");
    let mut text = String::new();
    reformat(&v, 0, &mut text);
    assert!(
        text.contains("\\u0041") || text.contains("\\u0048"),
        "escapes were written"
    );
    assert_ne!(text.as_bytes(), p.to_json().as_slice());
    let back = Package::parse(text.as_bytes(), &Limits::default()).expect("reformatted parses");
    assert_eq!(back.canonical_header(), p.canonical_header());
    assert_eq!(
        back.header().canonical_bytes(),
        p.header().canonical_bytes()
    );
    assert_eq!(back, p);
}

#[test]
fn canonical_header_is_sorted_compact_and_differs_when_a_field_changes() {
    let p = full_package();
    let canon = String::from_utf8(p.canonical_header().to_vec()).expect("utf-8");
    assert!(!canon.contains('\n') && !canon.contains(": "));
    // RFC 8785 §3.2.3: keys sorted by UTF-16 code units, at every level.
    let v: Value = serde_json::from_str(&canon).expect("json");
    let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(canon.starts_with("{\"action\":3,\"actionTarget\":"));
    let other = builder().subject("Khác").build().expect("valid");
    assert_ne!(other.canonical_bytes(), full_header().canonical_bytes());
}

#[test]
fn canonical_header_covers_the_attachment_manifest() {
    let p = full_package();
    let canon = String::from_utf8(p.canonical_header().to_vec()).expect("utf-8");
    let plan = p.header().attachment("ke-hoach.pdf").expect("entry");
    let hex: String = plan.sha256().iter().map(|b| format!("{b:02x}")).collect();
    assert!(canon.contains(&hex));
    assert!(canon.contains("\"size\":52"));
    assert!(canon.contains("scan.tiff"));
}
