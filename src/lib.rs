//! # edoc — signed electronic document exchange between Vietnamese agencies
//!
//! (Crate documentation with the whole flow lands with the package and signature modules.)
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

mod signer;

pub use signer::{Algorithm, SignError, Signer};

mod org;

pub use org::{OrgId, OrgIdError, OrgLevel};

mod jades;

pub use jades::{Commitment, JwsSignature};

// Trust: trust store, validation policy, chain validation and its cache; reports; test PKI.
mod report;
#[cfg(feature = "test-pki")]
mod testing;
mod trust;

pub use report::{
    Check, CheckStatus, Indication, SignatureReport, SubIndication, ValidationReport,
};
#[cfg(feature = "test-pki")]
pub use testing::{Defect, Holder, IdentitySpec, TestIdentity, TestPki, TestPkiError};
pub use trust::{
    AgencyCertificates, CacheStats, CertificateName, ChainError, EkuPolicy, KeyUsagePolicy,
    OrganizationBinding, OrganizationMismatch, Policy, PolicyError, RevocationMode,
    RevocationPolicy, RevokedAfterSigningTime, TrustLimits, TrustStore, TrustStoreError,
    ValidatedChain, ValidationTimeMode, ValidationTimes,
};
