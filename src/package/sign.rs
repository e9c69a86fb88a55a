//! Signing a package: a JAdES signature over the header, every attachment and every earlier
//! signature (see `signed_objects.rs`), in the order the law sets: the person, then the seal.

use time::OffsetDateTime;

use super::signed_objects::{base_objects, objects_for};
use super::{Detached, Package, PackageError};
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::jades::{sign_detached, Commitment, JadesError, ParsedSignature, SignOptions};
use crate::signer::Signer;
use crate::trust::{CertificateName, HolderMarks, SignerRoles};

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
    /// A second seal for an agency whose seal the package already carries.
    #[error(
        "cannot add a second agency seal for {agency}: the package already carries the seal of \
         {existing}; each agency seals a document once"
    )]
    SecondSeal {
        /// The agency (its code, as the certificates name it).
        agency: String,
        /// The existing seal's certificate, in words.
        existing: String,
    },
    /// A second approval by a person of an agency whose approval the package already carries.
    #[error(
        "cannot add a second approval for {agency}: the package already carries the approval \
         of {existing}; the competent person of an agency approves once"
    )]
    SecondApproval {
        /// The agency (its code, as the certificates name it).
        agency: String,
        /// The existing approval's certificate, in words.
        existing: String,
    },
    /// The key of an earlier signature in the other role: one key cannot both approve and seal.
    #[error(
        "cannot add {adding:?} with the key that made the package's {existing:?}: the \
         competent person and the agency each sign with their own key"
    )]
    SameKey {
        /// The commitment that was refused.
        adding: Commitment,
        /// The commitment the same key already made.
        existing: Commitment,
    },
    /// The signer's certificate is marked for the other role (ETSI certificate policy or QC
    /// type, as the strict policy reads them).
    #[error("cannot add {adding:?} with the certificate of {certificate}: {reason}")]
    WrongRole {
        /// The commitment that was refused.
        adding: Commitment,
        /// The signer's certificate, in words.
        certificate: String,
        /// What marks it, and for what.
        reason: String,
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
    /// `detached` as a stream) and every earlier signature.
    ///
    /// What verification would refuse is refused first, where the package and the signer's
    /// own certificate tell: an approval once the agency seal is present (the person signs
    /// first, Decree 30/2020, Art. 8), a second seal or a second approval for the same agency,
    /// the key of an earlier signature in the other role, and a certificate whose ETSI marks
    /// (certificate policy, QC type) say it is for the other role.
    pub fn sign(
        &mut self,
        signer: &dyn Signer,
        commitment: Commitment,
        signing_time: OffsetDateTime,
        detached: &mut Detached<'_>,
    ) -> Result<(), SignPackageError> {
        self.check_before_signing(signer, commitment)?;
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

    /// Refuses early what verification would refuse, where the package and the signer's own
    /// certificate tell: an approval after the seal, a certificate marked for the other role
    /// (by the ETSI marks the strict policy reads), the key of an earlier signature in the other
    /// role, a second seal or a second approval for the same agency.
    fn check_before_signing(
        &self,
        signer: &dyn Signer,
        commitment: Commitment,
    ) -> Result<(), SignPackageError> {
        let mine = signer
            .certificate_chain()
            .first()
            .and_then(|der| Leaf::read(der.as_ref()));
        if let Some(mine) = &mine {
            let roles = SignerRoles::strict();
            let wrong = match commitment {
                Commitment::ProofOfOrigin if mine.marks.seal_marks(&roles).is_none() => mine
                    .marks
                    .person_marks(&roles)
                    .map(|p| format!("it is a natural person's ({p}); the seal is the agency's own certificate")),
                Commitment::ProofOfApproval => mine
                    .marks
                    .seal_marks(&roles)
                    .map(|s| format!("it is an organisation's ({s}); the competent person approves with their own certificate")),
                _ => None,
            };
            if let Some(reason) = wrong {
                return Err(SignPackageError::WrongRole {
                    adding: commitment,
                    certificate: mine.name.to_string(),
                    reason,
                });
            }
        }
        let existing: Vec<ParsedSignature> = self
            .signatures()
            .iter()
            .enumerate()
            .map(|(index, s)| {
                ParsedSignature::parse(s)
                    .map_err(|source| SignPackageError::ExistingSignature { index, source })
            })
            .collect::<Result<_, _>>()?;
        // The order rule first: whoever signs, no approval follows the seal.
        if commitment == Commitment::ProofOfApproval
            && existing
                .iter()
                .any(|p| p.commitment() == Some(Commitment::ProofOfOrigin))
        {
            return Err(SignPackageError::AfterSeal { adding: commitment });
        }
        for parsed in &existing {
            let existing = parsed.commitment();
            let (Some(mine), Some(theirs)) =
                (&mine, parsed.leaf().and_then(|l| Leaf::read(l.as_ref())))
            else {
                continue;
            };
            let roles = [Commitment::ProofOfApproval, Commitment::ProofOfOrigin];
            let Some(existing) = existing.filter(|c| roles.contains(c)) else {
                continue;
            };
            if !roles.contains(&commitment) {
                continue;
            }
            if existing != commitment && mine.spki == theirs.spki {
                return Err(SignPackageError::SameKey {
                    adding: commitment,
                    existing,
                });
            }
            if existing == commitment && mine.name.org_id == theirs.name.org_id {
                let agency = mine.name.org_id.map_or_else(
                    || "an agency its certificate does not name".to_owned(),
                    |a| a.to_string(),
                );
                let existing = theirs.name.to_string();
                return Err(if commitment == Commitment::ProofOfOrigin {
                    SignPackageError::SecondSeal { agency, existing }
                } else {
                    SignPackageError::SecondApproval { agency, existing }
                });
            }
        }
        Ok(())
    }
}

/// What the signing rules read of a certificate: its subject, key and role marks.
struct Leaf {
    name: CertificateName,
    spki: Vec<u8>,
    marks: HolderMarks,
}

impl Leaf {
    fn read(der: &[u8]) -> Option<Leaf> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        Some(Leaf {
            name: CertificateName::from_x509(cert.subject()),
            spki: cert.public_key().raw.to_vec(),
            marks: HolderMarks::read(&cert).ok()?,
        })
    }
}
