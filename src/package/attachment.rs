//! Attachment content: checking it against the manifest, inline or detached.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::PackageError;
use crate::document::hash_stream;
use crate::AttachmentEntry;

/// An attachment's name and SHA-256, after its content was checked against the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentDigest {
    /// The name in the manifest.
    pub name: String,
    /// SHA-256 of the content.
    pub sha256: [u8; 32],
}

enum Source<'a> {
    Path(PathBuf),
    Reader(Box<dyn Read + 'a>),
}

/// Where the content of detached attachments comes from: a folder, files or readers by name.
///
/// ```no_run
/// let mut detached = edoc::Detached::from_dir("/var/edoc/incoming/abc");
/// ```
#[derive(Default)]
pub struct Detached<'a> {
    dir: Option<PathBuf>,
    sources: BTreeMap<String, Source<'a>>,
}

impl std::fmt::Debug for Detached<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detached")
            .field("dir", &self.dir)
            .field("names", &self.sources.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl<'a> Detached<'a> {
    /// No detached content: every attachment must be inline.
    pub fn none() -> Detached<'a> {
        Detached::default()
    }

    /// Content read from `dir/<attachment name>`. Manifest names are safe file names (no path
    /// separator, not `..`), so this never leaves `dir`.
    pub fn from_dir(dir: impl Into<PathBuf>) -> Detached<'a> {
        Detached {
            dir: Some(dir.into()),
            sources: BTreeMap::new(),
        }
    }

    /// Content of `name` is the file at `path`.
    pub fn add_path(mut self, name: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        self.sources.insert(name.into(), Source::Path(path.into()));
        self
    }

    /// Content of `name` comes from `reader` (read once).
    pub fn add_reader(mut self, name: impl Into<String>, reader: impl Read + 'a) -> Self {
        self.sources
            .insert(name.into(), Source::Reader(Box::new(reader)));
        self
    }

    /// Hashes the content of `entry` as a stream and compares it with the manifest.
    pub(crate) fn check(&mut self, entry: &AttachmentEntry) -> Result<(), PackageError> {
        let missing = || PackageError::DetachedMissing {
            name: entry.name().to_owned(),
        };
        match self.sources.remove(entry.name()) {
            Some(Source::Reader(r)) => check_reader(entry, r),
            Some(Source::Path(p)) => check_file(entry, &p),
            None => match &self.dir {
                Some(dir) => {
                    let path = dir.join(entry.name());
                    if !path.is_file() {
                        return Err(missing());
                    }
                    check_file(entry, &path)
                }
                None => Err(missing()),
            },
        }
    }
}

/// Checks a file against a manifest entry, streaming.
pub(crate) fn check_file(entry: &AttachmentEntry, path: &Path) -> Result<(), PackageError> {
    let file = std::fs::File::open(path)?;
    check_reader(entry, file)
}

/// Checks a reader against a manifest entry, streaming in constant memory.
pub(crate) fn check_reader(entry: &AttachmentEntry, reader: impl Read) -> Result<(), PackageError> {
    // Read at most one byte past the declared size: a longer stream is refused without reading
    // it to the end.
    let (size, digest) = hash_stream(reader.take(entry.size().saturating_add(1)))?;
    compare(entry, size, &digest)
}

/// Checks bytes in memory against a manifest entry.
pub(crate) fn check_bytes(entry: &AttachmentEntry, bytes: &[u8]) -> Result<(), PackageError> {
    let digest: [u8; 32] = Sha256::digest(bytes).into();
    compare(entry, bytes.len() as u64, &digest)
}

fn compare(entry: &AttachmentEntry, size: u64, digest: &[u8; 32]) -> Result<(), PackageError> {
    if size != entry.size() {
        return Err(PackageError::SizeMismatch {
            name: entry.name().to_owned(),
            expected: entry.size(),
            actual: size,
        });
    }
    if digest != entry.sha256() {
        return Err(PackageError::DigestMismatch {
            name: entry.name().to_owned(),
        });
    }
    Ok(())
}
