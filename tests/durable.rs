//! The durable mailbox store: the same answers as the in-memory store, across restarts; what a
//! restart must keep (unacked deliveries, the outbox, de-duplication, statuses); and what it
//! must refuse to open (a newer or unknown version, a foreign file) without touching it.
//! The lock held by another process is shown in tests/crash.rs, which has a child process.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use edoc::{
    DeliveryId, DeliveryState, DurableStore, HubId, MailboxStore, MemoryStore, MessageKey,
    NewDelivery, NewOutboxEntry, OrgId, OutboxId, PayloadKind, Refusal, StatusCode, StatusEvent,
    StatusUpdate, StoreError, Submission, SubmitEffects, Tracking, UrgencyRank,
};
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime};

const T0: OffsetDateTime = datetime!(2025-07-01 08:00 +07:00);
const TIMEOUT: Duration = Duration::minutes(5);
const A1: &str = "000.00.41.H57";
const A2: &str = "000.00.42.H57";
const NATIONAL: &str = "hub.national";

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

fn hub(s: &str) -> HubId {
    s.parse().unwrap()
}

fn bytes(s: &str) -> Arc<[u8]> {
    Arc::from(s.as_bytes())
}

struct Dir {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn new_dir() -> Dir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mailboxes.redb");
    Dir { _dir: dir, path }
}

fn open(path: &Path) -> DurableStore {
    DurableStore::open(path, TIMEOUT).unwrap()
}

/// The key of document `id` of the Department of Finance.
fn key(id: &str) -> MessageKey {
    MessageKey::Document {
        sender: "000.00.05.H57".parse().unwrap(),
        id: id.into(),
    }
}

fn submission(message_id: &str, digest: u8) -> Submission {
    Submission {
        key: key(message_id),
        digest: [digest; 32],
        receipt: bytes(&format!("receipt for {message_id}")),
        at: T0,
    }
}

fn deliver(doc: &str, to: &str, urgency: UrgencyRank) -> SubmitEffects {
    let mut e = SubmitEffects::new(submission(doc, 1));
    e.deliveries.push(NewDelivery {
        recipient: id(to),
        document_id: doc.into(),
        kind: PayloadKind::Document,
        urgency,
        payload: bytes(&format!("package {doc}")),
    });
    e
}

fn forward(doc: &str, urgency: UrgencyRank) -> SubmitEffects {
    let mut e = SubmitEffects::new(submission(doc, 1));
    e.outbox.push(NewOutboxEntry {
        next_hub: hub(NATIONAL),
        key: key(doc),
        digest: [1; 32],
        document_id: doc.into(),
        urgency,
        recipients: vec![id("000.00.00.G09"), id("000.00.00.G14")],
        payload: bytes(&format!("package {doc} with trace")),
    });
    e
}

fn status(msg: &str, doc: &str, recipient: &str, code: StatusCode) -> SubmitEffects {
    let mut e = SubmitEffects::new(Submission {
        key: MessageKey::Status {
            from: id(recipient),
            id: msg.into(),
        },
        ..submission(msg, 2)
    });
    e.statuses.push(StatusUpdate {
        document_id: doc.into(),
        recipient: id(recipient),
        event: StatusEvent::Status(code),
        at: T0 + Duration::hours(1),
        message: bytes(&format!("status {code} of {doc}")),
    });
    e
}

// ---------------------------------------------------------------------------------------------
// Restarts.

#[test]
fn unacked_deliveries_come_back_after_a_restart_and_acked_ones_do_not() {
    let dir = new_dir();
    let s = open(&dir.path);
    s.commit(deliver("doc-acked", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    s.commit(deliver("doc-fetched", A1, UrgencyRank::URGENT), T0)
        .unwrap();
    s.commit(deliver("doc-waiting", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let got = s.fetch(&id(A1), 2, T0).unwrap();
    assert_eq!(got[0].document_id, "doc-fetched");
    assert_eq!(got[1].document_id, "doc-acked");
    s.ack(&id(A1), got[1].id, T0).unwrap();
    drop(s);

    let s = open(&dir.path);
    // The never-fetched one is there at once; the fetched one stays hidden until its deadline.
    let now = T0 + Duration::MINUTE;
    let first = s.fetch(&id(A1), 10, now).unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].document_id, "doc-waiting");
    assert_eq!(first[0].attempts, 1);
    drop(s);

    let s = open(&dir.path);
    let back = s.fetch(&id(A1), 10, T0 + TIMEOUT).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].id, got[0].id);
    assert_eq!(back[0].document_id, "doc-fetched");
    assert_eq!(back[0].attempts, 2, "a redelivery counts its attempts");
    assert_eq!(&*back[0].payload, b"package doc-fetched");
    assert_eq!(back[0].arrived, T0);
    let all = s.deliveries(&id(A1)).unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].document_id, "doc-acked");
    assert_eq!(all[0].state, DeliveryState::Acked { at: T0 });
}

