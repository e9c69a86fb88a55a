//! # edoc — signed electronic document exchange between Vietnamese agencies
//!
//! An official document (văn bản điện tử) counts only with two signatures: the competent
//! person's (proof of approval), then the issuing agency's seal (proof of origin), applied after
//! it. This crate models such documents, signs and verifies them as JAdES signatures
//! (ETSI TS 119 182-1, JWS JSON serialization), and routes them between agencies through hubs.
//!
//! | job | API |
//! |---|---|
//! | agency codes (QCVN 102:2016) | [`OrgId`] |
//! | write a document | [`HeaderBuilder`], [`AttachmentEntry`], [`Package::new`] |
//! | read untrusted bytes | [`Package::parse`] with [`Limits`] |
//! | sign | [`Package::sign`] with a [`Signer`]: [`SoftwareSigner`], or `Pkcs11Signer` (feature `pkcs11`) |
//! | verify | [`Verifier`] over a [`TrustStore`] and a [`Policy`] → [`VerifiedPackage`] or [`Rejected`] with a [`ValidationReport`] |
//! | plain JAdES over any bytes | [`sign_detached`], [`verify_detached`], [`JwsMessage`] |
//! | CMS signatures (RFC 5652) | [`CmsSignedData`]: parse, verify, [`CmsSignedData::sign_detached`] |
//! | RFC 3161 timestamps | [`TimestampAuthority`], [`request_timestamp`], [`TimestampToken`], [`SignerTsa`] |
//! | route between agencies | [`Directory`], [`RoutingTable`], [`MailboxStore`] |
//! | exchange edXML (QCVN 102:2016) with existing systems | `import_edxml`, `export_edxml` (feature `edxml`) |
//!
//! ## The whole flow
//!
//! A commune's chairman signs, the commune's seal follows, and the Department of Finance
//! verifies. The certificates come from a throw-away test PKI (`TestPki`, feature
//! `test-pki`); a deployment loads its trust anchors with [`TrustStore::add_anchors_pem`].
//!
//! ```
//! use edoc::{
//!     Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, HeaderBuilder,
//!     Limits, OrgId, Package, Policy, TestPki, Verifier,
//! };
//! use time::macros::{date, datetime};
//!
//! let commune: OrgId = "000.05.05.H57".parse()?;
//! let finance: OrgId = "000.00.10.H57".parse()?;
//! let pdf = b"%PDF-1.7 request for purchasing guidelines";
//!
//! // 1. The document: header (with the attachment manifest) and its attachment.
//! let header = HeaderBuilder::new()
//!     .sender(Agency::new(commune, "Ủy ban nhân dân xã A Lưới 5"))
//!     .recipient(Agency::new(finance, "Sở Tài chính"))
//!     .document_type("CV", "Công văn")
//!     .number_and_notation("42", "UBND-TCKH")
//!     .issued("A Lưới", date!(2025 - 07 - 02))
//!     .subject("Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025")
//!     .signatory("Hồ Văn A", "Chủ tịch", Competence::None)
//!     .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", pdf)?)
//!     .build()?;
//! let mut package = Package::new(header, [("request.pdf".to_owned(), pdf.to_vec())])?;
//!
//! // 2. Two signatures, in the order the law sets: the person, then the agency seal.
//! let pki = TestPki::new()?;
//! let chairman = pki.person("Hồ Văn A", "UBND xã A Lưới 5", &commune, Algorithm::Es256)?;
//! let seal = pki.seal("UBND xã A Lưới 5", &commune, Algorithm::Ps256)?;
//! let signed_at = datetime!(2025-07-02 09:00 +07:00);
//! package.sign(&chairman.signer()?, Commitment::ProofOfApproval, signed_at, &mut Detached::none())?;
//! package.sign(&seal.signer()?, Commitment::ProofOfOrigin, signed_at, &mut Detached::none())?;
//! let bytes = package.to_json();
//!
//! // 3. The receiver verifies the bytes it got, at a time it chooses.
//! let trust = pki.trust_store(&[])?;
//! let policy = Policy::strict();
//! let verified = Verifier::new(&trust, &policy)
//!     .verify_bytes(&bytes, &Limits::default(), &mut Detached::none(), datetime!(2025-07-02 10:00 +07:00))?;
//! assert_eq!(verified.header().sender().id, commune);
//! println!("{}", verified.report()); // PASSED: every signature is valid ...
//!
//! // A single changed byte is caught, and the report says why.
//! let tampered = String::from_utf8(bytes)?.replace("\"42\"", "\"43\"");
//! let refused = Verifier::new(&trust, &policy)
//!     .verify_bytes(tampered.as_bytes(), &Limits::default(), &mut Detached::none(), datetime!(2025-07-02 10:00 +07:00))
//!     .unwrap_err();
//! assert_eq!(refused.sub_indication(), Some(edoc::SubIndication::HashFailure));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Times
//!
//! Every time the API takes or returns is a `time` type, from the `time` crate that edoc
//! re-exports, so an embedder needs no `time` dependency of its own (only its macros, such as
//! `datetime!`, expand to `::time` paths and need one):
//!
//! ```
//! use edoc::time::{format_description::well_known::Rfc3339, Duration, OffsetDateTime};
//!
//! let signed_at = OffsetDateTime::parse("2025-07-02T09:00:00+07:00", &Rfc3339)?;
//! let checked_at = signed_at + Duration::hours(1);
//! let options = edoc::SignOptions::new(signed_at);
//! assert_eq!(checked_at.format(&Rfc3339)?, "2025-07-02T10:00:00+07:00");
//! # let _ = options;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Features
//!
//! The default is the library alone: `edoc = "0.1"` brings no command-line dependency and no
//! test PKI.
//!
//! | feature | default | what it adds |
//! |---|---|---|
//! | `cli` | no | the `edoc` binary (`cargo install --path . --features cli`), with `test-pki` for `edoc pki demo` |
//! | `test-pki` | no (on with `cli`) | `TestPki`: generated certificates for tests and demos, never for real documents |
//! | `pkcs11` | no | `Pkcs11Signer`: keys on USB tokens and HSMs through PKCS#11 |
//! | `edxml` | no (on with `cli`) | `import_edxml`, `export_edxml`: the edXML (QCVN 102:2016) bridge, on quick-xml and zip |
//! | `client` | no | `HubClient` (an agency's system talking to its hub) and `HttpsTransport` (hub to hub), over mutual TLS: tokio, reqwest, rustls |
//! | `server` | no | the hub's HTTP API (`HubService`, `serve`), the forwarder, group commit, `HubConfig`/`HubNode` (hub.toml): axum, hyper, tokio-rustls; implies `client` |
//!
//! The library never reads the clock and never prints: times are arguments, and it reports
//! through `tracing`. Times are [`time::OffsetDateTime`]s of the `time` crate, re-exported as
//! [`edoc::time`](crate::time) so an embedder uses the very version the API takes.
#![forbid(unsafe_code)]
#![deny(missing_docs, rustdoc::broken_intra_doc_links)]

