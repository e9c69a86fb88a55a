//! A status message at the hub: verify its seal (and, from another hub, the trace of the hubs
//! it passed), check it answers a document this hub routed between the same two agencies,
//! de-duplicate on what its signature signs, check its time, deliver or forward, commit.

use std::sync::Arc;

use time::{Duration, OffsetDateTime};

use super::document::check_first_hop;
use super::{Accepted, Origin, Router, SubmitError};
use crate::package::TraceEntry;
use crate::route::forwarded::ForwardedStatus;
use crate::route::receipt::{Disposition, Receipt, RecipientDisposition};
use crate::route::store::{
    MessageKey, NewDelivery, NewOutboxEntry, PayloadKind, StatusEvent, StatusUpdate, Submission,
    SubmitEffects, UrgencyRank,
};
use crate::route::trace::{self, Forwarded, TraceHop, Traced};
use crate::signed::{hex, SignedMessageError};
use crate::status::{StatusAuthor, StatusMessage};

impl Router {
    pub(super) fn submit_status_inner(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        let cfg = &self.cfg;
        // From another hub, the status comes inside the trace of the hubs it passed.
        let (status, entries): (Vec<u8>, Vec<TraceEntry>) = match origin {
            Origin::Agency => (bytes.to_vec(), Vec::new()),
            Origin::Hub(_) => {
                let f = ForwardedStatus::parse(bytes, &cfg.limits).map_err(SubmitError::Status)?;
                (f.status.into_bytes(), f.trace)
            }
        };
        let verified = StatusMessage::verify_signed(
            &status,
            &cfg.trust,
            &cfg.policy,
            cfg.directory.as_ref(),
            now,
        )
        .map_err(SubmitError::Status)?;
        let msg = verified.message();
        let status_id = verified.id();
        let digest = *verified.signed_content();
        // When the first hub took it (its clock judges the status's age), and the entry a
        // forwarding hop chains to.
        let (first_seen, previous_sha256) = match origin {
            Origin::Agency => {
                let serving = cfg.table.hub_for(&msg.from);
                if *serving != cfg.hub {
                    return Err(SubmitError::NotServedHere {
                        name: self.agency_name(&msg.from, "unknown agency"),
                        sender: msg.from,
                        serving: serving.clone(),
                        hub: cfg.hub.clone(),
                    });
                }
                (now, None)
            }
            Origin::Hub(from) => {
                let subject = Traced {
                    id: &status_id,
                    content_sha256: &hex(&digest),
                    action: 0,
                };
                let hops = trace::verify_entries(
                    &entries,
                    &subject,
                    &cfg.hubs,
                    &cfg.trust,
                    &cfg.policy,
                    now,
                )
                .map_err(SubmitError::Trace)?;
                let not_here = |reason: String| SubmitError::NotForwardedHere {
                    from: from.clone(),
                    hub: cfg.hub.clone(),
                    reason,
                };
                let (Some(first), Some(last)) = (hops.first(), hops.last()) else {
                    return Err(not_here("the status has no trace".into()));
                };
                if last.hub != *from {
                    return Err(not_here(format!("its last trace entry is by {}", last.hub)));
                }
                let here = last
                    .forwarded
                    .iter()
                    .any(|f| f.hub == cfg.hub && f.recipients.contains(&msg.to));
                if !here {
                    return Err(not_here(format!(
                        "its last trace entry does not forward it here for {}",
                        msg.to
                    )));
                }
                check_first_hop(&hops, &msg.from, cfg.table.hub_for(&msg.from), &cfg.hub)?;
                let previous = entries.last().map(|e| hex(&trace::entry_digest(e)));
                (first.time, previous)
            }
        };
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
        // De-duplicate on what the signature signs: whitespace around the JWS or a re-encoded
        // signature value is the same status, answered with the first receipt.
        let key = MessageKey::Status {
            from: msg.from,
            id: status_id.clone(),
        };
        if let Some(done) = self.previous(&key, &digest)? {
            return Ok(done);
        }
        // A status is taken soon after it is set: one held back (or replayed) past the
        // policy's window is refused, judged by the clock of the first hub that took it.
        let window = Duration::seconds(i64::from(cfg.policy.status_time_window_seconds));
        let skew = Duration::seconds(i64::from(cfg.policy.clock_skew_seconds));
        if first_seen - msg.time > window || msg.time - first_seen > skew {
            return Err(SubmitError::Status(SignedMessageError::Time {
                what: "status message",
                reason: format!(
                    "it states the time {}, but hub {} took it at {first_seen}; the policy allows {} seconds",
                    msg.time,
                    cfg.hub,
                    cfg.policy.status_time_window_seconds
                ),
            }));
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
            message_id: status_id.clone(),
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
            Disposition::Forwarded { hub } => {
                // The next hub gets the status with the trace: this hub's entry says it took
                // the status (from its agency, or from the hub before) and where it sent it.
                let hop = TraceHop {
                    hub: cfg.hub.clone(),
                    time: now,
                    document_id: status_id.clone(),
                    action: 0,
                    content_sha256: hex(&digest),
                    previous_sha256,
                    delivered: Vec::new(),
                    forwarded: vec![Forwarded {
                        hub: hub.clone(),
                        recipients: vec![msg.to],
                    }],
                };
                let entry =
                    trace::make_entry(cfg.seal.as_ref(), &hop).map_err(SubmitError::Signing)?;
                let mut trace = entries;
                trace.push(entry);
                let forwarded = ForwardedStatus {
                    status: String::from_utf8_lossy(&payload).into_owned(),
                    trace,
                };
                effects.outbox.push(NewOutboxEntry {
                    next_hub: hub,
                    key,
                    digest,
                    document_id: msg.document_id.clone(),
                    urgency: UrgencyRank::NORMAL,
                    recipients: vec![msg.to],
                    payload: Arc::from(forwarded.to_json()),
                })
            }
            Disposition::Refused { .. } => {}
        }
        tracing::info!(hub = %cfg.hub, document = %msg.document_id, code = %msg.code, "status accepted");
        self.commit(effects, receipt, now)
    }
}
