//! The signer's public key: what type and size it is, checked against `alg` before any
//! cryptography runs, then the ring verification itself.

use super::JadesError;
use crate::signer::Algorithm;
use x509_parser::prelude::{FromDer, SubjectPublicKeyInfo};
use x509_parser::public_key::PublicKey;

/// RSA moduli accepted to verify: ring's `RSA_*_2048_8192_*` bounds (and the domain's
/// 2048-bit floor, draft Circular 15/2025/TT-BKHCN).
pub(crate) const RSA_VERIFY_MIN_BITS: usize = 2048;
pub(crate) const RSA_VERIFY_MAX_BITS: usize = 8192;

// OIDs of the named curves and of Ed25519 (RFC 5480, RFC 8410).
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_ED25519: &str = "1.3.101.112";

/// A public key whose type and size were checked against `alg`; no cryptography has run yet.
pub(crate) struct CheckedKey {
    ring_alg: &'static dyn ring::signature::VerificationAlgorithm,
    key: Vec<u8>,
    subject: String,
}

impl CheckedKey {
    /// Verifies `signature` over `message`.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), JadesError> {
        ring::signature::UnparsedPublicKey::new(self.ring_alg, &self.key)
            .verify(message, signature)
            .map_err(|_| JadesError::SignatureInvalid {
                subject: self.subject.clone(),
            })
    }
}

/// Checks that `alg` fits the key in `spki_der` (type, curve, RSA size) before any crypto.
/// `subject` names the key's owner in errors.
pub(crate) fn check_key(
    alg: Algorithm,
    spki_der: &[u8],
    subject: &str,
) -> Result<CheckedKey, JadesError> {
    let (rest, spki) = SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| JadesError::format("x5c", format!("public key of \"{subject}\": {e}")))?;
    if !rest.is_empty() {
        return Err(JadesError::format(
            "x5c",
            "trailing bytes after the public key",
        ));
    }
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let mismatch = |key: &str| JadesError::AlgorithmKeyMismatch {
        alg,
        key: key.to_string(),
        subject: subject.to_string(),
    };
    let key_words = match (key_oid.as_str(), curve.as_deref()) {
        (OID_RSA, _) => "RSA",
        (OID_EC, Some(OID_P256)) => "EC P-256",
        (OID_EC, Some(OID_P384)) => "EC P-384",
        (OID_EC, _) => "EC (other curve)",
        (OID_ED25519, _) => "Ed25519",
        _ => "unknown-type",
    };
    let ring_alg: &'static dyn ring::signature::VerificationAlgorithm = match (alg, key_words) {
        (Algorithm::Rs256, "RSA") => &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        (Algorithm::Ps256, "RSA") => &ring::signature::RSA_PSS_2048_8192_SHA256,
        (Algorithm::Es256, "EC P-256") => &ring::signature::ECDSA_P256_SHA256_FIXED,
        (Algorithm::Es384, "EC P-384") => &ring::signature::ECDSA_P384_SHA384_FIXED,
        (Algorithm::EdDsa, "Ed25519") => &ring::signature::ED25519,
        _ => return Err(mismatch(key_words)),
    };
    if key_words == "RSA" {
        let bits = match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => rsa.key_size(),
            _ => {
                return Err(JadesError::format(
                    "x5c",
                    format!("RSA key of \"{subject}\" unreadable"),
                ))
            }
        };
        if !(RSA_VERIFY_MIN_BITS..=RSA_VERIFY_MAX_BITS).contains(&bits) {
            return Err(JadesError::KeySize {
                bits,
                min: RSA_VERIFY_MIN_BITS,
                max: RSA_VERIFY_MAX_BITS,
                subject: subject.to_string(),
            });
        }
    }
    Ok(CheckedKey {
        ring_alg,
        key: spki.subject_public_key.data.to_vec(),
        subject: subject.to_string(),
    })
}

/// Verifies a raw signature with a bare public key (DER `SubjectPublicKeyInfo`), applying the
/// same algorithm/key checks as JAdES verification. Used for test vectors and keys without
/// certificates; it says nothing about who owns the key.
///
/// ```
/// use edoc::{verify_raw_signature, Algorithm, JadesError};
/// let err = verify_raw_signature(Algorithm::Es256, b"not a key", b"msg", b"sig").unwrap_err();
/// assert!(matches!(err, JadesError::Format { .. }));
/// ```
pub fn verify_raw_signature(
    alg: Algorithm,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), JadesError> {
    check_key(alg, spki_der, "raw key")?.verify(message, signature)
}
