//! Shared helpers for the JAdES integration tests: test signers with self-signed rcgen
//! certificates (fixed validity), and a way to sign hand-made headers.
#![allow(dead_code)]

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use edoc::{Algorithm, JwsSignature, Signer, SoftwareSigner};
use rustls_pki_types::CertificateDer;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub(crate) const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys");

/// A self-signed certificate for `kp`, valid 2025-01-01 .. 2035-01-01, CN `cn`.
pub(crate) fn self_signed(kp: &rcgen::KeyPair, cn: &str) -> CertificateDer<'static> {
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.self_signed(kp).unwrap().der().clone()
}

/// PKCS#8 DER of a fresh key (RSA comes from tests/data/keys: ring cannot generate RSA).
pub(crate) fn key_der(alg: Algorithm) -> Vec<u8> {
    match alg {
        Algorithm::Rs256 | Algorithm::Ps256 => rsa_key_der("rsa2048-a.pem"),
        Algorithm::Es256 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_der(),
        Algorithm::Es384 => rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384)
            .unwrap()
            .serialize_der(),
        Algorithm::EdDsa => rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)
            .unwrap()
            .serialize_der(),
    }
}

pub(crate) fn rsa_key_der(file: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(format!("{KEYS}/{file}")).unwrap();
    rcgen::KeyPair::from_pem(&pem).unwrap().serialize_der()
}

/// A certificate for the PKCS#8 key `der`.
pub(crate) fn cert_for(der: &[u8], cn: &str) -> CertificateDer<'static> {
    let kp = rcgen::KeyPair::try_from(der).unwrap();
    self_signed(&kp, cn)
}

/// A software signer for `alg` with a self-signed certificate named after the algorithm.
pub(crate) fn signer(alg: Algorithm) -> SoftwareSigner {
    let der = key_der(alg);
    let cert = cert_for(&der, &format!("Test signer {alg}"));
    SoftwareSigner::from_pkcs8_der(&der, vec![cert], Some(alg)).unwrap()
}

pub(crate) fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn header_of(sig: &JwsSignature) -> Map<String, Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&sig.protected).unwrap()).unwrap()
}

/// Signs a hand-made protected header (as exact JSON text) with an empty payload, the way a
/// malicious but key-holding signer would.
pub(crate) fn sign_raw_header(signer: &dyn Signer, header_json: &str) -> JwsSignature {
    let protected = b64u(header_json.as_bytes());
    let sig = signer.sign(format!("{protected}.").as_bytes()).unwrap();
    JwsSignature {
        protected,
        signature: b64u(&sig),
    }
}

/// Signs a header map (serialized by serde_json).
pub(crate) fn sign_header(signer: &dyn Signer, header: &Map<String, Value>) -> JwsSignature {
    sign_raw_header(signer, &serde_json::to_string(header).unwrap())
}

pub(crate) fn x5c_of(cert: &CertificateDer<'_>) -> Value {
    Value::Array(vec![Value::String(STANDARD.encode(cert.as_ref()))])
}

pub(crate) fn x5t_of(cert: &CertificateDer<'_>) -> Value {
    Value::String(b64u(&Sha256::digest(cert.as_ref())))
}

/// An RSA public key rcgen cannot load as a key pair (ring refuses 1024 and 8192 bits):
/// certified by a separate issuer key.
struct RawRsaPublic(Vec<u8>);

impl rcgen::PublicKeyData for RawRsaPublic {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }
    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_RSA_SHA256
    }
}

/// A certificate (CN `cn`) for the RSA public key in `tests/data/jades/<spki_file>`
/// (made with `openssl pkey -pubout -outform DER`), issued by a throwaway P-256 key.
pub(crate) fn cert_for_rsa_spki(spki_file: &str, cn: &str) -> CertificateDer<'static> {
    use x509_parser::prelude::FromDer;
    let der = std::fs::read(format!(
        "{}/tests/data/jades/{spki_file}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (_, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(&der).unwrap();
    let public = RawRsaPublic(spki.subject_public_key.data.to_vec());
    let issuer_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut ip = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ip.distinguished_name
        .push(rcgen::DnType::CommonName, "Test issuer");
    let issuer = rcgen::Issuer::new(ip, issuer_key);
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(rcgen::DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.signed_by(&public, &issuer).unwrap().der().clone()
}

/// Vectors folder; a missing folder is a failure, never a skip.
pub(crate) fn vectors(sub: &str) -> std::path::PathBuf {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/vectors")
        .join(sub);
    assert!(
        p.is_dir(),
        "test vectors missing: {} (they must be present)",
        p.display()
    );
    p
}

fn der_len(len: usize, out: &mut Vec<u8>) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
}

pub(crate) fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    der_len(content.len(), &mut out);
    out.extend_from_slice(content);
    out
}

fn der_uint(bytes: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    let mut v = Vec::new();
    if trimmed.first().is_none_or(|b| *b >= 0x80) {
        v.push(0);
    }
    v.extend(trimmed);
    der(0x02, &v)
}

const OID_RSA: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];
const OID_EC: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];

fn spki(alg_id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = vec![0];
    bits.extend_from_slice(key);
    der(0x30, &[der(0x30, alg_id), der(0x03, &bits)].concat())
}

/// DER SubjectPublicKeyInfo for a public JWK (RSA, EC P-256/P-384, OKP Ed25519); `None` for
/// other key types (`oct`: symmetric keys have no public key).
pub(crate) fn jwk_to_spki(jwk: &Value) -> Option<Vec<u8>> {
    let field = |k: &str| -> Option<Vec<u8>> { URL_SAFE_NO_PAD.decode(jwk.get(k)?.as_str()?).ok() };
    match jwk.get("kty")?.as_str()? {
        "RSA" => {
            let rsa = der(
                0x30,
                &[der_uint(&field("n")?), der_uint(&field("e")?)].concat(),
            );
            Some(spki(&[OID_RSA, &[0x05, 0x00]].concat(), &rsa))
        }
        "EC" => {
            let curve = match jwk.get("crv")?.as_str()? {
                "P-256" => OID_P256,
                "P-384" => OID_P384,
                _ => return None,
            };
            let point = [&[4u8][..], &field("x")?, &field("y")?].concat();
            Some(spki(&[OID_EC, curve].concat(), &point))
        }
        "OKP" if jwk.get("crv")?.as_str()? == "Ed25519" => Some(spki(OID_ED25519, &field("x")?)),
        _ => None,
    }
}