#[test]
fn forwarding_resumes_from_the_outbox_after_a_restart() {
    let dir = new_dir();
    let s = open(&dir.path);
    let o1 = s
        .commit(forward("doc-1", UrgencyRank::NORMAL), T0)
        .unwrap()
        .outbox[0];
    let o2 = s
        .commit(forward("doc-2", UrgencyRank::EXPRESS), T0)
        .unwrap()
        .outbox[0];
    // The hub takes the express one, then dies before handing it over.
    let taken = s.take_outbox(&hub(NATIONAL), 1, T0).unwrap();
    assert_eq!(taken[0].id, o2);
    drop(s);

    let s = open(&dir.path);
    let now = T0 + Duration::MINUTE;
    let next = s.take_outbox(&hub(NATIONAL), 10, now).unwrap();
    assert_eq!(next.len(), 1, "the untaken entry is ready at once");
    assert_eq!(next[0].id, o1);
    assert_eq!(
        next[0].recipients,
        [id("000.00.00.G09"), id("000.00.00.G14")]
    );
    s.complete_outbox(&hub(NATIONAL), o1, now).unwrap();
    drop(s);

    let s = open(&dir.path);
    let again = s.take_outbox(&hub(NATIONAL), 10, T0 + TIMEOUT).unwrap();
    assert_eq!(again.len(), 1, "the taken but unsent entry comes back");
    assert_eq!(again[0].id, o2);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(&*again[0].payload, b"package doc-2 with trace");
    s.complete_outbox(&hub(NATIONAL), o2, T0 + TIMEOUT).unwrap();
    drop(s);

    let s = open(&dir.path);
    assert!(s
        .take_outbox(&hub(NATIONAL), 10, T0 + Duration::DAY)
        .unwrap()
        .is_empty());
    assert_eq!(
        s.complete_outbox(&hub(NATIONAL), o2, T0),
        Err(StoreError::NotInOutbox {
            hub: hub(NATIONAL),
            entry: o2
        })
    );
}

#[test]
fn deduplication_holds_across_a_restart_with_the_first_receipt() {
    let dir = new_dir();
    let s = open(&dir.path);
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    drop(s);

    let s = open(&dir.path);
    assert_eq!(
        s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0),
        Err(StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: true
        })
    );
    let mut other = deliver("doc-1", A2, UrgencyRank::NORMAL);
    other.submission.digest = [9; 32];
    assert_eq!(
        s.commit(other, T0),
        Err(StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: false
        })
    );
    let rec = s.lookup_submission(&key("doc-1")).unwrap().unwrap();
    assert_eq!(rec, submission("doc-1", 1));
    assert_eq!(s.deliveries(&id(A1)).unwrap().len(), 1);
    assert!(s.deliveries(&id(A2)).unwrap().is_empty());
}