// The modules, lowest layer first: a module uses only modules of earlier layers (and, in the
// first, json uses limits). None imports through the `pub use` block below; the layers are
// drawn in docs/architecture.md.

// 1. Bounds on untrusted input, and the strict JSON pre-pass that applies them; times in words.
mod json;
mod limits;
mod local_time;

// 2. Agency codes and the directory; signers (keys in software or on tokens).
mod org;
mod signer;

// 3. The document model; JAdES signatures over any bytes.
mod document;
mod jades;

// 4. Trust store, validation policy, chain validation; CMS signatures (RFC 5652).
mod cms;
mod trust;

// 5. The validation report, over chain results and signature checks; RFC 3161 timestamps.
mod report;
mod timestamp;
// Long-term validation: JAdES levels B-T..B-LTA from timestamps and validation data.
mod ltv;

// 6. The package (wire format, attachments, signing, verifying); small signed messages.
mod package;
mod signed;

// 7. Status messages and their rules.
mod status;

// 8. Routing between agencies: table, router, trace, receipts, mailbox stores.
mod route;

// 9. The edXML (QCVN 102:2016) bridge: documents and statuses to and from edXML.
#[cfg(feature = "edxml")]
mod edxml;
// 9. The network (features client, server): the hub's HTTP API, its client, the HTTPS
// transport between hubs. The only async code.
#[cfg(feature = "client")]
mod hub;

// Test support: generated certificates for tests and demos, never for real documents.
#[cfg(feature = "test-pki")]
mod testing;

