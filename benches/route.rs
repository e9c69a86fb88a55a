//! `Router::submit` on the in-memory store against verification alone, on the same packages in
//! the same run. Target: routing (authorization, de-duplication, trace entry and receipt
//! signing, the store commit) adds at most 30% to verification.
//!
//! Run: `cargo bench --bench route`.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, Directory, HeaderBuilder,
    HubId, HubRegistry, Limits, MemoryStore, OrgId, Package, Policy, Router, RouterConfig,
    RoutingTable, TestPki, TrustStore, Verifier,
};
use time::macros::{date, datetime};
use time::OffsetDateTime;

// Inside the test certificates' validity (2025-01-01..2030-01-01).
const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
const PACKAGES: usize = 200;

fn id(s: &str) -> OrgId {
    s.parse().unwrap()
}

struct Setup {
    trust: Arc<TrustStore>,
    policy: Policy,
    directory: Arc<Directory>,
    hubs: HubRegistry,
    seal: Arc<edoc::SoftwareSigner>,
    packages: Vec<Vec<u8>>,
}

fn setup(attachment_bytes: usize, hub_algorithm: Algorithm) -> Setup {
    let pki = TestPki::new().unwrap();
    let trust = Arc::new(pki.trust_store(&[]).unwrap());
    let sender = id("000.00.45.H57");
    let person = pki
        .person(
            "Hồ Văn Chủ Tịch",
            "UBND xã A Lưới 5",
            &sender,
            Algorithm::Es256,
        )
        .unwrap()
        .signer()
        .unwrap();
    let commune_seal = pki
        .seal("UBND xã A Lưới 5", &sender, Algorithm::Es256)
        .unwrap()
        .signer()
        .unwrap();
    let hub_seal = pki
        .seal("Hue LGSP hub", &id("000.00.00.H57"), hub_algorithm)
        .unwrap();
    let mut hubs = HubRegistry::new();
    hubs.add(
        "hub.h57".parse().unwrap(),
        Directory::certificate_fingerprint(&hub_seal.chain[0]),
    );
    let pdf = vec![b'%'; attachment_bytes];
    let packages = (0..PACKAGES)
        .map(|n| {
            let header = HeaderBuilder::new()
                .sender(Agency::new(sender, "UBND xã A Lưới 5"))
                .recipient(Agency::new(id("000.00.05.H57"), "Sở Tài chính"))
                .document_type("CV", "Công văn")
                .number_and_notation(n.to_string(), "UBND-VP")
                .issued("A Lưới", date!(2025 - 07 - 02))
                .subject("Xin hướng dẫn mua sắm")
                .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
                .attachment(AttachmentEntry::for_bytes("r.pdf", "application/pdf", &pdf).unwrap())
                .build()
                .unwrap();
            let mut p = Package::new(header, [("r.pdf".to_owned(), pdf.clone())]).unwrap();
            p.sign(
                &person,
                Commitment::ProofOfApproval,
                SIGNED,
                &mut Detached::none(),
            )
            .unwrap();
            p.sign(
                &commune_seal,
                Commitment::ProofOfOrigin,
                SIGNED,
                &mut Detached::none(),
            )
            .unwrap();
            p.to_json()
        })
        .collect();
    Setup {
        trust,
        policy: Policy::strict(),
        directory: Arc::new(Directory::sample()),
        hubs,
        seal: Arc::new(hub_seal.signer().unwrap()),
        packages,
    }
}

fn router(s: &Setup) -> Router {
    let hub: HubId = "hub.h57".parse().unwrap();
    Router::new(RouterConfig {
        hub,
        trust: Arc::clone(&s.trust),
        policy: s.policy.clone(),
        limits: Limits::default(),
        directory: Arc::clone(&s.directory),
        table: RoutingTable::sample(),
        hubs: s.hubs.clone(),
        seal: s.seal.clone(),
        store: Arc::new(MemoryStore::new(time::Duration::minutes(5))),
    })
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("submit_vs_verify");
    // Packages are signed ES256 (person and seal); the hub's own seal signs the trace entry
    // and the receipt, so its algorithm sets most of the routing overhead.
    for (size, hub_alg) in [
        (1_024usize, Algorithm::Es256),
        (1_024, Algorithm::EdDsa),
        (256 * 1024, Algorithm::Es256),
    ] {
        let s = setup(size, hub_alg);
        let label = format!("{size}B/hub-{}", hub_alg.jws_name());
        group.bench_with_input(BenchmarkId::new("verify_only", &label), &s, |b, s| {
            let verifier = Verifier::new(&s.trust, &s.policy).with_directory(s.directory.as_ref());
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % PACKAGES;
                verifier
                    .verify_bytes(
                        &s.packages[i],
                        &Limits::default(),
                        &mut Detached::none(),
                        NOW,
                    )
                    .unwrap()
            })
        });
        group.bench_with_input(BenchmarkId::new("submit", &label), &s, |b, s| {
            // Each package is submitted once per fresh hub: a second submit would take the
            // cheaper duplicate path. Building the hub is not timed.
            b.iter_custom(|iters| {
                let mut total = StdDuration::ZERO;
                let mut done = 0u64;
                while done < iters {
                    let r = router(s);
                    let n = (iters - done).min(PACKAGES as u64) as usize;
                    let start = Instant::now();
                    for p in &s.packages[..n] {
                        r.submit(p, NOW).unwrap();
                    }
                    total += start.elapsed();
                    done += n as u64;
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
