//! The wire format of a package: a document header, its attachments, signatures and trace.
//!
//! ```text
//! {"edoc": 1, "header": {...}, "attachments": [{"name", "data"}...],
//!  "signatures": {"signatures": [{"protected", "signature"}...]}, "trace": [...]}
//! ```
//! See `docs/package-format.md`. Signing a package is `sign.rs`, verifying it `verify.rs`; both
//! bind the objects listed in `signed_objects.rs`.

mod attachment;
mod rules;
mod sign;
mod signed_objects;
mod trace;
mod verify;

use std::collections::BTreeMap;

use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::document::{DocumentError, Header, HeaderRepr};
use crate::jades::JwsSignature;
use crate::json::{self, JsonError};
use crate::limits::Limits;

pub use attachment::{hash_stream, AttachmentDigest, Detached};
pub use sign::SignPackageError;
pub use trace::TraceEntry;
pub use verify::{Rejected, VerifiedPackage, VerifiedSignature, Verifier};

/// The only package format version this library reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// Why a package could not be parsed, built or checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PackageError {
    /// The bytes are not strict, bounded JSON.
    #[error("package JSON refused: {0}")]
    Json(#[from] JsonError),
    /// The `edoc` version marker is missing or not 1.
    #[error("unsupported package version {found}; this library reads version 1")]
    UnsupportedVersion {
        /// The marker as found (JSON text, truncated).
        found: String,
    },
    /// The JSON does not have the shape of a package: an unknown or missing field, a wrong type
    /// or a malformed value (agency code, date).
    #[error("package structure at {path}: {reason} (line {line}, column {column})")]
    Structure {
        /// JSON path of the value at fault, e.g. `header.sender.id` (for an unknown or missing
        /// field: the object that holds it).
        path: String,
        /// What serde found, naming the field.
        reason: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The header is invalid.
    #[error("package header: {0}")]
    Header(#[from] DocumentError),
    /// The header is valid but not written the way this library writes it, so the canonical
    /// bytes of the header as received would differ from those of the header as understood:
    /// `null` for an absent optional field, an empty `extensions` object, a time with `.000`
    /// seconds. Signatures must cover exactly what the reader understands, so this is refused.
    #[error(
        "package header field {field} is not in normal form (see docs/package-format.md), so its \
         signed bytes would not match its meaning"
    )]
    HeaderNotNormal {
        /// The header member that differs.
        field: String,
    },
    /// The header's canonical form is larger than the limit.
    #[error("package header is {size} bytes or more in canonical form; the limit is {limit}")]
    HeaderTooLarge {
        /// Canonical size; when the strict pre-pass refused the header before reading all of
        /// it, the size counted up to there (the header is at least that large).
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many entries in a list of the package.
    #[error("package {field} has {count} entries; the limit is {limit}")]
    TooMany {
        /// `signatures` or `trace` (attachment and recipient counts are header errors).
        field: &'static str,
        /// How many were found.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// Inline content for a name that is not in the manifest.
    #[error("inline attachment {name:?} is not in the header's attachment manifest")]
    NotInManifest {
        /// The name.
        name: String,
    },
    /// Two inline contents for the same attachment.
    #[error("inline attachment {name:?} appears twice")]
    DuplicateInline {
        /// The name.
        name: String,
    },
    /// Inline content that is not standard padded base64 (RFC 4648 §4).
    #[error("inline attachment {name:?}: data is not standard padded base64")]
    Base64 {
        /// The name.
        name: String,
    },
    /// A detached attachment whose content was not supplied.
    #[error("detached attachment {name:?} was not supplied")]
    DetachedMissing {
        /// The name.
        name: String,
    },
    /// A detached attachment in the package's folder is a link that leads out of that folder.
    /// Files outside the folder are never read for a package: copy the file into the folder.
    #[error(
        "detached attachment {name:?} is a link that leads out of the package's folder; \
         copy the file itself into the folder"
    )]
    DetachedOutsideFolder {
        /// The name.
        name: String,
    },
    /// A detached attachment is not a regular file (a folder, a FIFO, a device).
    #[error("detached attachment {name:?} is not a regular file")]
    DetachedNotAFile {
        /// The name.
        name: String,
    },
    /// Content size differs from the manifest.
    #[error("attachment {name:?} is {actual} bytes; the header says {expected}")]
    SizeMismatch {
        /// The name.
        name: String,
        /// Size in the manifest.
        expected: u64,
        /// Size of the content (a stream is read at most one byte past the declared size).
        actual: u64,
    },
    /// Content digest differs from the manifest.
    #[error("attachment {name:?} does not match the SHA-256 digest in the header")]
    DigestMismatch {
        /// The name.
        name: String,
    },
    /// Reading detached content failed.
    #[error("reading attachment content: {0}")]
    Io(#[from] std::io::Error),
}

/// A package as parsed from untrusted bytes, or as being built by a sender.
///
/// A parsed `Package` is **untrusted**: its structure and limits have been checked, nothing
/// else. Neither its signatures nor its attachment contents have been verified; the
/// verification layer turns it into a verified package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    header: Header,
    canonical_header: Vec<u8>,
    inline: BTreeMap<String, Vec<u8>>,
    signatures: Vec<JwsSignature>,
    trace: Vec<TraceEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PackageRepr {
    edoc: u64,
    header: HeaderRepr,
    attachments: Vec<InlineRepr>,
    signatures: SignaturesRepr,
    trace: Vec<TraceEntry>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InlineRepr {
    name: String,
    data: String,
}

/// JWS JSON general serialization with a detached payload (RFC 7515 §7.2.1, `payload` absent).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignaturesRepr {
    signatures: Vec<JwsSignature>,
}

/// The header exactly as received, everything else skipped without allocating.
#[derive(Deserialize)]
struct ReceivedHeader {
    header: serde_json::Value,
}

/// Only the version marker, read when the typed structure does not fit.
#[derive(Deserialize)]
struct VersionProbe {
    edoc: Option<serde_json::Value>,
}

/// Inline data is one long base64 string by design; it is bounded by the total size instead.
const LONG_FIELDS: &[&str] = &["attachments[].data"];

impl Package {
    /// A new, unsigned package: the header and the content of the attachments to send inline.
    ///
    /// Every inline content must match its manifest entry (size and SHA-256); manifest entries
    /// without inline content are detached.
    pub fn new(
        header: Header,
        inline: impl IntoIterator<Item = (String, Vec<u8>)>,
    ) -> Result<Package, PackageError> {
        let mut map = BTreeMap::new();
        for (name, bytes) in inline {
            let entry = header
                .attachment(&name)
                .ok_or_else(|| PackageError::NotInManifest { name: name.clone() })?;
            attachment::check_bytes(entry, &bytes)?;
            if map.insert(name.clone(), bytes).is_some() {
                return Err(PackageError::DuplicateInline { name });
            }
        }
        Ok(Package {
            canonical_header: header.canonical_bytes(),
            header,
            inline: map,
            signatures: Vec::new(),
            trace: Vec::new(),
        })
    }

    /// Parses untrusted bytes, strictly and within `limits`.
    ///
    /// Order: the JSON pre-pass (size, depth, duplicate keys, number range, string lengths, the
    /// number of values, and the header's canonical size, all before anything is built),
    /// the version marker, the typed structure (unknown fields refused), the header's fields and
    /// combinations, counts, and the inline attachments' base64. Inline contents are *not*
    /// compared with the manifest here: [`Package::attachment_digests`] does that, so a
    /// mismatch is reported as a hash failure of the signed data, not as a format error.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<Package, PackageError> {
        json::check_sized(
            bytes,
            limits,
            LONG_FIELDS,
            Some(("header", limits.max_header_bytes)),
        )
        .map_err(|e| match e {
            JsonError::ValueTooLarge { size, limit, .. } => {
                PackageError::HeaderTooLarge { size, limit }
            }
            other => PackageError::Json(other),
        })?;
        // The version is read from the typed structure; only when that fails is the document
        // probed for its marker, so a future format gets the version error rather than a
        // confusing structure error, and a valid package is read in one typed pass.
        let repr: PackageRepr = match serde_json::from_slice(bytes) {
            Ok(repr) => repr,
            Err(e) => {
                let probe: VersionProbe =
                    serde_json::from_slice(bytes).map_err(|e| structure(e, bytes, limits))?;
                check_version(probe.edoc.as_ref())?;
                return Err(structure(e, bytes, limits));
            }
        };
        if repr.edoc != FORMAT_VERSION {
            return Err(PackageError::UnsupportedVersion {
                found: repr.edoc.to_string(),
            });
        }
        let too_many = |field, count, limit| {
            (count > limit).then_some(PackageError::TooMany {
                field,
                count,
                limit,
            })
        };
        if let Some(e) = too_many(
            "signatures",
            repr.signatures.signatures.len(),
            limits.max_signatures,
        ) {
            return Err(e);
        }
        if let Some(e) = too_many("trace", repr.trace.len(), limits.max_trace_entries) {
            return Err(e);
        }
        let header = Header::from_repr(repr.header, limits)?;
        let canonical_header = header.canonical_bytes();
        if canonical_header.len() > limits.max_header_bytes {
            return Err(PackageError::HeaderTooLarge {
                size: canonical_header.len(),
                limit: limits.max_header_bytes,
            });
        }
        // The signed bytes are the JCS form of the header *as received* (what a third-party JWS
        // library would canonicalize); require them to equal the JCS form of the header as
        // understood, so a signature never covers something the model reads differently.
        let received: ReceivedHeader =
            serde_json::from_slice(bytes).map_err(|e| structure(e, bytes, limits))?;
        let received_canonical = serde_json_canonicalizer::to_vec(&received.header)
            .map_err(|e| structure(e, bytes, limits))?;
        if received_canonical != canonical_header {
            return Err(PackageError::HeaderNotNormal {
                field: first_difference(&received.header, &header),
            });
        }
        let mut inline = BTreeMap::new();
        for item in repr.attachments {
            if header.attachment(&item.name).is_none() {
                return Err(PackageError::NotInManifest { name: item.name });
            }
            if inline.contains_key(&item.name) {
                return Err(PackageError::DuplicateInline { name: item.name });
            }
            // Decoded once here: the data is already in memory and every reader of the package
            // needs it; the decoded form is 3/4 of the size already bounded by the total limit.
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(item.data.as_bytes())
                .map_err(|_| PackageError::Base64 {
                    name: item.name.clone(),
                })?;
            inline.insert(item.name, bytes);
        }
        Ok(Package {
            header,
            canonical_header,
            inline,
            signatures: repr.signatures.signatures,
            trace: repr.trace,
        })
    }

    /// Serializes the package. The same package always gives the same bytes: fields in a fixed
    /// order, extension keys sorted, inline attachments in manifest order.
    pub fn to_json(&self) -> Vec<u8> {
        let repr = PackageRepr {
            edoc: FORMAT_VERSION,
            header: HeaderRepr::from(self.header.clone()),
            attachments: self
                .header
                .attachments()
                .iter()
                .filter_map(|e| {
                    self.inline.get(e.name()).map(|bytes| InlineRepr {
                        name: e.name().to_owned(),
                        data: base64::engine::general_purpose::STANDARD.encode(bytes),
                    })
                })
                .collect(),
            signatures: SignaturesRepr {
                signatures: self.signatures.clone(),
            },
            trace: self.trace.clone(),
        };
        // Plain structs with string keys: serialization cannot fail.
        serde_json::to_vec(&repr).expect("a package always serializes")
    }

    /// The header (untrusted until the package is verified).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The RFC 8785 canonical bytes of the header: the bytes that get signed.
    pub fn canonical_header(&self) -> &[u8] {
        &self.canonical_header
    }

    /// The content of an inline attachment, as received (not yet checked against the manifest).
    pub fn inline_content(&self, name: &str) -> Option<&[u8]> {
        self.inline.get(name).map(Vec::as_slice)
    }

    /// True when the manifest entry `name` has no inline content, so its bytes travel beside
    /// the package.
    pub fn is_detached(&self, name: &str) -> bool {
        self.header.attachment(name).is_some() && !self.inline.contains_key(name)
    }

    /// For each attachment, in manifest order, its name and SHA-256 after checking its content
    /// (inline, or read from `detached`) against the manifest's size and digest.
    ///
    /// This is what the signature layer binds. Detached content is hashed as a stream.
    pub fn attachment_digests(
        &self,
        detached: &mut Detached<'_>,
    ) -> Result<Vec<AttachmentDigest>, PackageError> {
        let mut out = Vec::with_capacity(self.header.attachments().len());
        for entry in self.header.attachments() {
            match self.inline.get(entry.name()) {
                Some(bytes) => attachment::check_bytes(entry, bytes)?,
                None => detached.check(entry)?,
            }
            out.push(AttachmentDigest {
                name: entry.name().to_owned(),
                sha256: *entry.sha256(),
            });
        }
        Ok(out)
    }

    /// The signatures, in the order they were added (person first, then the agency's seal).
    pub fn signatures(&self) -> &[JwsSignature] {
        &self.signatures
    }

    /// Appends a signature.
    pub fn push_signature(&mut self, signature: JwsSignature) {
        self.signatures.push(signature);
    }

    /// The routing trace, oldest hop first.
    pub fn trace(&self) -> &[TraceEntry] {
        &self.trace
    }

    /// Appends a hop entry.
    pub fn push_trace(&mut self, entry: TraceEntry) {
        self.trace.push(entry);
    }
}

