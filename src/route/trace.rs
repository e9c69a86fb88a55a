//! Trace entries: one per hub a document (or a status, between hubs) passes, signed by that
//! hub, each naming the digest of the one before, so the trace cannot be cut, reordered or
//! moved to another package unnoticed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::hubs::HubRegistry;
use super::table::HubId;
use crate::org::OrgId;
use crate::package::{TraceEntry, VerifiedPackage};
use crate::signed::{self, hex, SignedMessageError};
use crate::signer::Signer;
use crate::trust::{Policy, TrustStore};

/// Largest trace entry accepted: 64 KiB (the hub's `x5c` chain is a few KiB).
const MAX_ENTRY_BYTES: usize = 64 << 10;

/// Recipients a hub forwarded a document to, by next hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Forwarded {
    /// The next hub.
    pub hub: HubId,
    /// The recipients it was forwarded for.
    pub recipients: Vec<OrgId>,
}

/// What one hub did with a document (the signed content of a trace entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TraceHop {
    /// The hub.
    pub hub: HubId,
    /// When it handled the document.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// The document id; in a status's trace, the status's id
    /// ([`VerifiedStatus::id`](crate::status::VerifiedStatus::id)).
    pub document_id: String,
    /// The document's business action code (0 new, 1 revoke, 2 update, 3 replace); 0 in a
    /// status's trace.
    pub action: u8,
    /// Hex SHA-256 of the package content (signed data and signatures, not the trace):
    /// [`VerifiedPackage::content_digest`]. Binds the entry to this package. In a status's
    /// trace, the SHA-256 of what the status's signature signs.
    pub content_sha256: String,
    /// Hex SHA-256 of the previous trace entry (`protected.payload.signature`), or `None`
    /// for the first hop.
    pub previous_sha256: Option<String>,
    /// Recipients delivered to this hub's own mailboxes.
    pub delivered: Vec<OrgId>,
    /// Recipients forwarded to other hubs.
    pub forwarded: Vec<Forwarded>,
}

/// Why a package's trace does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// An entry's signature, certificate or form is wrong.
    #[error("trace entry {index}: {source}")]
    Entry {
        /// Position in the trace, from 0.
        index: usize,
        /// What is wrong.
        source: SignedMessageError,
    },
    /// An entry is signed by a certificate that is not registered for the hub it names.
    #[error("trace entry {index} claims hub {hub} but is signed by {signer}, which is not that hub's certificate")]
    NotTheHub {
        /// Position.
        index: usize,
        /// The hub named.
        hub: HubId,
        /// The signer.
        signer: String,
    },
    /// An entry was made for another package or status (its content digest, document id or
    /// business action differ).
    #[error("trace entry {index} (hub {hub}) belongs to another package")]
    OtherPackage {
        /// Position.
        index: usize,
        /// The hub named.
        hub: HubId,
    },
    /// An entry does not name the digest of the entry before it: entries were removed,
    /// inserted or reordered.
    #[error("trace entry {index} (hub {hub}) does not follow the entry before it: the trace was cut or reordered")]
    Broken {
        /// Position.
        index: usize,
        /// The hub named.
        hub: HubId,
    },
    /// The trace does not start at the sender's own hub: the hub that serves the sender (as
    /// the checking hub's routing table sees it) neither made the first entry nor vouched for
    /// the entries before its own. A registered hub cannot inject documents of agencies it
    /// does not serve.
    #[error("the trace starts at hub {hub}, but agency {sender} is reached through hub {expected}, which did not handle it")]
    NotSendersHub {
        /// The hub of the first entry.
        hub: HubId,
        /// The document's sender.
        sender: OrgId,
        /// The hub that serves the sender, as the checking hub's routing table says.
        expected: HubId,
    },
    /// An entry's hub is not one the previous hub forwarded to, or its time runs backwards.
    #[error("trace entry {index}: hub {hub} was not the next hop of hub {previous}")]
    UnexpectedHop {
        /// Position.
        index: usize,
        /// The hub named.
        hub: HubId,
        /// The previous hub.
        previous: HubId,
    },
}

fn entry_text(e: &TraceEntry) -> String {
    format!("{}.{}.{}", e.protected, e.payload, e.signature)
}

