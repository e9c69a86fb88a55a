//! Adding the competent person's signature to a package with a 1 MiB inline attachment, against
//! raw work over the same bytes in the same run: SHA-256 of the attachment and of the
//! canonical header, plus one raw ring signature over a signing input of the same bytes.

mod common;

use common::{interleaved, person, unsigned_package, Raw, SIGNED};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use edoc::{Algorithm, Commitment, Detached, TestPki};
use sha2::{Digest, Sha256};
use std::hint::black_box;

fn package_sign(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    let content = common::bytes(1 << 20);
    let unsigned = unsigned_package(&content);
    let mut g = c.benchmark_group("package_sign_1MiB");
    g.sample_size(30);
    for alg in [Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa] {
        let identity = person(&pki, alg);
        let signer = identity.signer().unwrap();
        let raw = Raw::new(&identity);
        let mut signed = unsigned.clone();
        signed
            .sign(
                &signer,
                Commitment::ProofOfApproval,
                SIGNED,
                &mut Detached::none(),
            )
            .unwrap();
        let input = format!("{}.", signed.signatures()[0].protected).into_bytes();
        let raw_hash_and_sign = || {
            black_box(Sha256::digest(black_box(&content)));
            black_box(Sha256::digest(black_box(unsigned.canonical_header())));
            black_box(raw.sign(black_box(&input)));
        };
        g.bench_function(BenchmarkId::new("raw_hash_and_sign", alg), |b| {
            b.iter(raw_hash_and_sign)
        });
        g.bench_function(BenchmarkId::new("package_sign", alg), |b| {
            b.iter_batched(
                || unsigned.clone(),
                |mut p| {
                    p.sign(
                        &signer,
                        Commitment::ProofOfApproval,
                        SIGNED,
                        &mut Detached::none(),
                    )
                    .unwrap();
                    p
                },
                BatchSize::LargeInput,
            )
        });
        interleaved(
            &format!("package_sign/{alg}"),
            100,
            || unsigned.clone(),
            |mut p| {
                p.sign(
                    &signer,
                    Commitment::ProofOfApproval,
                    SIGNED,
                    &mut Detached::none(),
                )
                .unwrap();
            },
            raw_hash_and_sign,
        );
    }
    g.finish();
}

criterion_group!(benches, package_sign);
criterion_main!(benches);
