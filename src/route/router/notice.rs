//! Non-delivery at the hub: when a next hub refuses a message, the message becomes a dead
//! letter, each (document, recipient) it missed records the non-delivery, and a signed notice
//! goes back to the sender; a notice arriving from another hub is checked, recorded and routed
//! on towards the sender.

use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{Accepted, Origin, Router, SubmitError};
use crate::org::OrgId;
use crate::route::notice::NonDeliveryNotice;
use crate::route::receipt::{Disposition, Receipt, RecipientDisposition};
use crate::route::store::{
    DeadLetterId, MessageKey, NewDelivery, NewOutboxEntry, OutboxEntry, PayloadKind, Refusal,
    StatusEvent, StatusUpdate, StoreError, Submission, SubmitEffects, UrgencyRank,
};
use crate::route::table::HubId;
use crate::signed::hex;

/// SHA-256 of the signing input (`protected.payload`) of a JWS compact string.
fn signing_input_digest(compact: &str) -> [u8; 32] {
    let input = compact.rsplit_once('.').map_or(compact, |(input, _)| input);
    Sha256::digest(input.as_bytes()).into()
}

impl Router {
    /// Dead-letters `entry`, which `hub` refused for `recipients` with `reason`, and issues the
    /// non-delivery notice for its sender, all in one store step.
    pub(super) fn dead_letter(
        &self,
        hub: &HubId,
        entry: &OutboxEntry,
        recipients: Vec<OrgId>,
        reason: String,
        now: OffsetDateTime,
    ) -> Result<DeadLetterId, StoreError> {
        let notice = match &entry.key {
            // A notice that cannot be delivered is not answered with another notice.
            MessageKey::Notice { .. } => None,
            _ => self.notice_effects(hub, entry, &recipients, &reason, now),
        };
        let refusal = Refusal {
            refused_by: hub.clone(),
            recipients,
            reason,
            notice,
        };
        self.cfg.store.dead_letter(hub, entry.id, refusal, now)
    }

