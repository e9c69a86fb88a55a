//! A software signer: a PKCS#8 key held in memory by ring, with its certificate chain.

use super::{Algorithm, SignError, Signer};
use ring::rand::SystemRandom;
use ring::signature::{self as sig, EcdsaKeyPair, Ed25519KeyPair, KeyPair, RsaKeyPair};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use std::path::Path;
use x509_parser::prelude::{FromDer, X509Certificate};

/// RSA sizes accepted to sign: ring signs 2048–4096 bits, and the domain's floor is 2048.
const RSA_SIGN_MIN_BITS: usize = 2048;
const RSA_SIGN_MAX_BITS: usize = 4096;

enum Key {
    Rsa(RsaKeyPair),
    Ecdsa(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A [`Signer`] whose PKCS#8 private key lives in process memory (ring).
///
/// Supports RSA 2048–4096 bits (RS256 or PS256), ECDSA P-256 (ES256) and P-384 (ES384), and
/// Ed25519 (EdDSA). The leaf certificate's public key must be the key's.
pub struct SoftwareSigner {
    key: Key,
    algorithm: Algorithm,
    chain: Vec<CertificateDer<'static>>,
    rng: SystemRandom,
}

impl std::fmt::Debug for SoftwareSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareSigner")
            .field("algorithm", &self.algorithm)
            .field("chain_len", &self.chain.len())
            .finish_non_exhaustive()
    }
}

impl SoftwareSigner {
    /// Loads a PKCS#8 DER key and a chain (leaf first).
    ///
    /// `algorithm` picks RS256 or PS256 for an RSA key (default PS256, the RSASSA-PSS the
    /// draft Circular 15/2025 names); for EC and Ed25519 keys it must match the key or be `None`.
    pub fn from_pkcs8_der(
        key_der: &[u8],
        chain: Vec<CertificateDer<'static>>,
        algorithm: Option<Algorithm>,
    ) -> Result<SoftwareSigner, SignError> {
        let rng = SystemRandom::new();
        let (key, algorithm) = load_key(key_der, algorithm, &rng)?;
        let leaf = chain.first().ok_or_else(|| {
            SignError::Certificate("the chain is empty: a leaf certificate is required".into())
        })?;
        let (_, cert) = X509Certificate::from_der(leaf.as_ref())
            .map_err(|e| SignError::Certificate(format!("leaf certificate unreadable: {e}")))?;
        let public = match &key {
            Key::Rsa(k) => k.public_key().as_ref(),
            Key::Ecdsa(k) => k.public_key().as_ref(),
            Key::Ed25519(k) => k.public_key().as_ref(),
        };
        if cert
            .tbs_certificate
            .subject_pki
            .subject_public_key
            .data
            .as_ref()
            != public
        {
            return Err(SignError::Certificate(format!(
                "certificate \"{}\" is not for this private key",
                cert.subject()
            )));
        }
        Ok(SoftwareSigner {
            key,
            algorithm,
            chain,
            rng,
        })
    }

    /// Loads a PEM `PRIVATE KEY` (PKCS#8) and a chain (leaf first).
    pub fn from_pkcs8_pem(
        key_pem: &[u8],
        chain: Vec<CertificateDer<'static>>,
        algorithm: Option<Algorithm>,
    ) -> Result<SoftwareSigner, SignError> {
        let der = PrivatePkcs8KeyDer::from_pem_slice(key_pem)
            .map_err(|e| SignError::Key(format!("no PKCS#8 PRIVATE KEY in PEM: {e}")))?;
        SoftwareSigner::from_pkcs8_der(der.secret_pkcs8_der(), chain, algorithm)
    }

    /// Loads the key from `key_path` (PKCS#8, PEM or DER), the leaf from `cert_path` (PEM or DER)
    /// and, optionally, the rest of the chain from `chain_path` (PEM bundle or one DER).
    /// The algorithm is the key's default (PS256 for RSA).
    pub fn from_files(
        key_path: &Path,
        cert_path: &Path,
        chain_path: Option<&Path>,
    ) -> Result<SoftwareSigner, SignError> {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| SignError::Key(format!("cannot read {}: {e}", p.display())))
        };
        let key = read(key_path)?;
        let mut chain = certificates_from_bytes(&read(cert_path)?)?;
        chain.truncate(1);
        if let Some(p) = chain_path {
            chain.extend(certificates_from_bytes(&read(p)?)?);
        }
        if looks_like_pem(&key) {
            SoftwareSigner::from_pkcs8_pem(&key, chain, None)
        } else {
            SoftwareSigner::from_pkcs8_der(&key, chain, None)
        }
    }
}

fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(11).any(|w| w == b"-----BEGIN ")
}

/// Reads certificates from a PEM bundle (every `CERTIFICATE` block, in order) or one DER
/// certificate.
pub fn certificates_from_bytes(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, SignError> {
    if !looks_like_pem(bytes) {
        return Ok(vec![CertificateDer::from(bytes.to_vec())]);
    }
    let certs = CertificateDer::pem_slice_iter(bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| SignError::Certificate(format!("bad PEM certificate: {e}")))?;
    if certs.is_empty() {
        return Err(SignError::Certificate("no CERTIFICATE block in PEM".into()));
    }
    Ok(certs)
}

fn load_key(
    der: &[u8],
    wanted: Option<Algorithm>,
    rng: &SystemRandom,
) -> Result<(Key, Algorithm), SignError> {
    let mismatch =
        |key: &str, alg: Algorithm| SignError::Key(format!("{key} key cannot sign {alg}"));
    if let Ok(k) = RsaKeyPair::from_pkcs8(der) {
        let bits = k.public().modulus_len() * 8;
        if !(RSA_SIGN_MIN_BITS..=RSA_SIGN_MAX_BITS).contains(&bits) {
            return Err(SignError::Key(format!(
                "RSA key of {bits} bits: signing needs {RSA_SIGN_MIN_BITS} to {RSA_SIGN_MAX_BITS} bits"
            )));
        }
        return match wanted.unwrap_or(Algorithm::Ps256) {
            a @ (Algorithm::Rs256 | Algorithm::Ps256) => Ok((Key::Rsa(k), a)),
            a => Err(mismatch("RSA", a)),
        };
    }
    for (alg, signing) in [
        (Algorithm::Es256, &sig::ECDSA_P256_SHA256_FIXED_SIGNING),
        (Algorithm::Es384, &sig::ECDSA_P384_SHA384_FIXED_SIGNING),
    ] {
        if let Ok(k) = EcdsaKeyPair::from_pkcs8(signing, der, rng) {
            return match wanted {
                None => Ok((Key::Ecdsa(k), alg)),
                Some(a) if a == alg => Ok((Key::Ecdsa(k), alg)),
                Some(a) => Err(mismatch(
                    if alg == Algorithm::Es256 {
                        "EC P-256"
                    } else {
                        "EC P-384"
                    },
                    a,
                )),
            };
        }
    }
    // PKCS#8 v2 (with the public key) first; OpenSSL writes v1, which only the unchecked loader reads.
    let ed = Ed25519KeyPair::from_pkcs8(der)
        .or_else(|_| Ed25519KeyPair::from_pkcs8_maybe_unchecked(der));
    if let Ok(k) = ed {
        return match wanted {
            None | Some(Algorithm::EdDsa) => Ok((Key::Ed25519(k), Algorithm::EdDsa)),
            Some(a) => Err(mismatch("Ed25519", a)),
        };
    }
    match RsaKeyPair::from_pkcs8(der) {
        // ring refuses some RSA keys outright (e.g. too small); say so rather than "unknown".
        Err(e)
            if der
                .windows(9)
                .any(|w| w == [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01]) =>
        {
            Err(SignError::Key(format!("RSA key rejected: {e}")))
        }
        _ => Err(SignError::Key(
            "not a PKCS#8 RSA, ECDSA P-256/P-384 or Ed25519 private key".into(),
        )),
    }
}

impl Signer for SoftwareSigner {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    fn certificate_chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let failed = |_| SignError::Device("ring failed to sign".into());
        match &self.key {
            Key::Rsa(k) => {
                let padding: &'static dyn sig::RsaEncoding = match self.algorithm {
                    Algorithm::Rs256 => &sig::RSA_PKCS1_SHA256,
                    _ => &sig::RSA_PSS_SHA256,
                };
                let mut out = vec![0; k.public().modulus_len()];
                k.sign(padding, &self.rng, message, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
            Key::Ecdsa(k) => {
                let mut signature = k
                    .sign(&self.rng, message)
                    .map_err(failed)?
                    .as_ref()
                    .to_vec();
                // ring leaves s as the nonce makes it; write the low of the two valid values.
                super::normalize_low_s(self.algorithm, &mut signature);
                Ok(signature)
            }
            Key::Ed25519(k) => Ok(k.sign(message).as_ref().to_vec()),
        }
    }
}
