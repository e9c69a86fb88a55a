//! The durable mailbox store: the in-memory store's semantics, kept in one redb file.
//!
//! Each [`MailboxStore`] call that changes anything is one redb write transaction, committed
//! with redb's default durability (`Immediate`: on disk when `commit` returns) before the call
//! returns. A crash therefore leaves each submission entirely present or entirely absent, and a
//! receipt is only ever handed out for a submission that is on disk.

mod record;
mod tables;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    Database, DatabaseError, MultimapTableHandle, ReadTransaction, ReadableDatabase, ReadableTable,
    TableHandle, WriteTransaction,
};
use time::{Date, Duration, OffsetDateTime};

use self::record::{DeadLetterFields, DeliveryFields, OutboxFields};
use self::tables::{
    backend, delivery_of, finish_if_changed, get_u64, ids_under, load_delivery, missing,
    outbox_entry_of, status_history, visible, Tables, DEAD_LETTERS, DELIVERIES, DELIVERY_PAYLOADS,
    MAILBOXES, MESSAGES, META, NEXT_DEAD_LETTER_KEY, NEXT_DELIVERY_KEY, NEXT_OUTBOX_KEY, STATUSES,
    TRACKING, VERSION_KEY,
};
use super::{
    Committed, DeadLetter, DeadLetterId, Delivery, DeliveryId, DeliveryState, MailboxStore,
    MessageKey, OutboxEntry, OutboxId, Overdue, Refusal, StatusRecord, StoreError, Submission,
    SubmitEffects, Tracking,
};
use crate::org::OrgId;
use crate::route::table::HubId;

/// A [`MailboxStore`] kept in a file on disk, surviving restarts and crashes.
///
/// Every submission, delivery (with its visibility deadline, attempt count and acknowledgement),
/// de-duplication record and receipt, tracked pair, status history, and queued outbox entry is
/// in the file; the packages themselves are stored byte for byte, with the trace entries they
/// carry. A hub that restarts on the same file finds unacknowledged deliveries (they come back
/// once their visibility deadline has passed), resumes forwarding from the outbox, and still
/// recognises every message id it has accepted.
///
/// A submission is acknowledged, and its receipt returned, only after its write transaction is
/// on disk (redb's `Immediate` durability, with two-phase commit). [`MailboxStore::commit_batch`]
/// (and `Router::submit_batch` over it) puts many submissions in one transaction, and one disk
/// sync, for throughput. `docs/durable.md` describes the file and the costs.
///
/// One process owns the file: a second [`DurableStore::open`] fails with
/// [`StoreError::Locked`]. A file written by a newer build fails with
/// [`StoreError::UnsupportedVersion`], and a file that is not a mailbox store with
/// [`StoreError::NotAStore`]; neither is ever reset or rewritten.
///
/// ```
/// use edoc::{DurableStore, MailboxStore, StoreError};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("mailboxes.redb");
/// let store = DurableStore::open(&path, time::Duration::minutes(5))?;
/// assert!(matches!(DurableStore::open(&path, time::Duration::minutes(5)),
///                  Err(StoreError::Locked { .. })));
/// drop(store);
/// let again = DurableStore::open(&path, time::Duration::minutes(5))?;
/// let key = edoc::MessageKey::Document { sender: "000.00.45.H57".parse()?, id: "doc-1".into() };
/// assert_eq!(again.lookup_submission(&key)?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DurableStore {
    db: Database,
    path: PathBuf,
    visibility_timeout: Duration,
}

impl std::fmt::Debug for DurableStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableStore")
            .field("path", &self.path)
            .field("visibility_timeout", &self.visibility_timeout)
            .finish_non_exhaustive()
    }
}

impl DurableStore {
    /// The format version this build writes and reads, recorded in the file.
    pub const FORMAT_VERSION: u64 = record::RECORD_VERSION as u64;

