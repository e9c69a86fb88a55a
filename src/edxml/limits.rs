//! Every size, depth and count bound applied to untrusted edXML, in one place.

use crate::limits::Limits;

/// Bounds applied when reading untrusted edXML (QCVN 102:2016) documents.
///
/// `EdxmlLimits::default()` is safe for production; every number says where it comes from.
/// Callers may raise or lower any field:
///
/// ```
/// let limits = edoc::EdxmlLimits { max_elements: 500_000, ..edoc::EdxmlLimits::default() };
/// assert!(limits.max_elements > edoc::EdxmlLimits::default().max_elements);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EdxmlLimits {
    /// Total bytes of one edXML document. Default 96 MiB: the attachments of
    /// [`max_attachment_bytes`](Self::max_attachment_bytes) in base64 (4/3 of their size, 64 MiB)
    /// plus room for the header, which is a few KiB.
    pub max_document_bytes: usize,
    /// Nesting depth of elements. Default 32: the deepest element the samples show,
    /// `ReplacementInfoList/…/OrganIdList/OrganId`, nests 9 deep; an XML-DSig signature 7.
    /// Checked before an element is opened, so deep input is cheap to refuse.
    pub max_depth: usize,
    /// Elements in the whole document. Default 100 000: a broadcast to 5 000 agencies
    /// ([`Limits::max_recipients`]) writes 5 000 `To` of 9 elements each.
    pub max_elements: usize,
    /// Attributes of one element, namespace declarations included. Default 16: the samples use
    /// at most 2 (`xmlns`, `version`); an XML-DSig element a few. Also bounds the namespace
    /// bindings in scope, which every name lookup scans.
    pub max_attributes: usize,
    /// Bytes of the text of one element (after entity references are replaced), except
    /// `ContentTransferEncoded`. Default 64 KiB, as [`Limits::max_string_bytes`]: the longest
    /// field of a real header, the content summary, is a few KiB.
    pub max_text_bytes: usize,
    /// Bytes of all attachments of one document together, decoded from base64 and unzipped.
    /// Default 48 MiB: the package an import writes carries them inline in base64 (4/3), which
    /// keeps it under [`Limits::max_package_bytes`] (64 MiB). It also bounds what a ZIP may
    /// inflate to, so a ZIP bomb stops at this size.
    pub max_attachment_bytes: usize,
    /// Attachments of one document. Default 256, as [`Limits::max_attachments`].
    pub max_attachments: usize,
    /// The bounds of the package an import builds (header fields, recipients, extensions) and
    /// of an embedded `package.edoc.json`. Default [`Limits::default()`].
    pub package: Limits,
}

impl Default for EdxmlLimits {
    fn default() -> Self {
        EdxmlLimits {
            max_document_bytes: 96 << 20,
            max_depth: 32,
            max_elements: 100_000,
            max_attributes: 16,
            max_text_bytes: 64 << 10,
            max_attachment_bytes: 48 << 20,
            max_attachments: 256,
            package: Limits::default(),
        }
    }
}
