//! SoftwareSigner: which keys and certificates it loads, which it refuses, and that what it
//! signs verifies.

mod jades_common;

use edoc::{
    certificates_from_bytes, sign_detached, verify_detached, Algorithm, DetachedObject,
    ParsedSignature, SignError, SignOptions, Signer, SoftwareSigner,
};
use jades_common::*;
use rustls_pki_types::pem::PemObject;
use time::macros::datetime;

fn roundtrip(s: &dyn Signer) {
    let objs = [DetachedObject::from_bytes("a", b"a")];
    let sig = sign_detached(s, &objs, &SignOptions::new(datetime!(2025-07-01 0:00 UTC))).unwrap();
    verify_detached(&ParsedSignature::parse(&sig).unwrap(), &objs).unwrap();
}

#[test]
fn rsa_outside_2048_to_4096_bits_is_refused_for_signing() {
    for file in ["rsa1024-a.pem", "rsa8192-a.pem"] {
        let pem = std::fs::read(format!("{KEYS}/{file}")).unwrap();
        let cert = cert_for(&key_der(Algorithm::Es256), "unrelated");
        match SoftwareSigner::from_pkcs8_pem(&pem, vec![cert], Some(Algorithm::Rs256)) {
            Err(SignError::Key(m)) => assert!(m.contains("RSA"), "{file}: {m}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn rsa_pem_keys_of_every_signing_size_sign_rs256_and_ps256() {
    for file in ["rsa2048-a.pem", "rsa3072-a.pem", "rsa4096-a.pem"] {
        let pem = std::fs::read(format!("{KEYS}/{file}")).unwrap();
        let cert = cert_for(&rsa_key_der(file), file);
        for alg in [Algorithm::Rs256, Algorithm::Ps256] {
            let s = SoftwareSigner::from_pkcs8_pem(&pem, vec![cert.clone()], Some(alg)).unwrap();
            assert_eq!(s.algorithm(), alg);
            roundtrip(&s);
        }
        let default = SoftwareSigner::from_pkcs8_pem(&pem, vec![cert], None).unwrap();
        assert_eq!(default.algorithm(), Algorithm::Ps256);
    }
}

#[test]
fn certificate_of_another_key_is_refused_naming_its_subject() {
    let der = key_der(Algorithm::Es256);
    let other = cert_for(&key_der(Algorithm::Es256), "Phong Tai chinh (other key)");
    match SoftwareSigner::from_pkcs8_der(&der, vec![other], None) {
        Err(SignError::Certificate(m)) => assert!(m.contains("Phong Tai chinh (other key)"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        SoftwareSigner::from_pkcs8_der(&der, vec![], None),
        Err(SignError::Certificate(_))
    ));
}

#[test]
fn algorithm_that_does_not_fit_the_key_is_refused() {
    let p384 = key_der(Algorithm::Es384);
    let cert = cert_for(&p384, "p384");
    assert!(matches!(
        SoftwareSigner::from_pkcs8_der(&p384, vec![cert.clone()], Some(Algorithm::Es256)),
        Err(SignError::Key(_))
    ));
    assert!(matches!(
        SoftwareSigner::from_pkcs8_der(&p384, vec![cert], Some(Algorithm::Rs256)),
        Err(SignError::Key(_))
    ));
    let rsa = rsa_key_der("rsa2048-a.pem");
    let cert = cert_for(&rsa, "rsa");
    assert!(matches!(
        SoftwareSigner::from_pkcs8_der(&rsa, vec![cert], Some(Algorithm::EdDsa)),
        Err(SignError::Key(_))
    ));
    assert!(matches!(
        SoftwareSigner::from_pkcs8_der(b"garbage", vec![], None),
        Err(SignError::Key(_))
    ));
}

#[test]
fn ed25519_pkcs8_v1_from_openssl_loads_and_signs() {
    let pem = std::fs::read(format!(
        "{}/tests/data/jades/ed25519-v1.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let der = rustls_pki_types::PrivatePkcs8KeyDer::from_pem_slice(&pem).unwrap();
    assert!(
        ring::signature::Ed25519KeyPair::from_pkcs8(der.secret_pkcs8_der()).is_err(),
        "fixture must be v1"
    );
    let cert = cert_for(der.secret_pkcs8_der(), "Ed25519 v1");
    let s = SoftwareSigner::from_pkcs8_pem(&pem, vec![cert], None).unwrap();
    assert_eq!(s.algorithm(), Algorithm::EdDsa);
    roundtrip(&s);
}

#[test]
fn from_files_reads_pem_and_der_keys_and_chains() {
    let dir = tempfile::tempdir().unwrap();
    let der = key_der(Algorithm::Es384);
    let leaf = cert_for(&der, "leaf");
    let ca = cert_for(&key_der(Algorithm::Es256), "ca");
    let pem_of = |c: &rustls_pki_types::CertificateDer<'_>| {
        use base64::Engine;
        let b = base64::engine::general_purpose::STANDARD.encode(c.as_ref());
        let lines: Vec<&str> = b
            .as_bytes()
            .chunks(64)
            .map(|l| std::str::from_utf8(l).unwrap())
            .collect();
        format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            lines.join("\n")
        )
    };
    std::fs::write(dir.path().join("key.der"), &der).unwrap();
    std::fs::write(dir.path().join("leaf.der"), leaf.as_ref()).unwrap();
    std::fs::write(
        dir.path().join("chain.pem"),
        format!("{}{}", pem_of(&ca), pem_of(&ca)),
    )
    .unwrap();
    let s = SoftwareSigner::from_files(
        &dir.path().join("key.der"),
        &dir.path().join("leaf.der"),
        Some(&dir.path().join("chain.pem")),
    )
    .unwrap();
    assert_eq!(s.certificate_chain().len(), 3);
    assert_eq!(s.certificate_chain()[0], leaf);
    assert_eq!(s.algorithm(), Algorithm::Es384);
    roundtrip(&s);
    assert_eq!(
        certificates_from_bytes(pem_of(&leaf).as_bytes()).unwrap(),
        vec![leaf]
    );
    assert!(matches!(
        certificates_from_bytes(b"-----BEGIN NOTHING-----\n"),
        Err(SignError::Certificate(_))
    ));
}

/// A signer (e.g. a token) whose claimed algorithm does not fit its certificate's key.
struct Lying(SoftwareSigner);

impl Signer for Lying {
    fn algorithm(&self) -> Algorithm {
        Algorithm::Es384
    }
    fn certificate_chain(&self) -> &[rustls_pki_types::CertificateDer<'static>] {
        self.0.certificate_chain()
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        self.0.sign(message)
    }
}

#[test]
fn signing_refuses_a_signer_whose_algorithm_does_not_fit_its_certificate() {
    let objs = [DetachedObject::from_bytes("a", b"a")];
    let r = sign_detached(
        &Lying(signer(Algorithm::Es256)),
        &objs,
        &SignOptions::new(datetime!(2025-07-01 0:00 UTC)),
    );
    assert!(
        matches!(r, Err(edoc::JadesError::AlgorithmKeyMismatch { .. })),
        "{r:?}"
    );
}

/// Whether the s half of a JWS ECDSA signature (r‖s) is at most n / 2, computed here with
/// big integers rather than with the library's own helper.
fn is_low_s(signature: &[u8], order_hex: &str) -> bool {
    use x509_parser::num_bigint::BigUint;
    let n = BigUint::parse_bytes(order_hex.as_bytes(), 16).unwrap();
    let s = BigUint::from_bytes_be(&signature[signature.len() / 2..]);
    s.clone() * 2u32 < n
}

const P256_ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const P384_ORDER: &str = "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";

#[test]
fn software_ecdsa_signatures_are_always_low_s() {
    // A random nonce gives a high s half of the time: 48 signatures in a row all low-S happen
    // by chance once in 2^48.
    for (alg, order) in [
        (Algorithm::Es256, P256_ORDER),
        (Algorithm::Es384, P384_ORDER),
    ] {
        let s = signer(alg);
        for i in 0..48u32 {
            let message = format!("eyJhbGciOiJFUzI1NiJ9.{i}");
            let signature = Signer::sign(&s, message.as_bytes()).unwrap();
            assert!(is_low_s(&signature, order), "{alg} signature {i} is high-S");
        }
        // And the JAdES signatures made with it, which is what packages carry.
        let objs = [DetachedObject::from_bytes("a", b"a")];
        for _ in 0..16 {
            let sig = sign_detached(&s, &objs, &SignOptions::new(datetime!(2025-07-01 0:00 UTC)))
                .unwrap();
            let parsed = ParsedSignature::parse(&sig).unwrap();
            verify_detached(&parsed, &objs).unwrap();
            let raw = base64::Engine::decode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                &sig.signature,
            )
            .unwrap();
            assert!(is_low_s(&raw, order), "{alg}");
        }
    }
}
