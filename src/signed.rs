//! Small signed JSON messages (receipts, trace entries, status messages): JAdES B-B in JWS
//! compact serialization with the canonical JSON attached, commitment proof of receipt.

use std::sync::Arc;

use base64::Engine;
use time::OffsetDateTime;

use crate::jades::{
    sign_attached_compact, verify_attached, Commitment, JadesError, JwsSignature, ParsedSignature,
    SignOptions,
};
use crate::signer::Signer;
use crate::trust::{CertificateName, Policy, TrustStore, ValidatedChain, ValidationTimes};

/// Why a signed receipt, trace entry or status message did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignedMessageError {
    /// Larger than the limit for this kind of message.
    #[error("{what} is {size} bytes; the limit is {limit}")]
    TooLarge {
        /// Which message.
        what: &'static str,
        /// Its size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Not a JWS compact serialization, or not a JAdES B-B signature.
    #[error("{what} is malformed: {reason}")]
    Format {
        /// Which message.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The signature value does not verify over the attached content.
    #[error("the signature of {what} by {signer} does not verify: {reason}")]
    Signature {
        /// Which message.
        what: &'static str,
        /// The signer certificate's subject, unverified.
        signer: String,
        /// Why.
        reason: String,
    },
    /// The signature does not carry the proof-of-receipt commitment.
    #[error("{what} must be signed with the proof-of-receipt commitment")]
    Commitment {
        /// Which message.
        what: &'static str,
    },
    /// The signer's certificate chain is not trusted under the policy.
    #[error("the certificate of {signer}, who signed {what}, is not trusted: {reason}")]
    Chain {
        /// Which message.
        what: &'static str,
        /// The signer.
        signer: String,
        /// Why.
        reason: String,
    },
    /// The signer is trusted but may not sign this message (wrong agency or hub).
    #[error("{what} is signed by {signer}, who cannot sign for {claimed}")]
    WrongSigner {
        /// Which message.
        what: &'static str,
        /// The signer.
        signer: String,
        /// Who the message claims to come from.
        claimed: String,
    },
    /// The time the message states is too far from its signing time (`iat`) or from the
    /// checking clock (the window is [`Policy::status_time_window_seconds`], the clock skew
    /// [`Policy::clock_skew_seconds`]).
    #[error("{what}: {reason}")]
    Time {
        /// Which message.
        what: &'static str,
        /// Which times, and how far apart.
        reason: String,
    },
    /// The signed content is not the expected JSON.
    #[error("{what} content is invalid: {reason}")]
    Content {
        /// Which message.
        what: &'static str,
        /// Why.
        reason: String,
    },
}

/// A checked signature over attached JSON.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub(crate) payload: Vec<u8>,
    pub(crate) chain: Arc<ValidatedChain>,
    /// SHA-256 of the JWS signing input (`protected.payload`): what the signature signs, the
    /// same for every encoding of the signature value and whatever surrounds the JWS.
    pub(crate) signed_content: [u8; 32],
    /// The signing time the signature claims (`iat`).
    pub(crate) signing_time: OffsetDateTime,
}

/// Signs `payload` (canonical JSON) as compact JWS with proof of receipt at `time`.
pub(crate) fn sign(
    signer: &dyn Signer,
    payload: &[u8],
    time: OffsetDateTime,
) -> Result<String, JadesError> {
    let opts = SignOptions::new(time).with_commitment(Commitment::ProofOfReceipt);
    sign_attached_compact(signer, payload, &opts)
}

/// The three segments of a compact JWS.
pub(crate) fn split(text: &str, what: &'static str) -> Result<[String; 3], SignedMessageError> {
    let mut parts = text.trim().split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => Ok([h.to_owned(), p.to_owned(), s.to_owned()]),
        _ => Err(SignedMessageError::Format {
            what,
            reason: "a JWS compact serialization has three dot-separated parts".into(),
        }),
    }
}

/// Verifies a compact JWS with attached payload: JAdES B-B form, proof of receipt, signature
/// value, and the signer's chain at the claimed signing time (checked against `now`).
pub(crate) fn verify(
    bytes: &[u8],
    what: &'static str,
    max_bytes: usize,
    trust: &TrustStore,
    policy: &Policy,
    now: OffsetDateTime,
) -> Result<Checked, SignedMessageError> {
    if bytes.len() > max_bytes {
        return Err(SignedMessageError::TooLarge {
            what,
            size: bytes.len(),
            limit: max_bytes,
        });
    }
    let text = std::str::from_utf8(bytes).map_err(|_| SignedMessageError::Format {
        what,
        reason: "not UTF-8 text".into(),
    })?;
    let [protected, payload, signature] = split(text, what)?;
    let jws = JwsSignature {
        protected,
        signature,
    };
    let parsed = ParsedSignature::parse(&jws).map_err(|e| SignedMessageError::Format {
        what,
        reason: e.to_string(),
    })?;
    let signer = parsed
        .leaf()
        .map(|l| describe(l.as_ref()))
        .unwrap_or_else(|| "an unidentified signer".into());
    if parsed.commitment() != Some(Commitment::ProofOfReceipt) {
        return Err(SignedMessageError::Commitment { what });
    }
    if !policy.allowed_algorithms.contains(&parsed.algorithm()) {
        return Err(SignedMessageError::Signature {
            what,
            signer,
            reason: format!("the policy does not allow {}", parsed.algorithm()),
        });
    }
    verify_attached(&parsed, &payload).map_err(|e| SignedMessageError::Signature {
        what,
        signer: signer.clone(),
        reason: e.to_string(),
    })?;
    let signing_time = parsed
        .signing_time()
        .ok_or_else(|| SignedMessageError::Format {
            what,
            reason: "no signing time (iat)".into(),
        })?;
    let chain = trust
        .validate_chain(
            parsed.chain(),
            ValidationTimes::signed_at(now, signing_time),
            policy,
        )
        .map_err(|e| SignedMessageError::Chain {
            what,
            signer: signer.clone(),
            reason: e.to_string(),
        })?;
    let signed_content = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(jws.protected.as_bytes());
        h.update(b".");
        h.update(payload.as_bytes());
        h.finalize().into()
    };
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.as_bytes())
        .map_err(|_| SignedMessageError::Format {
            what,
            reason: "the payload is not base64url".into(),
        })?;
    Ok(Checked {
        payload,
        chain,
        signed_content,
        signing_time,
    })
}

/// The subject of a certificate in words, read without trusting it (for error messages).
pub(crate) fn describe(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::certificate::X509Certificate::from_der(der) {
        Ok((_, cert)) => CertificateName::from_x509(cert.subject()).to_string(),
        Err(_) => "an unreadable certificate".into(),
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
