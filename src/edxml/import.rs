//! Import: an edXML document to an unsigned [`Package`] (or the signed package it carries), or
//! to a status message.

use super::attachment::{self, Decoded};
use super::error::{clip, EdxmlError};
use super::export::{PACKAGE_MEDIA_TYPE, PACKAGE_NAME, STATUS_JWS_NAME};
use super::fields::{text_of, Fields};
use super::header;
use super::limits::EdxmlLimits;
use super::options::EdxmlOptions;
use super::reading::Reading;
use super::report::ImportReport;
use super::signature::{self, SIGNATURE_MEDIA_TYPE, SIGNATURE_NAME};
use super::status::{self, ImportedStatus};
use super::tree::{self, Element, Ns};
use crate::document::{AttachmentEntry, DocumentError, Header, HeaderBuilder};
use crate::package::Package;

/// What an edXML document held: a document or a status message.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // One of the two, returned once: boxing buys nothing.
pub enum EdxmlImport {
    /// A document (`MessageHeader` with its attachments).
    Document(ImportedDocument),
    /// A status message (`MessageHeader` or `Status` with a `StatusCode`).
    Status(ImportedStatus),
}

/// A document read from edXML: the package and what the import did.
#[derive(Debug)]
pub struct ImportedDocument {
    package: Package,
    report: ImportReport,
    embedded: bool,
}

impl ImportedDocument {
    /// The package: unsigned, mapped from the envelope, ready for `edoc sign`; or, when the
    /// document carried one (and [`EdxmlOptions::use_embedded`]), the edoc package inside it
    /// with its signatures and trace, its attachments filled from the edXML attachments.
    /// Either way it is **untrusted** until verified.
    pub fn package(&self) -> &Package {
        &self.package
    }

    /// The package, by value.
    pub fn into_package(self) -> Package {
        self.package
    }

    /// Every field and where it went.
    pub fn report(&self) -> &ImportReport {
        &self.report
    }

    /// True when the package is the edoc package the document carried (`package.edoc.json`).
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }
}

