//! A time-stamping authority that signs with a key this process holds or reaches: a software
//! key, or a PKCS#11 token (an HSM-backed TSA). It answers RFC 3161 requests as a TSA service
//! would, and refuses the requests a TSA must refuse (RFC 3161 §2.4.2).

use std::sync::atomic::{AtomicU64, Ordering};

use cmpv2::status::{PkiFailureInfoValues, PkiStatus, PkiStatusInfo};
use der::asn1::{GeneralizedTime, Int, ObjectIdentifier};
use der::{Decode, Encode, Sequence};
use time::OffsetDateTime;
use x509_tsp::{Accuracy, TimeStampReq, TspVersion, TstInfo};

use super::error::TimestampError;
use super::request::TimestampAuthority;
use super::token::{check_timestamping_certificate, ID_CT_TST_INFO};
use crate::cms::DigestAlgorithm;
use crate::signer::Signer;

/// The largest request read: an imprint of 64 bytes, a nonce and a policy fit in 200.
const MAX_REQUEST_BYTES: usize = 4096;

/// `TimeStampResp` as written: the token is a ready DER `ContentInfo`.
#[derive(Sequence)]
struct TimeStampRespOut<'a> {
    status: PkiStatusInfo<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<der::Any>,
}

/// A TSA over a [`Signer`] whose certificate is a time-stamping certificate (id-kp-timeStamping,
/// critical, alone). The clock is an input, like everything the library does with time.
pub struct SignerTsa {
    signer: Box<dyn Signer>,
    policy: ObjectIdentifier,
    clock: Box<dyn Fn() -> OffsetDateTime + Send + Sync>,
    counter: AtomicU64,
}

impl std::fmt::Debug for SignerTsa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerTsa")
            .field("algorithm", &self.signer.algorithm())
            .field("policy", &self.policy)
            .finish()
    }
}

impl SignerTsa {
    /// A TSA signing with `signer` under the TSA policy `policy` (a dotted OID), taking the
    /// time from `clock`. Refuses a signer whose certificate is not for time-stamping.
    pub fn new(
        signer: Box<dyn Signer>,
        policy: &str,
        clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static,
    ) -> Result<SignerTsa, TimestampError> {
        let policy = ObjectIdentifier::new(policy)
            .map_err(|e| TimestampError::malformed("TSA policy", e))?;
        let leaf = signer
            .certificate_chain()
            .first()
            .ok_or_else(|| TimestampError::malformed("TSA certificate", "the signer has none"))?;
        check_timestamping_certificate(leaf)?;
        Ok(SignerTsa {
            signer,
            policy,
            clock: Box::new(clock),
            counter: AtomicU64::new(0),
        })
    }

    fn refuse(failure: PkiFailureInfoValues) -> Result<Vec<u8>, TimestampError> {
        TimeStampRespOut {
            status: PkiStatusInfo {
                status: PkiStatus::Rejection,
                status_string: None,
                fail_info: Some(failure.into()),
            },
            time_stamp_token: None,
        }
        .to_der()
        .map_err(|e| TimestampError::malformed("TimeStampResp", e))
    }
}

impl TimestampAuthority for SignerTsa {
    fn respond(&self, request: &[u8]) -> Result<Vec<u8>, TimestampError> {
        if request.len() > MAX_REQUEST_BYTES {
            return SignerTsa::refuse(PkiFailureInfoValues::BadDataFormat);
        }
        let Ok(req) = TimeStampReq::from_der(request) else {
            return SignerTsa::refuse(PkiFailureInfoValues::BadDataFormat);
        };
        let imprint = &req.message_imprint;
        let algorithm_ok =
            DigestAlgorithm::from_oid(&imprint.hash_algorithm.oid).is_some_and(|a| {
                a.output_len() == imprint.hashed_message.as_bytes().len()
                    && imprint
                        .hash_algorithm
                        .parameters
                        .as_ref()
                        .is_none_or(|p| p.is_null())
            });
        if !algorithm_ok {
            return SignerTsa::refuse(PkiFailureInfoValues::BadAlg);
        }
        if req.req_policy.is_some_and(|p| p != self.policy) {
            return SignerTsa::refuse(PkiFailureInfoValues::UnacceptedPolicy);
        }
        if req.extensions.is_some() {
            return SignerTsa::refuse(PkiFailureInfoValues::UnacceptedExtension);
        }
        let now = (self.clock)();
        let secs = u64::try_from(now.unix_timestamp())
            .map_err(|_| TimestampError::malformed("TSA clock", "before 1970"))?;
        let gen_time = GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(secs))
            .map_err(|e| TimestampError::malformed("TSA clock", e))?;
        // Unique per TSA: the time in milliseconds, then a counter for tokens of one millisecond.
        let count = self.counter.fetch_add(1, Ordering::Relaxed);
        let millis = (now.unix_timestamp_nanos() / 1_000_000) as u64;
        let mut serial = vec![0u8];
        serial.extend_from_slice(&millis.to_be_bytes());
        serial.extend_from_slice(&(count & 0xffff).to_be_bytes()[6..]);
        let serial: Vec<u8> = {
            let trimmed: Vec<u8> = serial.iter().copied().skip_while(|b| *b == 0).collect();
            if trimmed.first().is_some_and(|b| b & 0x80 != 0) {
                std::iter::once(0).chain(trimmed).collect()
            } else {
                trimmed
            }
        };
        let info = TstInfo {
            version: TspVersion::V1,
            policy: self.policy,
            message_imprint: req.message_imprint.clone(),
            serial_number: Int::new(&serial)
                .map_err(|e| TimestampError::malformed("TSTInfo", e))?,
            gen_time,
            accuracy: Some(Accuracy {
                seconds: Some(1),
                millis: None,
                micros: None,
            }),
            ordering: false,
            nonce: req.nonce.clone(),
            tsa: None,
            extensions: None,
        };
        let info = info
            .to_der()
            .map_err(|e| TimestampError::malformed("TSTInfo", e))?;
        let token = crate::cms::sign_encapsulated(
            self.signer.as_ref(),
            ID_CT_TST_INFO,
            &info,
            now,
            req.cert_req,
        )?;
        TimeStampRespOut {
            status: PkiStatusInfo {
                status: PkiStatus::Accepted,
                status_string: None,
                fail_info: None,
            },
            time_stamp_token: Some(
                der::Any::from_der(&token).map_err(|e| TimestampError::malformed("token", e))?,
            ),
        }
        .to_der()
        .map_err(|e| TimestampError::malformed("TimeStampResp", e))
    }
}
