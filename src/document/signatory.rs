//! The competent person who signs (người ký).

use serde::{Deserialize, Serialize};

use super::competence::Competence;

/// Who signs the document as the competent person (người ký).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Signatory {
    /// Full name.
    pub full_name: String,
    /// Position, e.g. "Chủ tịch".
    pub position: String,
    /// Competence.
    pub competence: Competence,
}