/// Reads an edXML (QCVN 102:2016) document, strictly and within `limits`.
///
/// A document message gives an [`ImportedDocument`]; a status message an
/// [`ImportedStatus`]. Every `MessageHeader` field goes to the header or to an `edxml.*`
/// extension (docs/edxml.md); the report lists each one. Attachments are decoded from base64
/// and unwrapped from the VPCP SDK's transfer ZIP. An XML-DSig signature is reported (not
/// verified) and kept as the attachment `edxml-signature.xml`.
///
/// ```
/// use edoc::{import_edxml, EdxmlImport, EdxmlLimits, EdxmlOptions};
/// let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
/// <edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope><edXMLHeader>
///   <MessageHeader>
///     <From><OrganId>000.00.00.G22</OrganId><OrganName>Văn phòng Chính phủ</OrganName></From>
///     <To><OrganId>000.00.00.H41</OrganId><OrganName>UBND Tỉnh Nghệ An</OrganName></To>
///     <DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId>
///     <Code><CodeNumber>7816</CodeNumber><CodeNotation>VPCP-TTĐT</CodeNotation></Code>
///     <PromulgationInfo><Place>Hà Nội</Place><PromulgationDate>2015/09/30</PromulgationDate></PromulgationInfo>
///     <DocumentType><Type>1</Type><TypeName>Công văn</TypeName></DocumentType>
///     <Subject>V/v kết nối</Subject>
///     <SignerInfo><Position>Bộ trưởng</Position><FullName>Nguyễn Văn A</FullName></SignerInfo>
///     <OtherInfo><Priority>1</Priority></OtherInfo>
///   </MessageHeader>
/// </edXMLHeader></edXMLEnvelope></edXML>"#;
/// let EdxmlImport::Document(doc) = import_edxml(xml.as_bytes(), &EdxmlLimits::default(), &EdxmlOptions::default())? else {
///     panic!("a document");
/// };
/// assert_eq!(doc.package().header().document_type().code, "CV");
/// assert_eq!(doc.package().header().urgency(), edoc::Urgency::Urgent);
/// assert!(doc.report().unmapped.is_empty());
/// # Ok::<(), edoc::EdxmlError>(())
/// ```
pub fn import_edxml(
    bytes: &[u8],
    limits: &EdxmlLimits,
    options: &EdxmlOptions,
) -> Result<EdxmlImport, EdxmlError> {
    let root = tree::parse(bytes, limits)?;
    if root.ns != Ns::Edxml || root.name != "edXML" {
        return Err(EdxmlError::Structure {
            path: root.name.clone(),
            reason: "the root element of an edXML document is edXML".into(),
        });
    }
    let mut r = Reading::new(options);
    let mut rf = Fields::new(&root, "edXML".into(), &["xmlns"])?;
    let envelope = rf.one(&["edXMLEnvelope"])?;
    let encoded = rf.opt(&["AttachmentEncoded"])?;
    let envelope_path = rf.path_of(envelope);
    let encoded_path = encoded.map(|e| rf.path_of(e));
    rf.finish()?;
    let mut ef = Fields::new(envelope, envelope_path, &[])?;
    let head = ef.one(&["edXMLHeader"])?;
    let body = ef.opt(&["edXMLBody"])?;
    let head_path = ef.path_of(head);
    let body_path = body.map(|b| ef.path_of(b));
    ef.finish()?;
    let mut hf = Fields::new(head, head_path, &[])?;
    let status_el = hf.opt(&["Status"])?;
    let message = hf.opt(&["MessageHeader"])?;
    let trace = hf.opt(&["TraceHeaderList"])?;
    let signatures = hf.all_any_ns(&["Signature", "DigitalSignature"]);
    let message_path = message.map(|m| hf.path_of(m));
    let status_path = status_el.map(|s| hf.path_of(s));
    let trace_path = trace.map(|t| hf.path_of(t));
    let signature_paths: Vec<String> = signatures.iter().map(|s| hf.path_of(s)).collect();
    let head_path = hf.path().to_owned();
    hf.finish()?;
    if signatures.len() > 1 {
        return Err(EdxmlError::Structure {
            path: signature_paths.last().cloned().unwrap_or_default(),
            reason: "more than one Signature".into(),
        });
    }
    let status_message = match (status_el, message) {
        (Some(_), Some(_)) => {
            return Err(EdxmlError::Structure {
                path: head_path,
                reason: "both Status and MessageHeader; a message is one or the other".into(),
            })
        }
        (Some(s), None) => Some((s, status_path.unwrap_or_default())),
        (None, Some(m)) if m.children.iter().any(|c| c.name == "StatusCode") => {
            Some((m, message_path.clone().unwrap_or_default()))
        }
        (None, Some(_)) => None,
        (None, None) => {
            return Err(EdxmlError::Structure {
                path: head_path,
                reason: "the required element MessageHeader is missing".into(),
            })
        }
    };
    if let Some((el, path)) = status_message {
        if let Some(t) = trace_path {
            return Err(EdxmlError::Structure {
                path: t,
                reason: "a status message carries no TraceHeaderList".into(),
            });
        }
        if let Some(p) = signature_paths.first() {
            r.report.note(format!(
                "{p}: a signature on a status message is not kept (no sample carries one)"
            ));
        }
        let (message, details) = status::read(el, path, &mut r)?;
        let attachments = read_attachments(
            body.zip(body_path.as_deref()),
            encoded.zip(encoded_path.as_deref()),
            limits,
            &mut r,
        )?;
        let status = status::finish(message, details, attachments, &mut r)?;
        return Ok(EdxmlImport::Status(status));
    }

    let message = message.expect("a document message has a MessageHeader");
    let message_path = message_path.unwrap_or_default();
    let mapped = header::read(message, message_path.clone(), trace.zip(trace_path), &mut r);

    let kept_signature = match (signatures.first(), signature_paths.first()) {
        (Some(sig), Some(path)) if sig.name == "Signature" => {
            r.report
                .map(path.clone(), format!("attachment {SIGNATURE_NAME}"));
            r.report
                .note(format!("{path}: {}", signature::describe(sig)));
            Some(bytes.get(sig.span.clone()).unwrap_or_default().to_vec())
        }
        (Some(_), Some(path)) => {
            // An empty placeholder some writers emit instead of a signature.
            if !signatures[0].children.is_empty() || !signatures[0].trimmed().is_empty() {
                return Err(EdxmlError::Structure {
                    path: path.clone(),
                    reason: "DigitalSignature holds content edoc does not know".into(),
                });
            }
            r.report
                .map(path.clone(), "nothing: an empty DigitalSignature");
            None
        }
        _ => None,
    };

    let attachments = read_attachments(
        body.zip(body_path.as_deref()),
        encoded.zip(encoded_path.as_deref()),
        limits,
        &mut r,
    )?;
    let embedded = attachments.iter().position(|a| a.is_package());
    if let (true, Some(at)) = (options.use_embedded, embedded) {
        let package = embedded_package(
            attachments,
            at,
            kept_signature,
            mapped,
            &message_path,
            limits,
            &mut r,
        )?;
        return Ok(EdxmlImport::Document(ImportedDocument {
            package,
            report: r.report,
            embedded: true,
        }));
    }

    let mut builder = mapped?;
    let mut inline = Vec::with_capacity(attachments.len() + 1);
    for a in attachments {
        if a.is_package() {
            r.report.note(format!(
                "{}: the edoc package inside ({PACKAGE_NAME}) was not used (EdxmlOptions::use_embedded is false)",
                a.path
            ));
            continue;
        }
        let mut entry =
            AttachmentEntry::for_bytes(&a.name, &a.decoded.media_type, &a.decoded.content)
                .map_err(|e| header_error(e, &message_path, Some(&a.path)))?;
        if let Some(d) = &a.description {
            entry = entry.with_description(d);
        }
        builder = builder.attachment(entry);
        inline.push((a.name, a.decoded.content));
    }
    if let Some(sig) = kept_signature {
        let entry = AttachmentEntry::for_bytes(SIGNATURE_NAME, SIGNATURE_MEDIA_TYPE, &sig)
            .map_err(|e| header_error(e, &message_path, None))?;
        builder = builder.attachment(entry);
        inline.push((SIGNATURE_NAME.to_owned(), sig));
    }
    let header = builder
        .build_with(&limits.package)
        .map_err(|e| header_error(e, &message_path, None))?;
    let package = Package::new(header, inline).map_err(|source| EdxmlError::Package {
        path: message_path,
        source,
    })?;
    Ok(EdxmlImport::Document(ImportedDocument {
        package,
        report: r.report,
        embedded: false,
    }))
}

