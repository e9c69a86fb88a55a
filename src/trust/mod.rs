//! Trust: the trust store (anchors, intermediates, CRLs), chain validation against a
//! [`Policy`], and a cache of validated chains.
//!
//! Path building and signature checks are rustls-webpki's; this module adds what webpki leaves
//! to callers: end-entity key usage, the EKU policy, revocation dates, chain length and RSA
//! key sizes, and it names every certificate in words. It also reads what a certificate says
//! about its holder (`role.rs`: an organisation's seal or a natural person's), which the
//! document rules judge against the policy's [`SignerRoles`].

mod cache;
mod chain;
mod error;
mod policy;
mod profile;
mod role;
mod store;
mod validate;

pub use cache::CacheStats;
pub use chain::{CertificateName, OrganizationMismatch, ValidatedChain, ValidationTimes};
pub use error::{ChainError, TrustStoreError};
pub use policy::{
    AgencyCertificates, ApprovalRole, ApproverAgency, EkuPolicy, HighSPolicy, KeyUsagePolicy,
    OrganizationBinding, OtherCommitments, Policy, PolicyError, RevocationMode, RevocationPolicy,
    RevokedAfterSigningTime, RoleMode, SignatoryMatch, SignerRoles, ValidationTimeMode,
};
pub use role::HolderMarks;
pub use store::{TrustLimits, TrustStore};
