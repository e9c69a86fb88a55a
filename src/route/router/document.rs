//! A document package at the hub: verify, authorize, de-duplicate, route each recipient, sign a
//! trace entry and a receipt; everything but the commit, so that a batch can share one.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{Accepted, Origin, Prepared, Router, SubmitError};
use crate::org::OrgId;
use crate::package::{Detached, TraceEntry, VerifiedPackage, Verifier};
use crate::route::receipt::{Disposition, Receipt, RecipientDisposition};
use crate::route::store::{
    MessageKey, NewDelivery, NewOutboxEntry, PayloadKind, StatusEvent, StatusUpdate, Submission,
    SubmitEffects, Tracking, UrgencyRank,
};
use crate::route::table::HubId;
use crate::route::trace::{self, Forwarded, TraceError, TraceHop};
use crate::signed::hex;
use crate::status::StatusCode;

impl Router {
    pub(super) fn submit_document(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Accepted, SubmitError> {
        match self.prepare_document(bytes, origin, now)? {
            Prepared::Done(done) => Ok(done),
            Prepared::Commit {
                effects, receipt, ..
            } => self.commit(effects, receipt, now),
        }
    }

    /// Everything [`Router::submit`] does but the commit.
    pub(super) fn prepare_document(
        &self,
        bytes: &[u8],
        origin: Origin<'_>,
        now: OffsetDateTime,
    ) -> Result<Prepared, SubmitError> {
        let cfg = &self.cfg;
        // 1. Parse and verify. Attachments must be inline: a hub has no side channel.
        let verified = Verifier::new(&cfg.trust, &cfg.policy)
            .with_directory(cfg.directory.as_ref())
            .verify_bytes(bytes, &cfg.limits, &mut Detached::none(), now)
            .map_err(|r| SubmitError::Rejected(Box::new(r)))?;
        let header = verified.header();
        let document_id = header.id().to_string();
        let sender = header.sender().clone();

        // 2. Authorize.
        if header.confidentiality().is_classified() {
            return Err(SubmitError::Classified {
                document_id,
                level: header.confidentiality(),
            });
        }
        let mut seen = HashSet::new();
        let mut all: Vec<OrgId> = Vec::new();
        for r in header.all_recipients() {
            if seen.insert(r.id) {
                all.push(r.id);
            }
        }
        let trace_len = verified.package().trace().len();
        let (recipients, previous_sha256) = match origin {
            Origin::Agency => {
                if trace_len > 0 {
                    return Err(SubmitError::TraceFromAgency(trace_len));
                }
                // The sender's own hub must know it; hubs further on need not.
                if cfg.directory.agency(&sender.id).is_none() {
                    return Err(SubmitError::UnknownSender {
                        sender: sender.id,
                        name: sender.name,
                    });
                }
                let serving = cfg.table.hub_for(&sender.id);
                if *serving != cfg.hub {
                    return Err(SubmitError::NotServedHere {
                        name: self.agency_name(&sender.id, &sender.name),
                        sender: sender.id,
                        serving: serving.clone(),
                        hub: cfg.hub.clone(),
                    });
                }
                (all, None)
            }
            Origin::Hub(from) => {
                let hops = trace::verify_trace(&verified, &cfg.hubs, &cfg.trust, &cfg.policy, now)
                    .map_err(SubmitError::Trace)?;
                let not_here = |reason: String| SubmitError::NotForwardedHere {
                    from: from.clone(),
                    hub: cfg.hub.clone(),
                    reason,
                };
                let last = hops
                    .last()
                    .ok_or_else(|| not_here("the package has no trace".into()))?;
                if last.hub != *from {
                    return Err(not_here(format!("its last trace entry is by {}", last.hub)));
                }
                let mine = last
                    .forwarded
                    .iter()
                    .find(|f| f.hub == cfg.hub)
                    .ok_or_else(|| not_here("its last trace entry forwards nothing here".into()))?;
                if let Some(r) = mine.recipients.iter().find(|r| !seen.contains(r)) {
                    return Err(not_here(format!("{r} is not a recipient of the document")));
                }
                check_first_hop(&hops, &sender.id, cfg.table.hub_for(&sender.id), &cfg.hub)?;
                let previous = verified
                    .package()
                    .trace()
                    .last()
                    .map(|e| hex(&trace::entry_digest(e)));
                (mine.recipients.clone(), previous)
            }
        };

        // Every recipient must exist: all of them at the sender's hub, those it delivers
        // itself at a hub further on (a transit hub need not know the agencies other hubs
        // serve).
        let checked = |r: &&OrgId| match origin {
            Origin::Agency => true,
            Origin::Hub(_) => *cfg.table.hub_for(r) == cfg.hub,
        };
        if let Some(r) = recipients
            .iter()
            .filter(checked)
            .find(|r| cfg.directory.agency(r).is_none())
        {
            let name = header
                .all_recipients()
                .find(|a| a.id == *r)
                .map_or_else(String::new, |a| a.name.clone());
            return Err(SubmitError::UnknownRecipient {
                document_id,
                recipient: *r,
                name,
            });
        }

        // 3. De-duplicate on (sender, id) and on what the signatures sign: the trace and the
        // signature bytes are left out, so a retried forward (another trace) or a copy with a
        // re-encoded ECDSA signature is the same document, never a conflict.
        let key = MessageKey::Document {
            sender: sender.id,
            id: document_id.clone(),
        };
        let signed = signed_content(&verified);
        if let Some(done) = self.previous(&key, &signed)? {
            return Ok(Prepared::Done(done));
        }
        // The trace entry binds the exact package, signatures included.
        let content = *verified.content_digest();

        // 4. Route.
        let mut dispositions = Vec::with_capacity(recipients.len());
        let mut delivered = Vec::new();
        let mut forwarded: BTreeMap<HubId, Vec<OrgId>> = BTreeMap::new();
        let mut forward_order: Vec<HubId> = Vec::new();
        for r in &recipients {
            let d = self.route(r, &origin);
            match &d {
                Disposition::Delivered => delivered.push(*r),
                Disposition::Forwarded { hub } => {
                    if !forwarded.contains_key(hub) {
                        forward_order.push(hub.clone());
                    }
                    forwarded.entry(hub.clone()).or_default().push(*r);
                }
                Disposition::Refused { reason } => {
                    tracing::info!(document = %document_id, recipient = %r, %reason, "recipient refused");
                }
            }
            dispositions.push(RecipientDisposition {
                recipient: *r,
                disposition: d,
            });
        }
        let forwards: Vec<Forwarded> = forward_order
            .into_iter()
            .map(|hub| Forwarded {
                recipients: forwarded.remove(&hub).unwrap_or_default(),
                hub,
            })
            .collect();

        // 5. Trace entry, chained to the previous one.
        let hop = TraceHop {
            hub: cfg.hub.clone(),
            time: now,
            document_id: document_id.clone(),
            action: header.action().code(),
            content_sha256: hex(&content),
            previous_sha256,
            delivered: delivered.clone(),
            forwarded: forwards.clone(),
        };
        let entry = trace::make_entry(cfg.seal.as_ref(), &hop).map_err(SubmitError::Signing)?;
        let urgency = UrgencyRank::from(header.urgency());
        let due = header.due_date();
        let action = header.action().clone();
        // The bytes as received with the entry spliced in (a copy), or, when the layout is
        // not the usual one, the package re-serialized (base64 and JSON over every inline
        // attachment: it would dominate routing on large packages).
        let out: Arc<[u8]> = match append_trace(bytes, verified.package().trace(), &entry) {
            Some(spliced) => Arc::from(spliced),
            None => {
                let mut package = verified.into_package();
                package.push_trace(entry);
                Arc::from(package.to_json())
            }
        };

        // 6. Receipt, then every effect in one commit.
        let receipt = Receipt {
            hub: cfg.hub.clone(),
            message_id: document_id.clone(),
            content_sha256: hex(&signed),
            from: sender.id,
            received: now,
            dispositions,
        };
        let signed_receipt = self.sign_receipt(&receipt)?;
        let mut effects = SubmitEffects::new(Submission {
            key: key.clone(),
            digest: signed,
            receipt: signed_receipt,
            at: now,
        });
        for r in &delivered {
            effects.deliveries.push(NewDelivery {
                recipient: *r,
                document_id: document_id.clone(),
                kind: PayloadKind::Document,
                urgency,
                payload: out.clone(),
            });
        }
        for f in &forwards {
            effects.outbox.push(NewOutboxEntry {
                next_hub: f.hub.clone(),
                key: key.clone(),
                digest: signed,
                document_id: document_id.clone(),
                urgency,
                recipients: f.recipients.clone(),
                payload: out.clone(),
            });
        }
        let routed = delivered
            .iter()
            .chain(forwards.iter().flat_map(|f| f.recipients.iter()));
        for r in routed {
            effects.tracking.push(Tracking {
                document_id: document_id.clone(),
                sender: sender.id,
                recipient: *r,
                due,
            });
            // A recall, update or replacement records 13 (recall or retrieval requested)
            // against the earlier document, where this hub routed it from the same sender;
            // the recipient answers 15 or 16.
            if let Some(target) = action.target() {
                let target = target.to_string();
                if let Some(t) = cfg.store.tracked(&target, r).map_err(SubmitError::Store)? {
                    if t.sender == sender.id {
                        effects.statuses.push(StatusUpdate {
                            document_id: target,
                            recipient: *r,
                            event: StatusEvent::Status(StatusCode::RecallRequested),
                            at: now,
                            message: out.clone(),
                        });
                    }
                }
            }
        }
        tracing::info!(hub = %cfg.hub, document = %document_id, delivered = delivered.len(), forwarded = forwards.len(), "document accepted");
        Ok(Prepared::Commit {
            effects,
            receipt,
            reads_tracking: action.target().is_some(),
        })
    }
}

/// The trace must start at the sender's own hub. This hub's table names the hub through which
/// the sender is reached (`serving`): that hub made the first entry, or made a later one after
/// checking the entries before its own by this same rule. A hub never takes, from another hub,
/// a document of an agency it serves itself. Shared by documents and statuses.
pub(super) fn check_first_hop(
    hops: &[TraceHop],
    sender: &OrgId,
    serving: &HubId,
    this_hub: &HubId,
) -> Result<(), SubmitError> {
    let first = hops.first().map(|h| &h.hub);
    let vouched = serving != this_hub && hops.iter().any(|h| h.hub == *serving);
    match first {
        Some(first) if !vouched => Err(SubmitError::Trace(TraceError::NotSendersHub {
            hub: first.clone(),
            sender: *sender,
            expected: serving.clone(),
        })),
        _ => Ok(()),
    }
}

/// SHA-256 over what every signature of the package signs: the canonical header (which carries
/// the attachment manifest) and each attachment's digest, by name. Never the signature bytes:
/// ECDSA lets anyone re-encode a signature (s → n − s) without the key.
pub(crate) fn signed_content(verified: &VerifiedPackage) -> [u8; 32] {
    let package = verified.package();
    let mut h = Sha256::new();
    h.update(b"header.json\0");
    h.update(Sha256::digest(package.canonical_header()));
    for a in package.header().attachments() {
        h.update(b"attachments/");
        h.update(a.name().as_bytes());
        h.update([0]);
        h.update(a.sha256());
    }
    h.finalize().into()
}

/// `original` (a package that parsed, with trace `before`) with `entry` appended to its
/// trace, when its top-level `trace` array is its last member, as
/// [`Package::to_json`](crate::package::Package::to_json) writes it. `None` for any other layout.
///
/// The key `"trace":[` cannot occur inside a JSON string (a quote there is escaped), and the
/// tail after its last occurrence must parse as exactly the package's trace followed by the
/// closing brace, so the splice lands in the top-level array and nowhere else.
fn append_trace(original: &[u8], before: &[TraceEntry], entry: &TraceEntry) -> Option<Vec<u8>> {
    const KEY: &[u8] = b"\"trace\":[";
    let last = original.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if original.get(last) != Some(&b'}') {
        return None;
    }
    let key_at = original.windows(KEY.len()).rposition(|w| w == KEY)?;
    let open = key_at + KEY.len() - 1;
    let array = original.get(open..last)?;
    let found: Vec<TraceEntry> = serde_json::from_slice(array).ok()?;
    if found != before {
        return None;
    }
    let close = open + array.iter().rposition(|b| !b.is_ascii_whitespace())?;
    if original.get(close) != Some(&b']') {
        return None;
    }
    let mut out = Vec::with_capacity(original.len() + 4096);
    out.extend_from_slice(original.get(..close)?);
    if !before.is_empty() {
        out.push(b',');
    }
    serde_json::to_writer(&mut out, entry).ok()?;
    out.extend_from_slice(original.get(close..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: u8) -> TraceEntry {
        TraceEntry {
            payload: format!("p{n}"),
            protected: format!("h{n}"),
            signature: format!("s{n}"),
        }
    }

    #[test]
    fn splice_matches_reserialization_and_refuses_other_layouts() {
        let tail = |t: &[TraceEntry]| serde_json::to_string(t).unwrap();
        let doc = |t: &[TraceEntry]| {
            format!(
                r#"{{"edoc":1,"header":{{"x":"\"trace\":[]"}},"trace":{}}}"#,
                tail(t)
            )
        };
        let none = doc(&[]);
        assert_eq!(
            append_trace(none.as_bytes(), &[], &entry(1)).unwrap(),
            doc(&[entry(1)]).into_bytes()
        );
        let one = doc(&[entry(1)]);
        assert_eq!(
            append_trace(one.as_bytes(), &[entry(1)], &entry(2)).unwrap(),
            doc(&[entry(1), entry(2)]).into_bytes()
        );
        // The trace found must be the package's trace.
        assert_eq!(append_trace(one.as_bytes(), &[], &entry(2)), None);
        // Trace not last: fall back.
        let first = format!(r#"{{"trace":{},"edoc":1}}"#, tail(&[]));
        assert_eq!(append_trace(first.as_bytes(), &[], &entry(1)), None);
        // A nested "trace" key at the end of an extension is not the top-level array.
        let nested = r#"{"trace":[],"header":{"ext":{"trace":[]}}}"#;
        assert_eq!(append_trace(nested.as_bytes(), &[], &entry(1)), None);
        assert_eq!(append_trace(b"", &[], &entry(1)), None);
        assert_eq!(append_trace(b"}", &[], &entry(1)), None);
    }
}
