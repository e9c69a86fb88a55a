//! A status message at the hub: verify its seal, check it answers a document this hub routed
//! between the same two agencies, de-duplicate, deliver or forward, commit.

use time::OffsetDateTime;

use super::{sha256, Accepted, Origin, Router, SubmitError};
use crate::route::receipt::{Disposition, Receipt, RecipientDisposition};
use crate::route::store::{
    MessageKey, NewDelivery, NewOutboxEntry, PayloadKind, StatusEvent, StatusUpdate, Submission,
    SubmitEffects, UrgencyRank,
};
use crate::signed::hex;
use crate::status::{StatusAuthor, StatusMessage};

impl Router {
    pub(super) fn submit_status_inner(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        let cfg = &self.cfg;
        let verified = StatusMessage::verify_signed(
            bytes,
            &cfg.trust,
            &cfg.policy,
            cfg.directory.as_ref(),
            now,
        )
        .map_err(SubmitError::Status)?;
        let msg = verified.message();
        if let Origin::Agency = origin {
            let serving = cfg.table.hub_for(&msg.from);
            if *serving != cfg.hub {
                return Err(SubmitError::NotServedHere {
                    name: self.agency_name(&msg.from, "unknown agency"),
                    sender: msg.from,
                    serving: serving.clone(),
                    hub: cfg.hub.clone(),
                });
            }
        }
        // Who received the document, and who sent it.
        let (recipient, sender) = match msg.code.author() {
            StatusAuthor::Recipient => (msg.from, msg.to),
            StatusAuthor::Sender => (msg.to, msg.from),
        };
        let tracked = cfg
            .store
            .tracked(&msg.document_id, &recipient)
            .map_err(SubmitError::Store)?
            .ok_or_else(|| SubmitError::UnknownDocument {
                document_id: msg.document_id.clone(),
                recipient,
                hub: cfg.hub.clone(),
            })?;
        if tracked.sender != sender {
            let (expected_from, expected_to) = match msg.code.author() {
                StatusAuthor::Recipient => (recipient, tracked.sender),
                StatusAuthor::Sender => (tracked.sender, recipient),
            };
            return Err(SubmitError::WrongParty {
                document_id: msg.document_id.clone(),
                code: msg.code,
                expected_from,
                expected_to,
            });
        }
        let digest = sha256(bytes);
        let message_id = format!("status:{}", hex(&digest));
        let key = MessageKey::Status {
            from: msg.from,
            id: message_id.clone(),
        };
        if let Some(done) = self.previous(&key, &digest)? {
            return Ok(done);
        }
        let disposition = self.route(&msg.to, &origin);
        // The hub that delivers must know the agency; a transit hub need not.
        if disposition == Disposition::Delivered && cfg.directory.agency(&msg.to).is_none() {
            return Err(SubmitError::UnknownRecipient {
                document_id: msg.document_id.clone(),
                recipient: msg.to,
                name: "unknown agency".into(),
            });
        }
        let receipt = Receipt {
            hub: cfg.hub.clone(),
            message_id: message_id.clone(),
            content_sha256: hex(&digest),
            from: msg.from,
            received: now,
            dispositions: vec![RecipientDisposition {
                recipient: msg.to,
                disposition: disposition.clone(),
            }],
        };
        let signed_receipt = self.sign_receipt(&receipt)?;
        let mut effects = SubmitEffects::new(Submission {
            key: key.clone(),
            digest,
            receipt: signed_receipt,
            at: now,
        });
        let payload = verified.bytes().clone();
        effects.statuses.push(StatusUpdate {
            document_id: msg.document_id.clone(),
            recipient,
            event: StatusEvent::Status(msg.code),
            at: msg.time,
            message: payload.clone(),
        });
        match disposition {
            Disposition::Delivered => effects.deliveries.push(NewDelivery {
                recipient: msg.to,
                document_id: msg.document_id.clone(),
                kind: PayloadKind::Status,
                urgency: UrgencyRank::NORMAL,
                payload,
            }),
            Disposition::Forwarded { hub } => effects.outbox.push(NewOutboxEntry {
                next_hub: hub,
                key,
                digest,
                document_id: msg.document_id.clone(),
                urgency: UrgencyRank::NORMAL,
                recipients: vec![msg.to],
                payload,
            }),
            Disposition::Refused { .. } => {}
        }
        tracing::info!(hub = %cfg.hub, document = %msg.document_id, code = %msg.code, "status accepted");
        self.commit(effects, receipt, now)
    }
}
