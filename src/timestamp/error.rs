//! Why a timestamp could not be obtained or did not verify.

use crate::cms::CmsError;

/// Why an RFC 3161 timestamp could not be obtained, read or trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimestampError {
    /// The token's CMS signature is malformed or does not verify.
    #[error("timestamp token signature: {0}")]
    Cms(#[from] CmsError),
    /// The token or response is not what RFC 3161 describes.
    #[error("malformed timestamp {part}: {reason}")]
    Malformed {
        /// `TSTInfo`, `TimeStampResp`, `TimeStampReq`, ...
        part: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The TSA answered with a status other than granted (RFC 3161 §2.4.2).
    #[error("the time-stamping authority refused the request: {status}{}", detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Refused {
        /// The PKIStatus in words.
        status: String,
        /// The TSA's status text and failure bits, if it sent them.
        detail: Option<String>,
    },
    /// The token's message imprint does not match the data it is said to cover: it
    /// timestamps something else (a token copied from another signature, say).
    #[error("the timestamp's message imprint does not match the {covered}")]
    ImprintMismatch {
        /// What the imprint was compared with (`signature value`, `archived data`, ...).
        covered: &'static str,
    },
    /// The token answers another request: a different nonce, digest algorithm or imprint.
    #[error("the timestamp answers another request: {0}")]
    RequestMismatch(&'static str),
    /// The token has no ESS signing-certificate attribute, so its signer certificate is not
    /// bound (RFC 3161 §2.4.1, RFC 5816).
    #[error("the timestamp token does not bind its TSA certificate (no ESS signing-certificate attribute)")]
    SigningCertificateMissing,
    /// The TSA certificate is not a time-stamping certificate (RFC 3161 §2.3).
    #[error("the certificate of \"{subject}\" may not sign timestamps: {reason}")]
    NotTimestampingCertificate {
        /// The certificate's subject.
        subject: String,
        /// What is missing.
        reason: &'static str,
    },
    /// The TSA could not be reached or did not answer in time.
    #[error("the time-stamping authority at {tsa} could not be used: {reason}")]
    Unavailable {
        /// The TSA (its URL, or a name).
        tsa: String,
        /// What happened; retry later.
        reason: String,
    },
}

impl TimestampError {
    pub(crate) fn malformed(part: &'static str, reason: impl std::fmt::Display) -> TimestampError {
        TimestampError::Malformed {
            part,
            reason: reason.to_string(),
        }
    }

    /// The ETSI EN 319 102-1 sub-indication this error corresponds to, for the timestamp.
    ///
    /// ```
    /// let e = edoc::TimestampError::ImprintMismatch { covered: "signature value" };
    /// assert_eq!(e.sub_indication_hint(), "HASH_FAILURE");
    /// ```
    pub fn sub_indication_hint(&self) -> &'static str {
        match self {
            TimestampError::Cms(e) => e.sub_indication_hint(),
            TimestampError::Malformed { .. } | TimestampError::RequestMismatch(_) => {
                "FORMAT_FAILURE"
            }
            TimestampError::ImprintMismatch { .. } => "HASH_FAILURE",
            TimestampError::SigningCertificateMissing => "NO_SIGNING_CERTIFICATE_FOUND",
            TimestampError::NotTimestampingCertificate { .. } => "CHAIN_CONSTRAINTS_FAILURE",
            TimestampError::Refused { .. } | TimestampError::Unavailable { .. } => "TRY_LATER",
        }
    }
}
