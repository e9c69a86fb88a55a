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
mod document;
mod json;
mod package;

pub use document::{
    hash_stream, Agency, AttachmentEntry, BusinessAction, Competence, Confidentiality,
    DocumentError, DocumentId, DocumentType, Header, HeaderBuilder, InReplyTo, Signatory, Urgency,
};
pub use json::JsonError;
pub use package::{
    AttachmentDigest, Detached, Limits, Package, PackageError, TraceEntry, FORMAT_VERSION,
};

// JAdES signing and verification (jades engineer).
pub use jades::{
    sign_attached_compact, sign_detached, verify_attached, verify_attached_with_key,
    verify_detached, verify_detached_documents, verify_detached_payload, verify_raw_signature,
    DetachedObject, JadesError, JwsMessage, ParsedSignature, Profile, SignOptions, SignedObjectRef,
};
pub use signer::{certificates_from_bytes, SoftwareSigner};

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

// PKCS#11 tokens (feature `pkcs11`).
#[cfg(feature = "pkcs11")]
pub use signer::{
    CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error, Pkcs11Signer,
    TokenSelector,
};

// Routing (issue 4): the directory, status messages, the routing table and mailbox stores.
mod route;
mod status;

pub use org::{AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits};

pub use route::{
    Committed, Delivery, DeliveryId, DeliveryState, HubId, MailboxStore, MemoryStore, NewDelivery,
    NewOutboxEntry, NewTracking, OutboxEntry, OutboxId, Overdue, PayloadKind, RouteError,
    RoutePattern, RoutingTable, StatusRecord, StatusUpdate, StoreError, Submission, SubmitEffects,
    UrgencyRank,
};
pub use status::{
    Staff, StatusAuthor, StatusCode, StatusMessage, StatusMessageError, StatusTransitionError,
};

// Package signing and verification: the two signatures, bound together, against trust and policy.
mod verify;

pub use verify::{Rejected, SignPackageError, VerifiedPackage, VerifiedSignature, Verifier};

// Durable mailboxes on redb (issue 7).
pub use route::DurableStore;
