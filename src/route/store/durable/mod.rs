//! The durable mailbox store: the in-memory store's semantics, kept in one redb file.
//!
//! Each [`MailboxStore`] call that changes anything is one redb write transaction, committed
//! with redb's default durability (`Immediate`: on disk when `commit` returns) before the call
//! returns. A crash therefore leaves each submission entirely present or entirely absent, and a
//! receipt is only ever handed out for a submission that is on disk.

mod record;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redb::{
    Database, DatabaseError, MultimapTableHandle, ReadTransaction, ReadableDatabase, ReadableTable,
    Table, TableDefinition, TableHandle, WriteTransaction,
};
use time::{Date, Duration, OffsetDateTime};

use self::record::{DeliveryFields, OutboxFields};
use super::{
    Committed, Delivery, DeliveryId, DeliveryState, MailboxStore, OutboxEntry, OutboxId, Overdue,
    StatusRecord, StoreError, Submission, SubmitEffects, Tracking,
};
use crate::org::OrgId;
use crate::route::table::HubId;
use crate::status::StatusCode;

// One table per kind of record. Names carry an `edoc.` prefix so that a foreign redb file is
// recognised as such rather than mistaken for an empty store.
/// `format_version`, and the two id counters.
const META: TableDefinition<'_, &str, u64> = TableDefinition::new("edoc.meta");
/// message id → de-duplication record (digest, time; blob: the receipt).
const SUBMISSIONS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("edoc.submissions");
/// delivery id → delivery fields, without the payload.
const DELIVERIES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("edoc.deliveries");
/// delivery id → package bytes. Apart, so that fetch and ack rewrite only the small record.
const DELIVERY_PAYLOADS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.delivery_payloads");
/// (agency, delivery id) for every delivery ever made: `deliveries()` in arrival order.
const MAILBOXES: TableDefinition<'_, (&str, u64), ()> = TableDefinition::new("edoc.mailboxes");
/// (agency, delivery id) for the unacknowledged ones: what `fetch` looks at.
const PENDING: TableDefinition<'_, (&str, u64), ()> = TableDefinition::new("edoc.pending");
/// outbox id → entry fields, without the payload.
const OUTBOX: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("edoc.outbox");
/// outbox id → package bytes.
const OUTBOX_PAYLOADS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("edoc.outbox_payloads");
/// (next hub, outbox id) for every queued entry.
const OUTBOX_BY_HUB: TableDefinition<'_, (&str, u64), ()> =
    TableDefinition::new("edoc.outbox_by_hub");
/// (document id, recipient) → sender and due date.
const TRACKING: TableDefinition<'_, (&str, &str), &[u8]> = TableDefinition::new("edoc.tracking");
/// (document id, recipient, sequence) → status (code, time; blob: the signed message).
const STATUSES: TableDefinition<'_, (&str, &str, u32), &[u8]> =
    TableDefinition::new("edoc.statuses");

const VERSION_KEY: &str = "format_version";
const NEXT_DELIVERY_KEY: &str = "next_delivery";
const NEXT_OUTBOX_KEY: &str = "next_outbox";

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
/// assert_eq!(again.lookup_submission("doc-1")?, None);
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

/// Maps a redb error to [`StoreError::Backend`], saying what was being done. Damage that redb
/// detects is [`StoreError::Corrupt`].
/// Commits a read-mostly write transaction only when it changed something (a fetch or take
/// that handed nothing out aborts, so polling an empty mailbox never writes).
fn finish_if_changed(txn: WriteTransaction, changed: bool) -> Result<(), StoreError> {
    if changed {
        txn.commit().map_err(backend("commit"))
    } else {
        txn.abort().map_err(backend("abort"))
    }
}

fn backend<E: Into<redb::Error>>(doing: &'static str) -> impl Fn(E) -> StoreError {
    move |e| match e.into() {
        redb::Error::Corrupted(reason) => StoreError::Corrupt {
            record: "database page".into(),
            reason,
        },
        other => StoreError::Backend(format!("{doing}: {other}")),
    }
}

fn get_u64(
    table: &impl ReadableTable<&'static str, u64>,
    key: &str,
) -> Result<Option<u64>, StoreError> {
    Ok(table
        .get(key)
        .map_err(backend("read metadata"))?
        .map(|v| v.value()))
}