    /// Opens the store in the file at `path`, creating it if there is no file (the folder must
    /// exist). Fetched deliveries and taken outbox entries stay invisible for
    /// `visibility_timeout`.
    ///
    /// An existing file is never reset: it must be a mailbox store of a version this build
    /// reads. The file's page checksums are verified on every open (redb's integrity check),
    /// so a damaged file is an error rather than a panic later; this reads the whole file once.
    /// After a crash, redb repairs its allocator state from the last committed transaction.
    ///
    /// # Errors
    /// [`StoreError::Locked`] if another process (or another handle here) has it open,
    /// [`StoreError::UnsupportedVersion`], [`StoreError::NotAStore`], [`StoreError::Corrupt`],
    /// or [`StoreError::Backend`] for an I/O failure.
    pub fn open(
        path: impl AsRef<Path>,
        visibility_timeout: Duration,
    ) -> Result<DurableStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let db = builder().create(&path).map_err(|e| open_error(e, &path))?;
        DurableStore::on(db, path, visibility_timeout)
    }

    /// The store in an opened database; `path` names it in errors.
    fn on(
        db: Database,
        path: PathBuf,
        visibility_timeout: Duration,
    ) -> Result<DurableStore, StoreError> {
        let store = DurableStore {
            db,
            path,
            visibility_timeout,
        };
        store.check_or_initialise()?;
        tracing::debug!(path = %store.path.display(), "mailbox store opened");
        Ok(store)
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    // A file with no tables is new (or was killed while being created): give it the tables and
    // the version, in one transaction. A file with tables must carry our metadata.
    fn check_or_initialise(&self) -> Result<(), StoreError> {
        let txn = self.write()?;
        let tables: Vec<String> = txn
            .list_tables()
            .map_err(backend("list tables"))?
            .map(|t| t.name().to_owned())
            .chain(
                txn.list_multimap_tables()
                    .map_err(backend("list tables"))?
                    .map(|t| t.name().to_owned()),
            )
            .collect();
        if tables.is_empty() {
            {
                let mut meta = txn.open_table(META).map_err(backend("create tables"))?;
                for (key, value) in [
                    (VERSION_KEY, Self::FORMAT_VERSION),
                    (NEXT_DELIVERY_KEY, 0),
                    (NEXT_OUTBOX_KEY, 0),
                    (NEXT_DEAD_LETTER_KEY, 0),
                ] {
                    meta.insert(key, value).map_err(backend("create tables"))?;
                }
            }
            Tables::open(&txn)?;
            txn.commit().map_err(backend("commit"))?;
            tracing::info!(path = %self.path.display(), "new mailbox store created");
            return Ok(());
        }
        if !tables.iter().any(|t| t == "edoc.meta") {
            return Err(StoreError::NotAStore {
                path: self.path.clone(),
                reason: format!("a database with other tables ({})", tables.join(", ")),
            });
        }
        let meta = txn.open_table(META).map_err(|e| StoreError::NotAStore {
            path: self.path.clone(),
            reason: format!("its metadata table is not ours: {e}"),
        })?;
        let version = get_u64(&meta, VERSION_KEY)?.ok_or_else(|| StoreError::Corrupt {
            record: "metadata".into(),
            reason: "no format version".into(),
        })?;
        if version != Self::FORMAT_VERSION {
            return Err(StoreError::UnsupportedVersion {
                path: self.path.clone(),
                found: version,
                supported: Self::FORMAT_VERSION,
            });
        }
        drop(meta);
        // Nothing was changed: abort rather than commit, so that opening a store never writes.
        txn.abort().map_err(backend("abort"))?;
        Ok(())
    }

    fn read(&self) -> Result<ReadTransaction, StoreError> {
        self.db.begin_read().map_err(backend("begin read"))
    }

    fn write(&self) -> Result<WriteTransaction, StoreError> {
        let mut txn = self.db.begin_write().map_err(backend("begin write"))?;
        // Two-phase commit (a second fsync): the store writes bytes chosen by submitters, the
        // one condition of redb's documented torn-commit attack (`set_two_phase_commit`) that
        // a hub cannot rule out; the cost is amortised by `commit_batch`.
        txn.set_two_phase_commit(true);
        Ok(txn)
    }
}

// `create` initialises a missing or empty file and opens a redb file; anything else it
// refuses, and it never truncates.
fn builder() -> redb::Builder {
    let mut builder = Database::builder();
    builder.set_check_integrity_on_open(true);
    builder
}

