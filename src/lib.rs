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

// Document model, package format and canonical bytes (issue 2).
// Used by package parsing, which lands next; the allow goes with it.
#[allow(dead_code)]
mod json;
mod package;

pub use json::JsonError;
pub use package::Limits;
