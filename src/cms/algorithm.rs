//! The digest and signature algorithms CMS signatures and timestamp tokens may use here, and
//! the ring verification each maps to. SHA-1, MD5 and DSA are refused (ETSI TS 119 312: not
//! for new signatures, and never needed by the TSAs and signers this crate meets).

use der::asn1::ObjectIdentifier;
use der::{Decode, Sequence};
use sha2::Digest;
use spki::AlgorithmIdentifierOwned;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;

use super::error::CmsError;

const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const SHA256_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const SHA384_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const SHA512_WITH_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");
const MGF1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.8");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A digest algorithm accepted for CMS message digests and timestamp imprints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (2.16.840.1.101.3.4.2.1).
    Sha256,
    /// SHA-384 (2.16.840.1.101.3.4.2.2).
    Sha384,
    /// SHA-512 (2.16.840.1.101.3.4.2.3).
    Sha512,
}

impl DigestAlgorithm {
    /// The algorithm's OID.
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            DigestAlgorithm::Sha256 => SHA256,
            DigestAlgorithm::Sha384 => SHA384,
            DigestAlgorithm::Sha512 => SHA512,
        }
    }

    /// The algorithm for an AlgorithmIdentifier (parameters absent or NULL, RFC 5754 §2).
    pub(crate) fn from_identifier(
        id: &AlgorithmIdentifierOwned,
    ) -> Result<DigestAlgorithm, CmsError> {
        let unsupported = || CmsError::UnsupportedAlgorithm {
            what: "digest",
            oid: id.oid.to_string(),
        };
        if id.parameters.as_ref().is_some_and(|p| !p.is_null()) {
            return Err(unsupported());
        }
        DigestAlgorithm::from_oid(&id.oid).ok_or_else(unsupported)
    }

    pub(crate) fn from_oid(oid: &ObjectIdentifier) -> Option<DigestAlgorithm> {
        [
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha384,
            DigestAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|d| d.oid() == *oid)
    }

    /// The AlgorithmIdentifier with absent parameters (RFC 5754 §2: SHOULD omit).
    pub(crate) fn identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }

    /// A streaming hasher, for data too large to hold or fed in parts.
    pub fn hasher(self) -> Hasher {
        Hasher(match self {
            DigestAlgorithm::Sha256 => HasherState::Sha256(sha2::Sha256::new()),
            DigestAlgorithm::Sha384 => HasherState::Sha384(sha2::Sha384::new()),
            DigestAlgorithm::Sha512 => HasherState::Sha512(sha2::Sha512::new()),
        })
    }

    /// The name, as in `SHA-256`.
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha384 => "SHA-384",
            DigestAlgorithm::Sha512 => "SHA-512",
        }
    }

    /// The digest length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            DigestAlgorithm::Sha256 => 32,
            DigestAlgorithm::Sha384 => 48,
            DigestAlgorithm::Sha512 => 64,
        }
    }
}

impl std::fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A streaming digest of one [`DigestAlgorithm`].
#[derive(Clone)]
pub struct Hasher(HasherState);

#[derive(Clone)]
enum HasherState {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// Feeds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherState::Sha256(h) => h.update(data),
            HasherState::Sha384(h) => h.update(data),
            HasherState::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything fed.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            HasherState::Sha256(h) => h.finalize().to_vec(),
            HasherState::Sha384(h) => h.finalize().to_vec(),
            HasherState::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1); trailerField is always 1 and may be left out.
#[derive(Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// What a signer's key is, read from its certificate.
#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    P256,
    P384,
    Ed25519,
}

