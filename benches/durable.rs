//! Submitting to the durable store (one commit, one disk sync, per package; or 100 packages per
//! commit) against the in-memory store, in the same run.
//!
//! Each submission is what a hub commits for a document to one agency: the de-duplication
//! record with its receipt, one delivery carrying the package bytes, and one tracked pair.
//! The package is 8 KiB of opaque bytes (the store never looks inside). The durable store
//! lives in a temporary folder, on whatever disk that is: the numbers are the disk's sync time
//! more than anything else.

use std::sync::Arc;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use edoc::{
    DurableStore, MailboxStore, MemoryStore, NewDelivery, OrgId, PayloadKind, Submission,
    SubmitEffects, Tracking, UrgencyRank,
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
            message_id: doc.clone(),
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
                criterion::BatchSize::SmallInput,
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
                criterion::BatchSize::SmallInput,
            )
        });
    }
    batched.finish();
}

criterion_group!(benches, submit);
criterion_main!(benches);
