//! Signing a package: a JAdES signature over the header, every attachment and every earlier
//! signature (see `signed_objects.rs`), in the order the law sets: the person, then the seal.

use time::OffsetDateTime;

use super::signed_objects::{base_objects, objects_for};
use super::{Detached, Package, PackageError};
use crate::jades::{sign_detached, Commitment, JadesError, ParsedSignature, SignOptions};
use crate::signer::Signer;

/// Why a package could not be signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignPackageError {
    /// The attachments do not match the manifest, or detached content is missing.
    #[error("cannot sign: {0}")]
    Package(#[from] PackageError),
    /// The signature could not be produced.
    #[error("cannot sign: {0}")]
    Signature(#[from] JadesError),
    /// The domain's order would be broken: the competent person signs before the agency seal.
    #[error(
        "cannot add {adding:?}: the package already carries the agency seal (proof of origin); \
         the competent person's signature must come first"
    )]
    AfterSeal {
        /// The commitment that was refused.
        adding: Commitment,
    },
    /// An existing signature cannot be read, so its commitment is unknown.
    #[error("cannot sign: existing signature {index} is unreadable: {source}")]
    ExistingSignature {
        /// Its position.
        index: usize,
        /// Why it could not be read.
        source: JadesError,
    },
}

impl Package {
    /// Adds a JAdES signature with `commitment`, made by `signer` at `signing_time`.
    ///
    /// The signature covers the canonical header, every attachment (inline, or read from
    /// `detached` as a stream) and every earlier signature. An approval is refused once the
    /// agency seal is present: the person signs first (Decree 30/2020, Art. 8).
    pub fn sign(
        &mut self,
        signer: &dyn Signer,
        commitment: Commitment,
        signing_time: OffsetDateTime,
        detached: &mut Detached<'_>,
    ) -> Result<(), SignPackageError> {
        for (index, s) in self.signatures().iter().enumerate() {
            let parsed = ParsedSignature::parse(s)
                .map_err(|source| SignPackageError::ExistingSignature { index, source })?;
            if parsed.commitment() == Some(Commitment::ProofOfOrigin)
                && commitment == Commitment::ProofOfApproval
            {
                return Err(SignPackageError::AfterSeal { adding: commitment });
            }
        }
        let objects = objects_for(&base_objects(self, detached)?, self.signatures());
        let opts = SignOptions::new(signing_time).with_commitment(commitment);
        let signature = sign_detached(signer, &objects, &opts)?;
        tracing::debug!(
            document = %self.header().id(),
            ?commitment,
            algorithm = %signer.algorithm(),
            "package signed"
        );
        self.push_signature(signature);
        Ok(())
    }
}
