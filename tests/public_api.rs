//! The public API, pinned: every name the `pub use` block of `lib.rs` exports, imported here by
//! that name (the feature-gated ones under their feature). A name that disappears from the crate
//! root fails to compile here; a name that appears without being added here fails
//! `the_crate_root_exports_exactly_these_names`.

/// Imports each group of names from the crate root (under its `cfg`, if any) and lists them all
/// in `PINNED`, gated or not, for the comparison with the text of `lib.rs`.
macro_rules! pin {
    ($( $(#[$attr:meta])* [$($name:ident),* $(,)?] )*) => {
        $( $(#[$attr])* #[allow(unused_imports)] use edoc::{$($name),*}; )*
        const PINNED: &[&str] = &[$($(stringify!($name),)*)*];
    };
}

pin! {
    // The `time` crate the API's times come from.
    [time]
    // Signers.
    [Algorithm, SignError, Signer, certificates_from_bytes, SoftwareSigner]
    // Agency codes and the directory.
    [OrgId, OrgIdError, OrgLevel]
    [AgencyGroup, AgencyKind, AgencyRecord, Directory, DirectoryError, DirectoryLimits]
    // The document.
    [
        hash_stream, Agency, AttachmentEntry, BusinessAction, Competence, Confidentiality,
        DocumentError, DocumentId, DocumentType, Header, HeaderBuilder, InReplyTo, Signatory,
        Urgency,
    ]
    // The package.
    [JsonError]
    [AttachmentDigest, Detached, Limits, Package, PackageError, TraceEntry, FORMAT_VERSION]
    [Rejected, SignPackageError, VerifiedPackage, VerifiedSignature, Verifier]
    // JAdES.
    [Commitment, JwsSignature]
    [
        sign_attached_compact, sign_detached, verify_attached, verify_attached_with_key,
        verify_detached, verify_detached_documents, verify_detached_payload, verify_raw_signature,
        DetachedObject, JadesError, JwsMessage, ParsedSignature, Profile, SignOptions,
        SignedObjectRef,
    ]
    // JAdES unsigned properties and the levels they reach (B-T, B-LT, B-LTA).
    [RevocationValues, UnsignedComponent, UnsignedProperties, UnsignedValue]
    [
        add_archive_timestamp, add_signature_timestamp, JadesLevel, LevelEvaluation,
        SignedContent, TimestampCheck, TimestampKind,
    ]
    // CMS signatures and RFC 3161 timestamps.
    [CmsError, CmsLimits, CmsSignedData, CmsSigner, DigestAlgorithm, EssBinding, Hasher]
    [
        request_timestamp, SignerTsa, TimestampAuthority, TimestampError, TimestampRequest,
        TimestampToken,
    ]
    // Trust and reports.
    [
        AgencyCertificates, ApprovalRole, ApproverAgency, CacheStats, CertificateName, ChainError,
        EkuPolicy, HighSPolicy, HolderMarks, KeyUsagePolicy, OtherCommitments, RoleMode,
        SignatoryMatch, SignerRoles,
        OrganizationBinding, OrganizationMismatch, Policy, PolicyError, RevocationMode,
        RevocationPolicy, RevokedAfterSigningTime, TrustLimits, TrustStore, TrustStoreError,
        ValidatedChain, ValidationTimeMode, ValidationTimes,
    ]
    [
        Check, CheckStatus, Indication, SignatoryComparison, SignatureReport, SubIndication,
        ValidationReport,
    ]
    // Status messages.
    [
        Staff, StatusAuthor, StatusCode, StatusMessage, StatusMessageError,
        StatusTransitionError, VerifiedStatus,
    ]
    // Signing a status as the answer to a verified document (issue 12).
    [AnswerContext, StatusSignError]
    // Routing and mailbox stores.
    [
        verify_trace, Accepted, Committed, Delivery, DeliveryId, DeliveryState, Disposition,
        ForwardReport, Forwarded, HubId, HubRegistry, HubRegistryError, InProcessNetwork, MailboxStore, MemoryStore,
        NewDelivery, NewOutboxEntry, OutboxEntry, OutboxId, Overdue, PayloadKind, Receipt,
        RecipientDisposition, RouteError, RoutePattern, Router, RouterConfig, RoutingTable,
        SignedMessageError, StatusRecord, StatusUpdate, StoreError, Submission, SubmitEffects,
        SubmitError, TraceError, TraceHop, Tracking, Transport, TransportError, UrgencyRank,
    ]
    [DurableStore]
    // Message keys, dead letters and non-delivery (issue 12).
    [DeadLetter, DeadLetterId, MessageKey, NonDeliveryNotice, Refusal, StatusEvent]
    // Feature `test-pki`.
    #[cfg(feature = "test-pki")]
    [Defect, Holder, IdentitySpec, TestIdentity, TestPki, TestPkiError]
    #[cfg(feature = "edxml")]
    [
        export_edxml, export_edxml_status, import_edxml, EdxmlError, EdxmlImport, EdxmlLimits,
        EdxmlOptions, ImportReport, ImportedDocument, ImportedStatus, MappedField,
    ]
    // Feature `client`: the network, an agency's side and the link between hubs.
    #[cfg(feature = "client")]
    [
        Clock, ClientError, FetchedDelivery, HttpsTransport, HubClient, HubClientConfig,
        Neighbour, Problem, Submitted, SystemClock, TlsError, TlsIdentity,
    ]
    // Feature `server`: the hub's side.
    #[cfg(feature = "server")]
    [
        serve, server_tls_config, Caller, ClientCertificate, Forwarder, ForwarderOptions,
        HubConfig, HubConfigError, HubNode, HubService, HubServiceOptions, ServeOptions,
    ]
    // Feature `pkcs11`.
    #[cfg(feature = "pkcs11")]
    [
        CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error, Pkcs11Signer,
        TokenSelector,
    ]
}

/// The names exported by the `pub use` statements of `lib.rs` (comments skipped), sorted.
fn exported_names(lib_rs: &str) -> Vec<String> {
    let code: String = lib_rs
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut names = Vec::new();
    for statement in code.split(';') {
        let Some(at) = statement.find("pub use ") else {
            continue;
        };
        let path: String = statement[at + "pub use ".len()..]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let items = match (path.find('{'), path.rfind('}')) {
            (Some(open), Some(close)) => path[open + 1..close].to_owned(),
            _ => path,
        };
        for item in items.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let name = item.rsplit(" as ").next().unwrap_or(item);
            let name = name.rsplit("::").next().unwrap_or(name);
            names.push(name.to_owned());
        }
    }
    names.sort();
    names
}

#[test]
fn the_crate_root_exports_exactly_these_names() {
    let exported = exported_names(include_str!("../src/lib.rs"));
    let mut pinned: Vec<String> = PINNED.iter().map(|s| (*s).to_owned()).collect();
    pinned.sort();
    assert_eq!(exported, pinned);
    assert_eq!(pinned.len(), 223, "the public API has 223 names");
}
