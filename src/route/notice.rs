//! Non-delivery notices: a hub's signed word to a sender that a next hub refused its document
//! (or status), with that hub's reason. The hub that was refused issues it, keeps the refused
//! message as a dead letter, and routes the notice back to the sender like a status.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::hubs::HubRegistry;
use super::table::HubId;
use crate::org::OrgId;
use crate::signed::{self, SignedMessageError};
use crate::signer::Signer;
use crate::trust::{Policy, TrustStore};

/// Largest signed notice accepted: 1 MiB (5 000 recipients and a long reason, plus the chain).
const MAX_NOTICE_BYTES: usize = 1 << 20;

/// A non-delivery notice (thông báo không chuyển được): signed by the hub that issued it, with
/// the proof-of-receipt commitment, like receipts and trace entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NonDeliveryNotice {
    /// The notice's id, unique for the issuing hub.
    pub id: String,
    /// The hub that issued and signed it: the hub the next hub refused.
    pub hub: HubId,
    /// The document concerned.
    pub document_id: String,
    /// When the undelivered message was a status about the document: the status's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_id: Option<String>,
    /// Hex SHA-256 of what the undelivered message's signatures sign (its de-duplication
    /// digest, as in receipts).
    pub content_sha256: String,
    /// Who sent the undelivered message: the notice goes to this agency.
    pub sender: OrgId,
    /// The recipients it did not reach.
    pub recipients: Vec<OrgId>,
    /// The hub that refused it.
    pub refused_by: HubId,
    /// That hub's reason, as it gave it.
    pub reason: String,
    /// When the issuing hub learned of the refusal.
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
}

impl NonDeliveryNotice {
    /// Signs the notice with the issuing hub's seal: a JWS compact string.
    pub(crate) fn sign(&self, seal: &dyn Signer) -> Result<String, crate::jades::JadesError> {
        // Strings, arrays and an RFC 3339 time: canonicalization cannot fail.
        let payload = serde_json_canonicalizer::to_vec(self).unwrap_or_default();
        signed::sign(seal, &payload, self.time)
    }

    /// Verifies a signed notice: proof of receipt, a trusted chain, and a certificate that
    /// `hubs` registers for the hub the notice names. Returns the notice and the SHA-256 of
    /// what its signature signs (protected header and payload), its de-duplication digest.
    pub fn verify(
        bytes: &[u8],
        hubs: &HubRegistry,
        trust: &TrustStore,
        policy: &Policy,
        now: OffsetDateTime,
    ) -> Result<(NonDeliveryNotice, [u8; 32]), SignedMessageError> {
        let what = "non-delivery notice";
        let checked = signed::verify(bytes, what, MAX_NOTICE_BYTES, trust, policy, now)?;
        let notice: NonDeliveryNotice =
            serde_json::from_slice(&checked.payload).map_err(|e| SignedMessageError::Content {
                what,
                reason: e.to_string(),
            })?;
        if hubs.hub_of(checked.chain.leaf_sha256()) != Some(&notice.hub) {
            return Err(SignedMessageError::WrongSigner {
                what,
                signer: checked.chain.subject().to_string(),
                claimed: format!("hub {}", notice.hub),
            });
        }
        Ok((notice, checked.signed_content))
    }
}
