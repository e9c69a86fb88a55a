//! The document type (loại văn bản).

use serde::{Deserialize, Serialize};

/// The document type (loại văn bản): a code and its name. Codes differ between systems, so
/// this is open, not an enum; e.g. code `CV`, name "Công văn" (official letter).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DocumentType {
    /// The type code of the sender's system.
    pub code: String,
    /// The type's name.
    pub name: String,
}
