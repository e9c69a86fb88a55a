//! Confidentiality (độ mật).

use serde::{Deserialize, Serialize};

/// Confidentiality (độ mật). Classified documents must not travel through ordinary exchange
/// (Decision 28/2018/QD-TTg does not cover state secrets); the router refuses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Confidentiality {
    /// Not classified.
    None,
    /// Mật.
    Confidential,
    /// Tối mật.
    Secret,
    /// Tuyệt mật.
    TopSecret,
}

impl Confidentiality {
    /// True for any classification above `None`.
    pub fn is_classified(self) -> bool {
        self != Confidentiality::None
    }
}
