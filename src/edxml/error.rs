//! Why an edXML document was refused, or could not be written. Every refusal of input names
//! the element path, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To[2]/OrganId`.

use crate::document::DocumentError;
use crate::package::PackageError;
use crate::status::StatusMessageError;

/// Why an edXML document was refused on import, or a package could not be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EdxmlError {
    /// The bytes are not well-formed XML (or not UTF-8).
    #[error("edXML {path}: not well-formed XML: {reason}")]
    Syntax {
        /// Where the reader was: the path of the open elements.
        path: String,
        /// What the XML reader found.
        reason: String,
    },
    /// A construct edXML never needs and that is dangerous to process: a DTD (external entities,
    /// billion laughs), an entity reference other than XML's five, a processing instruction.
    #[error("edXML {path}: {what} refused: {why}")]
    Forbidden {
        /// Where it was found.
        path: String,
        /// What was found, e.g. `a DTD (<!DOCTYPE ...>)` or `entity reference &xxe;`.
        what: String,
        /// Why it is refused.
        why: &'static str,
    },
    /// A bound of [`EdxmlLimits`](super::EdxmlLimits) was exceeded.
    #[error("edXML {path}: {what} is {found}; the limit is {limit} (EdxmlLimits::{field})")]
    Limit {
        /// Where the bound was exceeded.
        path: String,
        /// What was measured, e.g. `nesting depth`.
        what: &'static str,
        /// The field of `EdxmlLimits` that sets the bound.
        field: &'static str,
        /// What was found (at least; reading stops at the bound).
        found: usize,
        /// The bound.
        limit: usize,
    },
    /// An element or attribute in a namespace that is neither edXML's nor XML-DSig's.
    #[error(
        "edXML {path}: namespace {namespace:?} is not edXML's (http://www.mic.gov.vn/TBT/QCVN_102_2016)"
    )]
    Namespace {
        /// The element (or `element/@attribute`).
        path: String,
        /// The namespace URI found (empty: no namespace).
        namespace: String,
    },
    /// The elements do not have the shape of an edXML message: a required element is missing,
    /// one that may appear once appears twice, text where elements belong.
    #[error("edXML {path}: {reason}")]
    Structure {
        /// The element at fault (for a missing element: its parent and the name expected).
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// A field's text cannot be read as what it holds (a date, a code, an agency code).
    #[error("edXML {path}: {value:?} {reason}")]
    Value {
        /// The element.
        path: String,
        /// The text found (truncated to 64 characters).
        value: String,
        /// What it should be.
        reason: String,
    },
    /// The fields are readable but the document header built from them is invalid.
    #[error("edXML {path}: {source}")]
    Header {
        /// The element whose value the header refuses, or `MessageHeader` for a combination.
        path: String,
        /// What the header check found.
        source: DocumentError,
    },
    /// An attachment cannot be decoded: bad base64, a broken ZIP, a manifest entry without
    /// content.
    #[error("edXML {path}: {reason}")]
    Attachment {
        /// The attachment element.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The embedded edoc package (`package.edoc.json`) or the package built from the document
    /// is invalid.
    #[error("edXML {path}: {source}")]
    Package {
        /// The attachment or element concerned.
        path: String,
        /// What the package check found.
        source: PackageError,
    },
    /// A status message read from edXML is invalid.
    #[error("edXML {path}: {source}")]
    Status {
        /// The element concerned.
        path: String,
        /// What the status check found.
        source: StatusMessageError,
    },
    /// A package or status cannot be written as edXML.
    #[error("edXML export: {reason}")]
    Export {
        /// Why, and what to do.
        reason: String,
    },
}

impl EdxmlError {
    /// The element path the error names (`None` for an export error).
    pub fn path(&self) -> Option<&str> {
        match self {
            EdxmlError::Syntax { path, .. }
            | EdxmlError::Forbidden { path, .. }
            | EdxmlError::Limit { path, .. }
            | EdxmlError::Namespace { path, .. }
            | EdxmlError::Structure { path, .. }
            | EdxmlError::Value { path, .. }
            | EdxmlError::Header { path, .. }
            | EdxmlError::Attachment { path, .. }
            | EdxmlError::Package { path, .. }
            | EdxmlError::Status { path, .. } => Some(path),
            EdxmlError::Export { .. } => None,
        }
    }
}

/// At most 64 characters of `s`, for messages.
pub(crate) fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}
