//! Parsing one CMS `SignedData` (RFC 5652 §5) within limits, and checking its single signer:
//! signed attributes, ESS signing-certificate binding and the signature value.
//!
//! The DER is read twice, both times with the `der` crate: first through borrowed views whose
//! parts stay raw (so counts are bounded before any set is sorted, certificates keep their bytes
//! as received, and the signed attributes are verified exactly as they arrived), then the
//! single `SignerInfo` and the encapsulated content through the `cms` crate's types.

use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo};
use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, Header, Reader, Sequence, SliceReader, Tag};
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;

use super::algorithm::{verify_signature, DigestAlgorithm};
use super::attributes::{self, EssBinding};
use super::error::CmsError;

/// id-signedData (RFC 5652 §5.1).
pub(crate) const ID_SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-data (RFC 5652 §4).
pub(crate) const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

/// Size and count bounds for one CMS `SignedData`; each bounds work an attacker can cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CmsLimits {
    /// Bytes of the whole `ContentInfo`. Default 1 MiB: a timestamp token is 2–8 KiB; a PAdES
    /// signature with its chain and a few CRLs is some hundred KiB.
    pub max_bytes: usize,
    /// Certificates in `certificates`. Default 32: a signer's and a TSA's chains, twice over.
    pub max_certificates: usize,
    /// Revocation entries in `crls`. Default 16.
    pub max_crls: usize,
    /// Attributes in the signed or the unsigned attribute set. Default 64: RFC 3161 tokens
    /// carry 3–5, CAdES signatures some 10.
    pub max_attributes: usize,
}

impl Default for CmsLimits {
    fn default() -> Self {
        CmsLimits {
            max_bytes: 1 << 20,
            max_certificates: 32,
            max_crls: 16,
            max_attributes: 64,
        }
    }
}

/// `ContentInfo` with its content left raw.
#[derive(Sequence)]
struct ContentInfoView<'a> {
    content_type: ObjectIdentifier,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    content: AnyRef<'a>,
}

/// `SignedData` with every set left raw, so it can be counted before it is decoded.
#[derive(Sequence)]
struct SignedDataView<'a> {
    version: AnyRef<'a>,
    digest_algorithms: AnyRef<'a>,
    encap_content_info: AnyRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    certificates: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    crls: Option<AnyRef<'a>>,
    signer_infos: AnyRef<'a>,
}

/// `SignerInfo` with its attribute sets left raw: the signature covers the signed attributes
/// as they arrived (RFC 5652 §5.4), never a re-encoding of them.
#[derive(Sequence)]
struct SignerInfoView<'a> {
    version: AnyRef<'a>,
    sid: AnyRef<'a>,
    digest_alg: AnyRef<'a>,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    signed_attrs: Option<AnyRef<'a>>,
    signature_algorithm: AnyRef<'a>,
    signature: AnyRef<'a>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    unsigned_attrs: Option<AnyRef<'a>>,
}

/// The elements of a SET OF or SEQUENCE OF, each as its whole TLV, at most `limit` of them.
fn elements<'a>(
    content: &'a [u8],
    what: &'static str,
    limit: usize,
) -> Result<Vec<&'a [u8]>, CmsError> {
    let mut reader = SliceReader::new(content).map_err(|e| CmsError::malformed("SignedData", e))?;
    let mut out = Vec::new();
    while !reader.is_finished() {
        if out.len() >= limit {
            return Err(CmsError::TooLarge {
                what,
                found: out.len() + 1,
                limit,
            });
        }
        out.push(
            reader
                .tlv_bytes()
                .map_err(|e| CmsError::malformed("SignedData", e))?,
        );
    }
    Ok(out)
}

/// A CMS `SignedData` (RFC 5652 §5) as received: parsed within [`CmsLimits`], with exactly one
/// signer. **Nothing is verified** until [`CmsSignedData::verify`] (or
/// [`CmsSignedData::verify_digest`]) succeeds, and even then the signer's certificate chain is
/// the caller's to validate, at the time the caller chooses (see
/// [`TrustStore::validate_chain`](crate::TrustStore::validate_chain)).
#[derive(Debug, Clone)]
pub struct CmsSignedData {
    content_type: ObjectIdentifier,
    content: Option<Vec<u8>>,
    certificates: Vec<CertificateDer<'static>>,
    crls: Vec<Vec<u8>>,
    signer: SignerInfo,
    signed_attributes: Option<Vec<u8>>,
    signature_value: Vec<u8>,
}

