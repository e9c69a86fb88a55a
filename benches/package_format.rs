//! The package format: parse and serialize (small, and with a 10 MiB inline attachment), the
//! header's canonicalization, and hashing an attachment as a stream (1 MiB and 100 MiB) against
//! raw SHA-256 of the same bytes in the same run.

mod common;

use common::{interleaved, signed_package, unsigned_package};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use edoc::{hash_stream, Algorithm, AttachmentEntry, Limits, Package, TestPki};
use sha2::{Digest, Sha256};
use std::hint::black_box;

fn parse_and_serialize(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    let mut g = c.benchmark_group("package_format");
    g.sample_size(20);
    for (label, size) in [("small", 2 << 10), ("10MiB", 10 << 20)] {
        let content = common::bytes(size);
        let package = signed_package(&pki, Algorithm::Es256, &content);
        let json = package.to_json();
        g.throughput(Throughput::Bytes(json.len() as u64));
        g.bench_with_input(BenchmarkId::new("parse", label), &json, |b, json| {
            b.iter(|| Package::parse(black_box(json), &Limits::default()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("to_json", label), &package, |b, p| {
            b.iter(|| black_box(p).to_json())
        });
        // The unavoidable part of the inline attachment: base64 in both directions.
        let b64 = {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(&content)
        };
        g.bench_with_input(
            BenchmarkId::new("raw_base64_decode", label),
            &b64,
            |b, t| {
                use base64::Engine;
                b.iter(|| {
                    base64::engine::general_purpose::STANDARD
                        .decode(black_box(t))
                        .unwrap()
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("raw_base64_encode", label),
            &content,
            |b, t| {
                use base64::Engine;
                b.iter(|| base64::engine::general_purpose::STANDARD.encode(black_box(t)))
            },
        );
        let rounds = if size > 1 << 20 { 10 } else { 200 };
        interleaved(
            &format!("parse_vs_base64_decode/{label}"),
            rounds,
            || (),
            |()| {
                black_box(Package::parse(&json, &Limits::default()).unwrap());
            },
            || {
                use base64::Engine;
                black_box(
                    base64::engine::general_purpose::STANDARD
                        .decode(&b64)
                        .unwrap(),
                );
            },
        );
        interleaved(
            &format!("to_json_vs_base64_encode/{label}"),
            rounds,
            || (),
            |()| {
                black_box(package.to_json());
            },
            || {
                use base64::Engine;
                black_box(base64::engine::general_purpose::STANDARD.encode(&content));
            },
        );
    }
    g.finish();

    let header = unsigned_package(b"x").header().clone();
    let mut g = c.benchmark_group("canonicalization");
    g.bench_function("header_canonical_bytes", |b| {
        b.iter(|| black_box(&header).canonical_bytes())
    });
    g.finish();
}

fn hashing(c: &mut Criterion) {
    let mut g = c.benchmark_group("attachment_hashing");
    for (label, size, samples) in [("1MiB", 1usize << 20, 30), ("100MiB", 100 << 20, 10)] {
        let content = common::bytes(size);
        let entry = AttachmentEntry::for_bytes("annex.pdf", "application/pdf", &content).unwrap();
        g.sample_size(samples);
        g.throughput(Throughput::Bytes(size as u64));
        g.bench_with_input(BenchmarkId::new("raw_sha256", label), &content, |b, c| {
            b.iter(|| Sha256::digest(black_box(c)))
        });
        // For comparison only: ring's SHA-256 (the library hashes with sha2).
        g.bench_with_input(
            BenchmarkId::new("raw_ring_sha256", label),
            &content,
            |b, c| b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(c))),
        );
        // Detached content checked as a stream (64 KiB buffer), the way a hub reads files.
        g.bench_with_input(BenchmarkId::new("check_reader", label), &content, |b, c| {
            b.iter(|| entry.check_reader(black_box(&c[..])).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("hash_stream", label), &content, |b, c| {
            b.iter(|| hash_stream(black_box(&c[..])).unwrap())
        });
        interleaved(
            &format!("check_reader_vs_sha256/{label}"),
            if size > 1 << 20 { 8 } else { 100 },
            || (),
            |()| entry.check_reader(&content[..]).unwrap(),
            || {
                black_box(Sha256::digest(&content));
            },
        );
    }
    g.finish();
}

criterion_group!(benches, parse_and_serialize, hashing);
criterion_main!(benches);
