//! Trust: the trust store (anchors, intermediates, CRLs), chain validation against a
//! [`Policy`], and a cache of validated chains.
//!
//! Path building and signature checks are rustls-webpki's; this module adds what webpki leaves
//! to callers: end-entity key usage, the EKU policy, revocation dates, chain length and RSA
//! key sizes, and it names every certificate in words.

mod cache;
mod chain;
mod error;
mod policy;
mod profile;
mod store;
mod validate;

pub use cache::CacheStats;
pub use chain::{CertificateName, OrganizationMismatch, ValidatedChain, ValidationTimes};
pub use error::{ChainError, TrustStoreError};
pub use policy::{
    AgencyCertificates, EkuPolicy, HighSPolicy, KeyUsagePolicy, OrganizationBinding, Policy,
    PolicyError, RevocationMode, RevocationPolicy, RevokedAfterSigningTime, ValidationTimeMode,
};
pub use store::{TrustLimits, TrustStore};