#[test]
fn status_history_tracking_and_overdue_survive_a_restart() {
    let dir = new_dir();
    let s = open(&dir.path);
    let mut e = deliver("plan", A1, UrgencyRank::URGENT);
    e.tracking.push(Tracking {
        document_id: "plan".into(),
        sender: id(A2),
        recipient: id(A1),
        due: Some(date!(2025 - 07 - 18)),
    });
    s.commit(e, T0).unwrap();
    s.commit(status("st-1", "plan", A1, StatusCode::Arrived), T0)
        .unwrap();
    drop(s);

    let s = open(&dir.path);
    // The recorded history still decides what may follow.
    assert!(matches!(
        s.commit(status("st-2", "plan", A1, StatusCode::Arrived), T0),
        Err(StoreError::Transition { .. })
    ));
    s.commit(status("st-3", "plan", A1, StatusCode::Accepted), T0)
        .unwrap();
    drop(s);

    let s = open(&dir.path);
    let history = s.status_history("plan", &id(A1)).unwrap();
    let codes: Vec<_> = history.iter().filter_map(|r| r.code()).collect();
    assert_eq!(codes, [StatusCode::Arrived, StatusCode::Accepted]);
    assert_eq!(
        &*history[1].message,
        format!("status {} of plan", StatusCode::Accepted).as_bytes()
    );
    assert_eq!(history[1].at, T0 + Duration::hours(1));
    let late = s.overdue(date!(2025 - 07 - 19)).unwrap();
    assert_eq!(
        late,
        [edoc::Overdue {
            document_id: "plan".into(),
            sender: id(A2),
            recipient: id(A1),
            due: Some(date!(2025 - 07 - 18)),
            latest: Some(StatusEvent::Status(StatusCode::Accepted)),
        }]
    );
    assert!(matches!(
        s.commit(
            {
                let mut e = SubmitEffects::new(submission("again", 1));
                e.tracking.push(Tracking {
                    document_id: "plan".into(),
                    sender: id(A2),
                    recipient: id(A1),
                    due: None,
                });
                e
            },
            T0
        ),
        Err(StoreError::DuplicateTracking { .. })
    ));
}

#[test]
fn ids_keep_growing_across_restarts_and_are_never_reused() {
    let dir = new_dir();
    let s = open(&dir.path);
    let first = s
        .commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let o = s.commit(forward("doc-2", UrgencyRank::NORMAL), T0).unwrap();
    s.complete_outbox(&hub(NATIONAL), o.outbox[0], T0).unwrap();
    drop(s);
    let s = open(&dir.path);
    let second = s
        .commit(deliver("doc-3", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let o2 = s.commit(forward("doc-4", UrgencyRank::NORMAL), T0).unwrap();
    assert_eq!(first.deliveries, [DeliveryId(1)]);
    assert_eq!(second.deliveries, [DeliveryId(2)]);
    assert_eq!(o.outbox, [OutboxId(1)]);
    assert_eq!(
        o2.outbox,
        [OutboxId(2)],
        "a completed entry's id is not reused"
    );
}

#[test]
fn a_refused_batch_leaves_nothing_on_disk() {
    let dir = new_dir();
    let s = open(&dir.path);
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    let err = s
        .commit_batch(
            vec![
                deliver("doc-2", A1, UrgencyRank::NORMAL),
                forward("doc-3", UrgencyRank::NORMAL),
                deliver("doc-1", A2, UrgencyRank::NORMAL),
            ],
            T0,
        )
        .unwrap_err();
    assert_eq!(
        err,
        StoreError::DuplicateSubmission {
            key: key("doc-1"),
            same_content: true
        }
    );
    drop(s);
    let s = open(&dir.path);
    assert_eq!(s.lookup_submission(&key("doc-2")).unwrap(), None);
    assert_eq!(s.lookup_submission(&key("doc-3")).unwrap(), None);
    assert_eq!(s.deliveries(&id(A1)).unwrap().len(), 1);
    assert!(s.take_outbox(&hub(NATIONAL), 10, T0).unwrap().is_empty());
    // The counters were not advanced by the refused batch either.
    let c = s
        .commit(deliver("doc-2", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    assert_eq!(c.deliveries, [DeliveryId(2)]);
}

#[test]
fn a_batch_is_all_there_after_a_restart() {
    let dir = new_dir();
    let s = open(&dir.path);
    let batch: Vec<_> = (0..50)
        .map(|i| deliver(&format!("doc-{i}"), A1, UrgencyRank::NORMAL))
        .collect();
    let done = s.commit_batch(batch, T0).unwrap();
    assert_eq!(done.len(), 50);
    drop(s);
    let s = open(&dir.path);
    let all = s.deliveries(&id(A1)).unwrap();
    assert_eq!(all.len(), 50);
    for (i, d) in all.iter().enumerate() {
        assert_eq!(d.document_id, format!("doc-{i}"));
        assert!(s.lookup_submission(&key(&d.document_id)).unwrap().is_some());
    }
}

#[test]
fn concurrent_commits_of_one_message_succeed_exactly_once() {
    let dir = new_dir();
    let s = Arc::new(open(&dir.path));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let mut e = deliver("doc-race", A1, UrgencyRank::NORMAL);
                e.deliveries[0].document_id = format!("copy-{i}");
                s.commit(e, T0)
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.iter().filter(|r| r.is_err()) {
        assert_eq!(
            r,
            &Err(StoreError::DuplicateSubmission {
                key: key("doc-race"),
                same_content: true
            })
        );
    }
    assert_eq!(s.deliveries(&id(A1)).unwrap().len(), 1);
}

#[test]
fn concurrent_fetches_never_hand_out_one_delivery_twice() {
    let dir = new_dir();
    let s = Arc::new(open(&dir.path));
    let batch: Vec<_> = (0..40)
        .map(|i| deliver(&format!("doc-{i}"), A1, UrgencyRank::NORMAL))
        .collect();
    s.commit_batch(batch, T0).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = Arc::clone(&s);
            std::thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    let some = s.fetch(&id(A1), 3, T0).unwrap();
                    if some.is_empty() {
                        return got;
                    }
                    got.extend(some.into_iter().map(|d| d.id));
                }
            })
        })
        .collect();
    let mut all: Vec<DeliveryId> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, 40, "every delivery handed out");
    assert_eq!(all.len(), 40, "none handed out twice");
}