/// The tables of one write transaction, and the id counters read from it.
struct Tables<'t> {
    meta: Table<'t, &'static str, u64>,
    submissions: Table<'t, &'static str, &'static [u8]>,
    deliveries: Table<'t, u64, &'static [u8]>,
    delivery_payloads: Table<'t, u64, &'static [u8]>,
    mailboxes: Table<'t, (&'static str, u64), ()>,
    pending: Table<'t, (&'static str, u64), ()>,
    outbox: Table<'t, u64, &'static [u8]>,
    outbox_payloads: Table<'t, u64, &'static [u8]>,
    outbox_by_hub: Table<'t, (&'static str, u64), ()>,
    tracking: Table<'t, (&'static str, &'static str), &'static [u8]>,
    statuses: Table<'t, (&'static str, &'static str, u32), &'static [u8]>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Tables<'t>, StoreError> {
        let open = backend("open table");
        Ok(Tables {
            meta: txn.open_table(META).map_err(&open)?,
            submissions: txn.open_table(SUBMISSIONS).map_err(&open)?,
            deliveries: txn.open_table(DELIVERIES).map_err(&open)?,
            delivery_payloads: txn.open_table(DELIVERY_PAYLOADS).map_err(&open)?,
            mailboxes: txn.open_table(MAILBOXES).map_err(&open)?,
            pending: txn.open_table(PENDING).map_err(&open)?,
            outbox: txn.open_table(OUTBOX).map_err(&open)?,
            outbox_payloads: txn.open_table(OUTBOX_PAYLOADS).map_err(&open)?,
            outbox_by_hub: txn.open_table(OUTBOX_BY_HUB).map_err(&open)?,
            tracking: txn.open_table(TRACKING).map_err(&open)?,
            statuses: txn.open_table(STATUSES).map_err(&open)?,
        })
    }

    fn next_id(&mut self, key: &'static str) -> Result<u64, StoreError> {
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

    fn submission(&self, message_id: &str) -> Result<Option<Submission>, StoreError> {
        match self.submissions.get(message_id).map_err(backend("read"))? {
            Some(v) => Ok(Some(record::decode_submission(v.value(), message_id)?)),
            None => Ok(None),
        }
    }

    fn status_codes(
        &self,
        document_id: &str,
        recipient: &str,
    ) -> Result<Vec<StatusCode>, StoreError> {
        Ok(status_history(&self.statuses, document_id, recipient)?
            .into_iter()
            .map(|r| r.code)
            .collect())
    }

    /// Checks, then applies, one submission; the same checks, in the same order, as the
    /// in-memory store. On error the caller drops the transaction, so nothing is applied.
    fn apply(&mut self, e: SubmitEffects, now: OffsetDateTime) -> Result<Committed, StoreError> {
        if let Some(prev) = self.submission(&e.submission.message_id)? {
            return Err(StoreError::DuplicateSubmission {
                message_id: e.submission.message_id.clone(),
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
        let mut pending_codes: HashMap<(String, OrgId), Vec<StatusCode>> = HashMap::new();
        for s in &e.statuses {
            let key = (s.document_id.clone(), s.recipient);
            let history = match pending_codes.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    let codes = self.status_codes(&s.document_id, &s.recipient.to_string())?;
                    v.insert(codes)
                }
            };
            s.code
                .check_after(history)
                .map_err(|source| StoreError::Transition {
                    document_id: s.document_id.clone(),
                    recipient: s.recipient,
                    source,
                })?;
            history.push(s.code);
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
                document_id: o.document_id,
                kind: o.kind,
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
                    record::encode_status(s.code, s.at, &s.message)?.as_slice(),
                )
                .map_err(&write)?;
        }
        self.submissions
            .insert(
                e.submission.message_id.as_str(),
                record::encode_submission(&e.submission)?.as_slice(),
            )
            .map_err(&write)?;
        Ok(committed)
    }
}