// The public API: every name under exactly one path.
pub use cms::{CmsError, CmsLimits, CmsSignedData, CmsSigner, DigestAlgorithm, EssBinding, Hasher};
pub use document::{
    Agency, AttachmentEntry, BusinessAction, Competence, Confidentiality, DocumentError,
    DocumentId, DocumentType, Header, HeaderBuilder, InReplyTo, Signatory, Urgency,
};
#[cfg(feature = "edxml")]
pub use edxml::{
    export_edxml, export_edxml_status, import_edxml, EdxmlError, EdxmlImport, EdxmlLimits,
    EdxmlOptions, ImportReport, ImportedDocument, ImportedStatus, MappedField,
};
#[cfg(feature = "client")]
pub use hub::client::{
    ClientError, HttpsTransport, HubClient, HubClientConfig, Neighbour, Submitted,
};
#[cfg(feature = "client")]
pub use hub::clock::{Clock, SystemClock};
#[cfg(feature = "server")]
pub use hub::server::{
    serve, Caller, ClientCertificate, Forwarder, ForwarderOptions, HubConfig, HubConfigError,
    HubNode, HubService, HubServiceOptions, ServeOptions,
};
#[cfg(feature = "server")]
pub use hub::tls::server_tls_config;
#[cfg(feature = "client")]
pub use hub::tls::{TlsError, TlsIdentity};
#[cfg(feature = "client")]
pub use hub::wire::{FetchedDelivery, Problem};
pub use jades::{
    sign_attached_compact, sign_detached, verify_attached, verify_attached_with_key,
    verify_detached, verify_detached_documents, verify_detached_payload, verify_raw_signature,
    Commitment, DetachedObject, JadesError, JwsMessage, JwsSignature, ParsedSignature, Profile,
    RevocationValues, SignOptions, SignedObjectRef, UnsignedComponent, UnsignedProperties,
    UnsignedValue,
};
pub use json::JsonError;
pub use limits::Limits;
pub use ltv::{
    add_archive_timestamp, add_signature_timestamp, JadesLevel, LevelEvaluation, SignedContent,
    TimestampCheck, TimestampKind,
};
pub use org::{
    AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits, OrgId,
    OrgIdError, OrgLevel,
};
pub use package::{
    hash_stream, AttachmentDigest, Detached, Package, PackageError, Rejected, SignPackageError,
    TraceEntry, VerifiedPackage, VerifiedSignature, Verifier, FORMAT_VERSION,
};
pub use report::{
    Check, CheckStatus, Indication, SignatoryComparison, SignatureReport, SubIndication,
    ValidationReport,
};
pub use route::{
    verify_trace, Accepted, Committed, DeadLetter, DeadLetterId, Delivery, DeliveryId,
    DeliveryState, Disposition, DurableStore, ForwardReport, Forwarded, HubId, HubRegistry,
    HubRegistryError, InProcessNetwork, MailboxStore, MemoryStore, MessageKey, NewDelivery,
    NewOutboxEntry, NonDeliveryNotice, OutboxEntry, OutboxId, Overdue, PayloadKind, Receipt,
    RecipientDisposition, Refusal, RouteError, RoutePattern, Router, RouterConfig, RoutingTable,
    StatusEvent, StatusRecord, StatusUpdate, StoreError, Submission, SubmitEffects, SubmitError,
    TraceError, TraceHop, Tracking, Transport, TransportError, UrgencyRank,
};
pub use signed::SignedMessageError;
pub use signer::{certificates_from_bytes, Algorithm, SignError, Signer, SoftwareSigner};
#[cfg(feature = "pkcs11")]
pub use signer::{
    CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error, Pkcs11Signer,
    TokenSelector,
};
pub use status::{
    AnswerContext, Staff, StatusAuthor, StatusCode, StatusMessage, StatusMessageError,
    StatusSignError, StatusTransitionError, VerifiedStatus,
};
#[cfg(feature = "test-pki")]
pub use testing::{Defect, Holder, IdentitySpec, TestIdentity, TestPki, TestPkiError};
// The `time` crate whose types the API takes (`OffsetDateTime`, `Date`): an embedder that
// names `edoc::time` needs no matching version pin of its own.
pub use time;
pub use timestamp::{
    request_timestamp, SignerTsa, TimestampAuthority, TimestampError, TimestampRequest,
    TimestampToken,
};
pub use trust::{
    AgencyCertificates, ApprovalRole, ApproverAgency, CacheStats, CertificateName, ChainError,
    EkuPolicy, HighSPolicy, HolderMarks, KeyUsagePolicy, OrganizationBinding, OrganizationMismatch,
    OtherCommitments, Policy, PolicyError, RevocationMode, RevocationPolicy,
    RevokedAfterSigningTime, RoleMode, SignatoryMatch, SignerRoles, TrustLimits, TrustStore,
    TrustStoreError, ValidatedChain, ValidationTimeMode, ValidationTimes,
};
