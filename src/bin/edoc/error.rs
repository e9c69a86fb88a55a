//! The CLI's own error type and its fixed exit codes.

use std::path::Path;
use std::process::ExitCode;

/// Every run ends in one of these codes (documented in `edoc --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Success: every document verified, or the file was written.
    Ok = 0,
    /// A document failed verification or is indeterminate, or the library refused the
    /// operation on the data given (approval after the seal, an invalid header).
    Failed = 1,
    /// Usage error, or a file could not be read, parsed as configuration, or written.
    Usage = 2,
    /// The hub could not be reached or could not answer now: retry later.
    Unavailable = 3,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Why a command stopped.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// The arguments do not make sense together (beyond what clap checks).
    #[error("{0}")]
    Usage(String),
    /// A file or stream could not be read or written.
    #[error("{what} {path}: {source}")]
    Io {
        /// What the file is for, e.g. "cannot read trust anchors".
        what: &'static str,
        /// The path as given.
        path: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// A configuration input (trust store, policy, directory, key, certificate) is unusable.
    #[error("{0}")]
    Config(String),
    /// The library refused the operation on this data.
    #[error("{0}")]
    Refused(String),
    /// Verification failed; the results were already printed.
    #[error("verification failed")]
    Failed,
    /// Some inputs could not be read; each was already reported with the results.
    #[error("some inputs could not be read")]
    Unreadable,
    /// The hub is unreachable or cannot answer now.
    #[error("{0}")]
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Unavailable(String),
}

impl CliError {
    /// The exit code of this error.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            CliError::Usage(_)
            | CliError::Io { .. }
            | CliError::Config(_)
            | CliError::Unreadable => Exit::Usage,
            CliError::Refused(_) | CliError::Failed => Exit::Failed,
            CliError::Unavailable(_) => Exit::Unavailable,
        }
    }

    /// An I/O error on `path`.
    pub(crate) fn io(what: &'static str, path: &Path, source: std::io::Error) -> CliError {
        CliError::Io {
            what,
            path: path.display().to_string(),
            source,
        }
    }
}
