//! Strict base64 engines: JWS segments are base64url without padding (RFC 7515 §2),
//! `x5c` entries are standard base64 with padding (RFC 7515 §4.1.6).

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;

/// base64url, no padding on output, padding refused on input, non-zero trailing bits refused
/// (so one byte string has exactly one accepted encoding).
pub(crate) const URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Standard base64 with canonical padding, for `x5c`.
pub(crate) const STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(false),
);

/// Decodes base64url text of at most `max_len` characters; the alphabet check refuses
/// `+`, `/`, `=`, whitespace and every other byte.
pub(crate) fn decode_url(text: &str, max_len: usize) -> Result<Vec<u8>, String> {
    if text.len() > max_len {
        return Err(format!(
            "{} characters, more than the limit of {max_len}",
            text.len()
        ));
    }
    URL.decode(text)
        .map_err(|e| format!("not unpadded base64url: {e}"))
}

pub(crate) fn encode_url(bytes: &[u8]) -> String {
    URL.encode(bytes)
}