/// The edoc package a document carries, with its detached attachments filled from the edXML.
fn embedded_package(
    attachments: Vec<ImportedAttachment>,
    at: usize,
    kept_signature: Option<Vec<u8>>,
    mapped: Result<HeaderBuilder, EdxmlError>,
    message_path: &str,
    limits: &EdxmlLimits,
    r: &mut Reading<'_>,
) -> Result<Package, EdxmlError> {
    let mut attachments = attachments;
    let carrier = attachments.remove(at);
    let mut package =
        Package::parse(&carrier.decoded.content, &limits.package).map_err(|source| {
            EdxmlError::Package {
                path: carrier.path.clone(),
                source,
            }
        })?;
    let mut signature = kept_signature;
    let names: Vec<String> = package
        .header()
        .attachments()
        .iter()
        .map(|e| e.name().to_owned())
        .filter(|n| package.is_detached(n))
        .collect();
    for name in names {
        let content = if name == SIGNATURE_NAME {
            signature.take()
        } else {
            attachments
                .iter()
                .position(|a| a.name == name)
                .map(|i| attachments.remove(i).decoded.content)
        };
        match content {
            Some(bytes) => package
                .supply_detached(&name, bytes)
                .map_err(|source| EdxmlError::Package {
                    path: carrier.path.clone(),
                    source,
                })?,
            None => r.report.note(format!(
                "{}: the signed package lists attachment {name:?}, which the edXML document does not carry; it stays detached",
                carrier.path
            )),
        }
    }
    for a in &attachments {
        r.report.note(format!(
            "{}: attachment {:?} is not one of the signed package's detached attachments, so no signature covers this copy; not imported",
            a.path, a.name
        ));
    }
    if signature.is_some() {
        r.report.note(
            "the XML-DSig signature is not in the signed package's manifest; not imported"
                .to_owned(),
        );
    }
    r.report.note(format!(
        "{}: the edoc package inside ({PACKAGE_NAME}): {} signature(s), {} trace entr(y/ies); it is what counts, not the envelope: verify it (edoc verify)",
        carrier.path,
        package.signatures().len(),
        package.trace().len()
    ));
    match mapped.and_then(|b| {
        b.build_with(&limits.package)
            .map_err(|e| header_error(e, message_path, None))
    }) {
        Ok(envelope) => compare(&envelope, package.header(), message_path, &mut r.report),
        Err(e) => r.report.note(format!(
            "the envelope's MessageHeader cannot be read as a header ({e}); the signed package is used"
        )),
    }
    Ok(package)
}

