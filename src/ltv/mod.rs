//! Long-term validation of JAdES signatures (ETSI TS 119 182-1 levels B-T, B-LT, B-LTA;
//! ETSI EN 319 102-1 past-signature validation): which level a signature's unsigned
//! properties reach, the proof of existence each timestamp gives, and the best signature time.
//!
//! [`LevelEvaluation::evaluate`] checks what the signature carries by itself: every
//! timestamp's imprint and CMS signature (with the certificates in `xVals`), and the
//! presence of validation data. [`LevelEvaluation::validate_tsa_chains`] then validates each
//! TSA's chain against a [`TrustStore`](crate::TrustStore) at the next proof of existence (the
//! following archive timestamp), or at the validation time when there is none. A level is
//! reached only when every timestamp it rests on checks out: a broken or copied timestamp
//! leaves the signature at the level below.

mod evaluate;
mod extend;
mod level;

pub use evaluate::{LevelEvaluation, SignedContent, TimestampCheck, TimestampKind};
pub use extend::{add_archive_timestamp, add_signature_timestamp};
pub use level::JadesLevel;