impl CmsSignedData {
    /// Parses a DER `ContentInfo` holding a `SignedData`, with [`CmsLimits::default`].
    pub fn parse(der: &[u8]) -> Result<CmsSignedData, CmsError> {
        CmsSignedData::parse_with(der, &CmsLimits::default())
    }

    /// Parses a DER `ContentInfo` holding a `SignedData`, within `limits`.
    ///
    /// Strict DER only (definite lengths, minimal encodings, no trailing bytes). Exactly one
    /// `SignerInfo` is accepted: RFC 3161 §2.4.2 requires it of timestamp tokens, and PAdES
    /// and CAdES baseline signatures have one.
    pub fn parse_with(der: &[u8], limits: &CmsLimits) -> Result<CmsSignedData, CmsError> {
        if der.len() > limits.max_bytes {
            return Err(CmsError::TooLarge {
                what: "bytes",
                found: der.len(),
                limit: limits.max_bytes,
            });
        }
        let info =
            ContentInfoView::from_der(der).map_err(|e| CmsError::malformed("ContentInfo", e))?;
        if info.content_type != ID_SIGNED_DATA {
            return Err(CmsError::malformed(
                "ContentInfo",
                format!("content type {} is not signedData", info.content_type),
            ));
        }
        let view: SignedDataView<'_> = info
            .content
            .decode_as()
            .map_err(|e| CmsError::malformed("SignedData", e))?;
        let _ = (view.version, view.digest_algorithms);

        let certificates = match &view.certificates {
            Some(set) => elements(set.value(), "certificates", limits.max_certificates)?
                .into_iter()
                // Other certificate formats ([0]..[3] choices) are skipped: only X.509 is used.
                .filter(|tlv| tlv.first() == Some(&0x30))
                .map(|tlv| CertificateDer::from(tlv.to_vec()))
                .collect(),
            None => Vec::new(),
        };
        let crls = match &view.crls {
            Some(set) => elements(set.value(), "CRLs", limits.max_crls)?
                .into_iter()
                // OtherRevocationInfoFormat ([1]: OCSP responses) is not used here.
                .filter(|tlv| tlv.first() == Some(&0x30))
                .map(<[u8]>::to_vec)
                .collect(),
            None => Vec::new(),
        };
        let signer_tlvs = elements(view.signer_infos.value(), "signer infos", 1)?;
        let [signer_tlv] = signer_tlvs.as_slice() else {
            return Err(CmsError::malformed("SignedData", "no SignerInfo"));
        };
        let signer_view = SignerInfoView::from_der(signer_tlv)
            .map_err(|e| CmsError::malformed("SignerInfo", e))?;
        let _ = (
            signer_view.version,
            signer_view.sid,
            signer_view.digest_alg,
            signer_view.signature_algorithm,
        );
        for attrs in [&signer_view.signed_attrs, &signer_view.unsigned_attrs]
            .into_iter()
            .flatten()
        {
            elements(attrs.value(), "attributes", limits.max_attributes)?;
        }
        // The signature covers the DER of the signed attributes with the SET tag (RFC 5652
        // §5.4), i.e. the bytes received with their [0] tag replaced.
        let signed_attributes = match &signer_view.signed_attrs {
            Some(attrs) => {
                let mut bytes = Header::new(Tag::Set, attrs.value().len())
                    .and_then(|h| h.to_der())
                    .map_err(|e| CmsError::malformed("SignerInfo", e))?;
                bytes.extend_from_slice(attrs.value());
                Some(bytes)
            }
            None => None,
        };
        let signature_value = OctetStringRef::try_from(signer_view.signature)
            .map_err(|e| CmsError::malformed("SignerInfo", e))?
            .as_bytes()
            .to_vec();

        // Counts are bounded: now the typed decoding (which sorts sets) is cheap.
        let signer =
            SignerInfo::from_der(signer_tlv).map_err(|e| CmsError::malformed("SignerInfo", e))?;
        let encap = EncapsulatedContentInfo::from_der(
            &view
                .encap_content_info
                .to_der()
                .map_err(|e| CmsError::malformed("EncapsulatedContentInfo", e))?,
        )
        .map_err(|e| CmsError::malformed("EncapsulatedContentInfo", e))?;
        let content = match &encap.econtent {
            Some(any) => Some(
                any.decode_as::<OctetStringRef<'_>>()
                    .map_err(|e| CmsError::malformed("EncapsulatedContentInfo", e))?
                    .as_bytes()
                    .to_vec(),
            ),
            None => None,
        };
        Ok(CmsSignedData {
            content_type: encap.econtent_type,
            content,
            certificates,
            crls,
            signer,
            signed_attributes,
            signature_value,
        })
    }