// ---------------------------------------------------------------------------------------------
// Opening: locks, versions, foreign files.

#[test]
fn a_second_open_of_a_held_store_is_locked_and_names_the_file() {
    let dir = new_dir();
    let s = open(&dir.path);
    let err = DurableStore::open(&dir.path, TIMEOUT).unwrap_err();
    assert_eq!(
        err,
        StoreError::Locked {
            path: dir.path.clone()
        }
    );
    assert!(err.to_string().contains("mailboxes.redb"), "{err}");
    drop(s);
    open(&dir.path);
}

const META: TableDefinition<'_, &str, u64> = TableDefinition::new("edoc.meta");

fn set_version(path: &Path, version: Option<u64>) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut meta = txn.open_table(META).unwrap();
        match version {
            Some(v) => meta.insert("format_version", v).unwrap(),
            None => meta.remove("format_version").unwrap(),
        };
    }
    txn.commit().unwrap();
}

fn version(path: &Path) -> Option<u64> {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_read().unwrap();
    let meta = txn.open_table(META).unwrap();
    let v = meta.get("format_version").unwrap().map(|v| v.value());
    v
}

#[test]
fn a_store_of_an_older_or_newer_version_is_refused_and_left_as_it_is() {
    let dir = new_dir();
    let s = open(&dir.path);
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    drop(s);
    let current = DurableStore::FORMAT_VERSION;
    assert_eq!(current, 2);
    assert_eq!(version(&dir.path), Some(current));
    // Version 1 (bare message ids, no dead letters) is not read by this build: it is refused,
    // never reset, so a hub is upgraded only after its old build has drained the file.
    for other in [1, current + 1] {
        set_version(&dir.path, Some(other));
        let err = DurableStore::open(&dir.path, TIMEOUT).unwrap_err();
        assert_eq!(
            err,
            StoreError::UnsupportedVersion {
                path: dir.path.clone(),
                found: other,
                supported: current
            }
        );
        assert!(
            err.to_string().contains(&format!("format version {other}")),
            "{err}"
        );
        assert_eq!(
            version(&dir.path),
            Some(other),
            "the file was not rewritten"
        );
    }

    // Put back, everything is still there.
    set_version(&dir.path, Some(current));
    assert!(open(&dir.path)
        .lookup_submission(&key("doc-1"))
        .unwrap()
        .is_some());
}

#[test]
fn a_store_of_an_unknown_version_or_none_is_refused() {
    let dir = new_dir();
    drop(open(&dir.path));
    set_version(&dir.path, Some(0));
    assert_eq!(
        DurableStore::open(&dir.path, TIMEOUT).unwrap_err(),
        StoreError::UnsupportedVersion {
            path: dir.path.clone(),
            found: 0,
            supported: DurableStore::FORMAT_VERSION
        }
    );
    set_version(&dir.path, None);
    assert_eq!(
        DurableStore::open(&dir.path, TIMEOUT).unwrap_err(),
        StoreError::Corrupt {
            record: "metadata".into(),
            reason: "no format version".into()
        }
    );
}

