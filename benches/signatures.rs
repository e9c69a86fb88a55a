//! Sign and verify one JAdES detached signature per algorithm, against raw ring signing and
//! verification with the same keys over the same bytes (the JWS signing input), in the same run.

mod common;

use common::{interleaved, person, Raw, SIGNED};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use edoc::{
    sign_detached, verify_detached, Algorithm, Commitment, DetachedObject, ParsedSignature,
    SignOptions, TestPki,
};
use std::hint::black_box;

fn signatures(c: &mut Criterion) {
    let pki = TestPki::new().unwrap();
    // A header and a 1 MiB attachment, already hashed: what a package signature covers.
    let objects = vec![
        DetachedObject::from_bytes("header.json", b"{\"subject\":\"benchmark\"}"),
        DetachedObject::from_bytes("attachments/a.pdf", &common::bytes(1 << 20)),
    ];
    let opts = SignOptions::new(SIGNED).with_commitment(Commitment::ProofOfApproval);
    let mut sign = c.benchmark_group("sign");
    for alg in Algorithm::ALL {
        let identity = person(&pki, alg);
        let signer = identity.signer().unwrap();
        let raw = Raw::new(&identity);
        let sig = sign_detached(&signer, &objects, &opts).unwrap();
        let input = format!("{}.", sig.protected).into_bytes();
        sign.bench_with_input(BenchmarkId::new("raw_ring", alg), &input, |b, input| {
            b.iter(|| raw.sign(black_box(input)))
        });
        sign.bench_with_input(
            BenchmarkId::new("jades_sign_detached", alg),
            &objects,
            |b, o| b.iter(|| sign_detached(&signer, black_box(o), &opts).unwrap()),
        );
        interleaved(
            &format!("sign/{alg}"),
            200,
            || (),
            |()| {
                black_box(sign_detached(&signer, &objects, &opts).unwrap());
            },
            || {
                black_box(raw.sign(&input));
            },
        );
    }
    sign.finish();

    let mut verify = c.benchmark_group("verify");
    for alg in Algorithm::ALL {
        let identity = person(&pki, alg);
        let raw = Raw::new(&identity);
        let sig = sign_detached(&identity.signer().unwrap(), &objects, &opts).unwrap();
        let parsed = ParsedSignature::parse(&sig).unwrap();
        let input = format!("{}.", sig.protected).into_bytes();
        let value = parsed_signature_bytes(&sig.signature);
        verify.bench_with_input(BenchmarkId::new("raw_ring", alg), &input, |b, input| {
            b.iter(|| raw.verify(black_box(input), &value))
        });
        // The signature already parsed: reference, key fit, objects, digests, value.
        verify.bench_with_input(
            BenchmarkId::new("jades_verify_detached", alg),
            &parsed,
            |b, p| b.iter(|| verify_detached(black_box(p), &objects).unwrap()),
        );
        // From the received strings: base64url, strict JSON, x5c, then as above.
        verify.bench_with_input(
            BenchmarkId::new("jades_parse_and_verify", alg),
            &sig,
            |b, s| {
                b.iter(|| {
                    let p = ParsedSignature::parse(black_box(s)).unwrap();
                    verify_detached(&p, &objects).unwrap()
                })
            },
        );
        interleaved(
            &format!("verify_detached/{alg}"),
            200,
            || (),
            |()| verify_detached(&parsed, &objects).unwrap(),
            || raw.verify(&input, &value),
        );
        interleaved(
            &format!("parse_and_verify/{alg}"),
            200,
            || (),
            |()| {
                let p = ParsedSignature::parse(&sig).unwrap();
                verify_detached(&p, &objects).unwrap()
            },
            || raw.verify(&input, &value),
        );
    }
    verify.finish();
}

fn parsed_signature_bytes(b64url: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(b64url)
        .unwrap()
}

criterion_group!(benches, signatures);
criterion_main!(benches);