    /// The encapsulated content type (`eContentType`), e.g. `1.2.840.113549.1.9.16.1.4` for a
    /// timestamp token's TSTInfo.
    pub fn content_type(&self) -> ObjectIdentifier {
        self.content_type
    }

    /// The encapsulated content (`eContent`), or `None` for a detached signature.
    pub fn content(&self) -> Option<&[u8]> {
        self.content.as_deref()
    }

    /// The certificates the SignedData carries, each DER as received (unordered, untrusted).
    pub fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.certificates
    }

    /// The CRLs the SignedData carries, each DER as received (untrusted).
    pub fn crls(&self) -> &[Vec<u8>] {
        &self.crls
    }

    /// The signature value of the single signer.
    pub fn signature_value(&self) -> &[u8] {
        &self.signature_value
    }

    /// The signer's digest algorithm, when it is one this crate accepts.
    pub fn digest_algorithm(&self) -> Result<DigestAlgorithm, CmsError> {
        DigestAlgorithm::from_identifier(&self.signer.digest_alg)
    }

    /// The values (each a DER TLV) of the unsigned attribute `oid`, e.g.
    /// `1.2.840.113549.1.9.16.2.14` (signature-time-stamp token, RFC 3161 Appendix A).
    pub fn unsigned_attribute(&self, oid: &ObjectIdentifier) -> Vec<Vec<u8>> {
        attributes::values(self.signer.unsigned_attrs.as_ref(), oid)
    }

    /// Checks the signer over the encapsulated content, or over `detached` when the content
    /// is not encapsulated: the `contentType` and `messageDigest` signed attributes, the ESS
    /// signing-certificate binding when present, and the signature value with the key of the
    /// signer's certificate (looked up by `sid` among the SignedData's certificates and
    /// `extra_certificates`).
    ///
    /// Signatures without signed attributes are refused: every profile this crate reads (RFC
    /// 3161, CAdES, PAdES) requires them.
    pub fn verify(
        &self,
        detached: Option<&[u8]>,
        extra_certificates: &[CertificateDer<'_>],
    ) -> Result<CmsSigner, CmsError> {
        let data = match (&self.content, detached) {
            (Some(c), None) => c.as_slice(),
            (None, Some(d)) => d,
            (Some(_), Some(_)) => {
                return Err(CmsError::malformed(
                    "EncapsulatedContentInfo",
                    "content is encapsulated and detached content was given too",
                ))
            }
            (None, None) => {
                return Err(CmsError::malformed(
                    "EncapsulatedContentInfo",
                    "the content is detached and was not given",
                ))
            }
        };
        let digest = self.digest_algorithm()?.digest(data);
        self.verify_digest(&digest, extra_certificates)
    }

    /// Like [`CmsSignedData::verify`] for detached content the caller has already hashed with
    /// [`CmsSignedData::digest_algorithm`] (a large file hashed as a stream).
    pub fn verify_digest(
        &self,
        content_digest: &[u8],
        extra_certificates: &[CertificateDer<'_>],
    ) -> Result<CmsSigner, CmsError> {
        let digest = self.digest_algorithm()?;
        let signed = self.signer.signed_attrs.as_ref();
        let (Some(attrs), Some(signed_der)) = (signed, &self.signed_attributes) else {
            return Err(CmsError::MissingAttribute {
                attribute: "signedAttrs",
            });
        };
        let content_type = attributes::content_type(attrs)?;
        if content_type != self.content_type {
            return Err(CmsError::ContentTypeMismatch {
                attribute: content_type.to_string(),
                content: self.content_type.to_string(),
            });
        }
        let message_digest = attributes::message_digest(attrs)?;
        // Not secret: both digests are public; a plain comparison leaks nothing.
        if message_digest != content_digest {
            return Err(CmsError::DigestMismatch);
        }

        let certificate = self.signer_certificate(extra_certificates)?;
        let (_, cert) = X509Certificate::from_der(certificate.as_ref())
            .map_err(|e| CmsError::malformed("signer certificate", e))?;
        let subject = cert.subject().to_string();
        let ess = attributes::ess_binding(attrs, certificate.as_ref(), &cert)?;
        verify_signature(
            &self.signer.signature_algorithm,
            digest,
            cert.public_key().raw,
            signed_der,
            &self.signature_value,
            &subject,
        )?;
        let signing_time = attributes::signing_time(attrs);
        // The chain to validate: the signer first, then every other certificate known here, as
        // candidates for path building (order does not matter to it).
        let mut chain = vec![certificate.clone()];
        for c in self
            .certificates
            .iter()
            .cloned()
            .chain(extra_certificates.iter().map(|c| c.clone().into_owned()))
        {
            if !chain.contains(&c) {
                chain.push(c);
            }
        }
        Ok(CmsSigner {
            certificate,
            chain,
            subject,
            signing_time,
            ess,
            digest,
        })
    }

    /// The certificate `sid` names (RFC 5652 §5.3): by issuer and serial number, or by subject
    /// key identifier.
    fn signer_certificate(
        &self,
        extra: &[CertificateDer<'_>],
    ) -> Result<CertificateDer<'static>, CmsError> {
        let candidates = self
            .certificates
            .iter()
            .map(|c| c.as_ref())
            .chain(extra.iter().map(|c| c.as_ref()));
        for der in candidates {
            let Ok((_, cert)) = X509Certificate::from_der(der) else {
                continue;
            };
            let matches = match &self.signer.sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => {
                    ias.issuer
                        .to_der()
                        .is_ok_and(|issuer| issuer == cert.issuer().as_raw())
                        && ias.serial_number.as_bytes() == cert.raw_serial()
                }
                SignerIdentifier::SubjectKeyIdentifier(ski) => cert.extensions().iter().any(|e| {
                    matches!(
                        e.parsed_extension(),
                        x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k)
                            if k.0 == ski.0.as_bytes()
                    )
                }),
            };
            if matches {
                return Ok(CertificateDer::from(der.to_vec()));
            }
        }
        Err(CmsError::SignerCertificateNotFound)
    }
}

