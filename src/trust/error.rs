//! Why a certificate chain or a trust-store input was refused.

use time::OffsetDateTime;

use crate::local_time::text;

/// Why a certificate chain was refused. Each variant names the certificate in words
/// (common name, organization, organizationIdentifier) and maps to an ETSI EN 319 102-1
/// sub-indication through [`ChainError::sub_indication`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// No certificate was given.
    #[error("no signer certificate was given")]
    EmptyChain,
    /// More certificates were given than the limits allow.
    #[error("{given} certificates were given, at most {max} are read")]
    TooManyCertificates {
        /// How many were given.
        given: usize,
        /// The limit.
        max: usize,
    },
    /// A certificate could not be parsed.
    #[error("certificate #{index} of the chain is malformed: {reason}")]
    Malformed {
        /// Position in the given chain (0 = signer).
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// The policy validates at the signing time, but none was given.
    #[error("the policy checks certificates at the signing time, but the signature has none")]
    SigningTimeMissing,
    /// The claimed signing time lies in the future beyond the allowed clock skew.
    #[error("the signing time {} is later than the validation time {} plus the allowed clock skew", text(*signing_time), text(*now))]
    SigningTimeInFuture {
        /// The claimed signing time.
        signing_time: OffsetDateTime,
        /// The validation clock.
        now: OffsetDateTime,
    },
    /// No path from the certificate to a trust anchor (unknown root, missing intermediate).
    #[error("the certificate of {subject} (issued by {issuer}) does not lead to a trusted root")]
    UnknownIssuer {
        /// The signer certificate.
        subject: String,
        /// Its issuer as written in it.
        issuer: String,
    },
    /// A certificate signature in the chain does not verify.
    #[error("a certificate signature in the chain of {subject} does not verify")]
    BadCertificateSignature {
        /// The signer certificate.
        subject: String,
    },
    /// A certificate of the chain was not yet valid at the validation time.
    #[error("the certificate of {subject} is not valid before {} (checked at {})", text(*not_before), text(*at))]
    NotYetValid {
        /// The certificate concerned.
        subject: String,
        /// Its notBefore.
        not_before: OffsetDateTime,
        /// The validation time.
        at: OffsetDateTime,
    },
    /// A certificate of the chain had expired at the validation time, and the signing time
    /// (if any) does not show it was signed while it was valid.
    #[error("the certificate of {subject} expired on {} (checked at {})", text(*not_after), text(*at))]
    Expired {
        /// The certificate concerned.
        subject: String,
        /// Its notAfter.
        not_after: OffsetDateTime,
        /// The validation time.
        at: OffsetDateTime,
    },
    /// The certificate has expired now, but the claimed signing time lies inside its validity;
    /// without a proof of existence (timestamp) that claim cannot be relied on.
    #[error("the certificate of {subject} expired on {}; the signature claims an earlier signing time but no timestamp proves it", text(*not_after))]
    ExpiredAfterSigningTime {
        /// The certificate concerned.
        subject: String,
        /// Its notAfter.
        not_after: OffsetDateTime,
    },
    /// A certificate of the chain is revoked, at or before the signing time (or at an unknown date).
    #[error("the certificate of {subject} is revoked{}", revoked_at.map(|d| format!(" since {}", text(d))).unwrap_or_default())]
    Revoked {
        /// The certificate concerned.
        subject: String,
        /// The CRL's revocation date, when found.
        revoked_at: Option<OffsetDateTime>,
    },
    /// The signer certificate was revoked after the claimed signing time; without a proof of
    /// existence the claim cannot be relied on (EN 319 102-1 REVOKED_NO_POE).
    #[error("the certificate of {subject} was revoked on {}, after the claimed signing time {}, which no timestamp proves", text(*revoked_at), text(*signing_time))]
    RevokedAfterSigningTime {
        /// The certificate concerned.
        subject: String,
        /// The CRL's revocation date.
        revoked_at: OffsetDateTime,
        /// The claimed signing time.
        signing_time: OffsetDateTime,
    },
    /// No current CRL covers a certificate of the chain although the policy requires one.
    #[error("no current revocation list covers the chain of {subject}: {reason}")]
    RevocationUnknown {
        /// The signer certificate.
        subject: String,
        /// What is missing.
        reason: String,
    },
    /// The end-entity certificate has no keyUsage extension.
    #[error("the certificate of {subject} has no key usage; a signing certificate must allow digitalSignature or nonRepudiation")]
    MissingKeyUsage {
        /// The certificate concerned.
        subject: String,
    },
    /// The end-entity keyUsage allows neither digitalSignature nor nonRepudiation.
    #[error("the certificate of {subject} is not for signing: its key usage allows neither digitalSignature nor nonRepudiation")]
    KeyUsageNotForSigning {
        /// The certificate concerned.
        subject: String,
    },
    /// The extended key usage does not meet the policy.
    #[error("the certificate of {subject} lacks the required extended key usage ({required})")]
    WrongExtendedKeyUsage {
        /// The certificate concerned.
        subject: String,
        /// The policy's requirement in words.
        required: String,
    },
    /// The chain is longer than the policy allows.
    #[error("the chain of {subject} has {length} certificates, the policy allows {max}")]
    ChainTooLong {
        /// The signer certificate.
        subject: String,
        /// Certificates from the signer to the anchor, both included.
        length: usize,
        /// The policy's maximum.
        max: usize,
    },
    /// A certificate key is weaker than the policy allows.
    #[error("the certificate of {subject} has a {bits}-bit RSA key; the policy requires at least {min} bits")]
    KeyTooSmall {
        /// The certificate concerned.
        subject: String,
        /// The key size found.
        bits: usize,
        /// The policy's minimum.
        min: u32,
    },
    /// A certificate uses a signature algorithm this crate does not accept.
    #[error("the chain of {subject} uses a signature algorithm that is not accepted")]
    UnsupportedAlgorithm {
        /// The signer certificate.
        subject: String,
    },
    /// The signer's key is of a type no accepted algorithm uses (DSA, P-192, ...).
    #[error("the certificate of {subject} holds {key}, which no accepted algorithm signs with")]
    UnsupportedKey {
        /// The certificate concerned.
        subject: String,
        /// The key type in words.
        key: String,
    },
    /// An X.509 constraint failed (basic constraints, path length, name constraints, a CA
    /// used as end-entity, a critical extension, ...).
    #[error("the chain of {subject} breaks an X.509 constraint: {reason}")]
    ConstraintViolation {
        /// The signer certificate.
        subject: String,
        /// Which constraint.
        reason: String,
    },
}

/// Why a trust-store input (anchor, intermediate, CRL) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrustStoreError {
    /// The PEM text could not be read.
    #[error("the {what} PEM bundle is malformed: {reason}")]
    Pem {
        /// anchor, intermediate or CRL.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The DER could not be parsed.
    #[error("a {what} could not be parsed: {reason}")]
    Der {
        /// anchor, intermediate or CRL.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A size or count limit was hit.
    #[error("the trust store limit for {what} is {max}")]
    Limit {
        /// What was limited.
        what: &'static str,
        /// The limit.
        max: usize,
    },
}
