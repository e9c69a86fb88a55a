//! Shared by the benchmarks: the test PKI's identities and the raw ring baseline over the same
//! keys. **The keys are the test PKI's: for measurement only.**
#![allow(dead_code)]

use edoc::{
    Agency, Algorithm, AttachmentEntry, Commitment, Competence, Detached, HeaderBuilder, OrgId,
    Package, TestIdentity, TestPki,
};
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};
use time::macros::{date, datetime};
use time::OffsetDateTime;

/// Claimed signing time of every benchmark signature.
pub(crate) const SIGNED: OffsetDateTime = datetime!(2025-07-02 10:00 UTC);
/// Validation clock: inside every test certificate's validity and every CRL's.
pub(crate) const NOW: OffsetDateTime = datetime!(2025-07-02 15:00 UTC);
/// The sender of every benchmark package (A Luoi 5 commune, illustrative code).
pub(crate) const SENDER: &str = "000.00.45.H57";

pub(crate) fn id(code: &str) -> OrgId {
    code.parse().unwrap()
}

/// Deterministic filler bytes (not all zeros, so nothing compresses or short-cuts).
pub(crate) fn bytes(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// A person of the sender agency.
pub(crate) fn person(pki: &TestPki, alg: Algorithm) -> TestIdentity {
    pki.person("Hồ Văn Chủ Tịch", "UBND xã A Lưới 5", &id(SENDER), alg)
        .unwrap()
}

/// The sender agency's seal.
pub(crate) fn seal(pki: &TestPki, alg: Algorithm) -> TestIdentity {
    pki.seal("UBND xã A Lưới 5", &id(SENDER), alg).unwrap()
}

/// An unsigned package with one inline attachment `content`.
pub(crate) fn unsigned_package(content: &[u8]) -> Package {
    let header = HeaderBuilder::new()
        .sender(Agency::new(id(SENDER), "Ủy ban nhân dân xã A Lưới 5"))
        .recipient(Agency::new(id("000.00.05.H57"), "Sở Tài chính"))
        .document_type("CV", "Công văn")
        .number_and_notation("42", "UBND-TCKH")
        .issued("A Lưới", date!(2025 - 07 - 02))
        .subject("Xin hướng dẫn mua sắm và tạm cấp kinh phí năm 2025")
        .signatory("Hồ Văn Chủ Tịch", "Chủ tịch", Competence::None)
        .attachment(AttachmentEntry::for_bytes("request.pdf", "application/pdf", content).unwrap())
        .build()
        .unwrap();
    Package::new(header, [("request.pdf".to_owned(), content.to_vec())]).unwrap()
}

/// The package signed by a person (approval) then the seal (origin), both with `alg`.
pub(crate) fn signed_package(pki: &TestPki, alg: Algorithm, content: &[u8]) -> Package {
    let mut p = unsigned_package(content);
    for (who, c) in [
        (person(pki, alg), Commitment::ProofOfApproval),
        (seal(pki, alg), Commitment::ProofOfOrigin),
    ] {
        p.sign(&who.signer().unwrap(), c, SIGNED, &mut Detached::none())
            .unwrap();
    }
    p
}

/// The same private key, driven by ring directly: the baseline.
pub(crate) enum RawKey {
    Ecdsa(signature::EcdsaKeyPair),
    Rsa(signature::RsaKeyPair, &'static dyn signature::RsaEncoding),
    Ed25519(signature::Ed25519KeyPair),
}

pub(crate) struct Raw {
    pub(crate) key: RawKey,
    pub(crate) verify_alg: &'static dyn signature::VerificationAlgorithm,
    pub(crate) public: Vec<u8>,
    rng: SystemRandom,
}

impl Raw {
    pub(crate) fn new(identity: &TestIdentity) -> Raw {
        let rng = SystemRandom::new();
        let der = &identity.pkcs8_der;
        let (key, verify_alg): (RawKey, &'static dyn signature::VerificationAlgorithm) =
            match identity.algorithm {
                Algorithm::Es256 => (
                    RawKey::Ecdsa(
                        signature::EcdsaKeyPair::from_pkcs8(
                            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                            der,
                            &rng,
                        )
                        .unwrap(),
                    ),
                    &signature::ECDSA_P256_SHA256_FIXED,
                ),
                Algorithm::Es384 => (
                    RawKey::Ecdsa(
                        signature::EcdsaKeyPair::from_pkcs8(
                            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
                            der,
                            &rng,
                        )
                        .unwrap(),
                    ),
                    &signature::ECDSA_P384_SHA384_FIXED,
                ),
                Algorithm::Rs256 => (
                    RawKey::Rsa(
                        signature::RsaKeyPair::from_pkcs8(der).unwrap(),
                        &signature::RSA_PKCS1_SHA256,
                    ),
                    &signature::RSA_PKCS1_2048_8192_SHA256,
                ),
                Algorithm::Ps256 => (
                    RawKey::Rsa(
                        signature::RsaKeyPair::from_pkcs8(der).unwrap(),
                        &signature::RSA_PSS_SHA256,
                    ),
                    &signature::RSA_PSS_2048_8192_SHA256,
                ),
                Algorithm::EdDsa => (
                    RawKey::Ed25519(
                        signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).unwrap(),
                    ),
                    &signature::ED25519,
                ),
            };
        let public = match &key {
            RawKey::Ecdsa(k) => k.public_key().as_ref().to_vec(),
            RawKey::Rsa(k, _) => k.public_key().as_ref().to_vec(),
            RawKey::Ed25519(k) => k.public_key().as_ref().to_vec(),
        };
        Raw {
            key,
            verify_alg,
            public,
            rng,
        }
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Vec<u8> {
        match &self.key {
            RawKey::Ecdsa(k) => k.sign(&self.rng, message).unwrap().as_ref().to_vec(),
            RawKey::Rsa(k, padding) => {
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(*padding, &self.rng, message, &mut out).unwrap();
                out
            }
            RawKey::Ed25519(k) => k.sign(message).as_ref().to_vec(),
        }
    }

    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) {
        signature::UnparsedPublicKey::new(self.verify_alg, &self.public)
            .verify(message, sig)
            .unwrap();
    }
}

/// One X.509 signature check (certificate or CRL), as path validation does it: the signed
/// bytes, the signature, and the issuer's key, verified with ring.
pub(crate) struct RawX509Check {
    tbs: Vec<u8>,
    signature: Vec<u8>,
    issuer_key: Vec<u8>,
}

impl RawX509Check {
    /// The check of `cert` (DER) under `issuer` (DER). The test PKI's CAs are P-256.
    pub(crate) fn certificate(cert: &[u8], issuer: &[u8]) -> RawX509Check {
        let (_, c) = x509_parser::parse_x509_certificate(cert).unwrap();
        RawX509Check {
            tbs: c.tbs_certificate.as_ref().to_vec(),
            signature: c.signature_value.data.to_vec(),
            issuer_key: issuer_key(issuer),
        }
    }

    /// The check of a CRL (DER) under its issuer (DER).
    pub(crate) fn crl(crl: &[u8], issuer: &[u8]) -> RawX509Check {
        let (_, c) = x509_parser::parse_x509_crl(crl).unwrap();
        RawX509Check {
            tbs: c.tbs_cert_list.as_ref().to_vec(),
            signature: c.signature_value.data.to_vec(),
            issuer_key: issuer_key(issuer),
        }
    }

    pub(crate) fn verify(&self) {
        signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_ASN1, &self.issuer_key)
            .verify(&self.tbs, &self.signature)
            .unwrap();
    }
}

fn issuer_key(issuer: &[u8]) -> Vec<u8> {
    let (_, c) = x509_parser::parse_x509_certificate(issuer).unwrap();
    c.tbs_certificate
        .subject_pki
        .subject_public_key
        .data
        .to_vec()
}

/// Times `ours` (after an untimed `setup`) and `baseline` alternately, `rounds` times each, the
/// order flipping every round, and records the ratio of their medians.
///
/// The machine is shared (2 cores, other builds running), so two criterion benchmarks measured
/// seconds apart can see different loads; alternating puts both under the same load. The
/// ratio is printed and written to `<target>/edoc-ratios/<name>.json` for `benches/ratios.py`.
pub(crate) fn interleaved<S>(
    name: &str,
    rounds: usize,
    mut setup: impl FnMut() -> S,
    mut ours: impl FnMut(S),
    mut baseline: impl FnMut(),
) {
    use std::time::Instant;
    // `cargo bench` passes --bench; under `cargo test --benches` one round checks the code runs.
    let measuring = std::env::args().any(|a| a == "--bench");
    let rounds = if measuring { rounds } else { 1 };
    for _ in 0..2 {
        ours(setup());
        baseline();
    }
    let (mut o, mut b) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for i in 0..rounds {
        let input = setup();
        let mut time_ours = |input| {
            let t = Instant::now();
            ours(input);
            o.push(t.elapsed().as_nanos() as f64);
        };
        if i % 2 == 0 {
            time_ours(input);
            let t = Instant::now();
            baseline();
            b.push(t.elapsed().as_nanos() as f64);
        } else {
            let t = Instant::now();
            baseline();
            b.push(t.elapsed().as_nanos() as f64);
            time_ours(input);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|x, y| x.total_cmp(y));
        v[v.len() / 2]
    };
    let (mo, mb) = (median(&mut o), median(&mut b));
    eprintln!(
        "interleaved {name}: ours {:.1} µs, baseline {:.1} µs, ratio {:.3} ({rounds} rounds)",
        mo / 1e3,
        mb / 1e3,
        mo / mb
    );
    if !measuring {
        return;
    }
    let dir = std::path::Path::new(
        &std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into()),
    )
    .join("edoc-ratios");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(
        dir.join(format!("{}.json", name.replace('/', "_"))),
        format!(
            "{{\"name\":\"{name}\",\"ours_ns\":{mo},\"baseline_ns\":{mb},\"ratio\":{},\"rounds\":{rounds}}}\n",
            mo / mb
        ),
    );
}
