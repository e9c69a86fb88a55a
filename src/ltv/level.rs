//! The JAdES baseline levels (ETSI TS 119 182-1 §6).

use std::fmt;

/// A JAdES baseline level. Ordered: each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[non_exhaustive]
pub enum JadesLevel {
    /// B-B: the signature, its signed properties and the signer's certificate.
    #[serde(rename = "B-B")]
    BaselineB,
    /// B-T: and a signature timestamp (`sigTst`) proving the signature existed at its time.
    #[serde(rename = "B-T")]
    BaselineT,
    /// B-LT: and the validation data (`xVals`, `rVals`) to validate offline.
    #[serde(rename = "B-LT")]
    BaselineLt,
    /// B-LTA: and archive timestamps (`arcTst`) over all of it, renewable.
    #[serde(rename = "B-LTA")]
    BaselineLta,
}

impl fmt::Display for JadesLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JadesLevel::BaselineB => "B-B",
            JadesLevel::BaselineT => "B-T",
            JadesLevel::BaselineLt => "B-LT",
            JadesLevel::BaselineLta => "B-LTA",
        })
    }
}
