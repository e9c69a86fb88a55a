//! The store's redb tables: their definitions, [`Tables`] (one write transaction's view of them,
//! which checks and applies a submission), and the record reads and error mapping the store's
//! calls share.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use redb::{ReadableTable, Table, TableDefinition, WriteTransaction};
use time::OffsetDateTime;

use super::record::{self, DeliveryFields, OutboxFields};
use crate::org::OrgId;
use crate::route::store::{
    check_status_update, Committed, Delivery, DeliveryId, DeliveryState, MessageKey, OutboxEntry,
    OutboxId, StatusRecord, StoreError, Submission, SubmitEffects,
};

// One table per kind of record. Names carry an `edoc.` prefix so that a foreign redb file is
// recognised as such rather than mistaken for an empty store.
/// `format_version`, and the three id counters.
pub(super) const META: TableDefinition<'_, &str, u64> = TableDefinition::new("edoc.meta");
/// (kind, owner, id) of a message → de-duplication record (digest, time; blob: the receipt).
pub(super) const MESSAGES: TableDefinition<'_, (&str, &str, &str), &[u8]> =
    TableDefinition::new("edoc.messages");
/// delivery id → delivery fields, without the payload.
pub(super) const DELIVERIES: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.deliveries");
/// delivery id → package bytes. Apart, so that fetch and ack rewrite only the small record.
pub(super) const DELIVERY_PAYLOADS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.delivery_payloads");
/// (agency, delivery id) for every delivery ever made: `deliveries()` in arrival order.
pub(super) const MAILBOXES: TableDefinition<'_, (&str, u64), ()> =
    TableDefinition::new("edoc.mailboxes");
/// (agency, delivery id) for the unacknowledged ones: what `fetch` looks at.
pub(super) const PENDING: TableDefinition<'_, (&str, u64), ()> =
    TableDefinition::new("edoc.pending");
/// outbox id → entry fields, without the payload.
pub(super) const OUTBOX: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("edoc.outbox");
/// outbox id → package bytes.
pub(super) const OUTBOX_PAYLOADS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.outbox_payloads");
/// (next hub, outbox id) for every queued entry.
pub(super) const OUTBOX_BY_HUB: TableDefinition<'_, (&str, u64), ()> =
    TableDefinition::new("edoc.outbox_by_hub");
/// (document id, recipient) → sender and due date.
pub(super) const TRACKING: TableDefinition<'_, (&str, &str), &[u8]> =
    TableDefinition::new("edoc.tracking");
/// (document id, recipient, sequence) → event (status or non-delivery, time; blob: the signed
/// message).
pub(super) const STATUSES: TableDefinition<'_, (&str, &str, u32), &[u8]> =
    TableDefinition::new("edoc.statuses");
/// dead letter id → the refused outbox entry and the refusal (blob: the payload).
pub(super) const DEAD_LETTERS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.dead_letters");

pub(super) const VERSION_KEY: &str = "format_version";
pub(super) const NEXT_DELIVERY_KEY: &str = "next_delivery";
pub(super) const NEXT_OUTBOX_KEY: &str = "next_outbox";
pub(super) const NEXT_DEAD_LETTER_KEY: &str = "next_dead_letter";

/// Maps a redb error to [`StoreError::Backend`], saying what was being done. Damage that redb
/// detects is [`StoreError::Corrupt`].
pub(super) fn backend<E: Into<redb::Error>>(doing: &'static str) -> impl Fn(E) -> StoreError {
    move |e| match e.into() {
        redb::Error::Corrupted(reason) => StoreError::Corrupt {
            record: "database page".into(),
            reason,
        },
        other => StoreError::Backend(format!("{doing}: {other}")),
    }
}

/// Commits a read-mostly write transaction only when it changed something (a fetch or take
/// that handed nothing out aborts, so polling an empty mailbox never writes).
pub(super) fn finish_if_changed(txn: WriteTransaction, changed: bool) -> Result<(), StoreError> {
    if changed {
        txn.commit().map_err(backend("commit"))
    } else {
        txn.abort().map_err(backend("abort"))
    }
}

pub(super) fn get_u64(
    table: &impl ReadableTable<&'static str, u64>,
    key: &str,
) -> Result<Option<u64>, StoreError> {
    Ok(table
        .get(key)
        .map_err(backend("read metadata"))?
        .map(|v| v.value()))
}

/// The tables of one write transaction, and the id counters read from it.
pub(super) struct Tables<'t> {
    pub(super) meta: Table<'t, &'static str, u64>,
    pub(super) messages: Table<'t, (&'static str, &'static str, &'static str), &'static [u8]>,
    pub(super) deliveries: Table<'t, u64, &'static [u8]>,
    pub(super) delivery_payloads: Table<'t, u64, &'static [u8]>,
    pub(super) mailboxes: Table<'t, (&'static str, u64), ()>,
    pub(super) pending: Table<'t, (&'static str, u64), ()>,
    pub(super) outbox: Table<'t, u64, &'static [u8]>,
    pub(super) outbox_payloads: Table<'t, u64, &'static [u8]>,
    pub(super) outbox_by_hub: Table<'t, (&'static str, u64), ()>,
    pub(super) tracking: Table<'t, (&'static str, &'static str), &'static [u8]>,
    pub(super) statuses: Table<'t, (&'static str, &'static str, u32), &'static [u8]>,
    pub(super) dead_letters: Table<'t, u64, &'static [u8]>,
}

