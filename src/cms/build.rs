//! Producing a CMS `SignedData` with one signer and the signed attributes every profile here
//! asks for: contentType, messageDigest, signing-certificate-v2, and a signingTime.
//!
//! The key signs through the crate's [`Signer`], so a key on a PKCS#11 token (an HSM-backed
//! TSA, say) works as a software key does. ECDSA signatures come back from a `Signer` as r‖s
//! (JWS form) and are re-encoded as the DER `Ecdsa-Sig-Value` CMS requires (RFC 5753 §7.2).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{ObjectIdentifier, OctetString, SetOfVec, UintRef};
use der::{Any, Decode, Encode, Sequence};
use time::OffsetDateTime;
use x509_cert::attr::Attribute;

use super::algorithm::{digest_of, signature_identifier};
use super::attributes::SIGNING_CERTIFICATE_V2;
use super::error::CmsError;
use super::signed_data::ID_SIGNED_DATA;
use crate::signer::{Algorithm, Signer};

const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

fn build_err(e: impl std::fmt::Display) -> CmsError {
    CmsError::malformed("SignedData being built", e)
}

/// ESSCertIDv2 with the default SHA-256 (left out, as DER requires of a DEFAULT value).
#[derive(Sequence)]
struct EssCertIdV2Out {
    cert_hash: OctetString,
}

#[derive(Sequence)]
struct SigningCertificateV2Out {
    certs: Vec<EssCertIdV2Out>,
}

#[derive(Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, CmsError> {
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(build_err)?,
    })
}

/// signingTime as RFC 5652 §11.3 wants it: UTCTime through 2049, GeneralizedTime after.
fn signing_time_value(at: OffsetDateTime) -> Result<x509_cert::time::Time, CmsError> {
    let secs = u64::try_from(at.unix_timestamp()).map_err(|_| build_err("time before 1970"))?;
    let dt = der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs))
        .map_err(build_err)?;
    Ok(if dt.year() < 2050 {
        x509_cert::time::Time::UtcTime(der::asn1::UtcTime::from_date_time(dt).map_err(build_err)?)
    } else {
        x509_cert::time::Time::GeneralTime(der::asn1::GeneralizedTime::from_date_time(dt))
    })
}

/// Signs `content` of type `content_type`, encapsulated or detached, with one signer whose
/// whole chain goes into `certificates` when `include_certificates`. Returns the DER `ContentInfo`.
pub(crate) fn sign(
    signer: &dyn Signer,
    content_type: ObjectIdentifier,
    content: &[u8],
    encapsulate: bool,
    signing_time: OffsetDateTime,
    include_certificates: bool,
) -> Result<Vec<u8>, CmsError> {
    let chain = signer.certificate_chain();
    let leaf_der = chain
        .first()
        .ok_or_else(|| build_err("the signer has no certificate"))?;
    let leaf = x509_cert::Certificate::from_der(leaf_der).map_err(build_err)?;
    let digest = digest_of(signer.algorithm());

    let ess = SigningCertificateV2Out {
        certs: vec![EssCertIdV2Out {
            cert_hash: OctetString::new(crate::cms::DigestAlgorithm::Sha256.digest(leaf_der))
                .map_err(build_err)?,
        }],
    };
    let time = signing_time_value(signing_time)?;
    let attrs = vec![
        attribute(
            CONTENT_TYPE,
            Any::encode_from(&content_type).map_err(build_err)?,
        )?,
        attribute(SIGNING_TIME, Any::encode_from(&time).map_err(build_err)?)?,
        attribute(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.digest(content)).map_err(build_err)?)
                .map_err(build_err)?,
        )?,
        attribute(
            SIGNING_CERTIFICATE_V2,
            Any::encode_from(&ess).map_err(build_err)?,
        )?,
    ];
    // A SetOfVec is kept in DER order, so the bytes signed are the bytes sent (RFC 5652 §5.4).
    let signed_attrs = SetOfVec::try_from(attrs).map_err(build_err)?;
    let to_sign = signed_attrs.to_der().map_err(build_err)?;
    let raw = signer
        .sign(&to_sign)
        .map_err(|e| build_err(format!("the signer failed: {e}")))?;
    let signature = match signer.algorithm() {
        Algorithm::Es256 | Algorithm::Es384 => {
            let half = raw.len() / 2;
            let (r, s) = raw.split_at(half);
            EcdsaSigValue {
                r: UintRef::new(r).map_err(build_err)?,
                s: UintRef::new(s).map_err(build_err)?,
            }
            .to_der()
            .map_err(build_err)?
        }
        _ => raw,
    };

    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: leaf.tbs_certificate.issuer.clone(),
            serial_number: leaf.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest.identifier(),
        signed_attrs: Some(signed_attrs),
        signature_algorithm: signature_identifier(signer.algorithm()),
        signature: OctetString::new(signature).map_err(build_err)?,
        unsigned_attrs: None,
    };
    let certificates = chain
        .iter()
        .map(|c| {
            x509_cert::Certificate::from_der(c)
                .map(CertificateChoices::Certificate)
                .map_err(build_err)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let signed_data = SignedData {
        // RFC 5652 §5.1: version 3 when eContentType is not id-data, else 1.
        version: if content_type == super::signed_data::ID_DATA {
            CmsVersion::V1
        } else {
            CmsVersion::V3
        },
        digest_algorithms: SetOfVec::try_from(vec![digest.identifier()]).map_err(build_err)?,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent: if encapsulate {
                Some(
                    Any::encode_from(&OctetString::new(content.to_vec()).map_err(build_err)?)
                        .map_err(build_err)?,
                )
            } else {
                None
            },
        },
        certificates: if include_certificates {
            Some(CertificateSet(
                SetOfVec::try_from(certificates).map_err(build_err)?,
            ))
        } else {
            None
        },
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info]).map_err(build_err)?),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(build_err)?,
    }
    .to_der()
    .map_err(build_err)
}
