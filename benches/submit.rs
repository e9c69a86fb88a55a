//! `Router::submit` on the in-memory store against verification alone (`verify_bytes` with the
//! same trust store, policy and directory) of the same package, in the same run: what routing
//! adds (authorization, de-duplication, the signed trace entry and receipt, the store commit).
//! `benches/route.rs` measures the same pair over 200 distinct packages with criterion.

mod common;

use std::sync::Arc;

use common::{interleaved, person, seal, unsigned_package, NOW, SIGNED};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use edoc::{
    Algorithm, Commitment, Detached, Directory, HubRegistry, Limits, MemoryStore, Policy, Router,
    RouterConfig, RoutingTable, SoftwareSigner, TestPki, TrustStore, Verifier,
};

fn router(
    trust: &Arc<TrustStore>,
    directory: &Arc<Directory>,
    hub_seal: &Arc<SoftwareSigner>,
) -> Router {
    Router::new(RouterConfig {
        hub: "hub.h57".parse().unwrap(),
        trust: Arc::clone(trust),
        policy: Policy::strict(),
        limits: Limits::default(),
        directory: Arc::clone(directory),
        table: RoutingTable::sample(),
        hubs: HubRegistry::new(),
        seal: hub_seal.clone(),
        store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
    })
}

fn submit(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    let trust = Arc::new(pki.trust_store(&[]).unwrap());
    let directory = Arc::new(Directory::sample());
    let policy = Policy::strict();
    let hub_seal = Arc::new(
        pki.seal(
            "Hue LGSP hub",
            &common::id("000.00.00.H57"),
            Algorithm::Es256,
        )
        .unwrap()
        .signer()
        .unwrap(),
    );
    let mut g = c.benchmark_group("submit");
    g.sample_size(30);
    for (label, size) in [("1KiB", 1usize << 10), ("1MiB", 1 << 20)] {
        let content = common::bytes(size);
        let mut p = unsigned_package(&content);
        for (who, commitment) in [
            (person(&pki, Algorithm::Es256), Commitment::ProofOfApproval),
            (seal(&pki, Algorithm::Es256), Commitment::ProofOfOrigin),
        ] {
            p.sign(
                &who.signer().unwrap(),
                commitment,
                SIGNED,
                &mut Detached::none(),
            )
            .unwrap();
        }
        let json = p.to_json();
        let verifier = Verifier::new(&trust, &policy).with_directory(directory.as_ref());
        let verify_only = || {
            verifier
                .verify_bytes(&json, &Limits::default(), &mut Detached::none(), NOW)
                .unwrap();
        };
        g.bench_function(BenchmarkId::new("verify_only", label), |b| {
            b.iter(verify_only)
        });
        // A fresh hub per submission (not timed): a second submit would be a duplicate.
        g.bench_function(BenchmarkId::new("submit", label), |b| {
            b.iter_batched(
                || router(&trust, &directory, &hub_seal),
                |r| {
                    r.submit(&json, NOW).unwrap();
                    r
                },
                BatchSize::SmallInput,
            )
        });
        interleaved(
            &format!("submit_vs_verify/{label}"),
            100,
            || router(&trust, &directory, &hub_seal),
            |r| {
                r.submit(&json, NOW).unwrap();
            },
            verify_only,
        );
    }
    g.finish();
}

criterion_group!(benches, submit);
criterion_main!(benches);