/// Verifies `signature` over `message` with the key of `spki_der` under the CMS
/// `signatureAlgorithm` (and, for `rsaEncryption` and `id-ecPublicKey`, the SignerInfo's
/// `digestAlgorithm`). The key type is checked against the algorithm before any cryptography.
pub(crate) fn verify_signature(
    signature_algorithm: &AlgorithmIdentifierOwned,
    digest: DigestAlgorithm,
    spki_der: &[u8],
    message: &[u8],
    signature: &[u8],
    subject: &str,
) -> Result<(), CmsError> {
    use ring::signature as rs;
    let unsupported = |what: &'static str, oid: &ObjectIdentifier| CmsError::UnsupportedAlgorithm {
        what,
        oid: oid.to_string(),
    };
    let (rest, spki) = x509_parser::x509::SubjectPublicKeyInfo::from_der(spki_der)
        .map_err(|e| CmsError::malformed("signer certificate", e))?;
    if !rest.is_empty() {
        return Err(CmsError::malformed(
            "signer certificate",
            "trailing bytes after the public key",
        ));
    }
    let key_oid = spki.algorithm.algorithm.to_id_string();
    let key = match spki.parsed() {
        Ok(PublicKey::RSA(_)) => KeyKind::Rsa,
        Ok(PublicKey::EC(ec)) if ec.key_size() == 256 => KeyKind::P256,
        Ok(PublicKey::EC(ec)) if ec.key_size() == 384 => KeyKind::P384,
        _ if key_oid == ED25519.to_string() => KeyKind::Ed25519,
        _ => {
            return Err(CmsError::UnsupportedAlgorithm {
                what: "public key",
                oid: key_oid,
            })
        }
    };
    let oid = &signature_algorithm.oid;
    let params_absent_or_null = signature_algorithm
        .parameters
        .as_ref()
        .is_none_or(|p| p.is_null());
    let alg: &'static dyn rs::VerificationAlgorithm = if *oid == RSA_PSS {
        let params = signature_algorithm
            .parameters
            .as_ref()
            .ok_or_else(|| unsupported("signature", oid))?;
        let params = PssParams::from_der(
            &der::Encode::to_der(params)
                .map_err(|e| CmsError::malformed("RSASSA-PSS parameters", e))?,
        )
        .map_err(|e| CmsError::malformed("RSASSA-PSS parameters", e))?;
        // ring verifies PSS with MGF1 over the same hash and a salt as long as the hash; any
        // other combination is refused rather than verified wrongly.
        let hash = params
            .hash
            .as_ref()
            .and_then(|h| DigestAlgorithm::from_identifier(h).ok())
            .ok_or_else(|| unsupported("signature", oid))?;
        let mgf_hash = params
            .mask_gen
            .as_ref()
            .filter(|m| m.oid == MGF1)
            .and_then(|m| m.parameters.as_ref())
            .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
            .and_then(|h| DigestAlgorithm::from_identifier(&h).ok());
        if mgf_hash != Some(hash)
            || params.salt_length != Some(hash.output_len() as u32)
            || params.trailer_field.is_some_and(|t| t != 1)
            || key != KeyKind::Rsa
        {
            return Err(unsupported("signature", oid));
        }
        match hash {
            DigestAlgorithm::Sha256 => &rs::RSA_PSS_2048_8192_SHA256,
            DigestAlgorithm::Sha384 => &rs::RSA_PSS_2048_8192_SHA384,
            DigestAlgorithm::Sha512 => &rs::RSA_PSS_2048_8192_SHA512,
        }
    } else {
        if !params_absent_or_null {
            return Err(unsupported("signature", oid));
        }
        // rsaEncryption and id-ecPublicKey name only the key: the hash is the digestAlgorithm
        // (RFC 3370 §3.2, RFC 5753 §2.1.1 as implementations write it).
        let hash = if *oid == RSA_ENCRYPTION || *oid == EC_PUBLIC_KEY {
            digest
        } else if *oid == SHA256_WITH_RSA || *oid == ECDSA_SHA256 {
            DigestAlgorithm::Sha256
        } else if *oid == SHA384_WITH_RSA || *oid == ECDSA_SHA384 {
            DigestAlgorithm::Sha384
        } else if *oid == SHA512_WITH_RSA || *oid == ECDSA_SHA512 || *oid == ED25519 {
            // Ed25519 hashes with SHA-512 inside (RFC 8419 §2.3).
            DigestAlgorithm::Sha512
        } else {
            return Err(unsupported("signature", oid));
        };
        let is_rsa = [
            RSA_ENCRYPTION,
            SHA256_WITH_RSA,
            SHA384_WITH_RSA,
            SHA512_WITH_RSA,
        ]
        .contains(oid);
        let is_ecdsa = [EC_PUBLIC_KEY, ECDSA_SHA256, ECDSA_SHA384, ECDSA_SHA512].contains(oid);
        match (key, hash) {
            (KeyKind::Rsa, DigestAlgorithm::Sha256) if is_rsa => &rs::RSA_PKCS1_2048_8192_SHA256,
            (KeyKind::Rsa, DigestAlgorithm::Sha384) if is_rsa => &rs::RSA_PKCS1_2048_8192_SHA384,
            (KeyKind::Rsa, DigestAlgorithm::Sha512) if is_rsa => &rs::RSA_PKCS1_2048_8192_SHA512,
            (KeyKind::P256, DigestAlgorithm::Sha256) if is_ecdsa => &rs::ECDSA_P256_SHA256_ASN1,
            (KeyKind::P256, DigestAlgorithm::Sha384) if is_ecdsa => &rs::ECDSA_P256_SHA384_ASN1,
            (KeyKind::P384, DigestAlgorithm::Sha256) if is_ecdsa => &rs::ECDSA_P384_SHA256_ASN1,
            (KeyKind::P384, DigestAlgorithm::Sha384) if is_ecdsa => &rs::ECDSA_P384_SHA384_ASN1,
            (KeyKind::Ed25519, _) if *oid == ED25519 => &rs::ED25519,
            _ => return Err(unsupported("signature", oid)),
        }
    };
    rs::UnparsedPublicKey::new(alg, spki.subject_public_key.data.as_ref())
        .verify(message, signature)
        .map_err(|_| CmsError::SignatureInvalid {
            subject: subject.to_owned(),
        })
}

