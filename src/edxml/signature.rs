//! The XML-DSig `Signature` of an edXML document: not a JAdES signature, and not verified by
//! edoc. Import reports what it claims and keeps its exact bytes as an attachment, so that an
//! export puts it back where it was; export checks those bytes are one `Signature` element.

use base64::Engine;

use super::error::EdxmlError;
use super::limits::EdxmlLimits;
use super::tree::{self, Element, EDXML_NS};

/// The attachment that keeps an imported document's XML-DSig signature.
pub(crate) const SIGNATURE_NAME: &str = "edxml-signature.xml";
/// Its media type.
pub(crate) const SIGNATURE_MEDIA_TYPE: &str = "application/xml";

fn find<'e, 'a>(el: &'e Element<'a>, name: &str) -> Option<&'e Element<'a>> {
    if el.name == name {
        return Some(el);
    }
    el.children.iter().find_map(|c| find(c, name))
}

fn attr<'e>(el: Option<&'e Element<'_>>, name: &str) -> Option<&'e str> {
    el?.attrs
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_str())
}

/// What the signature claims, in words: algorithms, the key's certificate, and that it was
/// not verified.
pub(crate) fn describe(sig: &Element<'_>) -> String {
    let method = attr(find(sig, "SignatureMethod"), "Algorithm").unwrap_or("no SignatureMethod");
    let digest = attr(find(sig, "DigestMethod"), "Algorithm").unwrap_or("no DigestMethod");
    let subject = find(sig, "X509SubjectName")
        .map(Element::trimmed)
        .unwrap_or("");
    let certificate = match find(sig, "X509Certificate").map(Element::trimmed) {
        None => "no X509Certificate".to_owned(),
        Some(b64) => {
            let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
                Err(_) => "an X509Certificate that is not base64 (truncated?)".to_owned(),
                Ok(der) => match x509_parser::parse_x509_certificate(&der) {
                    Err(_) => "an X509Certificate that is not a certificate".to_owned(),
                    Ok((_, cert)) => format!(
                        "certificate {} issued by {}, valid {} to {}",
                        cert.subject(),
                        cert.issuer(),
                        cert.validity().not_before,
                        cert.validity().not_after
                    ),
                },
            }
        }
    };
    format!(
        "XML-DSig signature ({method}, digest {digest}; X509SubjectName {subject:?}; {certificate}): \
         NOT verified (edoc verifies JAdES signatures; this one is not), kept as the attachment \
         {SIGNATURE_NAME} so an export puts it back"
    )
}

/// Checks that kept signature bytes are exactly one `Signature` element that means the same
/// where export writes it (default namespace edXML, prefix `edXML` bound to it), so they can
/// be written as they are without adding or changing anything else.
pub(crate) fn check_kept(bytes: &[u8]) -> Result<&str, EdxmlError> {
    let bad = |reason: String| EdxmlError::Export {
        reason: format!(
            "the attachment {SIGNATURE_NAME} is not an XML-DSig Signature element: {reason}"
        ),
    };
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
    let wrapped = format!("<edXML xmlns=\"{EDXML_NS}\" xmlns:edXML=\"{EDXML_NS}\">{text}</edXML>");
    let limits = EdxmlLimits {
        max_document_bytes: 1 << 20,
        ..EdxmlLimits::default()
    };
    let root = tree::parse(wrapped.as_bytes(), &limits).map_err(|e| bad(e.to_string()))?;
    match root.children.as_slice() {
        [sig] if sig.name == "Signature" && root.trimmed().is_empty() => Ok(text.trim()),
        _ => Err(bad(
            "it must hold one Signature element and nothing else".into()
        )),
    }
}
