//! Why a directory, or a change to it, was refused.

use crate::org::id::OrgId;

/// Why a directory, or a change to it, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DirectoryError {
    /// The JSON is malformed, has an unknown or duplicate field, or a value of the wrong shape.
    #[error("directory JSON is invalid: {0}")]
    Json(String),
    /// The JSON is larger than
    /// [`DirectoryLimits::max_json_bytes`](super::DirectoryLimits::max_json_bytes).
    #[error("directory JSON is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The `version` field names a format this crate does not read.
    #[error("directory format version {0} is not supported; expected 1")]
    Version(u32),
    /// A count limit was reached.
    #[error("directory has too many {what}: the limit is {limit}")]
    TooMany {
        /// What was counted: "agencies", "groups", "members of group communes", ...
        what: String,
        /// The limit.
        limit: usize,
    },
    /// The same agency code appears twice.
    #[error("agency {id} ({name}) appears twice in the directory")]
    DuplicateAgency {
        /// The repeated code.
        id: OrgId,
        /// The name of the second entry.
        name: String,
    },
    /// The same group name appears twice.
    #[error("group {0:?} appears twice in the directory")]
    DuplicateGroup(String),
    /// The same certificate is listed twice for one agency.
    #[error("certificate {fingerprint} is listed twice for agency {agency} ({name})")]
    DuplicateCertificate {
        /// The agency.
        agency: OrgId,
        /// The agency's name.
        name: String,
        /// The fingerprint, hex.
        fingerprint: String,
    },
    /// A name is empty, too long or holds control characters.
    #[error("{what} {value:?} is not a valid name: {reason}")]
    InvalidName {
        /// Which name: "agency 000.00.00.H57 name", "group name", ...
        what: String,
        /// The name (truncated to 64 characters).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An agency's parent is not in the directory (parents must be added, and listed, first).
    #[error("agency {agency} ({name}) names parent {parent}, which is not in the directory (parents come first)")]
    UnknownParent {
        /// The agency.
        agency: OrgId,
        /// Its name.
        name: String,
        /// The missing parent.
        parent: OrgId,
    },
    /// An agency names itself as its parent.
    #[error("agency {0} names itself as its parent")]
    SelfParent(OrgId),
    /// A group lists an agency that is not in the directory.
    #[error("group {group:?} lists agency {agency}, which is not in the directory")]
    UnknownMember {
        /// The group.
        group: String,
        /// The missing agency.
        agency: OrgId,
    },
    /// A group lists a group that does not exist, or is defined later (which could form a cycle).
    #[error("group {group:?} lists group {member:?}, which is not defined before it")]
    UnknownSubgroup {
        /// The group.
        group: String,
        /// The missing group.
        member: String,
    },
    /// Groups nest deeper than
    /// [`DirectoryLimits::max_group_depth`](super::DirectoryLimits::max_group_depth).
    #[error("group {group:?} nests {depth} groups deep; the limit is {limit}")]
    GroupTooDeep {
        /// The group.
        group: String,
        /// Its depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// A lookup named a group that does not exist.
    #[error("there is no group named {0:?}")]
    NoSuchGroup(String),
    /// A change named an agency that does not exist.
    #[error("there is no agency {0} in the directory")]
    NoSuchAgency(OrgId),
    /// A certificate fingerprint is not 64 hex digits.
    #[error("certificate fingerprint {value:?} of agency {agency} is not 64 hex digits (SHA-256 of the DER)")]
    InvalidFingerprint {
        /// The agency.
        agency: OrgId,
        /// The value (truncated to 80 characters).
        value: String,
    },
}