fn open_error(e: DatabaseError, path: &Path) -> StoreError {
    match e {
        DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch => {
            StoreError::Locked {
                path: path.to_path_buf(),
            }
        }
        DatabaseError::UpgradeRequired(v) => StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: format!("a redb file of the old format {v}, to be upgraded with redb's tools"),
        },
        // redb reports a file without its magic number as InvalidData.
        DatabaseError::Storage(redb::StorageError::Io(io))
            if io.kind() == std::io::ErrorKind::InvalidData =>
        {
            StoreError::NotAStore {
                path: path.to_path_buf(),
                reason: io.to_string(),
            }
        }
        DatabaseError::Storage(redb::StorageError::Io(io)) => {
            StoreError::Backend(format!("cannot open {}: {io}", path.display()))
        }
        DatabaseError::Storage(redb::StorageError::Corrupted(reason)) => StoreError::NotAStore {
            path: path.to_path_buf(),
            reason: format!("not a readable redb database ({reason})"),
        },
        other => StoreError::Backend(format!("cannot open {}: {other}", path.display())),
    }
}

impl MailboxStore for DurableStore {
    fn commit(&self, effects: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError> {
        let txn = self.write()?;
        let committed = {
            let mut tables = Tables::open(&txn)?;
            tables.apply(effects, now)?
        };
        txn.commit().map_err(backend("commit"))?;
        Ok(committed)
    }

    fn commit_batch(
        &self,
        batch: Vec<SubmitEffects>,
        now: OffsetDateTime,
    ) -> Result<Vec<Committed>, StoreError> {
        let txn = self.write()?;
        let out = {
            let mut tables = Tables::open(&txn)?;
            let mut out = Vec::with_capacity(batch.len());
            for e in batch {
                // An error drops the transaction: nothing of the batch is applied.
                out.push(tables.apply(e, now)?);
            }
            out
        };
        txn.commit().map_err(backend("commit"))?;
        Ok(out)
    }

    fn lookup_submission(&self, key: &MessageKey) -> Result<Option<Submission>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(MESSAGES).map_err(backend("open table"))?;
        let (kind, owner, id) = record::key_parts(key);
        match table
            .get((kind, owner.as_str(), id))
            .map_err(backend("read"))?
        {
            Some(v) => Ok(Some(record::decode_submission(v.value(), key)?)),
            None => Ok(None),
        }
    }