/// Notes where the envelope says something else than the signed header about routing.
fn compare(envelope: &Header, signed: &Header, path: &str, report: &mut ImportReport) {
    let mut differ = |what: &str, a: String, b: String| {
        if a != b {
            report.note(format!(
                "{path}: the envelope's {what} is {a}, the signed package's {b}; the signed package counts"
            ));
        }
    };
    differ(
        "sender",
        envelope.sender().id.to_string(),
        signed.sender().id.to_string(),
    );
    let ids = |h: &Header| {
        let mut v: Vec<String> = h.all_recipients().map(|a| a.id.to_string()).collect();
        v.sort();
        v.join(", ")
    };
    differ("recipients", ids(envelope), ids(signed));
    differ(
        "document id",
        envelope.id().to_string(),
        signed.id().to_string(),
    );
    differ(
        "business action",
        format!("{:?}", envelope.action()),
        format!("{:?}", signed.action()),
    );
}

/// One attachment of the document, decoded.
pub(crate) struct ImportedAttachment {
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) decoded: Decoded,
    pub(crate) path: String,
    declared: Vec<String>,
}

impl ImportedAttachment {
    /// The edoc package a document carries.
    pub(crate) fn is_package(&self) -> bool {
        self.name == PACKAGE_NAME && self.declared.iter().any(|t| t == PACKAGE_MEDIA_TYPE)
    }

    /// The signed status a status message carries.
    pub(crate) fn is_signed_status(&self) -> bool {
        self.name == STATUS_JWS_NAME
    }
}

/// A manifest `Reference`.
struct Reference {
    id: String,
    content_type: Option<String>,
    description: Option<String>,
    name: Option<String>,
    path: String,
}

/// A `ContentId` without its `cid:` (the Bkav SDK writes it without).
fn content_id(text: &str) -> String {
    text.strip_prefix("cid:").unwrap_or(text).to_owned()
}

