//! Verifying a package with two signatures (person, then seal), a three-certificate chain
//! (root → intermediate → leaf) and a 1 MiB inline attachment, with the chain cache warm and
//! cold, against the raw work it cannot avoid, measured in the same run:
//! - warm: two raw signature checks + SHA-256 of the attachment;
//! - cold: those + the raw X.509 signature checks of both chains (leaf and intermediate
//!   certificates; with and without the two CRLs per chain that the strict policy requires).

mod common;

use common::{interleaved, person, seal, unsigned_package, Raw, RawX509Check, NOW, SIGNED};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use edoc::{
    Algorithm, Commitment, Detached, Limits, Policy, TestPki, TrustLimits, TrustStore, Verifier,
};
use sha2::{Digest, Sha256};
use std::hint::black_box;

fn store(pki: &TestPki, cache_entries: usize) -> TrustStore {
    let mut limits = TrustLimits::default();
    limits.cache_entries = cache_entries;
    let mut s = TrustStore::new(limits);
    s.add_anchor_der(pki.root()).unwrap();
    s.add_intermediate_der(pki.intermediate()).unwrap();
    s.add_crl_der(&pki.root_crl().unwrap()).unwrap();
    s.add_crl_der(&pki.crl(&[]).unwrap()).unwrap();
    s
}

fn package_verify(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    let policy = Policy::strict();
    let warm_store = store(&pki, 10_000);
    let cold_store = store(&pki, 0);
    let content = common::bytes(1 << 20);
    let root_crl = pki.root_crl().unwrap();
    let inter_crl = pki.crl(&[]).unwrap();

    let mut g = c.benchmark_group("package_verify_1MiB");
    g.sample_size(30);
    for alg in [Algorithm::Es256, Algorithm::Rs256] {
        let signers = [person(&pki, alg), seal(&pki, alg)];
        let mut package = unsigned_package(&content);
        for (who, commitment) in signers
            .iter()
            .zip([Commitment::ProofOfApproval, Commitment::ProofOfOrigin])
        {
            package
                .sign(
                    &who.signer().unwrap(),
                    commitment,
                    SIGNED,
                    &mut Detached::none(),
                )
                .unwrap();
        }
        let json = package.to_json();

        // The raw work: each signature's value over its signing input with the leaf key.
        let raws: Vec<(Raw, Vec<u8>, Vec<u8>)> = signers
            .iter()
            .zip(package.signatures())
            .map(|(who, sig)| {
                use base64::Engine;
                let value = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&sig.signature)
                    .unwrap();
                (
                    Raw::new(who),
                    format!("{}.", sig.protected).into_bytes(),
                    value,
                )
            })
            .collect();
        let raw_warm = &|| {
            for (raw, input, value) in &raws {
                raw.verify(black_box(input), value);
            }
            black_box(Sha256::digest(black_box(&content)));
        };
        let certs: Vec<RawX509Check> = signers
            .iter()
            .flat_map(|who| {
                [
                    RawX509Check::certificate(&who.chain[0], pki.intermediate()),
                    RawX509Check::certificate(pki.intermediate(), pki.root()),
                ]
            })
            .collect();
        let crls: Vec<RawX509Check> = signers
            .iter()
            .flat_map(|_| {
                [
                    RawX509Check::crl(&inter_crl, pki.intermediate()),
                    RawX509Check::crl(&root_crl, pki.root()),
                ]
            })
            .collect();

        let raw_cold_certs = &|| {
            raw_warm();
            certs.iter().for_each(RawX509Check::verify);
        };
        let raw_cold_all = &|| {
            raw_cold_certs();
            crls.iter().for_each(RawX509Check::verify);
        };
        g.bench_function(BenchmarkId::new("raw_warm", alg), |b| b.iter(raw_warm));
        g.bench_function(BenchmarkId::new("raw_cold_certs", alg), |b| {
            b.iter(raw_cold_certs)
        });
        g.bench_function(BenchmarkId::new("raw_cold_certs_and_crls", alg), |b| {
            b.iter(raw_cold_all)
        });

        let warm = Verifier::new(&warm_store, &policy);
        warm.verify(package.clone(), &mut Detached::none(), NOW)
            .unwrap_or_else(|e| panic!("{}", e.report()));
        g.bench_function(BenchmarkId::new("verify_warm", alg), |b| {
            b.iter_batched(
                || package.clone(),
                |p| warm.verify(p, &mut Detached::none(), NOW).unwrap(),
                BatchSize::LargeInput,
            )
        });
        let cold = Verifier::new(&cold_store, &policy);
        g.bench_function(BenchmarkId::new("verify_cold", alg), |b| {
            b.iter_batched(
                || package.clone(),
                |p| cold.verify(p, &mut Detached::none(), NOW).unwrap(),
                BatchSize::LargeInput,
            )
        });
        // From the wire: parsing (strict JSON pre-pass, base64 of the attachment) included.
        g.bench_function(BenchmarkId::new("verify_bytes_warm", alg), |b| {
            b.iter(|| {
                warm.verify_bytes(
                    black_box(&json),
                    &Limits::default(),
                    &mut Detached::none(),
                    NOW,
                )
                .unwrap()
            })
        });
        let clone = || package.clone();
        interleaved(
            &format!("package_verify_warm/{alg}"),
            100,
            clone,
            |p| {
                warm.verify(p, &mut Detached::none(), NOW).unwrap();
            },
            raw_warm,
        );
        interleaved(
            &format!("package_verify_cold_vs_certs/{alg}"),
            100,
            clone,
            |p| {
                cold.verify(p, &mut Detached::none(), NOW).unwrap();
            },
            raw_cold_certs,
        );
        interleaved(
            &format!("package_verify_cold_vs_certs_and_crls/{alg}"),
            100,
            clone,
            |p| {
                cold.verify(p, &mut Detached::none(), NOW).unwrap();
            },
            raw_cold_all,
        );
        interleaved(
            &format!("package_verify_bytes_warm/{alg}"),
            50,
            || (),
            |()| {
                warm.verify_bytes(&json, &Limits::default(), &mut Detached::none(), NOW)
                    .unwrap();
            },
            raw_warm,
        );
    }
    g.finish();
    let (w, c) = (warm_store.cache_stats(), cold_store.cache_stats());
    eprintln!(
        "chain cache: warm store {} hits / {} misses; cold store {} hits / {} misses",
        w.hits, w.misses, c.hits, c.misses
    );
}

criterion_group!(benches, package_verify);
criterion_main!(benches);
