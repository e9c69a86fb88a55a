//! The signed attributes a CMS signer is checked by: contentType and messageDigest (RFC 5652
//! §11), signingTime, and the ESS signing-certificate binding (RFC 2634 §5.4, RFC 5035 §3).

use der::asn1::{ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use time::OffsetDateTime;
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_parser::certificate::X509Certificate;

use super::algorithm::DigestAlgorithm;
use super::error::CmsError;

const CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");
pub(crate) const SIGNING_CERTIFICATE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
pub(crate) const SIGNING_CERTIFICATE_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// Which ESS attribute bound the signer's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EssBinding {
    /// signing-certificate (RFC 2634 §5.4): a SHA-1 hash of the certificate. Older TSAs
    /// (RFC 3161 before RFC 5816) write it.
    SigningCertificateV1,
    /// signing-certificate-v2 (RFC 5035): the hash with the algorithm it names (SHA-256 by default).
    SigningCertificateV2,
}

/// IssuerSerial (RFC 5035 §4).
#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// ESSCertIDv2 (RFC 5035 §4); hashAlgorithm DEFAULT id-sha256, so DER leaves it out.
#[derive(Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// SigningCertificateV2 (RFC 5035 §3); the policies are not used.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// ESSCertID (RFC 2634 §5.4.1): certHash is SHA-1.
#[derive(Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<IssuerSerial>,
}

/// SigningCertificate (RFC 2634 §5.4).
#[derive(Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// The single value of the attribute `oid` that must appear at most once with one value
/// (RFC 5652 §5.3: contentType, messageDigest and signingTime; RFC 5035 §3 for ESS).
fn single<'a>(
    attrs: &'a Attributes,
    oid: &ObjectIdentifier,
    name: &'static str,
) -> Result<Option<&'a der::Any>, CmsError> {
    let mut found = attrs.iter().filter(|a| a.oid == *oid);
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if found.next().is_some() || first.values.len() != 1 {
        return Err(CmsError::malformed(
            "signed attributes",
            format!("{name} must appear once, with one value"),
        ));
    }
    Ok(first.values.get(0))
}

fn required<'a>(
    attrs: &'a Attributes,
    oid: &ObjectIdentifier,
    name: &'static str,
) -> Result<&'a der::Any, CmsError> {
    single(attrs, oid, name)?.ok_or(CmsError::MissingAttribute { attribute: name })
}

pub(crate) fn content_type(attrs: &Attributes) -> Result<ObjectIdentifier, CmsError> {
    required(attrs, &CONTENT_TYPE, "contentType")?
        .decode_as()
        .map_err(|e| CmsError::malformed("contentType attribute", e))
}

pub(crate) fn message_digest(attrs: &Attributes) -> Result<Vec<u8>, CmsError> {
    let value: OctetString = required(attrs, &MESSAGE_DIGEST, "messageDigest")?
        .decode_as()
        .map_err(|e| CmsError::malformed("messageDigest attribute", e))?;
    Ok(value.as_bytes().to_vec())
}

/// The signingTime claim; an unreadable one (fractional seconds, say) is simply absent: the
/// attribute is a claim this crate never relies on.
pub(crate) fn signing_time(attrs: &Attributes) -> Option<OffsetDateTime> {
    let value = single(attrs, &SIGNING_TIME, "signingTime").ok()??;
    let t = x509_cert::time::Time::from_der(&value.to_der().ok()?).ok()?;
    let secs = i64::try_from(t.to_unix_duration().as_secs()).ok()?;
    OffsetDateTime::from_unix_timestamp(secs).ok()
}

/// Checks the ESS signing-certificate(-v2) attribute against the signer's certificate: its
/// first entry names the certificate that signs (RFC 5035 §5.4), by hash and, when given, by
/// issuer and serial number. v2 wins when both are present.
pub(crate) fn ess_binding(
    attrs: &Attributes,
    cert_der: &[u8],
    cert: &X509Certificate<'_>,
) -> Result<Option<EssBinding>, CmsError> {
    let mismatch = || CmsError::SigningCertificateMismatch {
        subject: cert.subject().to_string(),
    };
    if let Some(v2) = single(attrs, &SIGNING_CERTIFICATE_V2, "signingCertificateV2")? {
        let v2 = SigningCertificateV2::from_der(
            &v2.to_der()
                .map_err(|e| CmsError::malformed("signingCertificateV2", e))?,
        )
        .map_err(|e| CmsError::malformed("signingCertificateV2", e))?;
        let _ = &v2.policies;
        let first = v2.certs.first().ok_or_else(mismatch)?;
        let alg = match &first.hash_algorithm {
            None => DigestAlgorithm::Sha256,
            Some(id) => DigestAlgorithm::from_identifier(id)?,
        };
        if alg.digest(cert_der) != first.cert_hash.as_bytes()
            || !issuer_serial_matches(first.issuer_serial.as_ref(), cert)
        {
            return Err(mismatch());
        }
        return Ok(Some(EssBinding::SigningCertificateV2));
    }
    if let Some(v1) = single(attrs, &SIGNING_CERTIFICATE, "signingCertificate")? {
        let v1 = SigningCertificate::from_der(
            &v1.to_der()
                .map_err(|e| CmsError::malformed("signingCertificate", e))?,
        )
        .map_err(|e| CmsError::malformed("signingCertificate", e))?;
        let _ = &v1.policies;
        let first = v1.certs.first().ok_or_else(mismatch)?;
        // SHA-1 here only names a certificate the CA signed; it signs nothing itself.
        let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert_der);
        if sha1.as_ref() != first.cert_hash.as_bytes()
            || !issuer_serial_matches(first.issuer_serial.as_ref(), cert)
        {
            return Err(mismatch());
        }
        return Ok(Some(EssBinding::SigningCertificateV1));
    }
    Ok(None)
}

/// IssuerSerial, when present, names the certificate's issuer (as a directoryName) and serial.
fn issuer_serial_matches(is: Option<&IssuerSerial>, cert: &X509Certificate<'_>) -> bool {
    let Some(is) = is else {
        return true;
    };
    let issuer_ok = is.issuer.iter().any(|name| match name {
        GeneralName::DirectoryName(n) => n.to_der().is_ok_and(|d| d == cert.issuer().as_raw()),
        _ => false,
    });
    issuer_ok && is.serial_number.as_bytes() == cert.raw_serial()
}

/// Every value of the attribute `oid`, each as its DER TLV.
pub(crate) fn values(attrs: Option<&Attributes>, oid: &ObjectIdentifier) -> Vec<Vec<u8>> {
    attrs
        .into_iter()
        .flat_map(|a| a.iter())
        .filter(|a: &&Attribute| a.oid == *oid)
        .flat_map(|a| a.values.iter())
        .filter_map(|v| v.to_der().ok())
        .collect()
}