/// The signer of a [`CmsSignedData`] whose signed attributes and signature value checked out.
/// Its certificate chain is **not** validated yet.
#[derive(Debug, Clone)]
pub struct CmsSigner {
    certificate: CertificateDer<'static>,
    chain: Vec<CertificateDer<'static>>,
    subject: String,
    signing_time: Option<OffsetDateTime>,
    ess: Option<EssBinding>,
    digest: DigestAlgorithm,
}

impl CmsSigner {
    /// The signer's certificate (DER).
    pub fn certificate(&self) -> &CertificateDer<'static> {
        &self.certificate
    }

    /// The signer's certificate first, then every other certificate at hand: what
    /// [`TrustStore::validate_chain`](crate::TrustStore::validate_chain) takes.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The signer's subject, RFC 4514 style.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The `signingTime` signed attribute, when present (a claim, like JAdES `iat`).
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        self.signing_time
    }

    /// Whether an ESS signing-certificate attribute (RFC 2634 v1 with SHA-1, or RFC 5035 v2)
    /// bound the signer's certificate; `None` when the signature carries neither.
    pub fn ess_binding(&self) -> Option<EssBinding> {
        self.ess
    }

    /// The digest algorithm of the message digest.
    pub fn digest_algorithm(&self) -> DigestAlgorithm {
        self.digest
    }
}

#[cfg(all(test, feature = "test-pki"))]
mod tests {
    use super::*;
    use crate::signer::Algorithm;
    use crate::testing::TestPki;
    use time::macros::datetime;

    const CONTENT: &[u8] = b"%PDF-1.7 the signed byte range";

    fn signed(alg: Algorithm, certificates: bool) -> (Vec<u8>, Vec<CertificateDer<'static>>) {
        let pki = TestPki::new().unwrap();
        let seal = pki
            .seal("Sở Tài chính", &"000.00.05.H57".parse().unwrap(), alg)
            .unwrap();
        let der = super::super::build::sign(
            &seal.signer().unwrap(),
            ID_DATA,
            CONTENT,
            false,
            datetime!(2025-07-02 09:00 UTC),
            certificates,
        )
        .unwrap();
        (der, seal.chain)
    }

