//! Every edXML sample of ../shared/vectors/edxml (real files from public implementations, see
//! its SOURCE.md) is imported with no unmapped field and a report that names every field it
//! read; exporting the result and importing it again gives the same header, and the exported
//! `MessageHeader` says what the original said.
#![cfg(feature = "edxml")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use edoc::{
    export_edxml, export_edxml_status, import_edxml, Detached, EdxmlImport, EdxmlLimits,
    EdxmlOptions,
};
use quick_xml::events::Event;

fn samples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let mut out = Vec::new();
    for sub in ["vpcp-sdk-example", "received"] {
        let entries = std::fs::read_dir(dir.join(sub))
            .unwrap_or_else(|e| panic!("{}: {e} (the edXML vectors are required)", dir.display()));
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "edxml") {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 17, "found only {} samples", out.len());
    out
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every leaf element of `xml` (by local name, `To[2]` for the second `To`) with its text.
fn leaves(xml: &[u8]) -> BTreeMap<String, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut stack: Vec<(String, BTreeMap<String, usize>, bool)> = Vec::new();
    let mut text = String::new();
    let mut out = BTreeMap::new();
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) => {
                let name = e.local_name().into_inner().to_owned();
                let segment = match stack.last_mut() {
                    Some((_, seen, has_children)) => {
                        *has_children = true;
                        let n = seen.entry(name.clone()).or_insert(0);
                        *n += 1;
                        if *n > 1 {
                            format!("{name}[{n}]")
                        } else {
                            name
                        }
                    }
                    None => name,
                };
                stack.push((segment, BTreeMap::new(), false));
                text.clear();
            }
            Event::Empty(e) => {
                let name = e.local_name().into_inner().to_owned();
                if let Some((_, seen, has_children)) = stack.last_mut() {
                    *has_children = true;
                    *seen.entry(name).or_insert(0) += 1;
                }
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = match r.as_ref() {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    _ => r.resolve_char_ref().ok().flatten().unwrap_or('?'),
                };
                text.push(c);
            }
            Event::End(_) => {
                let path: Vec<&str> = stack.iter().map(|(s, _, _)| s.as_str()).collect();
                let path = path.join("/");
                let (_, _, has_children) = stack.pop().expect("open");
                if !has_children {
                    out.insert(path, text.trim().to_owned());
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn under<'a>(leaves: &'a BTreeMap<String, String>, prefix: &str) -> BTreeMap<&'a str, &'a str> {
    leaves
        .iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

const HEADER: &str = "edXML/edXMLEnvelope/edXMLHeader/MessageHeader";
const TRACE: &str = "edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList";

#[test]
fn every_sample_imports_with_no_unmapped_field_and_the_report_names_every_field_read() {
    let mut documents = 0;
    let mut statuses = 0;
    for path in samples() {
        let bytes = read(&path);
        let original = leaves(&bytes);
        let report = match import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        {
            EdxmlImport::Document(d) => {
                documents += 1;
                d.report().clone()
            }
            EdxmlImport::Status(s) => {
                statuses += 1;
                s.report().clone()
            }
        };
        assert!(
            report.unmapped.is_empty(),
            "{}: {:?}",
            path.display(),
            report.unmapped
        );
        for leaf in original.keys() {
            let covered = report
                .mapped
                .iter()
                .any(|m| *leaf == m.path || leaf.starts_with(&format!("{}/", m.path)));
            assert!(covered, "{}: {leaf} is not in the report", path.display());
        }
        println!(
            "{}: {} fields mapped, {} unmapped, {} notes",
            path.file_name().unwrap_or_default().to_string_lossy(),
            report.mapped.len(),
            report.unmapped.len(),
            report.notes.len()
        );
    }
    assert_eq!((documents, statuses), (7, 10));
}

#[test]
fn every_document_sample_exports_and_imports_again_to_the_same_header_saying_the_same() {
    let envelope_only = EdxmlOptions {
        use_embedded: false,
        ..EdxmlOptions::default()
    };
    for path in samples() {
        let bytes = read(&path);
        let Ok(EdxmlImport::Document(first)) =
            import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
        else {
            continue;
        };
        let xml = export_edxml(
            first.package(),
            &mut Detached::none(),
            &EdxmlLimits::default(),
            &EdxmlOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Read from the envelope alone, so the mapping is what is tested, not the package
        // that travels inside.
        let Ok(EdxmlImport::Document(again)) =
            import_edxml(&xml, &EdxmlLimits::default(), &envelope_only)
        else {
            panic!("{}: the export is not a document", path.display());
        };
        assert_eq!(
            again.package().header(),
            first.package().header(),
            "{}",
            path.display()
        );
        assert_eq!(
            again.package(),
            first.package(),
            "{}: attachments",
            path.display()
        );
        // The embedded package gives the same package too.
        let Ok(EdxmlImport::Document(inside)) =
            import_edxml(&xml, &EdxmlLimits::default(), &EdxmlOptions::default())
        else {
            panic!("{}: the export is not a document", path.display());
        };
        assert!(inside.is_embedded());
        assert_eq!(inside.package(), first.package(), "{}", path.display());

        let (before, after) = (leaves(&bytes), leaves(&xml));
        assert_eq!(
            under(&after, HEADER),
            under(&before, HEADER),
            "{}",
            path.display()
        );
        for (leaf, text) in under(&before, TRACE) {
            assert_eq!(
                after.get(leaf).map(String::as_str),
                Some(text),
                "{}: {leaf}",
                path.display()
            );
        }
    }
}

#[test]
fn every_status_sample_exports_and_imports_again_to_the_same_message_saying_the_same() {
    for path in samples() {
        let bytes = read(&path);
        let Ok(EdxmlImport::Status(first)) =
            import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
        else {
            continue;
        };
        let xml = export_edxml_status(
            first.message(),
            None,
            first.details(),
            &EdxmlOptions::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Ok(EdxmlImport::Status(again)) =
            import_edxml(&xml, &EdxmlLimits::default(), &EdxmlOptions::default())
        else {
            panic!("{}: the export is not a status", path.display());
        };
        assert_eq!(again.message(), first.message(), "{}", path.display());
        assert_eq!(again.details(), first.details(), "{}", path.display());
        assert_eq!(
            under(&leaves(&xml), HEADER),
            under(&leaves(&bytes), HEADER),
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_transfer_zip_is_unwrapped_and_the_xml_signature_is_kept_byte_for_byte() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let bytes = read(&dir.join("vpcp-sdk-example/edoc_new.edxml"));
    let Ok(EdxmlImport::Document(doc)) =
        import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
    else {
        panic!("a document");
    };
    let package = doc.package();
    let letter = package
        .header()
        .attachment("1896_QD-TTg_m_294779.doc")
        .expect("attachment");
    // The SDK zipped a 388 347-byte edXML file under a UUID name (NOTES.md §5).
    assert_eq!(letter.size(), 388_347);
    let content = package.inline_content(letter.name()).expect("inline");
    assert!(content.starts_with(b"<?xml"));
    let kept = package
        .inline_content("edxml-signature.xml")
        .expect("the signature is kept");
    let text = std::str::from_utf8(&bytes).expect("utf-8");
    let start = text.find("<Signature>").expect("signature");
    let end = text.find("</Signature>").expect("end") + "</Signature>".len();
    assert_eq!(kept, &bytes[start..end]);
    assert!(doc
        .report()
        .notes
        .iter()
        .any(|n| n.contains("NOT verified")));
}

#[test]
fn the_corrupted_pdf_is_imported_with_a_note_saying_so() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let bytes = read(&dir.join("received/9e272474-0603-48a2-b525-9cd1af689612.edxml"));
    let Ok(EdxmlImport::Document(doc)) =
        import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
    else {
        panic!("a document");
    };
    assert!(
        doc.report()
            .notes
            .iter()
            .any(|n| n.contains("looks corrupted")),
        "{}",
        doc.report()
    );
}

#[test]
fn agency_codes_of_the_hub_are_placeholders_until_the_options_map_them() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let bytes = read(&dir.join("received/874e0f18-90dc-45fb-989a-65401470ba84.edxml"));
    let Ok(EdxmlImport::Document(doc)) =
        import_edxml(&bytes, &EdxmlLimits::default(), &EdxmlOptions::default())
    else {
        panic!("a document");
    };
    assert_eq!(
        doc.package().header().sender().id.to_string(),
        "000.00.00.Z00"
    );
    let mut options = EdxmlOptions::default();
    options
        .agencies
        .insert("vxp.saas.03".into(), "000.00.05.H57".parse().expect("code"));
    // Mapped, the sender and the recipient are one agency: a document to itself is refused.
    let e = import_edxml(&bytes, &EdxmlLimits::default(), &options).unwrap_err();
    assert!(
        matches!(e, edoc::EdxmlError::Header { source: edoc::DocumentError::RecipientIsSender { .. }, ref path } if path.ends_with("MessageHeader/To")),
        "{e}"
    );
    // A sample with a mapped three-part code imports, and exports the code it came with.
    let bytes = read(&dir.join("vpcp-sdk-example/edoc_new.edxml"));
    let mut options = EdxmlOptions::default();
    options
        .agencies
        .insert("28.22.H17".into(), "000.22.28.H17".parse().expect("code"));
    let Ok(EdxmlImport::Document(doc)) = import_edxml(&bytes, &EdxmlLimits::default(), &options)
    else {
        panic!("a document");
    };
    assert_eq!(
        doc.package().header().recipients()[0].id.to_string(),
        "000.22.28.H17"
    );
    let xml = export_edxml(
        doc.package(),
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &options,
    )
    .expect("export");
    assert!(String::from_utf8(xml)
        .expect("utf-8")
        .contains("<edXML:OrganId>28.22.H17</edXML:OrganId>"));
}

fn import_document(bytes: &[u8]) -> edoc::ImportedDocument {
    match import_edxml(bytes, &EdxmlLimits::default(), &EdxmlOptions::default()) {
        Ok(EdxmlImport::Document(doc)) => doc,
        Ok(EdxmlImport::Status(_)) => panic!("a status, not a document"),
        Err(e) => panic!("refused: {e}"),
    }
}

fn exported_document_ids(doc: &edoc::ImportedDocument) -> Vec<String> {
    let xml = export_edxml(
        doc.package(),
        &mut Detached::none(),
        &EdxmlLimits::default(),
        &EdxmlOptions::default(),
    )
    .expect("export");
    let text = String::from_utf8(xml).expect("utf-8");
    text.split("DocumentId>")
        .skip(1)
        .step_by(2)
        .map(|s| s.split('<').next().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn an_id_without_the_senders_code_gets_it_in_front_and_export_writes_the_original() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let doc = import_document(&read(
        &dir.join("received/874e0f18-90dc-45fb-989a-65401470ba84.edxml"),
    ));
    let header = doc.package().header();
    assert_eq!(
        header.id().as_str(),
        "000.00.00.Z00,5e515fca-3627-4f2e-b517-7169acdc8bda"
    );
    assert_eq!(header.id().sender(), Some(header.sender().id));
    assert_eq!(
        header.extensions()["edxml.DocumentId"]["id"],
        "5e515fca-3627-4f2e-b517-7169acdc8bda"
    );
    assert_eq!(
        exported_document_ids(&doc),
        ["5e515fca-3627-4f2e-b517-7169acdc8bda"]
    );
}

#[test]
fn a_revocation_of_another_agencys_document_stays_on_the_senders_own_ids() {
    // The SDK's sample: 000.00.00.G22 revokes 000.00.04.G14's document. edoc acts only on the
    // sender's own documents, so the imported target can never reach G14's.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml");
    let doc = import_document(&read(&dir.join("vpcp-sdk-example/edoc_revocation.edxml")));
    let header = doc.package().header();
    let edoc::BusinessAction::Revoke(target) = header.action() else {
        panic!("a revocation: {:?}", header.action());
    };
    assert_eq!(target.sender(), Some(header.sender().id));
    assert_eq!(
        target.as_str(),
        "000.00.00.G22,000.00.04.G14,2012/08/06,267/VPCP-TTĐT"
    );
    assert!(
        doc.report()
            .notes
            .iter()
            .any(|n| n.contains("000.00.04.G14,2012/08/06,267/VPCP-TTĐT")),
        "the report says the target was changed"
    );
    assert!(exported_document_ids(&doc)
        .iter()
        .all(|id| !id.starts_with("000.00.00.G22,000.00.04.G14")));
}
