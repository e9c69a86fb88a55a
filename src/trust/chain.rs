//! The proof that a chain was validated, and certificate names in human terms.

use std::fmt;

use ::time::OffsetDateTime;
use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use super::policy::{AgencyCertificates, OrganizationBinding};
use super::role::HolderMarks;
use crate::org::OrgId;

/// The times a validation uses. The library never reads the clock: the caller passes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidationTimes {
    /// The validation clock (the caller's "now").
    pub now: OffsetDateTime,
    /// The signing time the signature claims (JAdES `iat`), when there is one.
    pub signing_time: Option<OffsetDateTime>,
}

impl ValidationTimes {
    /// Validation at `now` with no signing time.
    pub fn at(now: OffsetDateTime) -> ValidationTimes {
        ValidationTimes {
            now,
            signing_time: None,
        }
    }

    /// Validation at `now` of a signature claiming `signing_time`.
    pub fn signed_at(now: OffsetDateTime, signing_time: OffsetDateTime) -> ValidationTimes {
        ValidationTimes {
            now,
            signing_time: Some(signing_time),
        }
    }
}

/// A certificate subject or issuer in human terms.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CertificateName {
    /// commonName (2.5.4.3): a person's full name, or an agency's name on a seal.
    pub common_name: Option<String>,
    /// organizationName (2.5.4.10): the agency (cơ quan) the certificate belongs to.
    pub organization: Option<String>,
    /// organizationIdentifier (2.5.4.97) as written.
    pub organization_identifier: Option<String>,
    /// The organizationIdentifier read as an agency code, when it has one of the accepted forms:
    /// the plain code `000.00.05.H57`, `VN:000.00.05.H57`, or the EN 319 412-1 §5.1.4 form
    /// `NTRVN-000.00.05.H57` (any three-letter type, country `VN`).
    pub org_id: Option<OrgId>,
    /// The whole distinguished name, RFC 4514 style, for anything else.
    pub distinguished_name: String,
}

impl CertificateName {
    pub(crate) fn from_x509(name: &X509Name<'_>) -> CertificateName {
        let first = |it: &mut dyn Iterator<Item = &AttributeTypeAndValue<'_>>| {
            it.next()
                .and_then(|a| a.as_str().ok())
                .map(|s| s.to_owned())
        };
        let oid_org_identifier = x509_parser::der_parser::oid!(2.5.4 .97);
        let organization_identifier = first(&mut name.iter_by_oid(&oid_org_identifier));
        let org_id = organization_identifier
            .as_deref()
            .and_then(org_id_from_identifier);
        CertificateName {
            common_name: first(&mut name.iter_common_name()),
            organization: first(&mut name.iter_organization()),
            organization_identifier,
            org_id,
            distinguished_name: name.to_string(),
        }
    }
}

/// Reads an agency code from an organizationIdentifier (see [`CertificateName::org_id`]).
pub(crate) fn org_id_from_identifier(value: &str) -> Option<OrgId> {
    let code = if let Some(rest) = value.strip_prefix("VN:") {
        rest
    } else if value.len() > 6
        && value.get(..3)?.chars().all(|c| c.is_ascii_uppercase())
        && value.get(3..6)? == "VN-"
    {
        value.get(6..)?
    } else {
        value
    };
    code.parse().ok()
}

impl fmt::Display for CertificateName {
    /// "Nguyễn Văn A (UBND xã A Lưới 1, 000.00.01.H57)", falling back to the DN.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(cn) = &self.common_name else {
            return f.write_str(if self.distinguished_name.is_empty() {
                "an unnamed certificate"
            } else {
                &self.distinguished_name
            });
        };
        f.write_str(cn)?;
        let extra: Vec<&str> = [&self.organization, &self.organization_identifier]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|s| s != cn)
            .collect();
        if !extra.is_empty() {
            write!(f, " ({})", extra.join(", "))?;
        }
        Ok(())
    }
}

