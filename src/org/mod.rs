//! Agencies: their identifiers and the directory of who exists and who may sign for them.

mod agency;
mod directory;
mod id;

pub use agency::{AgencyGroup, AgencyKind, AgencyRecord};
pub use directory::{Directory, DirectoryError, DirectoryLimits};
pub use id::{OrgId, OrgIdError, OrgLevel};
