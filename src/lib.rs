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

// PKCS#11 tokens (feature `pkcs11`).
#[cfg(feature = "pkcs11")]
pub use signer::{
    CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error, Pkcs11Signer,
    TokenSelector,
};