    #[test]
    fn every_algorithm_verifies_detached_and_a_changed_signature_does_not() {
        for alg in Algorithm::ALL {
            let (mut der, _) = signed(alg, true);
            let cms = CmsSignedData::parse(&der).unwrap();
            let signer = cms.verify(Some(CONTENT), &[]).unwrap();
            assert_eq!(signer.ess_binding(), Some(EssBinding::SigningCertificateV2));
            assert_eq!(signer.signing_time(), Some(datetime!(2025-07-02 09:00 UTC)));
            assert!(
                signer.subject().contains("Sở Tài chính"),
                "{}",
                signer.subject()
            );
            // The signature value is the last element: change its last byte.
            let last = der.len() - 1;
            der[last] ^= 0x01;
            let err = CmsSignedData::parse(&der)
                .and_then(|c| c.verify(Some(CONTENT), &[]))
                .unwrap_err();
            assert!(
                matches!(err, CmsError::SignatureInvalid { .. }),
                "{alg}: {err:?}"
            );
        }
    }

    #[test]
    fn content_must_be_given_exactly_once() {
        let (der, _) = signed(Algorithm::Es256, true);
        let cms = CmsSignedData::parse(&der).unwrap();
        assert!(cms.content().is_none());
        assert!(matches!(
            cms.verify(None, &[]),
            Err(CmsError::Malformed {
                part: "EncapsulatedContentInfo",
                ..
            })
        ));
        let digest = cms.digest_algorithm().unwrap().digest(CONTENT);
        cms.verify_digest(&digest, &[]).unwrap();
    }

    #[test]
    fn a_signer_certificate_left_out_is_found_among_those_given() {
        let (der, chain) = signed(Algorithm::Es256, false);
        let cms = CmsSignedData::parse(&der).unwrap();
        assert!(cms.certificates().is_empty());
        assert_eq!(
            cms.verify(Some(CONTENT), &[]).unwrap_err(),
            CmsError::SignerCertificateNotFound
        );
        let signer = cms.verify(Some(CONTENT), &chain).unwrap();
        assert_eq!(signer.certificate(), &chain[0]);
    }

    #[test]
    fn counts_are_bounded_before_sets_are_decoded() {
        let (der, _) = signed(Algorithm::Es256, true);
        let limits = CmsLimits {
            max_certificates: 1,
            ..CmsLimits::default()
        };
        assert_eq!(
            CmsSignedData::parse_with(&der, &limits).unwrap_err(),
            CmsError::TooLarge {
                what: "certificates",
                found: 2,
                limit: 1
            }
        );
        let limits = CmsLimits {
            max_attributes: 3,
            ..CmsLimits::default()
        };
        assert!(matches!(
            CmsSignedData::parse_with(&der, &limits),
            Err(CmsError::TooLarge {
                what: "attributes",
                ..
            })
        ));
        let limits = CmsLimits {
            max_bytes: der.len() - 1,
            ..CmsLimits::default()
        };
        assert!(matches!(
            CmsSignedData::parse_with(&der, &limits),
            Err(CmsError::TooLarge { what: "bytes", .. })
        ));
    }

    #[test]
    fn truncated_and_mutated_input_never_panics() {
        // A cheap stand-in for the fuzz target: every prefix, and every byte replaced by a
        // few values that break tags, lengths and contents.
        let (der, _) = signed(Algorithm::Es256, true);
        for i in 0..der.len() {
            let _ = CmsSignedData::parse(&der[..i]).map(|c| c.verify(Some(CONTENT), &[]));
            for b in [0x00, 0x30, 0x31, 0x80, 0x84, 0xa0, 0xff] {
                let mut m = der.clone();
                m[i] = b;
                if let Ok(c) = CmsSignedData::parse(&m) {
                    // Whatever parses may verify only if the signed parts were not touched.
                    if c.verify(Some(CONTENT), &[]).is_ok() {
                        assert_eq!(
                            c.signature_value(),
                            CmsSignedData::parse(&der).unwrap().signature_value()
                        );
                    }
                }
            }
        }
    }
}
