//! Export: a package to an edXML document in the VPCP SDK's layout, with the package itself
//! inside as the attachment `package.edoc.json`.

use base64::Engine;

use super::attachment;
use super::error::EdxmlError;
use super::header;
use super::limits::EdxmlLimits;
use super::options::EdxmlOptions;
use super::signature::{self, SIGNATURE_NAME};
use super::trace;
use super::tree::EDXML_NS;
use super::writer::XmlWriter;
use crate::package::{Detached, Package, TraceEntry};
use crate::route::TraceHop;

/// The attachment that carries the edoc package inside an edXML document.
pub(crate) const PACKAGE_NAME: &str = "package.edoc.json";
/// Its media type.
pub(crate) const PACKAGE_MEDIA_TYPE: &str = "application/vnd.edoc+json";
/// The attachment that carries edoc's signed status inside an edXML status.
pub(crate) const STATUS_JWS_NAME: &str = "status.edoc.jws";
/// Its media type (RFC 7515 §9.2.1, compact serialization).
pub(crate) const STATUS_JWS_MEDIA_TYPE: &str = "application/jose";

/// An attachment to write.
pub(crate) struct OutAttachment<'c> {
    pub(crate) name: &'c str,
    pub(crate) media_type: &'c str,
    pub(crate) description: Option<&'c str>,
    pub(crate) content: &'c [u8],
}

/// Writes the root, the envelope and opens `edXMLHeader`.
pub(crate) fn envelope_open(w: &mut XmlWriter) {
    w.open("edXML", &[("xmlns", EDXML_NS)]);
    w.set_prefix("edXML:");
    w.open("edXMLEnvelope", &[("xmlns:edXML", EDXML_NS)]);
    w.open("edXMLHeader", &[]);
}

/// Closes `edXMLHeader`, writes the manifest in `edXMLBody` and the attachments in
/// `AttachmentEncoded` (unprefixed, the content's element re-declaring the prefix, as the
/// VPCP SDK writes them), and closes the document.
pub(crate) fn envelope_close(
    w: &mut XmlWriter,
    attachments: &[OutAttachment<'_>],
) -> Result<(), EdxmlError> {
    w.close("edXMLHeader");
    let mut encoded = Vec::with_capacity(attachments.len());
    for a in attachments {
        encoded.push(attachment::encode(a.name, a.media_type, a.content)?);
    }
    if !attachments.is_empty() {
        w.open("edXMLBody", &[]);
        w.open("edXMLManifest", &[("version", "1.0")]);
        for (i, a) in attachments.iter().enumerate() {
            w.open("Reference", &[]);
            w.leaf("ContentId", &format!("cid:{}", i + 1));
            w.leaf("ContentType", a.media_type);
            if let Some(d) = a.description {
                w.leaf("Description", d);
            }
            w.leaf("AttachmentName", a.name);
            w.close("Reference");
        }
        w.close("edXMLManifest");
        w.close("edXMLBody");
    }
    w.close("edXMLEnvelope");
    w.set_prefix("");
    if !attachments.is_empty() {
        w.open("AttachmentEncoded", &[]);
        for (i, (a, (data, transfer_type))) in attachments.iter().zip(&encoded).enumerate() {
            w.open("Attachment", &[]);
            w.leaf("ContentId", &format!("cid:{}", i + 1));
            w.leaf("AttachmentName", a.name);
            if let Some(d) = a.description {
                w.leaf("Description", d);
            }
            w.leaf("ContentType", transfer_type);
            w.set_prefix("edXML:");
            w.leaf_with("ContentTransferEncoded", &[("xmlns:edXML", EDXML_NS)], data);
            w.set_prefix("");
            w.close("Attachment");
        }
        w.close("AttachmentEncoded");
    }
    w.close("edXML");
    Ok(())
}

/// A trace entry's hop, read without verifying it (export only copies who and when).
fn hop(entry: &TraceEntry, index: usize) -> Result<TraceHop, EdxmlError> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(entry.payload.as_bytes())
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| EdxmlError::Export {
            reason: format!(
                "trace entry {index} is not a hub's hop (its payload is not a TraceHop)"
            ),
        })
}

