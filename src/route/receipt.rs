//! Receipts: a hub's signed answer to a submission, with what became of each recipient.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::hubs::HubRegistry;
use super::table::HubId;
use crate::org::OrgId;
use crate::signed::{self, SignedMessageError};
use crate::signer::Signer;
use crate::trust::{Policy, TrustStore};

/// Largest signed receipt accepted: 1 MiB (5 000 recipients of ~100 bytes, plus the chain).
const MAX_RECEIPT_BYTES: usize = 1 << 20;

/// What a hub did for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub enum Disposition {
    /// Put in the recipient's mailbox at this hub.
    Delivered,
    /// Queued for the next hub.
    Forwarded {
        /// The next hub.
        hub: HubId,
    },
    /// Not sent on, and why.
    Refused {
        /// Why, in words.
        reason: String,
    },
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Disposition::Delivered => f.write_str("delivered"),
            Disposition::Forwarded { hub } => write!(f, "forwarded to {hub}"),
            Disposition::Refused { reason } => write!(f, "refused: {reason}"),
        }
    }
}

/// One recipient and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipientDisposition {
    /// The recipient.
    pub recipient: OrgId,
    /// What the hub did.
    pub disposition: Disposition,
}

/// A hub's receipt (biên nhận) for a document or status it accepted: signed by the hub's seal
/// with the proof-of-receipt commitment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Receipt {
    /// The hub that accepted it.
    pub hub: HubId,
    /// The document id, or the status message's id.
    pub message_id: String,
    /// Hex SHA-256 of what was accepted (a document's content digest, or a status's bytes).
    pub content_sha256: String,
    /// The agency that sent it.
    pub from: OrgId,
    /// When the hub accepted it.
    #[serde(with = "time::serde::rfc3339")]
    pub received: OffsetDateTime,
    /// Per recipient, what the hub did.
    pub dispositions: Vec<RecipientDisposition>,
}

impl Receipt {
    /// Signs the receipt with the hub's seal: a JWS compact string.
    pub(crate) fn sign(&self, seal: &dyn Signer) -> Result<String, crate::jades::JadesError> {
        // Strings, arrays and an RFC 3339 time: canonicalization cannot fail.
        let payload = serde_json_canonicalizer::to_vec(self).unwrap_or_default();
        signed::sign(seal, &payload, self.received)
    }

    /// Verifies a signed receipt: proof of receipt, a trusted chain, and a certificate that
    /// `hubs` registers for the hub the receipt names.
    pub fn verify(
        bytes: &[u8],
        hubs: &HubRegistry,
        trust: &TrustStore,
        policy: &Policy,
        now: OffsetDateTime,
    ) -> Result<Receipt, SignedMessageError> {
        let checked = signed::verify(bytes, "receipt", MAX_RECEIPT_BYTES, trust, policy, now)?;
        let receipt: Receipt =
            serde_json::from_slice(&checked.payload).map_err(|e| SignedMessageError::Content {
                what: "receipt",
                reason: e.to_string(),
            })?;
        if hubs.hub_of(checked.chain.leaf_sha256()) != Some(&receipt.hub) {
            return Err(SignedMessageError::WrongSigner {
                what: "receipt",
                signer: checked.chain.subject().to_string(),
                claimed: format!("hub {}", receipt.hub),
            });
        }
        Ok(receipt)
    }

    /// The disposition for one recipient.
    pub fn disposition(&self, recipient: &OrgId) -> Option<&Disposition> {
        self.dispositions
            .iter()
            .find(|d| d.recipient == *recipient)
            .map(|d| &d.disposition)
    }
}