impl<'t> Tables<'t> {
    pub(super) fn open(txn: &'t WriteTransaction) -> Result<Tables<'t>, StoreError> {
        let open = backend("open table");
        Ok(Tables {
            meta: txn.open_table(META).map_err(&open)?,
            messages: txn.open_table(MESSAGES).map_err(&open)?,
            deliveries: txn.open_table(DELIVERIES).map_err(&open)?,
            delivery_payloads: txn.open_table(DELIVERY_PAYLOADS).map_err(&open)?,
            mailboxes: txn.open_table(MAILBOXES).map_err(&open)?,
            pending: txn.open_table(PENDING).map_err(&open)?,
            outbox: txn.open_table(OUTBOX).map_err(&open)?,
            outbox_payloads: txn.open_table(OUTBOX_PAYLOADS).map_err(&open)?,
            outbox_by_hub: txn.open_table(OUTBOX_BY_HUB).map_err(&open)?,
            tracking: txn.open_table(TRACKING).map_err(&open)?,
            statuses: txn.open_table(STATUSES).map_err(&open)?,
            dead_letters: txn.open_table(DEAD_LETTERS).map_err(&open)?,
        })
    }

    pub(super) fn next_id(&mut self, key: &'static str) -> Result<u64, StoreError> {
        let last = get_u64(&self.meta, key)?.ok_or_else(|| StoreError::Corrupt {
            record: "metadata".into(),
            reason: format!("no {key} counter"),
        })?;
        let next = last.checked_add(1).ok_or_else(|| StoreError::Corrupt {
            record: "metadata".into(),
            reason: format!("{key} counter exhausted"),
        })?;
        self.meta.insert(key, next).map_err(backend("write"))?;
        Ok(next)
    }

    fn submission(&self, key: &MessageKey) -> Result<Option<Submission>, StoreError> {
        let (kind, owner, id) = record::key_parts(key);
        match self
            .messages
            .get((kind, owner.as_str(), id))
            .map_err(backend("read"))?
        {
            Some(v) => Ok(Some(record::decode_submission(v.value(), key)?)),
            None => Ok(None),
        }
    }

    /// Checks, then applies, one submission; the same checks, in the same order, as the
    /// in-memory store. On error the caller drops the transaction, so nothing is applied.
    pub(super) fn apply(
        &mut self,
        e: SubmitEffects,
        now: OffsetDateTime,
    ) -> Result<Committed, StoreError> {
        if let Some(prev) = self.submission(&e.submission.key)? {
            return Err(StoreError::DuplicateSubmission {
                key: e.submission.key.clone(),
                same_content: prev.digest == e.submission.digest,
            });
        }
        let mut new_pairs = HashSet::new();
        for t in &e.tracking {
            let recipient = t.recipient.to_string();
            let known = self
                .tracking
                .get((t.document_id.as_str(), recipient.as_str()))
                .map_err(backend("read"))?
                .is_some();
            if known || !new_pairs.insert((t.document_id.clone(), t.recipient)) {
                return Err(StoreError::DuplicateTracking {
                    document_id: t.document_id.clone(),
                    recipient: t.recipient,
                });
            }
        }
        let mut pending: HashMap<(String, OrgId), Vec<StatusRecord>> = HashMap::new();
        for s in &e.statuses {
            let key = (s.document_id.clone(), s.recipient);
            let history = match pending.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => v.insert(status_history(
                    &self.statuses,
                    &s.document_id,
                    &s.recipient.to_string(),
                )?),
            };
            check_status_update(history, s)?;
            history.push(StatusRecord {
                event: s.event.clone(),
                at: s.at,
                message: s.message.clone(),
            });
        }

        let write = backend("write");
        let mut committed = Committed {
            deliveries: Vec::with_capacity(e.deliveries.len()),
            outbox: Vec::with_capacity(e.outbox.len()),
        };
        for d in e.deliveries {
            let id = self.next_id(NEXT_DELIVERY_KEY)?;
            let recipient = d.recipient.to_string();
            let fields = DeliveryFields {
                recipient: d.recipient,
                document_id: d.document_id,
                kind: d.kind,
                urgency: d.urgency,
                arrived: now,
                attempts: 0,
                state: DeliveryState::Ready,
            };
            self.deliveries
                .insert(id, fields.encode()?.as_slice())
                .map_err(&write)?;
            self.delivery_payloads
                .insert(id, &*d.payload)
                .map_err(&write)?;
            self.mailboxes
                .insert((recipient.as_str(), id), ())
                .map_err(&write)?;
            self.pending
                .insert((recipient.as_str(), id), ())
                .map_err(&write)?;
            committed.deliveries.push(DeliveryId(id));
        }
        for o in e.outbox {
            let id = self.next_id(NEXT_OUTBOX_KEY)?;
            let fields = OutboxFields {
                next_hub: o.next_hub,
                key: o.key,
                digest: o.digest,
                document_id: o.document_id,
                urgency: o.urgency,
                recipients: o.recipients,
                queued: now,
                attempts: 0,
                hidden_until: None,
            };
            self.outbox
                .insert(id, fields.encode()?.as_slice())
                .map_err(&write)?;
            self.outbox_payloads
                .insert(id, &*o.payload)
                .map_err(&write)?;
            self.outbox_by_hub
                .insert((fields.next_hub.as_str(), id), ())
                .map_err(&write)?;
            committed.outbox.push(OutboxId(id));
        }
        for t in e.tracking {
            let recipient = t.recipient.to_string();
            self.tracking
                .insert(
                    (t.document_id.as_str(), recipient.as_str()),
                    record::encode_tracking(t.sender, t.due)?.as_slice(),
                )
                .map_err(&write)?;
        }
        for s in e.statuses {
            let recipient = s.recipient.to_string();
            let (doc, rec) = (s.document_id.as_str(), recipient.as_str());
            let next = self
                .statuses
                .range((doc, rec, 0)..=(doc, rec, u32::MAX))
                .map_err(backend("read"))?
                .next_back()
                .transpose()
                .map_err(backend("read"))?
                .map_or(Ok(0), |(k, _)| {
                    k.value()
                        .2
                        .checked_add(1)
                        .ok_or_else(|| StoreError::Corrupt {
                            record: format!("statuses of document {doc:?} for agency {rec}"),
                            reason: "sequence exhausted".into(),
                        })
                })?;
            self.statuses
                .insert(
                    (doc, rec, next),
                    record::encode_status(&s.event, s.at, &s.message)?.as_slice(),
                )
                .map_err(&write)?;
        }
        let (kind, owner, id) = record::key_parts(&e.submission.key);
        self.messages
            .insert(
                (kind, owner.as_str(), id),
                record::encode_submission(&e.submission)?.as_slice(),
            )
            .map_err(&write)?;
        Ok(committed)
    }
}

