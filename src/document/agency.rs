//! An agency as a header names it: code and name.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::org::OrgId;

/// An agency (cơ quan) named in a header: its code and its name as the sender writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Agency {
    /// The QCVN 102:2016 code.
    pub id: OrgId,
    /// The full name, e.g. "Ủy ban nhân dân xã A Lưới 1".
    pub name: String,
}

impl Agency {
    /// An agency from its code and name.
    pub fn new(id: OrgId, name: impl Into<String>) -> Agency {
        Agency {
            id,
            name: name.into(),
        }
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.id)
    }
}
