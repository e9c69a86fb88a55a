//! Signers: who produces the raw signature bytes for a JWS signing input.
//!
//! The [`Signer`] trait is deliberately small so that a key can live in software
//! (ring), on a PKCS#11 token, or behind a remote signing service: the crate hands
//! over the exact bytes to sign and gets back the JWS-form signature.

use rustls_pki_types::CertificateDer;

/// A JWS signature algorithm (RFC 7518 §3.1) that this crate signs and verifies.
///
/// Nothing else is ever accepted, whatever a header says: `none`, HMAC and every
/// other name are rejected before any cryptography runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (`RS256`).
    Rs256,
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt 32 bytes (`PS256`).
    Ps256,
    /// ECDSA on P-256 with SHA-256, signature as r‖s (`ES256`).
    Es256,
    /// ECDSA on P-384 with SHA-384, signature as r‖s (`ES384`).
    Es384,
    /// Ed25519 (`EdDSA`, RFC 8037).
    EdDsa,
}

impl Algorithm {
    /// Every supported algorithm, in a stable order.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Rs256,
        Algorithm::Ps256,
        Algorithm::Es256,
        Algorithm::Es384,
        Algorithm::EdDsa,
    ];

    /// The JWS `alg` name.
    ///
    /// ```
    /// assert_eq!(edoc::Algorithm::Es256.jws_name(), "ES256");
    /// ```
    pub fn jws_name(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Ps256 => "PS256",
            Algorithm::Es256 => "ES256",
            Algorithm::Es384 => "ES384",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// Parses a JWS `alg` name; `None` for anything this crate does not accept
    /// (`none`, `HS256`, `ES512`, wrong case, ...).
    ///
    /// ```
    /// assert_eq!(edoc::Algorithm::from_jws_name("PS256"), Some(edoc::Algorithm::Ps256));
    /// assert_eq!(edoc::Algorithm::from_jws_name("none"), None);
    /// ```
    pub fn from_jws_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|a| a.jws_name() == name)
    }
}

impl std::fmt::Display for Algorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.jws_name())
    }
}

/// Why a signer could not produce a signature.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The key material could not be loaded or does not suit the algorithm.
    #[error("signing key rejected: {0}")]
    Key(String),
    /// The certificate does not match the key, or could not be read.
    #[error("signer certificate rejected: {0}")]
    Certificate(String),
    /// The key store (token, HSM, remote service) refused or failed.
    #[error("signing device failed: {0}")]
    Device(String),
}

/// Produces JWS signatures with a key it may never reveal.
///
/// `sign` receives the complete JWS signing input (`ASCII(BASE64URL(protected) || '.' || payload)`)
/// and returns the signature in JWS form: r‖s for ECDSA (low-S: s ≤ n/2, as this crate's signers
/// write it; a high `s` is rewritten when a JWS is made), the raw RSA or Ed25519 signature
/// otherwise.
/// Implementations for hardware tokens hash inside or outside the device as the device requires.
pub trait Signer: Send + Sync {
    /// The algorithm this signer's key produces.
    fn algorithm(&self) -> Algorithm;
    /// The signer's certificate chain, end-entity certificate first; it goes into `x5c`.
    fn certificate_chain(&self) -> &[CertificateDer<'static>];
    /// Signs `message` (the JWS signing input).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError>;
}

mod low_s;
mod software;
pub(crate) use low_s::{is_high_s, normalize as normalize_low_s};
pub use software::{certificates_from_bytes, SoftwareSigner};

#[cfg(feature = "pkcs11")]
mod pkcs11;
#[cfg(feature = "pkcs11")]
pub use pkcs11::{
    CertificateSource, KeySelector, Pin, PinSource, Pkcs11Config, Pkcs11Error, Pkcs11Signer,
    TokenSelector,
};
