//! One RFC 3161 `TimeStampToken`: a CMS SignedData over a `TSTInfo` (RFC 3161 §2.4.2).

use std::sync::Arc;

use der::asn1::{AnyRef, IntRef, ObjectIdentifier, OctetStringRef};
use der::{
    Decode, DecodeValue, EncodeValue, FixedTag, Header, Length, Reader, Sequence, Tag, Writer,
};
use rustls_pki_types::CertificateDer;
use spki::AlgorithmIdentifierOwned;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_tsp::{Accuracy, TspVersion};

use super::error::TimestampError;
use crate::cms::{CmsLimits, CmsSignedData, CmsSigner, DigestAlgorithm, Hasher};
use crate::trust::{ChainError, Policy, TrustStore, ValidatedChain, ValidationTimes};

/// id-ct-TSTInfo (RFC 3161 §2.4.2).
pub(crate) const ID_CT_TST_INFO: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.1.4");

/// A token is small: a few KiB with the TSA's chain. 256 KiB bounds a hostile one.
pub(crate) const MAX_TOKEN_BYTES: usize = 256 * 1024;

/// GeneralizedTime as RFC 3161 §2.4.2 allows it in genTime: `YYYYMMDDhhmmss[.s+]Z`, with
/// fractional seconds (which the `der` crate's GeneralizedTime does not read).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct GenTime(pub(crate) OffsetDateTime);

impl GenTime {
    fn parse(text: &[u8]) -> Option<OffsetDateTime> {
        let text = std::str::from_utf8(text).ok()?;
        let body = text.strip_suffix('Z')?;
        let (whole, fraction) = match body.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (body, None),
        };
        if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n = |r: std::ops::Range<usize>| whole.get(r)?.parse::<u32>().ok();
        let date = Date::from_calendar_date(
            i32::try_from(n(0..4)?).ok()?,
            Month::try_from(u8::try_from(n(4..6)?).ok()?).ok()?,
            u8::try_from(n(6..8)?).ok()?,
        )
        .ok()?;
        let nanos = match fraction {
            // RFC 3161: at least one digit, no trailing zero; more than 9 are not kept.
            Some(f)
                if !f.is_empty()
                    && f.len() <= 9
                    && !f.ends_with('0')
                    && f.bytes().all(|b| b.is_ascii_digit()) =>
            {
                format!("{f:0<9}").parse::<u32>().ok()?
            }
            Some(_) => return None,
            None => 0,
        };
        let t = Time::from_hms_nano(
            u8::try_from(n(8..10)?).ok()?,
            u8::try_from(n(10..12)?).ok()?,
            u8::try_from(n(12..14)?).ok()?,
            nanos,
        )
        .ok()?;
        Some(PrimitiveDateTime::new(date, t).assume_utc())
    }
}

impl<'a> DecodeValue<'a> for GenTime {
    fn decode_value<R: Reader<'a>>(reader: &mut R, header: Header) -> der::Result<Self> {
        let bytes = reader.read_slice(header.length)?;
        GenTime::parse(bytes)
            .map(GenTime)
            .ok_or_else(|| Tag::GeneralizedTime.value_error())
    }
}

impl EncodeValue for GenTime {
    fn value_len(&self) -> der::Result<Length> {
        Length::try_from(self.text().len())
    }
    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        writer.write(self.text().as_bytes())
    }
}

impl GenTime {
    fn text(&self) -> String {
        let t = self.0;
        let mut s = format!(
            "{:04}{:02}{:02}{:02}{:02}{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        );
        if t.nanosecond() != 0 {
            s.push('.');
            s.push_str(format!("{:09}", t.nanosecond()).trim_end_matches('0'));
        }
        s.push('Z');
        s
    }
}

impl FixedTag for GenTime {
    const TAG: Tag = Tag::GeneralizedTime;
}

#[derive(Sequence)]
struct MessageImprintView<'a> {
    hash_algorithm: AlgorithmIdentifierOwned,
    hashed_message: OctetStringRef<'a>,
}

