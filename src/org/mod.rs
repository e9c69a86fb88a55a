//! Agencies: their identifiers and the directory of who exists and who may sign for them.

mod directory;
mod id;

pub use directory::{
    AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits,
};
pub use id::{OrgId, OrgIdError, OrgLevel};