/// The first top-level header member whose received value differs from the model's.
fn first_difference(received: &serde_json::Value, header: &Header) -> String {
    let model = serde_json::to_value(HeaderRepr::from(header.clone())).unwrap_or_default();
    let (Some(r), Some(m)) = (received.as_object(), model.as_object()) else {
        return "header".into();
    };
    r.keys()
        .chain(m.keys())
        .find(|k| r.get(*k) != m.get(*k))
        .map_or_else(|| "header".into(), |k| format!("header.{k}"))
}

fn check_version(marker: Option<&serde_json::Value>) -> Result<(), PackageError> {
    match marker {
        Some(serde_json::Value::Number(n)) if n.as_u64() == Some(FORMAT_VERSION) => Ok(()),
        Some(v) => Err(PackageError::UnsupportedVersion {
            found: v.to_string().chars().take(32).collect(),
        }),
        None => Err(PackageError::UnsupportedVersion {
            found: "none (the edoc field is missing)".into(),
        }),
    }
}

fn structure(e: serde_json::Error, bytes: &[u8], limits: &Limits) -> PackageError {
    let msg = e.to_string();
    let reason = match msg.rfind(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(&msg).to_owned(),
        None => msg,
    };
    PackageError::Structure {
        path: json::path_at(bytes, e.line(), e.column(), limits),
        reason,
        line: e.line(),
        column: e.column(),
    }
}