/// TSTInfo (RFC 3161 §2.4.2) as read: x509-tsp's own `TstInfo` refuses fractional seconds.
#[derive(Sequence)]
struct TstInfoView<'a> {
    version: TspVersion,
    policy: ObjectIdentifier,
    message_imprint: MessageImprintView<'a>,
    serial_number: IntRef<'a>,
    gen_time: GenTime,
    #[asn1(optional = "true")]
    accuracy: Option<Accuracy>,
    #[asn1(default = "Default::default")]
    ordering: bool,
    #[asn1(optional = "true")]
    nonce: Option<IntRef<'a>>,
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    tsa: Option<AnyRef<'a>>,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    extensions: Option<AnyRef<'a>>,
}

/// An RFC 3161 timestamp token as received: its structure checked, **nothing verified**.
///
/// [`TimestampToken::check_imprint`] ties it to the data it covers, [`TimestampToken::verify_signature`]
/// checks its CMS signature, its ESS signing-certificate binding and the TSA certificate's
/// purpose, and [`TimestampToken::validate_tsa_chain`] validates the TSA's chain at a chosen
/// time. Only all three together make the generation time a proof of existence.
#[derive(Debug, Clone)]
pub struct TimestampToken {
    der: Arc<[u8]>,
    cms: CmsSignedData,
    gen_time: OffsetDateTime,
    imprint_algorithm: AlgorithmIdentifierOwned,
    imprint: Vec<u8>,
    serial: Vec<u8>,
    nonce: Option<Vec<u8>>,
    policy: ObjectIdentifier,
    tsa_name: Option<String>,
}

impl TimestampToken {
    /// Parses a DER `TimeStampToken` (a `ContentInfo`), bounded to 256 KiB.
    pub fn parse(der: &[u8]) -> Result<TimestampToken, TimestampError> {
        let limits = CmsLimits {
            max_bytes: MAX_TOKEN_BYTES,
            ..CmsLimits::default()
        };
        let cms = CmsSignedData::parse_with(der, &limits)?;
        if cms.content_type() != ID_CT_TST_INFO {
            return Err(TimestampError::malformed(
                "TimeStampToken",
                format!("content type {} is not id-ct-TSTInfo", cms.content_type()),
            ));
        }
        let content = cms
            .content()
            .ok_or_else(|| TimestampError::malformed("TimeStampToken", "no TSTInfo"))?;
        let info =
            TstInfoView::from_der(content).map_err(|e| TimestampError::malformed("TSTInfo", e))?;
        let _ = (
            info.version,
            &info.accuracy,
            info.ordering,
            &info.extensions,
        );
        let tsa_name = info.tsa.and_then(|name| {
            use der::Encode;
            let general =
                x509_cert::ext::pkix::name::GeneralName::from_der(&name.to_der().ok()?).ok()?;
            Some(match general {
                x509_cert::ext::pkix::name::GeneralName::DirectoryName(dn) => dn.to_string(),
                other => format!("{other:?}"),
            })
        });
        Ok(TimestampToken {
            der: Arc::from(der),
            gen_time: info.gen_time.0,
            imprint_algorithm: info.message_imprint.hash_algorithm,
            imprint: info.message_imprint.hashed_message.as_bytes().to_vec(),
            serial: info.serial_number.as_bytes().to_vec(),
            nonce: info.nonce.map(|n| n.as_bytes().to_vec()),
            policy: info.policy,
            tsa_name,
            cms,
        })
    }

    /// The token's DER, as received.
    pub fn as_der(&self) -> &[u8] {
        &self.der
    }

    /// The generation time (`genTime`): the TSA's statement of when it saw the imprint.
    /// Untrusted until the token is verified.
    pub fn gen_time(&self) -> OffsetDateTime {
        self.gen_time
    }

    /// The digest algorithm of the message imprint.
    pub fn imprint_algorithm(&self) -> Result<DigestAlgorithm, TimestampError> {
        Ok(DigestAlgorithm::from_identifier(&self.imprint_algorithm)?)
    }

    /// The message imprint (the digest of the timestamped data).
    pub fn message_imprint(&self) -> &[u8] {
        &self.imprint
    }

    /// The serial number, big-endian two's complement as encoded.
    pub fn serial_number(&self) -> &[u8] {
        &self.serial
    }

