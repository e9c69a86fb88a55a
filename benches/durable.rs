//! Submitting to the durable store (one commit, one disk sync, per package; or 10 and 100
//! packages per commit) against the in-memory store, in the same run: first the store alone,
//! then a whole hub (`Router::submit` / `Router::submit_batch`: verification, trace entry and
//! receipt signing, and the commit) on each store.
//!
//! Run: `cargo bench --bench durable`.
//!
//! Each submission is what a hub commits for a document to one agency: the de-duplication
//! record with its receipt, one delivery carrying the package bytes, and one tracked pair.
//! The package is 8 KiB of opaque bytes (the store never looks inside). The durable store
//! lives in a temporary folder, on whatever disk that is: the numbers are the disk's sync time
//! more than anything else.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, Directory, DurableStore,
    HeaderBuilder, HubRegistry, Limits, MailboxStore, MemoryStore, MessageKey, NewDelivery, OrgId,
    Package, PayloadKind, Policy, Router, RouterConfig, RoutingTable, SoftwareSigner, Submission,
    SubmitEffects, TestPki, Tracking, UrgencyRank,
};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 +07:00);
const PACKAGE_BYTES: usize = 8 * 1024;

struct Source {
    next: u64,
    payload: Arc<[u8]>,
    receipt: Arc<[u8]>,
    recipient: OrgId,
    sender: OrgId,
}

impl Source {
    fn new() -> Source {
        Source {
            next: 0,
            payload: (0..PACKAGE_BYTES).map(|i| (i % 251) as u8).collect(),
            receipt: Arc::from(&[7u8; 600][..]),
            recipient: "000.00.10.H57".parse().unwrap(),
            sender: "000.05.05.H57".parse().unwrap(),
        }
    }

    fn effects(&mut self) -> SubmitEffects {
        self.next += 1;
        let doc = format!("000.05.05.H57,2025/07/02,{}/BC-UBND", self.next);
        let mut e = SubmitEffects::new(Submission {
            key: MessageKey::Document {
                sender: self.sender,
                id: doc.clone(),
            },
            digest: [(self.next % 256) as u8; 32],
            receipt: Arc::clone(&self.receipt),
            at: NOW,
        });
        e.deliveries.push(NewDelivery {
            recipient: self.recipient,
            document_id: doc.clone(),
            kind: PayloadKind::Document,
            urgency: UrgencyRank::URGENT,
            payload: Arc::clone(&self.payload),
        });
        e.tracking.push(Tracking {
            document_id: doc,
            sender: self.sender,
            recipient: self.recipient,
            due: Some(date!(2025 - 07 - 18)),
        });
        e
    }
}

fn submit(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let memory = MemoryStore::new(Duration::minutes(5));
    let durable = DurableStore::open(dir.path().join("bench.redb"), Duration::minutes(5)).unwrap();
    let stores: [(&str, &dyn MailboxStore); 2] = [("memory", &memory), ("durable", &durable)];

    let mut one = c.benchmark_group("submit_one");
    one.throughput(Throughput::Elements(1));
    one.sample_size(30);
    for (name, store) in stores {
        let mut src = Source::new();
        one.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| store.commit(src.effects(), NOW).unwrap())
        });
    }
    one.finish();

    let mut batched = c.benchmark_group("submit_batch");
    batched.sample_size(20);
    for size in [10u64, 100] {
        batched.throughput(Throughput::Elements(size));
        // MemoryStore::commit_batch applies a batch to a copy of the whole store, so its cost
        // grows with what the store holds: it gets an empty store for every batch (its best
        // case; the store is dropped outside the timing).
        let mut src = Source::new();
        batched.bench_with_input(BenchmarkId::new("memory", size), &size, |b, &size| {
            b.iter_batched(
                || {
                    let batch: Vec<_> = (0..size).map(|_| src.effects()).collect();
                    (MemoryStore::new(Duration::minutes(5)), batch)
                },
                |(store, batch)| {
                    store.commit_batch(batch, NOW).unwrap();
                    store
                },
                BatchSize::SmallInput,
            )
        });
        // The durable store keeps everything: it grows through the run.
        let mut src = Source::new();
        // A distinct id space per size, so that no batch is a duplicate of an earlier one.
        src.next = size * 1_000_000_000;
        batched.bench_with_input(BenchmarkId::new("durable", size), &size, |b, &size| {
            b.iter_batched(
                || (0..size).map(|_| src.effects()).collect::<Vec<_>>(),
                |batch| durable.commit_batch(batch, NOW).unwrap(),
                BatchSize::SmallInput,
            )
        });
    }
    batched.finish();
}