/// SHA-256 of a trace entry as it is chained (`protected.payload.signature`).
pub(crate) fn entry_digest(e: &TraceEntry) -> [u8; 32] {
    Sha256::digest(entry_text(e).as_bytes()).into()
}

/// Signs `hop` with the hub's seal as a trace entry.
pub(crate) fn make_entry(
    seal: &dyn Signer,
    hop: &TraceHop,
) -> Result<TraceEntry, crate::jades::JadesError> {
    // Strings, arrays and an RFC 3339 time: canonicalization cannot fail.
    let payload = serde_json_canonicalizer::to_vec(hop).unwrap_or_default();
    let text = signed::sign(seal, &payload, hop.time)?;
    let [protected, payload, signature] = signed::split(&text, "trace entry")
        .map_err(|e| crate::jades::JadesError::Signer(e.to_string()))?;
    Ok(TraceEntry {
        payload,
        protected,
        signature,
    })
}

/// Verifies every trace entry of a verified package, in order, and returns what each hub did.
///
/// Each entry must be a proof-of-receipt signature by a certificate `hubs` registers for the hub
/// it names, trusted under `policy`; name this package's content digest and document id; name
/// the digest of the entry before it (none for the first); state the document's business
/// action; and come from a hub the previous entry forwarded to, no earlier than it.
///
/// Which hub may start a trace depends on the routing table of the hub that checks it: the
/// router checks that too (the first hop is the sender's own hub, [`TraceError::NotSendersHub`]).
pub fn verify_trace(
    package: &VerifiedPackage,
    hubs: &HubRegistry,
    trust: &TrustStore,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<Vec<TraceHop>, TraceError> {
    let subject = Traced {
        id: &package.header().id().to_string(),
        content_sha256: &hex(package.content_digest()),
        action: package.header().action().code(),
    };
    verify_entries(
        package.package().trace(),
        &subject,
        hubs,
        trust,
        policy,
        now,
    )
}

/// What a trace is about: the id each hop names, the content digest it binds, the action.
pub(crate) struct Traced<'a> {
    /// The document id, or a status's id.
    pub(crate) id: &'a str,
    /// Hex SHA-256 of the content the entries bind.
    pub(crate) content_sha256: &'a str,
    /// The document's business action code (0 for a status).
    pub(crate) action: u8,
}

/// [`verify_trace`] over any message's entries.
pub(crate) fn verify_entries(
    entries: &[TraceEntry],
    subject: &Traced<'_>,
    hubs: &HubRegistry,
    trust: &TrustStore,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<Vec<TraceHop>, TraceError> {
    let mut hops: Vec<TraceHop> = Vec::new();
    let mut previous_digest: Option<String> = None;
    for (index, entry) in entries.iter().enumerate() {
        let text = entry_text(entry);
        let checked = signed::verify(
            text.as_bytes(),
            "trace entry",
            MAX_ENTRY_BYTES,
            trust,
            policy,
            now,
        )
        .map_err(|source| TraceError::Entry { index, source })?;
        let hop: TraceHop =
            serde_json::from_slice(&checked.payload).map_err(|e| TraceError::Entry {
                index,
                source: SignedMessageError::Content {
                    what: "trace entry",
                    reason: e.to_string(),
                },
            })?;
        if hubs.hub_of(checked.chain.leaf_sha256()) != Some(&hop.hub) {
            return Err(TraceError::NotTheHub {
                index,
                hub: hop.hub,
                signer: checked.chain.subject().to_string(),
            });
        }
        // The action is in the signed header too; a hop stating another one relabels what the
        // document does (a new document passed off as a replacement, say).
        if hop.content_sha256 != subject.content_sha256
            || hop.document_id != subject.id
            || hop.action != subject.action
        {
            return Err(TraceError::OtherPackage {
                index,
                hub: hop.hub,
            });
        }
        if hop.previous_sha256 != previous_digest {
            return Err(TraceError::Broken {
                index,
                hub: hop.hub,
            });
        }
        if let Some(prev) = hops.last() {
            let named = prev.forwarded.iter().any(|f| f.hub == hop.hub);
            if !named || hop.time < prev.time {
                return Err(TraceError::UnexpectedHop {
                    index,
                    hub: hop.hub,
                    previous: prev.hub.clone(),
                });
            }
        }
        previous_digest = Some(hex(&entry_digest(entry)));
        hops.push(hop);
    }
    Ok(hops)
}
