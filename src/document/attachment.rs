//! One entry of the attachment manifest: name, media type, size and SHA-256, signed as part of
//! the header. The attachment's content (bytes inline, or a file or stream beside the package)
//! and its checks against this entry live with the package, in `package/attachment.rs`.

use sha2::{Digest, Sha256};

use super::error::DocumentError;
use super::{check_text, clip};
use crate::json::MAX_SAFE_INTEGER;
use crate::limits::Limits;

/// Longest attachment name in bytes: the common file-system limit for one path component.
const MAX_ATTACHMENT_NAME_BYTES: usize = 255;
/// Longest media type (RFC 6838 §4.2 allows 127 + 1 + 127 characters).
const MAX_MEDIA_TYPE_BYTES: usize = 255;

/// One entry of the attachment manifest. It is part of the header, so every signature covers the
/// name, media type, size and digest of every attachment, inline or detached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentEntry {
    pub(super) name: String,
    pub(super) media_type: String,
    pub(super) size: u64,
    pub(super) sha256: [u8; 32],
    pub(super) description: Option<String>,
}

impl AttachmentEntry {
    /// An entry from known metadata; checks the name, media type and size.
    pub fn new(
        name: impl Into<String>,
        media_type: impl Into<String>,
        size: u64,
        sha256: [u8; 32],
    ) -> Result<AttachmentEntry, DocumentError> {
        let entry = AttachmentEntry {
            name: name.into(),
            media_type: media_type.into(),
            size,
            sha256,
            description: None,
        };
        entry.check("attachments", &Limits::default())?;
        Ok(entry)
    }

    /// An entry for content held in memory: size and digest are computed.
    pub fn for_bytes(
        name: impl Into<String>,
        media_type: impl Into<String>,
        content: &[u8],
    ) -> Result<AttachmentEntry, DocumentError> {
        let digest: [u8; 32] = Sha256::digest(content).into();
        AttachmentEntry::new(name, media_type, content.len() as u64, digest)
    }

    /// Adds a description.
    pub fn with_description(mut self, description: impl Into<String>) -> AttachmentEntry {
        self.description = Some(description.into());
        self
    }

    /// The file name, unique within the document.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The media type, e.g. `application/pdf`.
    pub fn media_type(&self) -> &str {
        &self.media_type
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// SHA-256 of the content.
    pub fn sha256(&self) -> &[u8; 32] {
        &self.sha256
    }

    /// The optional description.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    pub(super) fn check(&self, field: &str, limits: &Limits) -> Result<(), DocumentError> {
        check_attachment_name(&self.name)?;
        let mt = &self.media_type;
        let token = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
        };
        let ok = mt.len() <= MAX_MEDIA_TYPE_BYTES
            && matches!(mt.split_once('/'), Some((t, s)) if token(t) && token(s));
        if !ok {
            return Err(DocumentError::InvalidField {
                field: format!("{field}.mediaType"),
                reason: format!("{:?} is not a media type like application/pdf", clip(mt)),
            });
        }
        if self.size > MAX_SAFE_INTEGER {
            return Err(DocumentError::InvalidField {
                field: format!("{field}.size"),
                reason: "is larger than 2^53 − 1".into(),
            });
        }
        if let Some(d) = &self.description {
            check_text(&format!("{field}.description"), d, limits, true)?;
        }
        Ok(())
    }
}

/// A safe file name: 1 to 255 bytes, no path separator (`/`, `\`, `:`), no control character,
/// not `.` or `..`, no surrounding spaces. Stops a detached attachment from naming a path
/// outside the folder it is read from.
fn check_attachment_name(name: &str) -> Result<(), DocumentError> {
    let bad = |reason| DocumentError::AttachmentName {
        name: clip(name),
        reason,
    };
    if name.is_empty() {
        return Err(bad("it is empty"));
    }
    if name.len() > MAX_ATTACHMENT_NAME_BYTES {
        return Err(bad("it is longer than 255 bytes"));
    }
    if name.contains(['/', '\\', ':']) {
        return Err(bad("it contains a path separator"));
    }
    if name.chars().any(char::is_control) {
        return Err(bad("it contains a control character"));
    }
    if name == "." || name == ".." {
        return Err(bad("it names a directory"));
    }
    if name.trim() != name {
        return Err(bad("it has leading or trailing spaces"));
    }
    Ok(())
}
