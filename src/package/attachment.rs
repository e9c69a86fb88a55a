//! Attachment content: the bytes, inline or detached, hashed as a stream and checked against
//! their manifest entry. The manifest entry itself ([`AttachmentEntry`]: name, media type, size,
//! SHA-256) is part of the signed header, in `document/attachment.rs`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::PackageError;
use crate::document::AttachmentEntry;

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
    /// separator, not `..`), and a symbolic link there is followed only when it leads to a file
    /// inside `dir` (judged by where `dir` really is, so `dir` may itself be reached through a
    /// link): a package never makes the verifier read, or compare digests with, a file outside
    /// its folder. Only regular files are read (a FIFO or a device never blocks the reader).
    ///
    /// The file that is hashed is the file that was opened, and it must be the one found at a
    /// path inside `dir` after opening (same device and inode), so swapping a link while the
    /// folder is read cannot lead the reader out of it.
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

    /// Content of `name` comes from `reader`. A reader is consumed by the first check; a second
    /// check of the same name reports it missing.
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
                Some(dir) => check_in_folder(entry, dir),
                None => Err(missing()),
            },
        }
    }
}

impl AttachmentEntry {
    /// An entry for content read from `reader`, hashed as a stream in constant memory.
    pub fn for_reader(
        name: impl Into<String>,
        media_type: impl Into<String>,
        reader: impl Read,
    ) -> Result<AttachmentEntry, PackageError> {
        let (size, digest) = hash_stream(reader)?;
        Ok(AttachmentEntry::new(name, media_type, size, digest)?)
    }

    /// Checks content read from `reader` against this entry's size and SHA-256, streaming in
    /// constant memory; reading stops one byte past the declared size.
    pub fn check_reader(&self, reader: impl Read) -> Result<(), PackageError> {
        check_reader(self, reader)
    }

    /// Checks the file at `path` against this entry's size and SHA-256, streaming.
    pub fn check_file(&self, path: impl AsRef<Path>) -> Result<(), PackageError> {
        check_file(self, path.as_ref())
    }
}

/// Hashes a stream in constant memory (a 64 KiB buffer): returns its size and SHA-256.
pub fn hash_stream(mut reader: impl Read) -> std::io::Result<(u64, [u8; 32])> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let chunk = buf.get(..n).unwrap_or_default();
        hasher.update(chunk);
        size = size.saturating_add(n as u64);
    }
    Ok((size, hasher.finalize().into()))
}

/// Checks a file against a manifest entry, streaming: its length first (a sparse file that
/// claims a terabyte is refused without reading it), then its content.
pub(crate) fn check_file(entry: &AttachmentEntry, path: &Path) -> Result<(), PackageError> {
    let file = open_regular(entry, path)?;
    check_open_file(entry, file)
}

/// Checks `dir/<name>` for [`Detached::from_dir`]: a regular file inside `dir`.
fn check_in_folder(entry: &AttachmentEntry, dir: &Path) -> Result<(), PackageError> {
    let name = || entry.name().to_owned();
    let path = dir.join(entry.name());
    let file = match open_regular(entry, &path) {
        Err(PackageError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PackageError::DetachedMissing { name: name() })
        }
        other => other?,
    };
    // Where the name really leads, resolved after opening: the opened file must be the file at
    // that place, and the place inside the folder.
    let folder = dir.canonicalize()?;
    let real = path.canonicalize()?;
    if !real.starts_with(&folder) || !same_file(&file, &real)? {
        return Err(PackageError::DetachedOutsideFolder { name: name() });
    }
    check_open_file(entry, file)
}

/// Opens `path` for reading without blocking on a FIFO, and refuses anything but a regular file.
fn open_regular(entry: &AttachmentEntry, path: &Path) -> Result<std::fs::File, PackageError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opened for reading would wait for a writer; a regular file ignores the flag.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(PackageError::DetachedNotAFile {
            name: entry.name().to_owned(),
        });
    }
    Ok(file)
}

/// Whether the open `file` is the file at `path` (same device and inode).
fn same_file(file: &std::fs::File, path: &Path) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (open, named) = (file.metadata()?, std::fs::metadata(path)?);
        Ok(open.dev() == named.dev() && open.ino() == named.ino())
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        Ok(true)
    }
}

/// Compares an open regular file's length with the manifest, then hashes it.
fn check_open_file(entry: &AttachmentEntry, file: std::fs::File) -> Result<(), PackageError> {
    let length = file.metadata()?.len();
    if length != entry.size() {
        return Err(PackageError::SizeMismatch {
            name: entry.name().to_owned(),
            expected: entry.size(),
            actual: length,
        });
    }
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