/// The proof that a certificate chain was validated against a trust store and a policy.
///
/// Only the crate constructs it ([`TrustStore::validate_chain`](super::TrustStore::validate_chain)); holding
/// one means the chain passed.
#[derive(Debug, Clone)]
pub struct ValidatedChain {
    pub(crate) subject: CertificateName,
    pub(crate) issuer: CertificateName,
    pub(crate) serial: String,
    pub(crate) not_before: OffsetDateTime,
    pub(crate) not_after: OffsetDateTime,
    pub(crate) spki: Vec<u8>,
    pub(crate) leaf_sha256: [u8; 32],
    pub(crate) certificates: Vec<CertificateDer<'static>>,
    pub(crate) anchor: CertificateName,
    pub(crate) validated_at: OffsetDateTime,
    pub(crate) holder: HolderMarks,
}

impl ValidatedChain {
    /// The signer (end-entity) subject.
    pub fn subject(&self) -> &CertificateName {
        &self.subject
    }

    /// The signer certificate's issuer.
    pub fn issuer(&self) -> &CertificateName {
        &self.issuer
    }

    /// The signer certificate's serial number, hex with colons as x509-parser prints it.
    pub fn serial(&self) -> &str {
        &self.serial
    }

    /// Start of the signer certificate's validity.
    pub fn not_before(&self) -> OffsetDateTime {
        self.not_before
    }

    /// End of the signer certificate's validity.
    pub fn not_after(&self) -> OffsetDateTime {
        self.not_after
    }

    /// The signer's SubjectPublicKeyInfo, DER: the key signatures are checked with.
    pub fn subject_public_key_info(&self) -> &[u8] {
        &self.spki
    }

    /// SHA-256 of the signer certificate's DER (what `x5t#S256` carries).
    pub fn leaf_sha256(&self) -> &[u8; 32] {
        &self.leaf_sha256
    }

    /// The validated path, signer first, then intermediates; the anchor is not included.
    pub fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.certificates
    }

    /// The trust anchor the chain leads to.
    pub fn anchor(&self) -> &CertificateName {
        &self.anchor
    }

    /// The instant the certificates were checked at.
    pub fn validated_at(&self) -> OffsetDateTime {
        self.validated_at
    }

    /// What the signer's certificate says about its holder (certificate policies, ETSI QC
    /// types): what tells an organisation's seal from a natural person's certificate.
    pub fn holder_marks(&self) -> &HolderMarks {
        &self.holder
    }

    /// Whether this (seal) certificate may speak for `sender` under `binding`: its
    /// organizationIdentifier names `sender`, or `directory` lists the certificate for it.
    pub fn check_organization(
        &self,
        sender: &OrgId,
        binding: OrganizationBinding,
        directory: Option<&dyn AgencyCertificates>,
    ) -> Result<(), OrganizationMismatch> {
        if binding == OrganizationBinding::DangerNotRequired
            || self.subject.org_id.as_ref() == Some(sender)
            || directory.is_some_and(|d| d.may_sign_for(sender, &self.leaf_sha256))
        {
            return Ok(());
        }
        Err(OrganizationMismatch {
            certificate: self.subject.to_string(),
            certificate_agency: self.subject.org_id,
            sender: *sender,
        })
    }
}

/// A seal certificate that does not belong to the sending agency.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the seal of {certificate} cannot sign for agency {sender}")]
#[non_exhaustive]
pub struct OrganizationMismatch {
    /// The certificate in words.
    pub certificate: String,
    /// The agency its organizationIdentifier names, if any.
    pub certificate_agency: Option<OrgId>,
    /// The agency the document claims to come from.
    pub sender: OrgId,
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organization_identifier_forms_read_as_agency_codes() {
        let want: OrgId = "000.00.05.H57".parse().unwrap();
        assert_eq!(org_id_from_identifier("000.00.05.H57"), Some(want));
        assert_eq!(org_id_from_identifier("VN:000.00.05.H57"), Some(want));
        assert_eq!(org_id_from_identifier("NTRVN-000.00.05.H57"), Some(want));
        assert_eq!(org_id_from_identifier("NTRFR-000.00.05.H57"), None);
        assert_eq!(org_id_from_identifier("VATVN-0101234567"), None);
        assert_eq!(org_id_from_identifier(""), None);
        assert_eq!(org_id_from_identifier("ĐĐĐVN-"), None);
    }
}
