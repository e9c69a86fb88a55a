//! Why a JAdES signature was refused, in terms the report layer maps to ETSI sub-indications.

/// Why a JWS/JAdES signature could not be produced or was refused.
///
/// Each variant maps to one ETSI EN 319 102-1 sub-indication through
/// [`JadesError::sub_indication_hint`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JadesError {
    /// The signature is not well-formed: `member` names the JWS member or header parameter.
    #[error("malformed signature, member `{member}`: {reason}")]
    Format {
        /// The member or header parameter at fault (`protected`, `crit`, `sigD`, ...).
        member: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The `alg` names an algorithm this crate never accepts (`none`, HMAC, `ES512`, ...).
    #[error(
        "signature algorithm `{alg}` is not accepted (only RS256, PS256, ES256, ES384, EdDSA)"
    )]
    UnsupportedAlgorithm {
        /// The `alg` value as received.
        alg: String,
    },
    /// The `alg` does not fit the certificate's key (e.g. ES256 with a P-384 key, RS256 with EC).
    #[error("algorithm {alg} does not match the {key} key of certificate \"{subject}\"")]
    AlgorithmKeyMismatch {
        /// The `alg` of the header.
        alg: crate::signer::Algorithm,
        /// The key type found in the certificate, in words.
        key: String,
        /// The certificate subject.
        subject: String,
    },
    /// The RSA key is smaller (or larger) than allowed.
    #[error("RSA key of {bits} bits in certificate \"{subject}\" is outside {min}..={max} bits")]
    KeySize {
        /// The modulus size found.
        bits: usize,
        /// Smallest size accepted.
        min: usize,
        /// Largest size accepted.
        max: usize,
        /// The certificate subject.
        subject: String,
    },
    /// `x5t#S256` does not name the `x5c` leaf certificate.
    #[error("x5t#S256 does not match the signing certificate \"{subject}\"")]
    CertificateReference {
        /// The subject of the `x5c` leaf.
        subject: String,
    },
    /// The signed objects named in `sigD` are not the ones expected (count, order or URI).
    #[error("signed objects differ: signature covers {found:?}, expected {expected:?}")]
    SignedObjects {
        /// The URIs the caller expected, in order.
        expected: Vec<String>,
        /// The `pars` the signature carries, in order.
        found: Vec<String>,
    },
    /// A signed object's digest does not match its `hashV` entry.
    #[error("digest of signed object \"{object}\" does not match the signature")]
    HashMismatch {
        /// The URI of the object whose digest differs.
        object: String,
    },
    /// The cryptographic signature does not verify with the signer's key.
    #[error("signature value does not verify with the key of \"{subject}\"")]
    SignatureInvalid {
        /// The certificate subject (or `raw key` when verifying with a bare key).
        subject: String,
    },
    /// The signer refused or failed to sign.
    #[error("signing failed: {0}")]
    Signer(String),
}

impl JadesError {
    /// The ETSI EN 319 102-1 sub-indication this error corresponds to.
    ///
    /// ```
    /// let e = edoc::JadesError::HashMismatch { object: "header.json".into() };
    /// assert_eq!(e.sub_indication_hint(), "HASH_FAILURE");
    /// ```
    pub fn sub_indication_hint(&self) -> &'static str {
        match self {
            JadesError::Format { .. } => "FORMAT_FAILURE",
            JadesError::UnsupportedAlgorithm { .. } | JadesError::KeySize { .. } => {
                "CRYPTO_CONSTRAINTS_FAILURE"
            }
            JadesError::AlgorithmKeyMismatch { .. } | JadesError::SignatureInvalid { .. } => {
                "SIG_CRYPTO_FAILURE"
            }
            JadesError::CertificateReference { .. } => "NO_SIGNING_CERTIFICATE_FOUND",
            JadesError::SignedObjects { .. } => "SIGNED_DATA_NOT_FOUND",
            JadesError::HashMismatch { .. } => "HASH_FAILURE",
            JadesError::Signer(_) => "SIGNING_FAILURE",
        }
    }

    pub(crate) fn format(member: &'static str, reason: impl Into<String>) -> JadesError {
        JadesError::Format {
            member,
            reason: reason.into(),
        }
    }
}
