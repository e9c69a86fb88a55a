//! CMS `SignedData` (RFC 5652): parsing within limits, checking one signer's signed attributes
//! and signature value, and producing such signatures. RFC 3161 timestamp tokens and PDF
//! signatures are CMS underneath and use this module.
//!
//! Parsing is the RustCrypto `der`/`cms`/`x509-cert` crates' (no DER is read by hand); the
//! signature mathematics is ring's. The signer's certificate chain is validated by the caller,
//! through the [`TrustStore`](crate::TrustStore), at the time it chooses: the current time, or a
//! proven earlier one.
//!
//! Verifying a detached CMS signature over some bytes (a PDF's byte range, a file):
//!
//! ```
//! use edoc::{Algorithm, CmsSignedData, OrgId, Policy, TestPki, ValidationTimes};
//! use time::macros::datetime;
//!
//! let pki = TestPki::new()?;
//! let agency: OrgId = "000.00.05.H57".parse()?;
//! let seal = pki.seal("Sở Tài chính", &agency, Algorithm::Es256)?;
//! let content = b"%PDF-1.7 ... the signed byte range ...";
//! let signed_at = datetime!(2025-07-02 09:00 UTC);
//! let der = CmsSignedData::sign_detached(&seal.signer()?, content, signed_at)?;
//!
//! // The receiving side: parse (bounded), check attributes and signature, then the chain.
//! let cms = CmsSignedData::parse(&der)?;
//! let signer = cms.verify(Some(content), &[])?;
//! let trust = pki.trust_store(&[])?;
//! let chain = trust.validate_chain(
//!     signer.chain(),
//!     ValidationTimes::at(datetime!(2025-07-02 10:00 UTC)),
//!     &Policy::strict(),
//! )?;
//! assert_eq!(chain.subject().org_id, Some(agency));
//!
//! // Other bytes do not verify.
//! assert_eq!(cms.verify(Some(b"%PDF-1.7 changed"), &[]).unwrap_err(), edoc::CmsError::DigestMismatch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod algorithm;
mod attributes;
mod build;
mod error;
mod signed_data;

pub use algorithm::{DigestAlgorithm, Hasher};
pub use attributes::EssBinding;
pub use error::CmsError;
pub use signed_data::{CmsLimits, CmsSignedData, CmsSigner};

pub(crate) use signed_data::ID_DATA;

use der::asn1::ObjectIdentifier;
use time::OffsetDateTime;

use crate::signer::Signer;

impl CmsSignedData {
    /// Signs `content` as a detached CMS `SignedData` (content type id-data, content left out)
    /// with `signer`, whose chain goes into `certificates`. The signed attributes are
    /// contentType, messageDigest, signingTime (`signing_time`: the library never reads the
    /// clock) and signing-certificate-v2.
    pub fn sign_detached(
        signer: &dyn Signer,
        content: &[u8],
        signing_time: OffsetDateTime,
    ) -> Result<Vec<u8>, CmsError> {
        build::sign(signer, ID_DATA, content, false, signing_time, true)
    }
}

/// Signs `content` of `content_type`, encapsulated in the SignedData (a TSTInfo, say).
pub(crate) fn sign_encapsulated(
    signer: &dyn Signer,
    content_type: ObjectIdentifier,
    content: &[u8],
    signing_time: OffsetDateTime,
    include_certificates: bool,
) -> Result<Vec<u8>, CmsError> {
    build::sign(
        signer,
        content_type,
        content,
        true,
        signing_time,
        include_certificates,
    )
}
