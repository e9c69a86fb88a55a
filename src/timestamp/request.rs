//! The RFC 3161 exchange: a `TimeStampReq` out, a `TimeStampResp` back (§2.4.1, §2.4.2).

use cmpv2::status::{PkiStatus, PkiStatusInfo};
use der::asn1::{AnyRef, Int, OctetString};
use der::{Any, Decode, Encode, Sequence};
use x509_tsp::{MessageImprint, TimeStampReq, TspVersion};

use super::error::TimestampError;
use super::token::{TimestampToken, MAX_TOKEN_BYTES};
use crate::cms::DigestAlgorithm;

/// A time-stamping authority (TSA, RFC 3161): it answers a DER `TimeStampReq` with a DER
/// `TimeStampResp`.
///
/// Implement it to plug in any TSA: an HTTP service (`HttpTsa`, feature `client`), a local key
/// ([`SignerTsa`](super::SignerTsa), which also serves keys on PKCS#11 tokens), or a test
/// double. Every answer is checked by the caller ([`TimestampRequest::read_response`]), so an
/// implementation need not be trusted.
pub trait TimestampAuthority: Send + Sync {
    /// Answers one request: `request` is a DER `TimeStampReq`; the result is the DER
    /// `TimeStampResp` (status and, when granted, the token).
    fn respond(&self, request: &[u8]) -> Result<Vec<u8>, TimestampError>;
}

/// `TimeStampResp` (RFC 3161 §2.4.2) with the token left raw, so it is kept byte for byte.
#[derive(Sequence)]
struct TimeStampRespView<'a> {
    status: AnyRef<'a>,
    #[asn1(optional = "true")]
    time_stamp_token: Option<AnyRef<'a>>,
}

/// A request for a timestamp over some data: its imprint, a nonce, and `certReq` set so the
/// token carries the TSA's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampRequest {
    der: Vec<u8>,
    algorithm: DigestAlgorithm,
    imprint: Vec<u8>,
    nonce: Vec<u8>,
}

impl TimestampRequest {
    /// A request for the digest of `data` under `algorithm`, with `nonce` (random bytes the
    /// caller draws: the library takes randomness as an input) to tie the answer to it.
    pub fn new(
        algorithm: DigestAlgorithm,
        data: &[u8],
        nonce: [u8; 8],
    ) -> Result<TimestampRequest, TimestampError> {
        TimestampRequest::for_digest(algorithm, algorithm.digest(data), nonce)
    }

    /// A request for an imprint already computed (`digest` under `algorithm`).
    pub fn for_digest(
        algorithm: DigestAlgorithm,
        digest: Vec<u8>,
        nonce: [u8; 8],
    ) -> Result<TimestampRequest, TimestampError> {
        if digest.len() != algorithm.output_len() {
            return Err(TimestampError::malformed(
                "TimeStampReq",
                format!(
                    "a {algorithm} digest is {} bytes, not {}",
                    algorithm.output_len(),
                    digest.len()
                ),
            ));
        }
        let bad = |e: der::Error| TimestampError::malformed("TimeStampReq", e);
        // A positive INTEGER in minimal two's complement (X.690 §8.3.2).
        let mut nonce: Vec<u8> = nonce.iter().copied().skip_while(|b| *b == 0).collect();
        if nonce.is_empty() {
            nonce.push(1);
        }
        if nonce[0] & 0x80 != 0 {
            nonce.insert(0, 0);
        }
        let req = TimeStampReq {
            version: TspVersion::V1,
            message_imprint: MessageImprint {
                hash_algorithm: spki::AlgorithmIdentifier {
                    oid: algorithm.oid(),
                    parameters: Some(Any::null()),
                },
                hashed_message: OctetString::new(digest.clone()).map_err(bad)?,
            },
            req_policy: None,
            nonce: Some(Int::new(&nonce).map_err(bad)?),
            cert_req: true,
            extensions: None,
        };
        Ok(TimestampRequest {
            der: req.to_der().map_err(bad)?,
            algorithm,
            imprint: digest,
            nonce,
        })
    }

    /// The DER `TimeStampReq` to send (HTTP: `Content-Type: application/timestamp-query`).
    pub fn to_der(&self) -> &[u8] {
        &self.der
    }

    /// Reads the TSA's DER `TimeStampResp` to this request: the status must be granted, and
    /// the token must answer this request (imprint, algorithm, nonce), carry a valid CMS
    /// signature, bind its certificate (ESS) and come from a time-stamping certificate. The
    /// TSA's chain is not validated here (see [`TimestampToken::validate_tsa_chain`]).
    pub fn read_response(&self, response: &[u8]) -> Result<TimestampToken, TimestampError> {
        if response.len() > MAX_TOKEN_BYTES + 4096 {
            return Err(TimestampError::malformed(
                "TimeStampResp",
                format!(
                    "{} bytes, more than a timestamp response needs",
                    response.len()
                ),
            ));
        }
        let view = TimeStampRespView::from_der(response)
            .map_err(|e| TimestampError::malformed("TimeStampResp", e))?;
        let status_der = view
            .status
            .to_der()
            .map_err(|e| TimestampError::malformed("TimeStampResp", e))?;
        let status = PkiStatusInfo::from_der(&status_der)
            .map_err(|e| TimestampError::malformed("PKIStatusInfo", e))?;
        if !matches!(
            status.status,
            PkiStatus::Accepted | PkiStatus::GrantedWithMods
        ) {
            let mut detail = Vec::new();
            if let Some(text) = &status.status_string {
                detail.extend(text.iter().map(|s| s.as_str().to_owned()));
            }
            if let Some(fail) = status.fail_info {
                detail.push(format!("failInfo {fail:?}"));
            }
            return Err(TimestampError::Refused {
                status: format!("{:?}", status.status),
                detail: (!detail.is_empty()).then(|| detail.join("; ")),
            });
        }
        let token = view
            .time_stamp_token
            .ok_or_else(|| TimestampError::malformed("TimeStampResp", "granted, but no token"))?;
        let token = TimestampToken::parse(
            &token
                .to_der()
                .map_err(|e| TimestampError::malformed("TimeStampResp", e))?,
        )?;
        self.check_answer(&token)?;
        token.verify_signature(&[])?;
        Ok(token)
    }

    /// The token answers this request: same imprint and algorithm, same nonce.
    pub(crate) fn check_answer(&self, token: &TimestampToken) -> Result<(), TimestampError> {
        if token.imprint_algorithm()? != self.algorithm {
            return Err(TimestampError::RequestMismatch("another digest algorithm"));
        }
        if token.message_imprint() != self.imprint.as_slice() {
            return Err(TimestampError::ImprintMismatch {
                covered: "requested data",
            });
        }
        if token.nonce() != Some(self.nonce.as_slice()) {
            return Err(TimestampError::RequestMismatch("another nonce"));
        }
        Ok(())
    }
}

/// Asks `tsa` for a timestamp over `data` (SHA-256 imprint, a random nonce from `rng`), and
/// returns the token once it answers this request and its signature checks out.
pub fn request_timestamp(
    tsa: &dyn TimestampAuthority,
    data: &[u8],
    rng: &dyn ring::rand::SecureRandom,
) -> Result<TimestampToken, TimestampError> {
    let mut nonce = [0u8; 8];
    rng.fill(&mut nonce)
        .map_err(|_| TimestampError::Unavailable {
            tsa: "nonce".into(),
            reason: "the random number generator failed".into(),
        })?;
    let request = TimestampRequest::new(DigestAlgorithm::Sha256, data, nonce)?;
    let response = tsa.respond(request.to_der())?;
    request.read_response(&response)
}
