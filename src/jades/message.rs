//! A whole JWS as text: compact, flattened JSON or general JSON serialization (RFC 7515 §7).

use super::parse::{Limits, ParsedSignature};
use super::verify::{verify_attached, verify_detached_documents, verify_detached_payload};
use super::{JadesError, JwsSignature};
use serde_json::Value;

/// A JWS as received: its payload member (if any) and its signatures, none checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsMessage {
    /// The payload member as received (base64url text, or raw text with `b64: false`);
    /// `None` or empty when the payload is detached.
    pub payload: Option<String>,
    /// The signatures, in order. Unprotected `header` members are ignored: nothing unsigned
    /// is ever used.
    pub signatures: Vec<JwsSignature>,
}

impl JwsMessage {
    /// Parses compact (`h.p.s`), flattened or general JWS JSON serialization. Surrounding
    /// whitespace (a trailing newline in a file) is ignored; anything else unexpected is refused.
    pub fn parse(text: &str) -> Result<JwsMessage, JadesError> {
        let text = text.trim();
        if text.len() > Limits::MESSAGE {
            return Err(JadesError::format("jws", "larger than 64 MiB"));
        }
        if !text.starts_with('{') {
            let mut parts = text.split('.');
            let (Some(h), Some(p), Some(s), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(JadesError::format(
                    "jws",
                    "compact form needs exactly three segments",
                ));
            };
            return Ok(JwsMessage {
                payload: Some(p.to_string()),
                signatures: vec![JwsSignature {
                    protected: h.to_string(),
                    signature: s.to_string(),
                }],
            });
        }
        // An attached payload is one long string by design, and so are the unsigned JAdES
        // validation data (etsiU: timestamps, certificate and revocation values), which this
        // crate never reads; every other string keeps the limit.
        const LONG: &[&str] = &["payload", "header.etsiU[]", "signatures[].header.etsiU[]"];
        crate::json::check_except(text.as_bytes(), &Limits::json(Limits::MESSAGE), LONG)
            .map_err(|e| JadesError::format("jws", e.to_string()))?;
        let Ok(Value::Object(top)) = serde_json::from_str::<Value>(text) else {
            return Err(JadesError::format("jws", "not a JSON object"));
        };
        let payload = match top.get("payload") {
            None => None,
            Some(Value::String(p)) => Some(p.clone()),
            Some(_) => return Err(JadesError::format("payload", "not a string")),
        };
        let entries: Vec<&serde_json::Map<String, Value>> = match top.get("signatures") {
            Some(Value::Array(items)) => {
                for k in top.keys() {
                    if k != "payload" && k != "signatures" {
                        return Err(JadesError::format(
                            "jws",
                            format!("unexpected member \"{k}\""),
                        ));
                    }
                }
                if items.is_empty() || items.len() > Limits::SIGNATURES {
                    return Err(JadesError::format(
                        "signatures",
                        "expected 1 to 16 signatures",
                    ));
                }
                items
                    .iter()
                    .map(|i| {
                        i.as_object().ok_or_else(|| {
                            JadesError::format("signatures", "entry is not an object")
                        })
                    })
                    .collect::<Result<_, _>>()?
            }
            Some(_) => return Err(JadesError::format("signatures", "not an array")),
            None => vec![&top],
        };
        let mut signatures = Vec::with_capacity(entries.len());
        for e in entries {
            for k in e.keys() {
                let flattened_payload = k == "payload" && top.get("signatures").is_none();
                if !(k == "protected" || k == "signature" || k == "header" || flattened_payload) {
                    return Err(JadesError::format(
                        "jws",
                        format!("unexpected member \"{k}\""),
                    ));
                }
            }
            let (Some(Value::String(p)), Some(Value::String(s))) =
                (e.get("protected"), e.get("signature"))
            else {
                return Err(JadesError::format(
                    "protected",
                    "protected and signature must be strings",
                ));
            };
            signatures.push(JwsSignature {
                protected: p.clone(),
                signature: s.clone(),
            });
        }
        Ok(JwsMessage {
            payload,
            signatures,
        })
    }

    /// Parses every signature as JAdES B-B and verifies it: over the attached payload, or,
    /// when the payload is empty or absent, over `detached` (one `sigD` object whatever its
    /// name, or RFC 7797 detached content). Returns the verified signatures. No chain
    /// validation.
    pub fn verify(&self, detached: Option<&[u8]>) -> Result<Vec<ParsedSignature>, JadesError> {
        let mut verified = Vec::with_capacity(self.signatures.len());
        for sig in &self.signatures {
            let parsed = ParsedSignature::parse(sig)?;
            let attached = self.payload.as_deref().filter(|p| !p.is_empty());
            match (parsed.signed_objects(), attached, detached) {
                (Some(objs), None, Some(bytes)) => {
                    let [one] = objs else {
                        return Err(JadesError::format(
                            "sigD",
                            "one payload file given for several objects",
                        ));
                    };
                    verify_detached_documents(&parsed, &[(one.uri.as_str(), bytes)])?;
                }
                (None, Some(p), None) => verify_attached(&parsed, p)?,
                (None, None, Some(bytes)) => verify_detached_payload(&parsed, bytes)?,
                (_, _, None) => {
                    return Err(JadesError::format("payload", "detached payload needed"))
                }
                (_, Some(_), Some(_)) => {
                    return Err(JadesError::format(
                        "payload",
                        "both attached and detached payload given",
                    ))
                }
            }
            verified.push(parsed);
        }
        Ok(verified)
    }
}
