//! Reading inputs (files or standard input, bounded) and writing outputs (atomically).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::CliError;

/// Reads a file, or standard input for `-`, at most `limit + 1` bytes. A larger input is
/// refused (exit 1) with its true size when the file system knows it, and without being read
/// to the end; an empty one is refused in words. Refusals name the input.
pub(crate) fn read_bounded(
    target: &str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, CliError> {
    read_input(target, limit, what).map_err(|e| match e {
        CliError::Refused(reason) => {
            let name = if target == "-" {
                "standard input"
            } else {
                target
            };
            CliError::Refused(format!("{name}: {reason}"))
        }
        other => other,
    })
}

/// [`read_bounded`], with refusals that do not repeat the input's name (for lines that start
/// with it).
pub(crate) fn read_input(
    target: &str,
    limit: usize,
    what: &'static str,
) -> Result<Vec<u8>, CliError> {
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    let mut bytes = Vec::new();
    let mut size = None;
    if target == "-" {
        std::io::stdin()
            .lock()
            .take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::io(what, Path::new("<stdin>"), e))?;
    } else {
        let path = Path::new(target);
        let file = std::fs::File::open(path).map_err(|e| CliError::io(what, path, e))?;
        size = file.metadata().ok().map(|m| m.len());
        file.take(cap)
            .read_to_end(&mut bytes)
            .map_err(|e| CliError::io(what, path, e))?;
    }
    if bytes.len() > limit {
        let actual = match size {
            Some(n) => format!("the file is {n} bytes ({})", mib(n)),
            None => format!("the input is more than {limit} bytes"),
        };
        return Err(CliError::Refused(format!(
            "{actual}; the limit is {limit} bytes ({})",
            mib(limit as u64)
        )));
    }
    if bytes.trim_ascii().is_empty() {
        return Err(CliError::Refused("the file is empty".into()));
    }
    Ok(bytes)
}

/// The first `n` bytes of a file (all of it when shorter), and whether that was all of it.
pub(crate) fn read_prefix(path: &Path, n: usize) -> Result<(Vec<u8>, bool), CliError> {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| CliError::io("cannot read", path, e))?;
    let cap = u64::try_from(n).unwrap_or(u64::MAX).saturating_add(1);
    file.take(cap)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io("cannot read", path, e))?;
    let whole = bytes.len() <= n;
    bytes.truncate(n);
    Ok((bytes, whole))
}

/// A size in MiB with one decimal, for messages.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// Reads a whole configuration file (trust store, policy, directory, header).
pub(crate) fn read_file(path: &Path, what: &'static str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(what, path, e))
}

/// The folder a package's detached attachments are read from: `--detached-dir` when given,
/// else the package file's own folder. A package on standard input has no folder: without
/// `--detached-dir` its detached attachments are not read at all (the current folder is
/// whatever the caller happens to be in, not a place the package chose).
pub(crate) fn detached_dir(target: &str, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(dir) = given {
        return Some(dir.to_path_buf());
    }
    if target == "-" {
        return None;
    }
    match Path::new(target).parent() {
        Some(p) if !p.as_os_str().is_empty() => Some(p.to_path_buf()),
        _ => Some(PathBuf::from(".")),
    }
}

/// Where detached attachments come from for `target` (see [`detached_dir`]).
pub(crate) fn detached<'a>(target: &str, given: Option<&Path>) -> edoc::Detached<'a> {
    match detached_dir(target, given) {
        Some(dir) => edoc::Detached::from_dir(dir),
        None => edoc::Detached::none(),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees half a package and a failure leaves the old file in place.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".to_owned());
    let tmp = dir.join(format!(".{name}.edoc-tmp-{}", std::process::id()));
    let result = std::fs::File::create(&tmp)
        .and_then(|mut f| {
            f.write_all(bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CliError::io("cannot write", path, e));
    }
    Ok(())
}

/// Writes to `path`, or to standard output when there is none.
pub(crate) fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), CliError> {
    match path {
        Some(p) => write_atomic(p, bytes),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|()| out.flush())
                .map_err(|e| CliError::io("cannot write", Path::new("<stdout>"), e))
        }
    }
}

/// The current time: the one place the CLI reads the clock (the library never does).
pub(crate) fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}
