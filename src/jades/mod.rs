//! JWS / JAdES signatures (ETSI TS 119 182-1): protected header, `sigD`, signing and checking.
//!
//! This module knows nothing of packages or routing.
//!
//! What EU DSS does, and this module matches (read in esig/dss: `JAdESLevelBaselineB`
//! `incorporateCritical`, `DSSJsonUtils` required/supported critical headers and critical
//! header exceptions, `JAdESBaselineRequirementsChecker`; checked on the samples in
//! `shared/vectors/jades-dss`):
//! - a signer lists in `crit` exactly the "required critical headers" present: `sigD` and
//!   `b64`; `srCms` and `iat` are not listed (older DSS versions also listed `sigT`);
//! - a validator refuses `crit` that is empty, not an array of strings, names a registered
//!   JWS member (`alg`, `x5c`, `x5t#S256`, ...), or omits `sigD`/`b64` when present; it accepts
//!   other JAdES members (`sigT`, `srCms`, ...) listed there. This verifier additionally
//!   refuses critical members it does not process (`sigPId`, `adoTst`, `etsiU`, `exp`, ...);
//! - the signing input of a `sigD` signature is `BASE64URL(protected) || "."` (empty payload);
//! - `hashV` is SHA-256 of the raw object bytes with `b64: false`, of the base64url text of
//!   the object without `b64`;
//! - `iat` is integer seconds (one old DSS sample has milliseconds: it is refused as out of
//!   range).

mod b64;
mod error;
mod key;
mod message;
mod parse;
mod sign;
mod unsigned;
mod verify;

pub(crate) use b64::encode_url;
pub use error::JadesError;
pub use key::verify_raw_signature;
pub use message::JwsMessage;
pub use parse::{ParsedSignature, Profile, SignedObjectRef};
pub use sign::{sign_attached_compact, sign_detached, DetachedObject, SignOptions};
pub use unsigned::{RevocationValues, UnsignedComponent, UnsignedProperties, UnsignedValue};
pub use verify::{
    verify_attached, verify_attached_with_key, verify_detached, verify_detached_documents,
    verify_detached_payload,
};

use serde::{Deserialize, Serialize};

/// One signature of a JWS JSON serialization (RFC 7515 §7.2.1), kept exactly as received.
///
/// Both members are the base64url text as it arrived: the signature is checked over these
/// bytes, never over a re-encoding of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwsSignature {
    /// `BASE64URL(UTF8(JWS Protected Header))`, untrusted until verified.
    pub protected: String,
    /// `BASE64URL(JWS Signature)`.
    pub signature: String,
}

/// The commitment a signer makes (JAdES `srCms`, ETSI TS 119 182-1 §5.2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Commitment {
    /// Proof of approval: the competent person (người có thẩm quyền) approves the content.
    ProofOfApproval,
    /// Proof of origin: the issuing agency's seal (chữ ký số của cơ quan) vouches for where it came from.
    ProofOfOrigin,
    /// Proof of receipt: an agency or hub confirms it received the document.
    ProofOfReceipt,
}

impl Commitment {
    /// The ETSI URI of this commitment type (ETSI TS 119 172-1 / EN 319 122-1).
    pub fn uri(self) -> &'static str {
        match self {
            Commitment::ProofOfApproval => "http://uri.etsi.org/01903/v1.2.2#ProofOfApproval",
            Commitment::ProofOfOrigin => "http://uri.etsi.org/01903/v1.2.2#ProofOfOrigin",
            Commitment::ProofOfReceipt => "http://uri.etsi.org/01903/v1.2.2#ProofOfReceipt",
        }
    }

    /// The commitment for an ETSI URI, or `None` for one this crate does not use.
    pub fn from_uri(uri: &str) -> Option<Commitment> {
        [
            Commitment::ProofOfApproval,
            Commitment::ProofOfOrigin,
            Commitment::ProofOfReceipt,
        ]
        .into_iter()
        .find(|c| c.uri() == uri)
    }
}