pub(super) fn status_history(
    table: &impl ReadableTable<(&'static str, &'static str, u32), &'static [u8]>,
    document_id: &str,
    recipient: &str,
) -> Result<Vec<StatusRecord>, StoreError> {
    let read = backend("read");
    let mut out = Vec::new();
    for item in table
        .range((document_id, recipient, 0)..=(document_id, recipient, u32::MAX))
        .map_err(&read)?
    {
        let (_, v) = item.map_err(&read)?;
        out.push(record::decode_status(v.value(), document_id, recipient)?);
    }
    Ok(out)
}

pub(super) fn visible(state: DeliveryState, now: OffsetDateTime) -> bool {
    match state {
        DeliveryState::Ready => true,
        DeliveryState::InFlight { until } => until <= now,
        DeliveryState::Acked { .. } => false,
    }
}

/// The ids under one key prefix of an index table, in id order.
pub(super) fn ids_under(
    table: &impl ReadableTable<(&'static str, u64), ()>,
    prefix: &str,
) -> Result<Vec<u64>, StoreError> {
    let read = backend("read");
    let mut out = Vec::new();
    for item in table
        .range((prefix, 0)..=(prefix, u64::MAX))
        .map_err(&read)?
    {
        out.push(item.map_err(&read)?.0.value().1);
    }
    Ok(out)
}

pub(super) fn missing(what: String) -> StoreError {
    StoreError::Corrupt {
        record: what,
        reason: "listed in an index but missing".into(),
    }
}

pub(super) fn load_delivery(
    fields: &impl ReadableTable<u64, &'static [u8]>,
    payloads: &impl ReadableTable<u64, &'static [u8]>,
    id: u64,
) -> Result<Delivery, StoreError> {
    let read = backend("read");
    let f = fields
        .get(id)
        .map_err(&read)?
        .ok_or_else(|| missing(format!("delivery #{id}")))?;
    let f = DeliveryFields::decode(f.value(), id)?;
    let payload = payloads
        .get(id)
        .map_err(&read)?
        .ok_or_else(|| missing(format!("payload of delivery #{id}")))?;
    Ok(delivery_of(id, f, Arc::from(payload.value())))
}

pub(super) fn outbox_entry_of(id: u64, f: OutboxFields, payload: Arc<[u8]>) -> OutboxEntry {
    OutboxEntry {
        id: OutboxId(id),
        next_hub: f.next_hub,
        key: f.key,
        digest: f.digest,
        document_id: f.document_id,
        urgency: f.urgency,
        recipients: f.recipients,
        payload,
        queued: f.queued,
        attempts: f.attempts,
    }
}

pub(super) fn delivery_of(id: u64, f: DeliveryFields, payload: Arc<[u8]>) -> Delivery {
    Delivery {
        id: DeliveryId(id),
        recipient: f.recipient,
        document_id: f.document_id,
        kind: f.kind,
        urgency: f.urgency,
        payload,
        arrived: f.arrived,
        attempts: f.attempts,
        state: f.state,
    }
}