    /// The nonce, when the request carried one, as encoded.
    pub fn nonce(&self) -> Option<&[u8]> {
        self.nonce.as_deref()
    }

    /// The TSA's policy OID.
    pub fn policy(&self) -> ObjectIdentifier {
        self.policy
    }

    /// The `tsa` name the token gives (a hint, RFC 3161 §2.4.2), when present.
    pub fn tsa_name(&self) -> Option<&str> {
        self.tsa_name.as_deref()
    }

    /// The certificates the token carries (usually the TSA's chain), untrusted.
    pub fn certificates(&self) -> &[CertificateDer<'static>] {
        self.cms.certificates()
    }

    /// Checks that the message imprint is the digest of `data`.
    pub fn check_imprint(&self, data: &[u8], covered: &'static str) -> Result<(), TimestampError> {
        self.check_imprint_with(covered, |h| h.update(data))
    }

    /// Checks the message imprint against data fed in parts to `feed` (large or scattered
    /// data, such as what an archive timestamp covers).
    pub fn check_imprint_with(
        &self,
        covered: &'static str,
        feed: impl FnOnce(&mut Hasher),
    ) -> Result<(), TimestampError> {
        let mut hasher = self.imprint_algorithm()?.hasher();
        feed(&mut hasher);
        if hasher.finish() == self.imprint {
            Ok(())
        } else {
            Err(TimestampError::ImprintMismatch { covered })
        }
    }

    /// Checks the CMS signature over the TSTInfo, the ESS signing-certificate binding of the
    /// TSA certificate (RFC 3161 §2.4.1 with RFC 5816), and that the certificate is for
    /// time-stamping only, with the extended key usage marked critical (RFC 3161 §2.3).
    ///
    /// The TSA certificate is looked up in the token and in `extra_certificates` (validation
    /// data carried elsewhere, for tokens requested without certificates). Its chain is NOT
    /// validated here.
    pub fn verify_signature(
        &self,
        extra_certificates: &[CertificateDer<'_>],
    ) -> Result<CmsSigner, TimestampError> {
        let signer = self.cms.verify(None, extra_certificates)?;
        if signer.ess_binding().is_none() {
            return Err(TimestampError::SigningCertificateMissing);
        }
        check_timestamping_certificate(signer.certificate())?;
        Ok(signer)
    }

    /// Validates the TSA's certificate chain (from a verified signer) against `trust` at the
    /// instant `at` (the token's own time when it is recent, or the time of a later proof of
    /// existence), under `policy` adapted to TSAs: the end-entity must carry
    /// id-kp-timeStamping, and its key usage, when present, must allow signing.
    pub fn validate_tsa_chain(
        signer: &CmsSigner,
        trust: &TrustStore,
        policy: &Policy,
        at: OffsetDateTime,
    ) -> Result<Arc<ValidatedChain>, ChainError> {
        trust.validate_chain(
            signer.chain(),
            ValidationTimes::at(at),
            &policy.for_timestamping(),
        )
    }
}

/// id-kp-timeStamping, and nothing else, in a critical extended key usage (RFC 3161 §2.3).
pub(crate) fn check_timestamping_certificate(der: &[u8]) -> Result<(), TimestampError> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| TimestampError::malformed("TSA certificate", e))?;
    let subject = cert.subject().to_string();
    let refuse = |reason| TimestampError::NotTimestampingCertificate {
        subject: subject.clone(),
        reason,
    };
    match cert.extended_key_usage() {
        Ok(Some(eku)) => {
            let v = eku.value;
            if !eku.critical {
                return Err(refuse("its extended key usage is not critical"));
            }
            let only = v.time_stamping
                && !v.any
                && !v.server_auth
                && !v.client_auth
                && !v.code_signing
                && !v.email_protection
                && !v.ocsp_signing
                && v.other.is_empty();
            if !only {
                return Err(refuse(
                    "its extended key usage is not id-kp-timeStamping alone",
                ));
            }
            Ok(())
        }
        Ok(None) => Err(refuse("it has no extended key usage")),
        Err(_) => Err(refuse("its extended key usage is malformed")),
    }
}
