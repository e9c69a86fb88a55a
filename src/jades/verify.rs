//! Checking a parsed JAdES signature: certificate reference, algorithm/key fit, signed
//! objects and digests, then the signature value. Chain validation is NOT done here.

use super::key::{check_key, CheckedKey};
use super::parse::{sha256, ParsedSignature};
use super::{b64, DetachedObject, JadesError};
use x509_parser::prelude::{FromDer, X509Certificate};

/// The leaf's subject in words, and its checked key; refuses an `x5t#S256` that does not
/// name the leaf. Runs before any signature cryptography.
fn signer_key(parsed: &ParsedSignature) -> Result<CheckedKey, JadesError> {
    let leaf = parsed.leaf().ok_or_else(|| {
        JadesError::format("x5c", "missing: the signer's certificate is required")
    })?;
    let (_, cert) = X509Certificate::from_der(leaf.as_ref())
        .map_err(|e| JadesError::format("x5c", format!("leaf certificate unreadable: {e}")))?;
    let subject = cert.subject().to_string();
    match parsed.x5t_s256() {
        Some(t) if *t == sha256(leaf.as_ref()) => {}
        Some(_) => return Err(JadesError::CertificateReference { subject }),
        None => return Err(JadesError::format("x5t#S256", "missing")),
    }
    check_key(
        parsed.algorithm(),
        cert.tbs_certificate.subject_pki.raw,
        &subject,
    )
}

/// Verifies a detached JAdES signature (`sigD` ObjectIdByURIHash, `b64: false`) against the
/// objects the caller expects, in order.
///
/// Checks, in this order: `x5t#S256` names the `x5c` leaf; `alg` fits the leaf key (type, curve,
/// RSA 2048–8192 bits); the `pars` equal the objects' URIs; every `hashV` equals the object's
/// digest; the signature over `BASE64URL(protected) || "."` with the leaf key.
/// It does not validate the certificate chain.
pub fn verify_detached(
    parsed: &ParsedSignature,
    objects: &[DetachedObject],
) -> Result<(), JadesError> {
    if parsed.payload_is_base64url() {
        // Checked after the key so that certificate and algorithm problems are reported first.
        signer_key(parsed)?;
        return Err(JadesError::format(
            "b64",
            "sigD digests cover base64url text; verify with verify_detached_documents",
        ));
    }
    verify_objects(parsed, objects)
}

/// Like [`verify_detached`], for documents given as bytes, under either `b64` mode:
/// with `b64: false` each `hashV` is SHA-256 of the raw bytes, without `b64` it is SHA-256 of
/// the base64url text of the bytes (as DSS computes it).
pub fn verify_detached_documents(
    parsed: &ParsedSignature,
    documents: &[(&str, &[u8])],
) -> Result<(), JadesError> {
    let objects: Vec<DetachedObject> = documents
        .iter()
        .map(|(uri, bytes)| {
            if parsed.payload_is_base64url() {
                DetachedObject::from_bytes(*uri, b64::encode_url(bytes).as_bytes())
            } else {
                DetachedObject::from_bytes(*uri, bytes)
            }
        })
        .collect();
    verify_objects(parsed, &objects)
}

/// Certificate reference and key fit, then `pars` order, then every `hashV`, then crypto.
fn verify_objects(parsed: &ParsedSignature, objects: &[DetachedObject]) -> Result<(), JadesError> {
    let key = signer_key(parsed)?;
    let signed = parsed
        .signed_objects()
        .ok_or_else(|| JadesError::format("sigD", "missing: no detached objects are signed"))?;
    let same =
        signed.len() == objects.len() && signed.iter().zip(objects).all(|(s, o)| s.uri == o.uri);
    if !same {
        return Err(JadesError::SignedObjects {
            expected: objects.iter().map(|o| o.uri.clone()).collect(),
            found: signed.iter().map(|s| s.uri.clone()).collect(),
        });
    }
    for (s, o) in signed.iter().zip(objects) {
        if s.sha256 != o.sha256 {
            return Err(JadesError::HashMismatch {
                object: s.uri.clone(),
            });
        }
    }
    key.verify(&parsed.signing_input(), parsed.signature_bytes())
}

/// Verifies a signature whose payload travels with it (compact or JSON serialization):
/// `payload_segment` is the payload member exactly as received (base64url text, or the raw
/// text when `b64` is false). A signature with `sigD` is refused here.
pub fn verify_attached(parsed: &ParsedSignature, payload_segment: &str) -> Result<(), JadesError> {
    verify_attached_by(parsed, payload_segment, &signer_key(parsed)?)
}

/// Verifies an RFC 7797 detached-content signature (empty payload member, no `sigD`) over
/// `payload`, the content bytes from elsewhere (e.g. a file).
pub fn verify_detached_payload(parsed: &ParsedSignature, payload: &[u8]) -> Result<(), JadesError> {
    let key = signer_key(parsed)?;
    if parsed.signed_objects().is_some() {
        return Err(JadesError::format(
            "sigD",
            "use verify_detached for sigD signatures",
        ));
    }
    let mut input = parsed.signing_input();
    if parsed.payload_is_base64url() {
        input.extend_from_slice(b64::encode_url(payload).as_bytes());
    } else {
        input.extend_from_slice(payload);
    }
    key.verify(&input, parsed.signature_bytes())
}

/// Verifies a plain JWS (parsed with [`Profile::PlainJws`](super::Profile::PlainJws)) with a
/// public key obtained out of band (DER `SubjectPublicKeyInfo`), over `payload_segment` exactly
/// as received. The same algorithm/key checks apply; a `sigD` signature is refused here.
pub fn verify_attached_with_key(
    parsed: &ParsedSignature,
    payload_segment: &str,
    spki_der: &[u8],
) -> Result<(), JadesError> {
    let key = check_key(parsed.algorithm(), spki_der, "raw key")?;
    verify_attached_by(parsed, payload_segment, &key)
}

/// The attached-payload check once the key is chosen: no `sigD`, a well-formed payload, then
/// the signature over `protected || "." || payload` exactly as received.
fn verify_attached_by(
    parsed: &ParsedSignature,
    payload_segment: &str,
    key: &CheckedKey,
) -> Result<(), JadesError> {
    if parsed.signed_objects().is_some() {
        return Err(JadesError::format(
            "sigD",
            "detached objects signed; payload must be empty",
        ));
    }
    if parsed.payload_is_base64url() {
        b64::decode_url(payload_segment, usize::MAX)
            .map_err(|e| JadesError::format("payload", e))?;
    }
    let mut input = parsed.signing_input();
    input.extend_from_slice(payload_segment.as_bytes());
    key.verify(&input, parsed.signature_bytes())
}
