//! Why a CMS SignedData was refused.

/// Why a CMS `SignedData` (RFC 5652) could not be read or did not verify.
///
/// Each variant maps to one ETSI EN 319 102-1 sub-indication through
/// [`CmsError::sub_indication_hint`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The DER does not have the structure of the part named (strict DER, RFC 5652 §5).
    #[error("malformed CMS {part}: {reason}")]
    Malformed {
        /// The part at fault (`ContentInfo`, `SignedData`, `SignerInfo`, an attribute, ...).
        part: &'static str,
        /// What the DER decoder or a structural check found.
        reason: String,
    },
    /// A size or count bound of [`CmsLimits`](super::CmsLimits) was exceeded.
    #[error("CMS {what}: {found} exceeds the limit of {limit}")]
    TooLarge {
        /// What was counted (bytes, certificates, attributes, ...).
        what: &'static str,
        /// What the input holds.
        found: usize,
        /// The limit.
        limit: usize,
    },
    /// A digest or signature algorithm this crate does not accept (SHA-1, MD5, DSA, an
    /// unknown OID, PSS parameters ring cannot check, ...).
    #[error("CMS {what} algorithm {oid} is not accepted")]
    UnsupportedAlgorithm {
        /// `digest`, `signature` or `public key`.
        what: &'static str,
        /// The dotted OID as found.
        oid: String,
    },
    /// A signed attribute RFC 5652 §5.3 or the profile requires is missing.
    #[error("the CMS signature lacks the signed attribute {attribute}")]
    MissingAttribute {
        /// The attribute's name, e.g. `messageDigest`.
        attribute: &'static str,
    },
    /// The `contentType` signed attribute differs from the encapsulated content type.
    #[error("the CMS contentType attribute {attribute} differs from the content type {content}")]
    ContentTypeMismatch {
        /// The type the attribute names.
        attribute: String,
        /// The type of the encapsulated content.
        content: String,
    },
    /// The `messageDigest` signed attribute does not match the content.
    #[error("the CMS messageDigest does not match the signed content")]
    DigestMismatch,
    /// No certificate matches the signer identifier (`sid`).
    #[error("the CMS signer's certificate is neither in the SignedData nor among those given")]
    SignerCertificateNotFound,
    /// The ESS signing-certificate(-v2) attribute does not name the signer's certificate
    /// (RFC 5035 §5.4): the certificate may have been substituted.
    #[error(
        "the ESS signing-certificate attribute does not name the certificate of \"{subject}\""
    )]
    SigningCertificateMismatch {
        /// The signer certificate's subject.
        subject: String,
    },
    /// The signature value does not verify with the signer certificate's key.
    #[error("the CMS signature value does not verify with the key of \"{subject}\"")]
    SignatureInvalid {
        /// The signer certificate's subject.
        subject: String,
    },
}

impl CmsError {
    /// The ETSI EN 319 102-1 sub-indication this error corresponds to.
    ///
    /// ```
    /// assert_eq!(edoc::CmsError::DigestMismatch.sub_indication_hint(), "HASH_FAILURE");
    /// ```
    pub fn sub_indication_hint(&self) -> &'static str {
        match self {
            CmsError::Malformed { .. }
            | CmsError::TooLarge { .. }
            | CmsError::MissingAttribute { .. }
            | CmsError::ContentTypeMismatch { .. } => "FORMAT_FAILURE",
            CmsError::UnsupportedAlgorithm { .. } => "CRYPTO_CONSTRAINTS_FAILURE",
            CmsError::DigestMismatch => "HASH_FAILURE",
            CmsError::SignerCertificateNotFound | CmsError::SigningCertificateMismatch { .. } => {
                "NO_SIGNING_CERTIFICATE_FOUND"
            }
            CmsError::SignatureInvalid { .. } => "SIG_CRYPTO_FAILURE",
        }
    }

    pub(crate) fn malformed(part: &'static str, reason: impl std::fmt::Display) -> CmsError {
        CmsError::Malformed {
            part,
            reason: reason.to_string(),
        }
    }
}