    fn fetch(
        &self,
        agency: &OrgId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<Delivery>, StoreError> {
        let until = now + self.visibility_timeout;
        let agency_key = agency.to_string();
        let txn = self.write()?;
        let out = {
            let mut t = Tables::open(&txn)?;
            let mut ready = Vec::new();
            for id in ids_under(&t.pending, &agency_key)? {
                let f = t
                    .deliveries
                    .get(id)
                    .map_err(backend("read"))?
                    .ok_or_else(|| missing(format!("delivery #{id}")))?;
                let f = DeliveryFields::decode(f.value(), id)?;
                if visible(f.state, now) {
                    ready.push((std::cmp::Reverse(f.urgency), id, f));
                }
            }
            // Ids grow with arrival: sorting by (rank descending, id) is urgency then arrival.
            ready.sort_by_key(|(rank, id, _)| (*rank, *id));
            let mut out = Vec::with_capacity(ready.len().min(max));
            for (_, id, mut f) in ready.into_iter().take(max) {
                f.state = DeliveryState::InFlight { until };
                f.attempts = f.attempts.saturating_add(1);
                t.deliveries
                    .insert(id, f.encode()?.as_slice())
                    .map_err(backend("write"))?;
                let payload = t
                    .delivery_payloads
                    .get(id)
                    .map_err(backend("read"))?
                    .ok_or_else(|| missing(format!("payload of delivery #{id}")))?
                    .value()
                    .into();
                out.push(delivery_of(id, f, payload));
            }
            out
        };
        finish_if_changed(txn, !out.is_empty())?;
        Ok(out)
    }

    fn ack(
        &self,
        agency: &OrgId,
        delivery: DeliveryId,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let txn = self.write()?;
        {
            let mut t = Tables::open(&txn)?;
            let not_in_mailbox = || StoreError::NotInMailbox {
                agency: *agency,
                delivery,
            };
            let mut f = match t.deliveries.get(delivery.0).map_err(backend("read"))? {
                Some(v) => DeliveryFields::decode(v.value(), delivery.0)?,
                None => return Err(not_in_mailbox()),
            };
            if f.recipient != *agency {
                return Err(not_in_mailbox());
            }
            let Some(state) = f.state.acknowledged(f.attempts, agency, delivery, now)? else {
                return Ok(());
            };
            f.state = state;
            t.deliveries
                .insert(delivery.0, f.encode()?.as_slice())
                .map_err(backend("write"))?;
            let agency_key = agency.to_string();
            t.pending
                .remove((agency_key.as_str(), delivery.0))
                .map_err(backend("write"))?;
        }
        txn.commit().map_err(backend("commit"))
    }

    fn deliveries(&self, agency: &OrgId) -> Result<Vec<Delivery>, StoreError> {
        let txn = self.read()?;
        let open = backend("open table");
        let index = txn.open_table(MAILBOXES).map_err(&open)?;
        let fields = txn.open_table(DELIVERIES).map_err(&open)?;
        let payloads = txn.open_table(DELIVERY_PAYLOADS).map_err(&open)?;
        ids_under(&index, &agency.to_string())?
            .into_iter()
            .map(|id| load_delivery(&fields, &payloads, id))
            .collect()
    }

    fn take_outbox(
        &self,
        hub: &HubId,
        max: usize,
        now: OffsetDateTime,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let until = now + self.visibility_timeout;
        let txn = self.write()?;
        let out = {
            let mut t = Tables::open(&txn)?;
            let mut ready = Vec::new();
            for id in ids_under(&t.outbox_by_hub, hub.as_str())? {
                let f = t
                    .outbox
                    .get(id)
                    .map_err(backend("read"))?
                    .ok_or_else(|| missing(format!("outbox entry #{id}")))?;
                let f = OutboxFields::decode(f.value(), id)?;
                if f.next_hub == *hub && f.hidden_until.is_none_or(|t| t <= now) {
                    ready.push((std::cmp::Reverse(f.urgency), id, f));
                }
            }
            ready.sort_by_key(|(rank, id, _)| (*rank, *id));
            let mut out = Vec::with_capacity(ready.len().min(max));
            for (_, id, mut f) in ready.into_iter().take(max) {
                f.hidden_until = Some(until);
                f.attempts = f.attempts.saturating_add(1);
                t.outbox
                    .insert(id, f.encode()?.as_slice())
                    .map_err(backend("write"))?;
                let payload: Arc<[u8]> = t
                    .outbox_payloads
                    .get(id)
                    .map_err(backend("read"))?
                    .ok_or_else(|| missing(format!("payload of outbox entry #{id}")))?
                    .value()
                    .into();
                out.push(outbox_entry_of(id, f, payload));
            }
            out
        };
        finish_if_changed(txn, !out.is_empty())?;
        Ok(out)
    }

    fn complete_outbox(
        &self,
        hub: &HubId,
        entry: OutboxId,
        _now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let txn = self.write()?;
        {
            let mut t = Tables::open(&txn)?;
            let next_hub = match t.outbox.get(entry.0).map_err(backend("read"))? {
                Some(v) => Some(OutboxFields::decode(v.value(), entry.0)?.next_hub),
                None => None,
            };
            if next_hub.as_ref() != Some(hub) {
                return Err(StoreError::NotInOutbox {
                    hub: hub.clone(),
                    entry,
                });
            }
            let write = backend("write");
            t.outbox.remove(entry.0).map_err(&write)?;
            t.outbox_payloads.remove(entry.0).map_err(&write)?;
            t.outbox_by_hub
                .remove((hub.as_str(), entry.0))
                .map_err(&write)?;
        }
        txn.commit().map_err(backend("commit"))
    }

    fn dead_letter(
        &self,
        hub: &HubId,
        entry: OutboxId,
        refusal: Refusal,
        now: OffsetDateTime,
    ) -> Result<DeadLetterId, StoreError> {
        let txn = self.write()?;
        let id = {
            let mut t = Tables::open(&txn)?;
            let queued = match t.outbox.get(entry.0).map_err(backend("read"))? {
                Some(v) => Some(OutboxFields::decode(v.value(), entry.0)?),
                None => None,
            };
            let Some(queued) = queued.filter(|f| f.next_hub == *hub) else {
                return Err(StoreError::NotInOutbox {
                    hub: hub.clone(),
                    entry,
                });
            };
            if let Some(notice) = refusal.notice {
                if !notice.tracking.is_empty() {
                    return Err(StoreError::TrackingInRefusal);
                }
                // An error drops the transaction: nothing is applied.
                t.apply(notice, now)?;
            }
            let write = backend("write");
            let payload = t
                .outbox_payloads
                .remove(entry.0)
                .map_err(&write)?
                .ok_or_else(|| missing(format!("payload of outbox entry #{}", entry.0)))?
                .value()
                .to_vec();
            t.outbox.remove(entry.0).map_err(&write)?;
            t.outbox_by_hub
                .remove((hub.as_str(), entry.0))
                .map_err(&write)?;
            let id = t.next_id(NEXT_DEAD_LETTER_KEY)?;
            let letter = DeadLetterFields {
                outbox_id: entry.0,
                entry: queued,
                refused_by: refusal.refused_by,
                recipients: refusal.recipients,
                reason: refusal.reason,
                at: now,
            };
            t.dead_letters
                .insert(id, letter.encode(&payload)?.as_slice())
                .map_err(&write)?;
            id
        };
        txn.commit().map_err(backend("commit"))?;
        Ok(DeadLetterId(id))
    }

    fn dead_letters(&self) -> Result<Vec<DeadLetter>, StoreError> {
        let txn = self.read()?;
        let read = backend("read");
        let table = txn
            .open_table(DEAD_LETTERS)
            .map_err(backend("open table"))?;
        let mut out = Vec::new();
        for item in table.iter().map_err(&read)? {
            let (k, v) = item.map_err(&read)?;
            let id = k.value();
            let (f, payload) = DeadLetterFields::decode(v.value(), id)?;
            out.push(DeadLetter {
                id: DeadLetterId(id),
                entry: outbox_entry_of(f.outbox_id, f.entry, Arc::from(payload)),
                refused_by: f.refused_by,
                recipients: f.recipients,
                reason: f.reason,
                at: f.at,
            });
        }
        Ok(out)
    }

    fn status_history(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Vec<StatusRecord>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(STATUSES).map_err(backend("open table"))?;
        status_history(&table, document_id, &recipient.to_string())
    }

    fn tracked(
        &self,
        document_id: &str,
        recipient: &OrgId,
    ) -> Result<Option<Tracking>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(TRACKING).map_err(backend("open table"))?;
        let recipient_key = recipient.to_string();
        let Some(v) = table
            .get((document_id, recipient_key.as_str()))
            .map_err(backend("read"))?
        else {
            return Ok(None);
        };
        let (sender, due) = record::decode_tracking(v.value(), document_id, &recipient_key)?;
        Ok(Some(Tracking {
            document_id: document_id.to_owned(),
            sender,
            recipient: *recipient,
            due,
        }))
    }

    fn overdue(&self, today: Date) -> Result<Vec<Overdue>, StoreError> {
        let txn = self.read()?;
        let open = backend("open table");
        let read = backend("read");
        let tracking = txn.open_table(TRACKING).map_err(&open)?;
        let statuses = txn.open_table(STATUSES).map_err(&open)?;
        let mut out = Vec::new();
        for item in tracking.iter().map_err(&read)? {
            let (k, v) = item.map_err(&read)?;
            let (doc, recipient_key) = k.value();
            let (sender, due) = record::decode_tracking(v.value(), doc, recipient_key)?;
            let recipient: OrgId = recipient_key.parse().map_err(|e| StoreError::Corrupt {
                record: format!("tracking of document {doc:?}"),
                reason: format!("recipient: {e}"),
            })?;
            let history = status_history(&statuses, doc, recipient_key)?;
            let tracking = Tracking {
                document_id: doc.to_owned(),
                sender,
                recipient,
                due,
            };
            out.extend(Overdue::of(&tracking, &history, today));
        }
        Overdue::sort(&mut out);
        Ok(out)
    }
}
