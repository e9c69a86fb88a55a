//! Hostile edXML is refused with a clear error that names the element path: an external
//! entity, billion laughs, 10 000-level nesting, a text node over the limit, a duplicated
//! MessageHeader, an unknown namespace, a ZIP bomb, and more. `edxml_memory.rs` measures the
//! memory each refusal takes.
#![cfg(feature = "edxml")]

use edoc::{import_edxml, EdxmlError, EdxmlImport, EdxmlLimits, EdxmlOptions};

#[path = "edxml_support/mod.rs"]
mod support;

use support::*;

fn path(e: &EdxmlError) -> &str {
    e.path().unwrap_or_default()
}

#[test]
fn the_valid_skeleton_imports() {
    let xml = document(&fields("Xin hướng dẫn"), "");
    assert!(matches!(
        import(xml.as_bytes()),
        Ok(EdxmlImport::Document(_))
    ));
}

#[test]
fn an_external_entity_is_refused_at_the_dtd() {
    let e = import(XXE.as_bytes()).unwrap_err();
    assert!(
        matches!(e, EdxmlError::Forbidden { ref what, .. } if what.contains("DTD")),
        "{e}"
    );
    assert!(e.to_string().contains("XXE"), "{e}");
}

#[test]
fn billion_laughs_is_refused_at_the_dtd() {
    let e = import(LAUGHS.as_bytes()).unwrap_err();
    assert!(
        matches!(e, EdxmlError::Forbidden { ref what, .. } if what.contains("DTD")),
        "{e}"
    );
}

#[test]
fn an_undeclared_entity_reference_is_refused_with_its_path() {
    let xml = document(&fields("a &xxe; b"), "");
    let e = import(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(e, EdxmlError::Forbidden { ref what, .. } if what.contains("&xxe;")),
        "{e}"
    );
    assert_eq!(
        path(&e),
        "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject"
    );
}

#[test]
fn ten_thousand_levels_of_nesting_stop_at_the_depth_limit() {
    let e = import(nested(10_000).as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            EdxmlError::Limit {
                field: "max_depth",
                found: 33,
                limit: 32,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        path(&e).starts_with("edXML/edXMLEnvelope/edXMLEnvelope/"),
        "{e}"
    );
}

#[test]
fn a_text_node_over_the_limit_is_refused_with_its_path() {
    let e = import(&huge_subject(100 << 10)).unwrap_err();
    assert!(
        matches!(
            e,
            EdxmlError::Limit {
                field: "max_text_bytes",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        path(&e),
        "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject"
    );
}

#[test]
fn a_duplicated_message_header_is_refused() {
    let e = import(duplicated_message_header().as_bytes()).unwrap_err();
    assert!(matches!(e, EdxmlError::Structure { .. }), "{e}");
    assert_eq!(path(&e), "edXML/edXMLEnvelope/edXMLHeader/MessageHeader[2]");
}

#[test]
fn an_unknown_namespace_is_refused_with_its_path() {
    let e = import(unknown_namespace().as_bytes()).unwrap_err();
    assert!(
        matches!(e, EdxmlError::Namespace { ref namespace, .. } if namespace == "http://evil.example/ns"),
        "{e}"
    );
    assert_eq!(
        path(&e),
        "edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Routing"
    );
}

#[test]
fn a_document_in_no_namespace_or_the_qd28_namespace_is_refused() {
    for xml in [
        "<edXML><edXMLEnvelope/></edXML>".to_owned(),
        r#"<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"/>"#.to_owned(),
    ] {
        let e = import(xml.as_bytes()).unwrap_err();
        assert!(matches!(e, EdxmlError::Namespace { .. }), "{e}");
    }
}

#[test]
fn a_zip_bomb_stops_at_the_attachment_limit() {
    let limits = EdxmlLimits {
        max_attachment_bytes: 1 << 20,
        ..EdxmlLimits::default()
    };
    let e = import_edxml(
        zip_bomb(4 << 20).as_bytes(),
        &limits,
        &EdxmlOptions::default(),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            EdxmlError::Limit {
                field: "max_attachment_bytes",
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(
        path(&e),
        "edXML/AttachmentEncoded/Attachment/ContentTransferEncoded"
    );
}

#[test]
fn a_processing_instruction_and_a_second_root_are_refused() {
    let pi = format!("<?xml version=\"1.0\"?><?xml-stylesheet href=\"x\"?><edXML xmlns=\"{NS}\"/>");
    assert!(matches!(
        import(pi.as_bytes()),
        Err(EdxmlError::Forbidden { .. })
    ));
    let two = format!("<edXML xmlns=\"{NS}\"/><edXML xmlns=\"{NS}\"/>");
    assert!(matches!(
        import(two.as_bytes()),
        Err(EdxmlError::Structure { .. } | EdxmlError::Syntax { .. })
    ));
}

#[test]
fn a_declared_encoding_other_than_utf8_is_refused() {
    let xml = format!("<?xml version=\"1.0\" encoding=\"windows-1258\"?><edXML xmlns=\"{NS}\"/>");
    let e = import(xml.as_bytes()).unwrap_err();
    assert!(
        matches!(e, EdxmlError::Syntax { ref reason, .. } if reason.contains("UTF-8")),
        "{e}"
    );
}
