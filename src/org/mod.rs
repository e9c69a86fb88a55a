//! Agencies: their identifiers (and, with the routing work, the directory of who exists).

mod id;

pub use id::{OrgId, OrgIdError, OrgLevel};
