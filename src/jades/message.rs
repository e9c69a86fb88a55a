//! A whole JWS as text: compact, flattened JSON or general JSON serialization (RFC 7515 §7).

use super::parse::{Limits, ParsedSignature};
use super::unsigned::UnsignedProperties;
use super::verify::{verify_attached, verify_detached_documents, verify_detached_payload};
use super::{JadesError, JwsSignature};
use serde_json::Value;

/// A JWS as received: its payload member (if any) and its signatures, none checked yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwsMessage {
    /// The payload member as received (base64url text, or raw text with `b64: false`);
    /// `None` or empty when the payload is detached.
    pub payload: Option<String>,
    /// The signatures, in order. Their unprotected `header` members are kept aside (see
    /// [`JwsMessage::unsigned_properties`]): no signature check ever reads them.
    pub signatures: Vec<JwsSignature>,
    /// Each signature's unprotected `header` as received (JSON serializations only).
    unprotected: Vec<Option<Value>>,
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
                unprotected: vec![None],
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
        let mut unprotected = Vec::with_capacity(entries.len());
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
            unprotected.push(e.get("header").cloned());
        }
        Ok(JwsMessage {
            payload,
            signatures,
            unprotected,
        })
    }

    /// A JWS of `signatures` over `payload` (the payload member as it is to be written:
    /// base64url text, raw text with `b64: false`, or `None` when detached).
    pub fn new(payload: Option<String>, signatures: Vec<JwsSignature>) -> JwsMessage {
        let unprotected = vec![None; signatures.len()];
        JwsMessage {
            payload,
            signatures,
            unprotected,
        }
    }

    /// The unsigned properties (`etsiU`: timestamps, validation data) of signature `index`,
    /// read strictly and within limits; empty when it has no unprotected header. Nothing in
    /// them is verified here.
    pub fn unsigned_properties(&self, index: usize) -> Result<UnsignedProperties, JadesError> {
        match self.unprotected.get(index) {
            Some(Some(header)) => UnsignedProperties::from_header(header),
            Some(None) => Ok(UnsignedProperties::new()),
            None => Err(JadesError::format(
                "signatures",
                "no signature at this index",
            )),
        }
    }

    /// Replaces the unsigned properties of signature `index` (extending it to B-T and
    /// above). The signature value and everything it covers stay as they are.
    pub fn set_unsigned_properties(
        &mut self,
        index: usize,
        properties: &UnsignedProperties,
    ) -> Result<(), JadesError> {
        let slot = self
            .unprotected
            .get_mut(index)
            .ok_or_else(|| JadesError::format("signatures", "no signature at this index"))?;
        *slot = properties.to_header();
        Ok(())
    }

    /// The JWS JSON serialization: flattened for one signature, general for several
    /// (RFC 7515 §7.2). Unprotected headers are written as they are held.
    pub fn to_json(&self) -> String {
        let entry = |i: usize, sig: &JwsSignature| {
            let mut o = serde_json::Map::new();
            o.insert("protected".into(), Value::String(sig.protected.clone()));
            if let Some(Some(h)) = self.unprotected.get(i) {
                o.insert("header".into(), h.clone());
            }
            o.insert("signature".into(), Value::String(sig.signature.clone()));
            o
        };
        let mut top = serde_json::Map::new();
        if let Some(p) = &self.payload {
            top.insert("payload".into(), Value::String(p.clone()));
        }
        if let [one] = self.signatures.as_slice() {
            top.extend(entry(0, one));
        } else {
            let list = self
                .signatures
                .iter()
                .enumerate()
                .map(|(i, s)| Value::Object(entry(i, s)))
                .collect();
            top.insert("signatures".into(), Value::Array(list));
        }
        Value::Object(top).to_string()
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
