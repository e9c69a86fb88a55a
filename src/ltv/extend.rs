//! Extending a signature: a signature timestamp (B-T), then archive timestamps (B-LTA).
//! Validation data (B-LT) is added with [`UnsignedComponent::certificate_values`] and
//! [`UnsignedComponent::revocation_values`].

use super::evaluate::{archive_input, SignedContent};
use crate::cms::{DigestAlgorithm, Hasher};
use crate::jades::{ParsedSignature, UnsignedComponent, UnsignedProperties};
use crate::timestamp::{TimestampAuthority, TimestampError, TimestampRequest, TimestampToken};

/// Asks `tsa` for a timestamp over `parsed`'s signature value (its base64url text, ETSI TS
/// 119 182-1 §5.3.4) and appends it to `properties` as a `sigTst`. The nonce comes from `rng`.
pub fn add_signature_timestamp(
    parsed: &ParsedSignature,
    properties: &mut UnsignedProperties,
    tsa: &dyn TimestampAuthority,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<TimestampToken, TimestampError> {
    let mut h = DigestAlgorithm::Sha256.hasher();
    h.update(crate::jades::encode_url(parsed.signature_bytes()).as_bytes());
    let token = ask(tsa, h, rng)?;
    push(
        properties,
        UnsignedComponent::signature_timestamp(token.as_der()),
    )?;
    Ok(token)
}

/// Asks `tsa` for an archive timestamp over the signed data (`content`), the signature and
/// every component of `properties` so far (§5.3.6.3.1), and appends it as an `arcTst`. A
/// second call renews the first: the new timestamp covers the earlier one.
pub fn add_archive_timestamp(
    parsed: &ParsedSignature,
    properties: &mut UnsignedProperties,
    content: SignedContent<'_>,
    tsa: &dyn TimestampAuthority,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<TimestampToken, TimestampError> {
    let mut h = DigestAlgorithm::Sha256.hasher();
    archive_input(parsed, properties.components(), content, &mut |b| {
        h.update(b)
    });
    let token = ask(tsa, h, rng)?;
    push(
        properties,
        UnsignedComponent::archive_timestamp(token.as_der()),
    )?;
    Ok(token)
}

fn ask(
    tsa: &dyn TimestampAuthority,
    imprint: Hasher,
    rng: &dyn ring::rand::SecureRandom,
) -> Result<TimestampToken, TimestampError> {
    let mut nonce = [0u8; 8];
    rng.fill(&mut nonce)
        .map_err(|_| TimestampError::Unavailable {
            tsa: "nonce".into(),
            reason: "the random number generator failed".into(),
        })?;
    let request = TimestampRequest::for_digest(DigestAlgorithm::Sha256, imprint.finish(), nonce)?;
    let response = tsa.respond(request.to_der())?;
    request.read_response(&response)
}

fn push(
    properties: &mut UnsignedProperties,
    component: UnsignedComponent,
) -> Result<(), TimestampError> {
    properties
        .push(component)
        .map_err(|e| TimestampError::Malformed {
            part: "etsiU",
            reason: e.to_string(),
        })
}