#[test]
fn a_foreign_redb_database_is_not_a_store_and_is_not_touched() {
    let dir = new_dir();
    {
        let db = redb::Database::create(&dir.path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: TableDefinition<'_, &str, &str> = TableDefinition::new("invoices");
            txn.open_table(def).unwrap().insert("k", "v").unwrap();
        }
        txn.commit().unwrap();
    }
    match DurableStore::open(&dir.path, TIMEOUT) {
        Err(StoreError::NotAStore { path, reason }) => {
            assert_eq!(path, dir.path);
            assert!(reason.contains("invoices"), "{reason}");
        }
        other => panic!("expected NotAStore, got {other:?}"),
    }
    let db = redb::Database::open(&dir.path).unwrap();
    let txn = db.begin_read().unwrap();
    let names: Vec<String> = txn
        .list_tables()
        .unwrap()
        .map(|t| redb::TableHandle::name(&t).to_owned())
        .collect();
    assert_eq!(names, ["invoices"], "no table was added");
}

#[test]
fn a_metadata_table_of_another_shape_is_not_a_store() {
    let dir = new_dir();
    {
        let db = redb::Database::create(&dir.path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: TableDefinition<'_, u64, u64> = TableDefinition::new("edoc.meta");
            txn.open_table(def).unwrap().insert(1, 2).unwrap();
        }
        txn.commit().unwrap();
    }
    match DurableStore::open(&dir.path, TIMEOUT) {
        Err(StoreError::NotAStore { path, reason }) => {
            assert_eq!(path, dir.path);
            assert!(reason.contains("metadata table is not ours"), "{reason}");
        }
        other => panic!("expected NotAStore, got {other:?}"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_not_a_store_and_keeps_its_bytes() {
    let dir = new_dir();
    let content = b"hub configuration, not a database\n".repeat(200);
    std::fs::write(&dir.path, &content).unwrap();
    let got = DurableStore::open(&dir.path, TIMEOUT);
    assert!(matches!(got, Err(StoreError::NotAStore { .. })), "{got:?}");
    assert_eq!(std::fs::read(&dir.path).unwrap(), content);
}

#[test]
fn an_empty_file_becomes_a_new_store() {
    let dir = new_dir();
    std::fs::write(&dir.path, b"").unwrap();
    let s = open(&dir.path);
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    drop(s);
    assert_eq!(version(&dir.path), Some(DurableStore::FORMAT_VERSION));
}

#[test]
fn a_missing_folder_is_a_backend_error_naming_the_path() {
    let dir = new_dir();
    let path = dir.path.with_file_name("no-such-folder").join("m.redb");
    match DurableStore::open(&path, TIMEOUT) {
        Err(StoreError::Backend(msg)) => assert!(msg.contains("no-such-folder"), "{msg}"),
        other => panic!("expected Backend, got {other:?}"),
    }
}

#[test]
fn a_damaged_record_is_a_typed_error_naming_it() {
    let dir = new_dir();
    let s = open(&dir.path);
    s.commit(deliver("doc-1", A1, UrgencyRank::NORMAL), T0)
        .unwrap();
    drop(s);
    {
        let db = redb::Database::open(&dir.path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("edoc.deliveries");
            let mut t = txn.open_table(def).unwrap();
            let mut v = t.get(1).unwrap().unwrap().value().to_vec();
            // Declare more JSON than the record holds.
            v[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
            t.insert(1, v.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let s = open(&dir.path);
    for got in [
        s.deliveries(&id(A1)).map(|_| ()),
        s.fetch(&id(A1), 10, T0).map(|_| ()),
    ] {
        match got {
            Err(StoreError::Corrupt { record, reason }) => {
                assert_eq!(record, "delivery #1");
                assert!(reason.contains("declares"), "{reason}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }
    // Other agencies' mailboxes and the de-duplication index still work.
    assert!(s.deliveries(&id(A2)).unwrap().is_empty());
    assert!(s.lookup_submission(&key("doc-1")).unwrap().is_some());
}

// ---------------------------------------------------------------------------------------------
// The same answers as the in-memory store, restart or not.

/// xorshift64: a tiny seeded generator, so that a failure replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const AGENCIES: [&str; 3] = [A1, A2, "000.00.43.H57"];
const HUBS: [&str; 2] = [NATIONAL, "hub.h56"];
const RANKS: [UrgencyRank; 4] = [
    UrgencyRank::NORMAL,
    UrgencyRank::URGENT,
    UrgencyRank::VERY_URGENT,
    UrgencyRank::EXPRESS,
];
const DUES: [Date; 3] = [
    date!(2025 - 07 - 05),
    date!(2025 - 07 - 10),
    date!(2025 - 07 - 18),
];

/// A message key of a random kind and owner: ids collide across kinds and owners on purpose.
fn random_key(r: &mut Rng, msg: &str) -> MessageKey {
    match r.below(4) {
        0 | 1 => MessageKey::Document {
            sender: id(r.pick(&AGENCIES)),
            id: msg.into(),
        },
        2 => MessageKey::Status {
            from: id(r.pick(&AGENCIES)),
            id: msg.into(),
        },
        _ => MessageKey::Notice {
            hub: hub(r.pick(&HUBS)),
            id: msg.into(),
        },
    }
}

fn random_status(r: &mut Rng, now: OffsetDateTime) -> StatusUpdate {
    let event = if r.below(6) == 0 {
        StatusEvent::NotDelivered {
            refused_by: hub(r.pick(&HUBS)),
            reason: format!("reason {}", r.below(3)),
        }
    } else {
        // Every code, with more of those that may follow themselves (04, 05), so that
        // statuses pass the transition rules often enough to meet the time-order rule.
        let mut codes = StatusCode::ALL.to_vec();
        codes.extend([
            StatusCode::Accepted,
            StatusCode::Processing,
            StatusCode::Processing,
        ]);
        codes.extend([StatusCode::Assigned, StatusCode::Processing]);
        StatusEvent::Status(r.pick(&codes))
    };
    StatusUpdate {
        document_id: format!("doc-{}", r.below(3)),
        recipient: id(r.pick(&AGENCIES[..2])),
        event,
        // Around now, so that some statuses are older than the latest of their pair.
        at: now - Duration::minutes(r.below(20) as i64),
        message: bytes(&format!("status {}", r.next())),
    }
}

fn random_effects(r: &mut Rng, messages: &mut u64, now: OffsetDateTime) -> SubmitEffects {
    // Mostly new message ids; one in five a resubmission of an earlier one (same or other digest).
    let msg = if r.below(5) == 0 && *messages > 0 {
        format!("m-{}", r.below(*messages))
    } else {
        *messages += 1;
        format!("m-{messages}")
    };
    let mut e = SubmitEffects::new(Submission {
        key: random_key(r, &msg),
        digest: [1 + r.below(2) as u8; 32],
        receipt: bytes(&format!("receipt {msg} {}", r.next())),
        at: now,
    });
    // One in three is a status submission alone, as the hub makes them.
    if r.below(3) == 0 {
        e.statuses.push(random_status(r, now));
        return e;
    }
    for _ in 0..r.below(3) {
        e.deliveries.push(NewDelivery {
            recipient: id(r.pick(&AGENCIES)),
            document_id: format!("doc-{}", r.below(6)),
            kind: r.pick(&[
                PayloadKind::Document,
                PayloadKind::Status,
                PayloadKind::Notice,
            ]),
            urgency: r.pick(&RANKS),
            payload: bytes(&format!("payload {}", r.next())),
        });
    }
    for _ in 0..r.below(2) {
        let doc = format!("doc-{}", r.below(6));
        e.outbox.push(NewOutboxEntry {
            next_hub: hub(r.pick(&HUBS)),
            key: random_key(r, &doc),
            digest: [r.below(256) as u8; 32],
            document_id: doc,
            urgency: r.pick(&RANKS),
            recipients: (0..r.below(3)).map(|_| id(r.pick(&AGENCIES))).collect(),
            payload: bytes(&format!("forwarded {}", r.next())),
        });
    }
    for _ in 0..r.below(2) {
        e.tracking.push(Tracking {
            document_id: format!("doc-{}", r.below(40)),
            sender: id(r.pick(&AGENCIES)),
            recipient: id(r.pick(&AGENCIES)),
            due: if r.below(4) == 0 {
                None
            } else {
                Some(r.pick(&DUES))
            },
        });
    }
    for _ in 0..r.below(3).saturating_sub(1) {
        e.statuses.push(random_status(r, now));
    }
    e
}

/// A refusal of an outbox entry: with a notice (a fresh or a known key), sometimes none, and
/// sometimes (wrongly) tracking a pair.
fn random_refusal(r: &mut Rng, messages: &mut u64, now: OffsetDateTime) -> Refusal {
    let notice = match r.below(6) {
        0 => None,
        _ => {
            let mut e = random_effects(r, messages, now);
            if r.below(4) != 0 {
                e.tracking.clear();
            }
            Some(e)
        }
    };
    Refusal {
        refused_by: hub(r.pick(&HUBS)),
        recipients: (0..1 + r.below(2)).map(|_| id(r.pick(&AGENCIES))).collect(),
        reason: format!("refused {}", r.next()),
        notice,
    }
}

/// Counts what the random walk did, so that the test proves it reached every path.
#[derive(Default, Debug)]
struct Seen {
    committed: usize,
    batches: usize,
    duplicates: usize,
    tracking_refused: usize,
    transitions_refused: usize,
    out_of_order: usize,
    dead_lettered: usize,
    dead_letter_refused: usize,
    fetched: usize,
    redelivered: usize,
    acked: usize,
    ack_refused: usize,
    taken: usize,
    completed: usize,
    overdue: usize,
    tracked: usize,
    restarts: usize,
}

impl Seen {
    fn commit_result<T>(&mut self, r: &Result<T, StoreError>) {
        match r {
            Ok(_) => self.committed += 1,
            Err(StoreError::DuplicateSubmission { .. }) => self.duplicates += 1,
            Err(StoreError::DuplicateTracking { .. }) => self.tracking_refused += 1,
            Err(StoreError::Transition { .. }) => self.transitions_refused += 1,
            Err(StoreError::OutOfOrder { .. }) => self.out_of_order += 1,
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
}

fn same<T: std::fmt::Debug>(step: usize, what: &str, memory: T, durable: T) {
    // Debug output shows every field, including each instant's UTC offset.
    let (m, d) = (format!("{memory:?}"), format!("{durable:?}"));
    assert_eq!(
        m, d,
        "step {step}: {what} differs (memory left, durable right)"
    );
}

#[test]
fn durable_store_answers_exactly_as_the_memory_store_across_restarts() {
    let dir = new_dir();
    let memory = MemoryStore::new(TIMEOUT);
    let mut durable = Some(open(&dir.path));
    let mut r = Rng(0x5eed_0007_ed0c_u64);
    let mut now = T0;
    let mut seen = Seen::default();
    let mut messages = 0;
    let mut fetched = Vec::new();
    let mut taken = Vec::new();
    for step in 0..1500 {
        // Whole half-minutes, so that fetches land exactly on visibility deadlines too.
        now += Duration::seconds(30 * r.below(5) as i64);
        let d = durable.as_ref().unwrap();
        match r.below(20) {
            0..=4 => {
                let e = random_effects(&mut r, &mut messages, now);
                let (m, dr) = (memory.commit(e.clone(), now), d.commit(e, now));
                seen.commit_result(&m);
                same(step, "commit", m, dr);
            }
            5 => {
                let batch: Vec<_> = (0..1 + r.below(4))
                    .map(|_| random_effects(&mut r, &mut messages, now))
                    .collect();
                let m = memory.commit_batch(batch.clone(), now);
                let dr = d.commit_batch(batch, now);
                if m.is_ok() {
                    seen.batches += 1;
                }
                seen.commit_result(&m);
                same(step, "commit_batch", m, dr);
            }
            6..=8 => {
                let a = id(r.pick(&AGENCIES));
                let max = r.below(4) as usize;
                let m = memory.fetch(&a, max, now).unwrap();
                seen.fetched += m.len();
                fetched.extend(m.iter().map(|d| (d.recipient, d.id)));
                seen.redelivered += m.iter().filter(|d| d.attempts > 1).count();
                same(step, "fetch", m, d.fetch(&a, max, now).unwrap());
            }
            9..=11 => {
                // Mostly what an agency fetched earlier; sometimes any id, any agency.
                let (a, delivery) = if !fetched.is_empty() && r.below(4) != 0 {
                    fetched.swap_remove(r.below(fetched.len() as u64) as usize)
                } else {
                    (id(r.pick(&AGENCIES)), DeliveryId(1 + r.below(160)))
                };
                let m = memory.ack(&a, delivery, now);
                match &m {
                    Ok(()) => seen.acked += 1,
                    Err(_) => seen.ack_refused += 1,
                }
                same(step, "ack", m, d.ack(&a, delivery, now));
            }
            12..=13 => {
                let h = hub(r.pick(&HUBS));
                let max = r.below(3) as usize;
                let m = memory.take_outbox(&h, max, now).unwrap();
                seen.taken += m.len();
                taken.extend(m.iter().map(|e| (e.next_hub.clone(), e.id)));
                same(step, "take_outbox", m, d.take_outbox(&h, max, now).unwrap());
            }
            14 => {
                let (h, entry) = if !taken.is_empty() && r.below(4) != 0 {
                    taken.swap_remove(r.below(taken.len() as u64) as usize)
                } else {
                    (hub(r.pick(&HUBS)), OutboxId(1 + r.below(60)))
                };
                if r.below(2) == 0 {
                    let m = memory.complete_outbox(&h, entry, now);
                    if m.is_ok() {
                        seen.completed += 1;
                    }
                    same(
                        step,
                        "complete_outbox",
                        m,
                        d.complete_outbox(&h, entry, now),
                    );
                } else {
                    let refusal = random_refusal(&mut r, &mut messages, now);
                    let m = memory.dead_letter(&h, entry, refusal.clone(), now);
                    match &m {
                        Ok(_) => seen.dead_lettered += 1,
                        Err(_) => seen.dead_letter_refused += 1,
                    }
                    same(
                        step,
                        "dead_letter",
                        m,
                        d.dead_letter(&h, entry, refusal, now),
                    );
                    same(
                        step,
                        "dead_letters",
                        memory.dead_letters(),
                        d.dead_letters(),
                    );
                }
            }
            15 => {
                let msg = format!("m-{}", r.below(messages + 2));
                let msg = random_key(&mut r, &msg);
                same(
                    step,
                    "lookup_submission",
                    memory.lookup_submission(&msg),
                    d.lookup_submission(&msg),
                );
            }
            16 => {
                let a = id(r.pick(&AGENCIES));
                same(step, "deliveries", memory.deliveries(&a), d.deliveries(&a));
            }
            17 => {
                let doc = format!("doc-{}", r.below(3));
                let a = id(r.pick(&AGENCIES));
                same(
                    step,
                    "status_history",
                    memory.status_history(&doc, &a),
                    d.status_history(&doc, &a),
                );
                let tracked_doc = format!("doc-{}", r.below(40));
                let m = memory.tracked(&tracked_doc, &a);
                if matches!(m, Ok(Some(_))) {
                    seen.tracked += 1;
                }
                same(step, "tracked", m, d.tracked(&tracked_doc, &a));
                same(
                    step,
                    "latest_status",
                    memory.latest_status(&doc, &a),
                    d.latest_status(&doc, &a),
                );
            }
            18 => {
                let today = DUES[0] + Duration::days(r.below(20) as i64 - 2);
                let m = memory.overdue(today).unwrap();
                seen.overdue += m.len();
                same(step, "overdue", m, d.overdue(today).unwrap());
            }
            _ => {
                // Restart: the durable store is closed and reopened; the memory store is not.
                drop(durable.take());
                durable = Some(open(&dir.path));
                seen.restarts += 1;
            }
        }
    }
    println!("{seen:?}");
    // Every path was taken, so that agreement means something.
    for (what, n) in [
        ("committed", seen.committed),
        ("batches", seen.batches),
        ("duplicates", seen.duplicates),
        ("tracking_refused", seen.tracking_refused),
        ("transitions_refused", seen.transitions_refused),
        ("out_of_order", seen.out_of_order),
        ("dead_lettered", seen.dead_lettered),
        ("dead_letter_refused", seen.dead_letter_refused),
        ("fetched", seen.fetched),
        ("redelivered", seen.redelivered),
        ("acked", seen.acked),
        ("ack_refused", seen.ack_refused),
        ("taken", seen.taken),
        ("completed", seen.completed),
        ("overdue", seen.overdue),
        ("tracked", seen.tracked),
        ("restarts", seen.restarts),
    ] {
        assert!(n > 0, "the random walk never reached {what}: {seen:?}");
    }
}
