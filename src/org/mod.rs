//! Agencies: their identifiers and the directory of who exists and who may sign for them.

mod directory;
mod id;

pub use directory::{Agency, AgencyKind, Directory, DirectoryError, DirectoryLimits, Group};
pub use id::{OrgId, OrgIdError, OrgLevel};