    /// The signed notice and what it changes here; `None` (logged) if the seal cannot sign.
    fn notice_effects(
        &self,
        refused_by: &HubId,
        entry: &OutboxEntry,
        recipients: &[OrgId],
        reason: &str,
        now: OffsetDateTime,
    ) -> Option<SubmitEffects> {
        let cfg = &self.cfg;
        let (sender, status_id) = match &entry.key {
            MessageKey::Document { sender, .. } => (*sender, None),
            MessageKey::Status { from, id } => (*from, Some(id.clone())),
            MessageKey::Notice { .. } => return None,
        };
        let notice = NonDeliveryNotice {
            // Outbox ids are never reused, and an entry is dead-lettered once.
            id: format!("outbox-{}", entry.id.0),
            hub: cfg.hub.clone(),
            document_id: entry.document_id.clone(),
            status_id,
            content_sha256: hex(&entry.digest),
            sender,
            recipients: recipients.to_vec(),
            refused_by: refused_by.clone(),
            reason: reason.to_owned(),
            time: now,
        };
        let signed = match notice.sign(cfg.seal.as_ref()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(hub = %cfg.hub, document = %entry.document_id, error = %e, "the hub's seal cannot sign the non-delivery notice; the dead letter is kept without it");
                return None;
            }
        };
        let digest = signing_input_digest(&signed);
        let bytes: Arc<[u8]> = Arc::from(signed.into_bytes());
        let key = MessageKey::Notice {
            hub: cfg.hub.clone(),
            id: notice.id.clone(),
        };
        let mut effects = SubmitEffects::new(Submission {
            key: key.clone(),
            digest,
            receipt: Arc::from(&[][..]),
            at: now,
        });
        if matches!(entry.key, MessageKey::Document { .. }) {
            for r in recipients {
                effects
                    .statuses
                    .push(not_delivered(&notice, *r, &bytes, now));
            }
        }
        let disposition = self.route_notice(
            &notice,
            key,
            digest,
            entry.urgency,
            bytes,
            &Origin::Agency,
            &mut effects,
        );
        // The hub's own receipt for its notice, as for any message it accepted: should the
        // notice ever come back, it is answered as a duplicate.
        let receipt = notice_receipt(&notice, digest, disposition, &cfg.hub, now);
        match self.sign_receipt(&receipt) {
            Ok(signed) => effects.submission.receipt = signed,
            Err(e) => {
                tracing::error!(hub = %cfg.hub, document = %entry.document_id, error = %e, "the hub's seal cannot sign; the dead letter is kept without a notice");
                return None;
            }
        }
        Some(effects)
    }

    /// Puts the notice in the sender's mailbox (served here) or in the outbox towards its hub.
    #[allow(clippy::too_many_arguments)]
    fn route_notice(
        &self,
        notice: &NonDeliveryNotice,
        key: MessageKey,
        digest: [u8; 32],
        urgency: UrgencyRank,
        payload: Arc<[u8]>,
        origin: &Origin<'_>,
        effects: &mut SubmitEffects,
    ) -> Disposition {
        let disposition = self.route(&notice.sender, origin);
        match &disposition {
            Disposition::Delivered => effects.deliveries.push(NewDelivery {
                recipient: notice.sender,
                document_id: notice.document_id.clone(),
                kind: PayloadKind::Notice,
                urgency,
                payload,
            }),
            Disposition::Forwarded { hub } => effects.outbox.push(NewOutboxEntry {
                next_hub: hub.clone(),
                key,
                digest,
                document_id: notice.document_id.clone(),
                urgency,
                recipients: vec![notice.sender],
                payload,
            }),
            Disposition::Refused { reason } => {
                tracing::error!(hub = %self.cfg.hub, document = %notice.document_id, sender = %notice.sender, %reason, "the non-delivery notice has no route to the sender");
            }
        }
        disposition
    }

    /// A notice forwarded by hub `from` towards the sender: verify it, check it is about a
    /// message this hub accepted, record the non-delivery, route it on.
    pub(super) fn receive_notice(
        &self,
        bytes: &[u8],
        from: &HubId,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        let cfg = &self.cfg;
        let (notice, digest) =
            NonDeliveryNotice::verify(bytes, &cfg.hubs, &cfg.trust, &cfg.policy, now)
                .map_err(SubmitError::Notice)?;
        // Only about what this hub accepted, with the same content: no hub can make up
        // non-deliveries of documents it never saw.
        let about = match &notice.status_id {
            Some(id) => MessageKey::Status {
                from: notice.sender,
                id: id.clone(),
            },
            None => MessageKey::Document {
                sender: notice.sender,
                id: notice.document_id.clone(),
            },
        };
        let accepted = cfg
            .store
            .lookup_submission(&about)
            .map_err(SubmitError::Store)?;
        if accepted.is_none_or(|s| hex(&s.digest) != notice.content_sha256) {
            return Err(SubmitError::UnknownMessage {
                what: about.to_string(),
                hub: cfg.hub.clone(),
            });
        }
        let key = MessageKey::Notice {
            hub: notice.hub.clone(),
            id: notice.id.clone(),
        };
        if let Some(done) = self.previous(&key, &digest)? {
            return Ok(done);
        }
        let payload: Arc<[u8]> = Arc::from(bytes.trim_ascii());
        let mut effects = SubmitEffects::new(Submission {
            key: key.clone(),
            digest,
            receipt: Arc::from(&[][..]),
            at: now,
        });
        if notice.status_id.is_none() {
            for r in &notice.recipients {
                let tracked = cfg
                    .store
                    .tracked(&notice.document_id, r)
                    .map_err(SubmitError::Store)?;
                if tracked.is_some_and(|t| t.sender == notice.sender) {
                    effects
                        .statuses
                        .push(not_delivered(&notice, *r, &payload, now));
                }
            }
        }
        let disposition = self.route_notice(
            &notice,
            key,
            digest,
            UrgencyRank::NORMAL,
            payload,
            &Origin::Hub(from),
            &mut effects,
        );
        let receipt = notice_receipt(&notice, digest, disposition, &cfg.hub, now);
        effects.submission.receipt = self.sign_receipt(&receipt)?;
        tracing::info!(hub = %cfg.hub, document = %notice.document_id, refused_by = %notice.refused_by, "non-delivery notice accepted");
        self.commit(effects, receipt, now)
    }
}

/// A hub's receipt for a notice: the notice's id and digest, and where it went.
fn notice_receipt(
    notice: &NonDeliveryNotice,
    digest: [u8; 32],
    disposition: Disposition,
    hub: &HubId,
    now: OffsetDateTime,
) -> Receipt {
    Receipt {
        hub: hub.clone(),
        message_id: notice.id.clone(),
        content_sha256: hex(&digest),
        from: notice.sender,
        received: now,
        dispositions: vec![RecipientDisposition {
            recipient: notice.sender,
            disposition,
        }],
    }
}

fn not_delivered(
    notice: &NonDeliveryNotice,
    recipient: OrgId,
    message: &Arc<[u8]>,
    now: OffsetDateTime,
) -> StatusUpdate {
    StatusUpdate {
        document_id: notice.document_id.clone(),
        recipient,
        event: StatusEvent::NotDelivered {
            refused_by: notice.refused_by.clone(),
            reason: notice.reason.clone(),
        },
        at: now,
        message: message.clone(),
    }
}