/// Writes a package as an edXML document that the VPCP SDK's reader accepts.
///
/// The header goes to `MessageHeader` (docs/edxml.md has the mapping), the trace to
/// `TraceHeaderList` (the hops an imported document had, then each hub's, in Vietnam time),
/// the attachments to the manifest and `AttachmentEncoded`. The package itself travels inside
/// as the attachment `package.edoc.json` (`application/vnd.edoc+json`): the header, the
/// signatures and the trace, its attachments detached, since their bytes are the edXML
/// attachments beside it. A receiving edoc imports it and verifies the original signatures;
/// a change to any of it is caught then. A signature kept by an import
/// (`edxml-signature.xml`) is put back as `edXMLHeader/Signature`.
///
/// Detached attachments are read from `detached` and checked against the manifest first, as
/// are inline ones: content that does not match its signed digest is not exported. A document
/// whose attachments are larger together than `limits.max_attachment_bytes` is refused (an
/// importer with those limits would refuse it), and so is a classified document: it does not
/// travel through edXML exchange.
pub fn export_edxml(
    package: &Package,
    detached: &mut Detached<'_>,
    limits: &EdxmlLimits,
    options: &EdxmlOptions,
) -> Result<Vec<u8>, EdxmlError> {
    let header = package.header();
    let total = header
        .attachments()
        .iter()
        .fold(0u64, |sum, a| sum.saturating_add(a.size()));
    if total > u64::try_from(limits.max_attachment_bytes).unwrap_or(u64::MAX) {
        return Err(EdxmlError::Export {
            reason: format!(
                "the attachments are {total} bytes together; an edXML document carries at most \
                 {} (EdxmlLimits::max_attachment_bytes)",
                limits.max_attachment_bytes
            ),
        });
    }
    if header.attachment(PACKAGE_NAME).is_some() {
        return Err(EdxmlError::Export {
            reason: format!(
                "the package has an attachment named {PACKAGE_NAME}, the name the edoc package \
                 itself travels under in edXML; rename the attachment"
            ),
        });
    }
    let hops = package
        .trace()
        .iter()
        .enumerate()
        .map(|(i, t)| hop(t, i))
        .collect::<Result<Vec<_>, _>>()?;
    let mut contents: Vec<(usize, Vec<u8>)> = Vec::with_capacity(header.attachments().len());
    for (i, entry) in header.attachments().iter().enumerate() {
        let bytes = match package.inline_content(entry.name()) {
            Some(bytes) => {
                entry.check_reader(bytes).map_err(|e| EdxmlError::Export {
                    reason: format!("attachment {:?}: {e}", entry.name()),
                })?;
                bytes.to_vec()
            }
            None => detached.read(entry).map_err(|e| EdxmlError::Export {
                reason: format!(
                    "attachment {:?} is detached and its content could not be read: {e}",
                    entry.name()
                ),
            })?,
        };
        contents.push((i, bytes));
    }

    let mut w = XmlWriter::new();
    envelope_open(&mut w);
    header::write(&mut w, header, options)?;
    trace::write_trace(&mut w, header, &hops)?;
    // The kept XML-DSig signature goes back to its place when it is one Signature element.
    let mut signature_written = None;
    for (i, bytes) in &contents {
        if header.attachments()[*i].name() == SIGNATURE_NAME {
            if let Ok(xml) = signature::check_kept(bytes) {
                w.set_prefix("");
                w.raw_element(xml);
                w.set_prefix("edXML:");
                signature_written = Some(*i);
            }
        }
    }

    let mut carried = Package::new(header.clone(), []).map_err(|source| EdxmlError::Package {
        path: PACKAGE_NAME.into(),
        source,
    })?;
    for s in package.signatures() {
        carried.push_signature(s.clone());
    }
    for t in package.trace() {
        carried.push_trace(t.clone());
    }
    let carried = carried.to_json();

    let mut out: Vec<OutAttachment<'_>> = contents
        .iter()
        .filter(|(i, _)| Some(*i) != signature_written)
        .map(|(i, bytes)| {
            let entry = &header.attachments()[*i];
            OutAttachment {
                name: entry.name(),
                media_type: entry.media_type(),
                description: entry.description(),
                content: bytes,
            }
        })
        .collect();
    out.push(OutAttachment {
        name: PACKAGE_NAME,
        media_type: PACKAGE_MEDIA_TYPE,
        description: Some("edoc package: the header, JAdES signatures and trace of this document"),
        content: &carried,
    });
    envelope_close(&mut w, &out)?;
    w.finish()
}