fn status_history(
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

fn visible(state: DeliveryState, now: OffsetDateTime) -> bool {
    match state {
        DeliveryState::Ready => true,
        DeliveryState::InFlight { until } => until <= now,
        DeliveryState::Acked { .. } => false,
    }
}

/// The ids under one key prefix of an index table, in id order.
fn ids_under(
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

fn missing(what: String) -> StoreError {
    StoreError::Corrupt {
        record: what,
        reason: "listed in an index but missing".into(),
    }
}

fn load_delivery(
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

fn delivery_of(id: u64, f: DeliveryFields, payload: Arc<[u8]>) -> Delivery {
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

    fn lookup_submission(&self, message_id: &str) -> Result<Option<Submission>, StoreError> {
        let txn = self.read()?;
        let table = txn.open_table(SUBMISSIONS).map_err(backend("open table"))?;
        match table.get(message_id).map_err(backend("read"))? {
            Some(v) => Ok(Some(record::decode_submission(v.value(), message_id)?)),
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
                out.push(OutboxEntry {
                    id: OutboxId(id),
                    next_hub: f.next_hub,
                    document_id: f.document_id,
                    kind: f.kind,
                    urgency: f.urgency,
                    recipients: f.recipients,
                    payload,
                    queued: f.queued,
                    attempts: f.attempts,
                });
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
            let Some(due) = due.filter(|due| *due < today) else {
                continue;
            };
            let recipient: OrgId = recipient_key.parse().map_err(|e| StoreError::Corrupt {
                record: format!("tracking of document {doc:?}"),
                reason: format!("recipient: {e}"),
            })?;
            let history = status_history(&statuses, doc, recipient_key)?;
            if history.iter().any(|r| r.code == StatusCode::Completed) {
                continue;
            }
            out.push(Overdue {
                document_id: doc.to_owned(),
                sender,
                recipient,
                due,
                latest: history.last().map(|r| r.code),
            });
        }
        out.sort_by(|a, b| {
            (a.due, &a.document_id, a.recipient).cmp(&(b.due, &b.document_id, b.recipient))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    //! Power cuts, simulated below redb: a storage backend that forgets what was written since
    //! the last sync (or keeps any part of it, write by write), stops at a chosen write, and is
    //! reopened from what a disk could hold after the cut. SIGKILL (tests/crash.rs) cannot lose
    //! the page cache; this can.

    use std::sync::{Arc, Mutex};

    use redb::StorageBackend;
    use time::macros::datetime;

    use super::*;
    use crate::route::store::{NewDelivery, PayloadKind, UrgencyRank};

    const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 +07:00);

    #[derive(Debug, Clone)]
    enum Op {
        Write(u64, Vec<u8>),
        SetLen(u64),
    }

    #[derive(Debug, Default)]
    struct Disk {
        /// What the medium holds for sure: the state at the last sync.
        synced: Vec<u8>,
        /// What a reader sees now.
        current: Vec<u8>,
        /// Changes since the last sync, in order; any of them may or may not reach the medium.
        unsynced: Vec<Op>,
        /// Writes and syncs left before the cut; `None`: no cut planned.
        ops_left: Option<u64>,
        cut: bool,
    }

    fn apply(image: &mut Vec<u8>, op: &Op) {
        match op {
            Op::Write(offset, data) => {
                let start = usize::try_from(*offset).unwrap();
                let end = start + data.len();
                if image.len() < end {
                    image.resize(end, 0);
                }
                image[start..end].copy_from_slice(data);
            }
            Op::SetLen(len) => image.resize(usize::try_from(*len).unwrap(), 0),
        }
    }

    impl Disk {
        fn tick(&mut self) -> std::io::Result<()> {
            if self.cut {
                return Err(std::io::Error::other("power cut"));
            }
            if let Some(n) = self.ops_left.as_mut() {
                if *n == 0 {
                    self.cut = true;
                    return Err(std::io::Error::other("power cut"));
                }
                *n -= 1;
            }
            Ok(())
        }

        fn record(&mut self, op: Op) -> std::io::Result<()> {
            self.tick()?;
            apply(&mut self.current, &op);
            self.unsynced.push(op);
            Ok(())
        }

        /// What the medium may hold after the cut: the synced state plus a random subset of
        /// the later changes (disks reorder writes between syncs).
        fn after_cut(&self, rng: &mut Rng) -> Vec<u8> {
            let mut image = self.synced.clone();
            for op in &self.unsynced {
                if rng.below(2) == 0 {
                    apply(&mut image, op);
                }
            }
            image
        }
    }

    #[derive(Debug, Clone)]
    struct PowerCut(Arc<Mutex<Disk>>);

    impl PowerCut {
        fn disk(&self) -> std::sync::MutexGuard<'_, Disk> {
            self.0.lock().unwrap()
        }
    }

    impl StorageBackend for PowerCut {
        fn len(&self) -> std::io::Result<u64> {
            Ok(self.disk().current.len() as u64)
        }

        fn read(&self, offset: u64, out: &mut [u8]) -> std::io::Result<()> {
            let disk = self.disk();
            let start = usize::try_from(offset).map_err(std::io::Error::other)?;
            let bytes = disk
                .current
                .get(start..start + out.len())
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::UnexpectedEof))?;
            out.copy_from_slice(bytes);
            Ok(())
        }

        fn set_len(&self, len: u64) -> std::io::Result<()> {
            self.disk().record(Op::SetLen(len))
        }

        fn sync_data(&self) -> std::io::Result<()> {
            let mut disk = self.disk();
            disk.tick()?;
            disk.synced = disk.current.clone();
            disk.unsynced.clear();
            Ok(())
        }

        fn write(&self, offset: u64, data: &[u8]) -> std::io::Result<()> {
            self.disk().record(Op::Write(offset, data.to_vec()))
        }
    }

    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
    }

    fn open_on(disk: &PowerCut) -> Result<DurableStore, StoreError> {
        let label = PathBuf::from("power-cut disk");
        let db = builder()
            .create_with_backend(disk.clone())
            .map_err(|e| open_error(e, &label))?;
        DurableStore::on(db, label, Duration::minutes(5))
    }

    fn effects(n: u64) -> SubmitEffects {
        let doc = format!("doc-{n}");
        let mut e = SubmitEffects::new(Submission {
            message_id: doc.clone(),
            digest: [(n % 251) as u8; 32],
            receipt: Arc::from(format!("receipt {n}").as_bytes()),
            at: NOW,
        });
        e.deliveries.push(NewDelivery {
            recipient: "000.00.05.H57".parse().unwrap(),
            document_id: doc,
            kind: PayloadKind::Document,
            urgency: UrgencyRank::NORMAL,
            // Packages of a few pages, so that commits span several pages and writes.
            payload: (0..(3000 + n * 977 % 9000))
                .map(|i| (i % 253) as u8)
                .collect(),
        });
        e
    }

    #[test]
    fn a_power_cut_at_any_write_keeps_every_acknowledged_commit_and_nothing_half_done() {
        let mut rng = Rng(0x7e57_0fc0_ffee);
        let finance: OrgId = "000.00.05.H57".parse().unwrap();
        let (mut cuts, mut checked, mut cut_mid_commit) = (0, 0, 0);
        for trial in 0..40 {
            let disk = PowerCut(Arc::new(Mutex::new(Disk::default())));
            let store = open_on(&disk).unwrap();
            disk.disk().ops_left = Some(rng.below(600));
            let mut acked = Vec::new();
            let mut next = 0;
            // Commit until the power goes: single commits and batches of 5, alternately.
            let attempted = loop {
                let (batch, result) = if trial % 2 == 0 {
                    (vec![next], store.commit(effects(next), NOW).map(|_| ()))
                } else {
                    let ids: Vec<u64> = (next..next + 5).collect();
                    let r = store.commit_batch(ids.iter().map(|&n| effects(n)).collect(), NOW);
                    (ids, r.map(|_| ()))
                };
                next += batch.len() as u64;
                match result {
                    Ok(()) => acked.extend(batch),
                    Err(_) => break batch,
                }
                if next > 400 {
                    break Vec::new();
                }
            };
            drop(store);
            let image = disk.disk().after_cut(&mut rng);
            cuts += 1;
            let reopened = PowerCut(Arc::new(Mutex::new(Disk {
                synced: image.clone(),
                current: image,
                ..Disk::default()
            })));
            let store = open_on(&reopened)
                .unwrap_or_else(|e| panic!("trial {trial}: the store does not reopen: {e}"));
            let delivered: Vec<String> = store
                .deliveries(&finance)
                .unwrap()
                .into_iter()
                .map(|d| d.document_id)
                .collect();
            for n in &acked {
                let doc = format!("doc-{n}");
                assert!(
                    store.lookup_submission(&doc).unwrap().is_some(),
                    "trial {trial}: acknowledged {doc} lost"
                );
                assert_eq!(
                    delivered.iter().filter(|d| **d == doc).count(),
                    1,
                    "trial {trial}: {doc}"
                );
                checked += 1;
            }
            // The commit the cut interrupted is all there or not at all.
            let present: Vec<bool> = attempted
                .iter()
                .map(|n| {
                    store
                        .lookup_submission(&format!("doc-{n}"))
                        .unwrap()
                        .is_some()
                })
                .collect();
            assert!(
                present.iter().all(|p| *p) || present.iter().all(|p| !*p),
                "trial {trial}: half a batch: {present:?}"
            );
            if present.first() == Some(&true) {
                cut_mid_commit += 1;
            }
            let expected = acked.len() + present.iter().filter(|p| **p).count();
            assert_eq!(delivered.len(), expected, "trial {trial}: deliveries");
            // The reopened store keeps working.
            store.commit(effects(10_000), NOW).unwrap();
        }
        println!(
            "power cuts: {cuts}, acknowledged commits checked: {checked}, interrupted commits \
             found complete: {cut_mid_commit}"
        );
        assert!(checked > 0);
    }
}