// Signed at 10:00 and routed at 15:00 on 2 July 2025: inside the test certificates' validity
// (2025-01-01..2030-01-01).
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const ROUTED: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);

/// Signs fresh packages (every one new to the hub), outside the timings.
struct Agencies {
    person: SoftwareSigner,
    seal: SoftwareSigner,
    next: u64,
}

impl Agencies {
    fn package(&mut self) -> Vec<u8> {
        self.next += 1;
        let pdf = vec![b'%'; PACKAGE_BYTES];
        let header = HeaderBuilder::new()
            .sender(Agency::new(
                "000.00.45.H57".parse().unwrap(),
                "UBND xã A Lưới 5",
            ))
            .recipient(Agency::new(
                "000.00.05.H57".parse().unwrap(),
                "Sở Tài chính",
            ))
            .document_type("BC", "Báo cáo")
            .number_and_notation(self.next.to_string(), "BC-UBND")
            .issued("A Lưới", date!(2025 - 07 - 02))
            .subject("Báo cáo tiến độ")
            .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
            .attachment(AttachmentEntry::for_bytes("r.pdf", "application/pdf", &pdf).unwrap())
            .build()
            .unwrap();
        let mut p = Package::new(header, [("r.pdf".to_owned(), pdf)]).unwrap();
        for (who, c) in [
            (&self.person, Commitment::ProofOfApproval),
            (&self.seal, Commitment::ProofOfOrigin),
        ] {
            p.sign(who, c, SIGNED, &mut Detached::none()).unwrap();
        }
        p.to_json()
    }
}

fn hub_submit(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    let trust = Arc::new(pki.trust_store(&[]).unwrap());
    let sender: OrgId = "000.00.45.H57".parse().unwrap();
    let hub_seal = pki
        .seal(
            "Hue LGSP hub",
            &"000.00.00.H57".parse().unwrap(),
            Algorithm::Es256,
        )
        .unwrap();
    let mut hubs = HubRegistry::new();
    hubs.add(
        "hub.h57".parse().unwrap(),
        Directory::certificate_fingerprint(&hub_seal.chain[0]),
    );
    let dir = tempfile::tempdir().unwrap();
    let router = |store: Arc<dyn MailboxStore>| {
        Router::new(RouterConfig {
            hub: "hub.h57".parse().unwrap(),
            trust: Arc::clone(&trust),
            policy: Policy::strict(),
            limits: Limits::default(),
            directory: Arc::new(Directory::sample()),
            table: RoutingTable::sample(),
            hubs: hubs.clone(),
            seal: Arc::new(hub_seal.signer().unwrap()),
            store,
        })
    };
    let memory = router(Arc::new(MemoryStore::new(Duration::minutes(5))));
    let durable = router(Arc::new(
        DurableStore::open(dir.path().join("hub.redb"), Duration::minutes(5)).unwrap(),
    ));
    let mut agencies = Agencies {
        person: pki
            .person(
                "Hồ Văn Chủ Tịch",
                "UBND xã A Lưới 5",
                &sender,
                Algorithm::Es256,
            )
            .unwrap()
            .signer()
            .unwrap(),
        seal: pki
            .seal("UBND xã A Lưới 5", &sender, Algorithm::Es256)
            .unwrap()
            .signer()
            .unwrap(),
        next: 0,
    };
    let hubs = [("memory", &memory), ("durable", &durable)];

    let mut one = c.benchmark_group("hub_submit_one");
    one.throughput(Throughput::Elements(1));
    one.sample_size(30);
    for (name, hub) in hubs {
        one.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_batched(
                || agencies.package(),
                |p| assert!(!hub.submit(&p, ROUTED).unwrap().duplicate),
                BatchSize::SmallInput,
            )
        });
    }
    one.finish();

    let mut batched = c.benchmark_group("hub_submit_batch");
    batched.sample_size(10);
    batched.throughput(Throughput::Elements(100));
    for (name, hub) in hubs {
        batched.bench_with_input(BenchmarkId::new(name, 100), &100, |b, &size| {
            b.iter_batched(
                || (0..size).map(|_| agencies.package()).collect::<Vec<_>>(),
                |ps| {
                    let refs: Vec<&[u8]> = ps.iter().map(Vec::as_slice).collect();
                    let answers = hub.submit_batch(&refs, ROUTED);
                    assert!(answers.iter().all(|a| matches!(a, Ok(x) if !x.duplicate)));
                },
                BatchSize::SmallInput,
            )
        });
    }
    batched.finish();
}

criterion_group!(benches, submit, hub_submit);
criterion_main!(benches);