/// The CMS `signatureAlgorithm` for a JWS algorithm, as this crate writes it when it signs.
pub(crate) fn signature_identifier(alg: crate::signer::Algorithm) -> AlgorithmIdentifierOwned {
    use crate::signer::Algorithm;
    let (oid, parameters) = match alg {
        Algorithm::Rs256 => (SHA256_WITH_RSA, Some(der::Any::null())),
        Algorithm::Ps256 => (RSA_PSS, Some(pss_sha256_params())),
        Algorithm::Es256 => (ECDSA_SHA256, None),
        Algorithm::Es384 => (ECDSA_SHA384, None),
        Algorithm::EdDsa => (ED25519, None),
    };
    AlgorithmIdentifierOwned { oid, parameters }
}

/// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt (what ring's `RSA_PSS_SHA256` makes).
fn pss_sha256_params() -> der::Any {
    let sha256 = DigestAlgorithm::Sha256.identifier();
    let params = PssParams {
        hash: Some(sha256.clone()),
        mask_gen: Some(AlgorithmIdentifierOwned {
            oid: MGF1,
            parameters: der::Any::encode_from(&sha256).ok(),
        }),
        salt_length: Some(32),
        trailer_field: None,
    };
    der::Any::encode_from(&params).unwrap_or_else(|_| der::Any::null())
}

/// The digest algorithm a JWS algorithm hashes with (its CMS `digestAlgorithm`).
pub(crate) fn digest_of(alg: crate::signer::Algorithm) -> DigestAlgorithm {
    match alg {
        crate::signer::Algorithm::Es384 => DigestAlgorithm::Sha384,
        crate::signer::Algorithm::EdDsa => DigestAlgorithm::Sha512,
        _ => DigestAlgorithm::Sha256,
    }
}