/// Reads the manifest and the attachments, pairs them by content id and decodes them.
fn read_attachments(
    body: Option<(&Element<'_>, &str)>,
    encoded: Option<(&Element<'_>, &str)>,
    limits: &EdxmlLimits,
    r: &mut Reading<'_>,
) -> Result<Vec<ImportedAttachment>, EdxmlError> {
    let mut references = Vec::new();
    if let Some((body, path)) = body {
        let mut bf = Fields::new(body, path.to_owned(), &[])?;
        if let Some(manifest) = bf.opt(&["edXMLManifest"])? {
            let mpath = bf.path_of(manifest);
            let mut mf = Fields::new(manifest, mpath, &["version"])?;
            for reference in mf.all(&["Reference"]) {
                let rpath = mf.path_of(reference);
                let mut f = Fields::new(
                    reference,
                    rpath.clone(),
                    &["xlink:href", "xlink:role", "xlink:type"],
                )?;
                let (p, id) = f.one_text("ContentId")?;
                r.report
                    .map(p, "envelope: links the Reference to its Attachment");
                for a in &reference.attrs {
                    r.report.map(
                        format!("{rpath}/@{}", a.name),
                        "nothing: an XLink to the attachment, which ContentId already names",
                    );
                }
                let mut field = |name: &str, to: &str| -> Result<Option<String>, EdxmlError> {
                    Ok(f.opt_text(name)?.map(|(p, t)| {
                        r.report.map(p, to);
                        t.to_owned()
                    }))
                };
                let content_type = field("ContentType", "attachment media type")?;
                let description = field("Description", "attachment description")?;
                let name = field("AttachmentName", "attachment name")?;
                f.finish()?;
                references.push(Reference {
                    id: content_id(id),
                    content_type,
                    description,
                    name,
                    path: rpath,
                });
            }
            mf.finish()?;
        }
        bf.finish()?;
    }
    let mut attachments: Vec<ImportedAttachment> = Vec::new();
    let mut budget = limits.max_attachment_bytes;
    let mut used = vec![false; references.len()];
    if let Some((encoded, path)) = encoded {
        let mut af = Fields::new(encoded, path.to_owned(), &[])?;
        let items = af.all(&["Attachment"]);
        if items.len() > limits.max_attachments {
            return Err(EdxmlError::Limit {
                path: path.to_owned(),
                what: "attachment count",
                field: "max_attachments",
                found: items.len(),
                limit: limits.max_attachments,
            });
        }
        for item in items {
            let apath = af.path_of(item);
            let mut f = Fields::new(item, apath.clone(), &[])?;
            let (p, id) = f.one_text("ContentId")?;
            r.report
                .map(p, "envelope: links the Attachment to its Reference");
            let id = content_id(id);
            let reference = references.iter().position(|x| x.id == id);
            if let Some(i) = reference {
                if used[i] {
                    return Err(EdxmlError::Structure {
                        path: apath,
                        reason: format!("a second Attachment with ContentId {:?}", clip(&id)),
                    });
                }
                used[i] = true;
            }
            let reference = reference.and_then(|i| references.get(i));
            let name =
                match f.opt_text("AttachmentName")? {
                    Some((p, n)) if !n.is_empty() => {
                        r.report.map(p, "attachment name");
                        n.to_owned()
                    }
                    _ => reference.and_then(|x| x.name.clone()).ok_or_else(|| {
                        EdxmlError::Structure {
                            path: apath.clone(),
                            reason: "no AttachmentName here or in the manifest".into(),
                        }
                    })?,
                };
            let description = match (f.opt_text("Description")?, reference.and_then(|x| x.description.as_deref())) {
                (Some((p, d)), other) => {
                    r.report.map(p.clone(), "attachment description");
                    if let Some(o) = other.filter(|o| *o != d) {
                        r.report.note(format!(
                            "{p}: the manifest describes it as {o:?}; the Attachment's description is kept"
                        ));
                    }
                    Some(d.to_owned())
                }
                (None, other) => other.map(str::to_owned),
            }
            .filter(|d| !d.is_empty());
            let content_type = f.opt_text("ContentType")?.map(|(p, t)| {
                r.report
                    .map(p, "attachment media type (checked against the content)");
                t.to_owned()
            });
            for extra in ["Format", "FieldName", "MimeType"] {
                if let Some((p, _)) = f.opt_text(extra)? {
                    r.report.map(
                        p,
                        "nothing: transport metadata of the VPCP SDK, made again on export",
                    );
                }
            }
            let data = f.one(&["ContentTransferEncoded"])?;
            let dpath = f.path_of(data);
            let text = text_of(data, &dpath)?;
            f.finish()?;
            let declared: Vec<String> = reference
                .and_then(|x| x.content_type.clone())
                .into_iter()
                .chain(content_type)
                .collect();
            let decoded = attachment::decode(
                text,
                &name,
                [
                    declared.first().map(String::as_str),
                    declared.get(1).map(String::as_str),
                ],
                &dpath,
                &mut budget,
            )?;
            let mut how = format!(
                "attachment {name:?} ({}, {} bytes",
                decoded.media_type,
                decoded.content.len()
            );
            if let Some(entry) = &decoded.unwrapped_from {
                how.push_str(&format!(", unzipped from the transfer ZIP entry {entry:?}"));
            }
            how.push(')');
            r.report.map(dpath.clone(), how);
            if let Some(damage) = attachment::damage(&decoded.content) {
                r.report
                    .note(format!("{dpath}: attachment {name:?} {damage}"));
            }
            if attachments.iter().any(|a| a.name == name) {
                return Err(EdxmlError::Structure {
                    path: apath,
                    reason: format!("a second attachment named {:?}", clip(&name)),
                });
            }
            attachments.push(ImportedAttachment {
                name,
                description,
                decoded,
                path: apath,
                declared,
            });
        }
        af.finish()?;
    }
    if let Some(i) = used.iter().position(|u| !u) {
        return Err(EdxmlError::Attachment {
            path: references[i].path.clone(),
            reason: format!(
                "the manifest lists ContentId {:?} but no Attachment carries it",
                clip(&references[i].id)
            ),
        });
    }
    Ok(attachments)
}

/// A header check failure, named by the element the field came from.
pub(crate) fn header_error(
    e: DocumentError,
    message: &str,
    attachment: Option<&str>,
) -> EdxmlError {
    let field = match &e {
        DocumentError::InvalidField { field, .. } => field.clone(),
        DocumentError::Missing { field } => (*field).to_owned(),
        DocumentError::TooMany { field, .. } => (*field).to_owned(),
        DocumentError::DocumentId { .. } => "id".into(),
        DocumentError::DueBeforeIssue { .. } => "dueDate".into(),
        DocumentError::RecipientIsSender { .. }
        | DocumentError::DuplicateRecipient { .. }
        | DocumentError::NoRecipients => "recipients".into(),
        DocumentError::AttachmentName { .. } | DocumentError::DuplicateAttachment { .. } => {
            "attachments".into()
        }
        _ => String::new(),
    };
    let element = |f: &str| -> Option<String> {
        let (head, index) = match f.split_once('[') {
            Some((h, rest)) => (
                h,
                rest.split(']').next().and_then(|n| n.parse::<usize>().ok()),
            ),
            None => (f.split('.').next().unwrap_or(f), None),
        };
        let leaf = f.rsplit('.').next().unwrap_or(f);
        Some(match (head, leaf) {
            ("sender", "name") => "From/OrganName".into(),
            ("recipients", "name") => match index {
                Some(i) if i > 0 => format!("To[{}]/OrganName", i + 1),
                _ => "To/OrganName".into(),
            },
            ("recipients", _) => "To".into(),
            ("documentType", "code") => "DocumentType/Type".into(),
            ("documentType", _) => "DocumentType/TypeName".into(),
            ("number", _) => "Code/CodeNumber".into(),
            ("notation", _) => "Code/CodeNotation".into(),
            ("place", _) => "PromulgationInfo/Place".into(),
            ("subject", _) => "Subject".into(),
            ("summary", _) => "Content".into(),
            ("signatory", "fullName") => "SignerInfo/FullName".into(),
            ("signatory", _) => "SignerInfo/Position".into(),
            ("inReplyTo", _) => "ResponseFor/Code".into(),
            ("id", _) => "DocumentId".into(),
            ("dueDate", _) => "DueDate".into(),
            _ => return None,
        })
    };
    let path = match (attachment, field.starts_with("attachments")) {
        (Some(a), _) => a.to_owned(),
        (None, true) => "edXML/AttachmentEncoded".to_owned(),
        (None, false) => match element(&field) {
            Some(el) => format!("{message}/{el}"),
            None => message.to_owned(),
        },
    };
    EdxmlError::Header { path, source: e }
}
