//! The unsigned properties of a JAdES signature: the `etsiU` array of its unprotected
//! `header` (ETSI TS 119 182-1 §5.3), where timestamps and validation data are added after
//! signing (levels B-T, B-LT, B-LTA). Parsed here within limits; **nothing is verified**
//! (timestamps are checked by the `ltv` module, which knows about tokens and trust).
//!
//! Each component keeps the bytes an archive timestamp covers: the base64url text of the
//! entry as received (the form this crate writes), or, for entries incorporated as clear
//! JSON, their compact JSON text.

use base64::Engine;
use serde_json::{Map, Value};

use super::{b64, JadesError};

/// Bounds on what one signature's `etsiU` may hold; each bounds work an attacker can cause.
pub(crate) struct EtsiULimits;

impl EtsiULimits {
    /// Components in one `etsiU` (a renewed B-LTA adds an `arcTst` and a `tstVD` per renewal).
    pub(crate) const COMPONENTS: usize = 64;
    /// The base64url text of one component: a CRL of a large CA is the largest part.
    pub(crate) const COMPONENT_B64: usize = 8 << 20;
    /// Tokens in one timestamp component.
    pub(crate) const TOKENS: usize = 8;
    /// Certificates, CRLs or OCSP responses in one component.
    pub(crate) const VALUES: usize = 64;
    /// JSON nesting of one decoded component.
    pub(crate) const DEPTH: usize = 8;
}

/// CRLs and OCSP responses carried for validation (`rVals`, ETSI TS 119 182-1 §5.3.5.2), as DER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevocationValues {
    /// DER `CertificateList`s (`crlVals`).
    pub crls: Vec<Vec<u8>>,
    /// DER `OCSPResponse`s (`ocspVals`); carried along, not evaluated by this crate.
    pub ocsp_responses: Vec<Vec<u8>>,
}

/// What one `etsiU` component says, decoded (values are DER, untrusted).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsignedValue {
    /// `sigTst`: timestamp tokens over the signature value (B-T).
    SignatureTimestamp(Vec<Vec<u8>>),
    /// `xVals`: certificates of the signer's and the TSAs' chains (B-LT).
    CertificateValues(Vec<Vec<u8>>),
    /// `rVals`: revocation data for those chains (B-LT).
    RevocationValues(RevocationValues),
    /// `arcTst`: timestamp tokens over everything before it (B-LTA).
    ArchiveTimestamp(Vec<Vec<u8>>),
    /// `tstVD`: validation data of an earlier timestamp's TSA, added before renewing.
    TimestampValidationData {
        /// Certificates (`certVals`, or `xVals` as DSS writes it).
        certificates: Vec<Vec<u8>>,
        /// Revocation data (`revVals`, or `rVals` as DSS writes it).
        revocation: RevocationValues,
    },
    /// Any other component (`cSig`, `xRefs`, `sigRTst`, ...): kept for archive timestamps,
    /// not interpreted.
    Other,
}

/// One `etsiU` entry: its name, its decoded content and the bytes archive timestamps cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedComponent {
    name: String,
    covered: Vec<u8>,
    component: UnsignedValue,
}

impl UnsignedComponent {
    /// The component's name (`sigTst`, `xVals`, ...).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// What the component holds.
    pub fn value(&self) -> &UnsignedValue {
        &self.component
    }
    /// The bytes an archive timestamp covers for this component (ETSI TS 119 182-1
    /// §5.3.6.3.1): the entry's base64url text, or the compact JSON of a clear entry.
    pub fn covered_bytes(&self) -> &[u8] {
        &self.covered
    }

    /// A component in base64url form (the form this crate writes), built from its JSON.
    fn encoded(name: &str, value: Value, component: UnsignedValue) -> UnsignedComponent {
        let mut object = Map::new();
        object.insert(name.to_owned(), value);
        let json = Value::Object(object).to_string();
        UnsignedComponent {
            name: name.to_owned(),
            covered: b64::encode_url(json.as_bytes()).into_bytes(),
            component,
        }
    }

    /// A `sigTst` holding one token (DER).
    pub fn signature_timestamp(token: &[u8]) -> UnsignedComponent {
        UnsignedComponent::encoded(
            "sigTst",
            serde_json::json!({ "tstTokens": [{ "val": b64::STD.encode(token) }] }),
            UnsignedValue::SignatureTimestamp(vec![token.to_vec()]),
        )
    }

    /// An `arcTst` holding one token (DER).
    pub fn archive_timestamp(token: &[u8]) -> UnsignedComponent {
        UnsignedComponent::encoded(
            "arcTst",
            serde_json::json!({ "tstTokens": [{ "val": b64::STD.encode(token) }] }),
            UnsignedValue::ArchiveTimestamp(vec![token.to_vec()]),
        )
    }

    /// An `xVals` holding certificates (DER).
    pub fn certificate_values(certificates: &[Vec<u8>]) -> UnsignedComponent {
        let list: Vec<Value> = certificates
            .iter()
            .map(|c| serde_json::json!({ "x509Cert": { "val": b64::STD.encode(c) } }))
            .collect();
        UnsignedComponent::encoded(
            "xVals",
            Value::Array(list),
            UnsignedValue::CertificateValues(certificates.to_vec()),
        )
    }

    /// An `rVals` holding CRLs (DER).
    pub fn revocation_values(crls: &[Vec<u8>]) -> UnsignedComponent {
        let list: Vec<Value> = crls
            .iter()
            .map(|c| serde_json::json!({ "val": b64::STD.encode(c) }))
            .collect();
        UnsignedComponent::encoded(
            "rVals",
            serde_json::json!({ "crlVals": list }),
            UnsignedValue::RevocationValues(RevocationValues {
                crls: crls.to_vec(),
                ocsp_responses: Vec::new(),
            }),
        )
    }
}

/// A signature's `etsiU`, in order. Archive timestamps cover the components before them, so
/// the order is part of what is signed by them; components are only ever appended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnsignedProperties {
    components: Vec<UnsignedComponent>,
}

impl UnsignedProperties {
    /// No unsigned properties (a B-B signature).
    pub fn new() -> UnsignedProperties {
        UnsignedProperties::default()
    }

    /// The components, in order.
    pub fn components(&self) -> &[UnsignedComponent] {
        &self.components
    }

    /// Appends a component (at most 64).
    pub fn push(&mut self, component: UnsignedComponent) -> Result<(), JadesError> {
        if self.components.len() >= EtsiULimits::COMPONENTS {
            return Err(JadesError::format("etsiU", "more than 64 components"));
        }
        self.components.push(component);
        Ok(())
    }

    /// Reads the unprotected `header` member of one signature (a JSON object that holds
    /// `etsiU` and nothing else this crate accepts). Strict: entries are all base64url strings
    /// or all clear JSON objects (ETSI TS 119 182-1 §5.3.1), each with exactly one member.
    pub fn from_header(header: &Value) -> Result<UnsignedProperties, JadesError> {
        let Value::Object(header) = header else {
            return Err(JadesError::format("header", "not a JSON object"));
        };
        if let Some(other) = header.keys().find(|k| *k != "etsiU") {
            return Err(JadesError::format(
                "header",
                format!("unexpected unprotected member \"{other}\" (only etsiU is accepted)"),
            ));
        }
        let entries = match header.get("etsiU") {
            None => return Ok(UnsignedProperties::new()),
            Some(Value::Array(entries)) => entries,
            Some(_) => return Err(JadesError::format("etsiU", "not an array")),
        };
        if entries.len() > EtsiULimits::COMPONENTS {
            return Err(JadesError::format("etsiU", "more than 64 components"));
        }
        let encoded = entries.first().is_some_and(Value::is_string);
        let mut components = Vec::with_capacity(entries.len());
        for entry in entries {
            let (object, covered) = match (entry, encoded) {
                (Value::String(text), true) => {
                    let json = b64::decode_url(text, EtsiULimits::COMPONENT_B64)
                        .map_err(|e| JadesError::format("etsiU", e))?;
                    let limits = crate::limits::Limits {
                        max_package_bytes: EtsiULimits::COMPONENT_B64,
                        max_depth: EtsiULimits::DEPTH,
                        max_string_bytes: EtsiULimits::COMPONENT_B64,
                        ..crate::limits::Limits::default()
                    };
                    crate::json::check(&json, &limits)
                        .map_err(|e| JadesError::format("etsiU", e.to_string()))?;
                    let object: Value = serde_json::from_slice(&json)
                        .map_err(|e| JadesError::format("etsiU", e.to_string()))?;
                    (object, text.as_bytes().to_vec())
                }
                (Value::Object(_), false) => (entry.clone(), entry.to_string().into_bytes()),
                _ => {
                    return Err(JadesError::format(
                        "etsiU",
                        "entries must be all base64url strings or all JSON objects",
                    ))
                }
            };
            let Value::Object(object) = object else {
                return Err(JadesError::format("etsiU", "an entry is not a JSON object"));
            };
            let mut members = object.into_iter();
            let (Some((name, value)), None) = (members.next(), members.next()) else {
                return Err(JadesError::format(
                    "etsiU",
                    "an entry must hold exactly one component",
                ));
            };
            let component = decode_component(&name, &value)?;
            components.push(UnsignedComponent {
                name,
                covered,
                component,
            });
        }
        Ok(UnsignedProperties { components })
    }

    /// The unprotected `header` member that carries these properties (`{"etsiU": [...]}`),
    /// or `None` when there are none. Components read in clear form are written as they came.
    pub fn to_header(&self) -> Option<Value> {
        if self.components.is_empty() {
            return None;
        }
        let entries: Vec<Value> = self
            .components
            .iter()
            .map(|c| match std::str::from_utf8(&c.covered) {
                Ok(text) if !text.starts_with('{') => Value::String(text.to_owned()),
                _ => serde_json::from_slice(&c.covered).unwrap_or(Value::Null),
            })
            .collect();
        Some(serde_json::json!({ "etsiU": entries }))
    }

    /// The DER of every timestamp token of the `sigTst` components, in order.
    pub fn signature_timestamps(&self) -> impl Iterator<Item = &[u8]> {
        self.components
            .iter()
            .flat_map(|c| match &c.component {
                UnsignedValue::SignatureTimestamp(t) => t.as_slice(),
                _ => &[],
            })
            .map(Vec::as_slice)
    }

    /// Every certificate the properties carry (`xVals`, and `tstVD`), in order.
    pub fn certificates(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        for c in &self.components {
            match &c.component {
                UnsignedValue::CertificateValues(v) => out.extend(v.iter().map(Vec::as_slice)),
                UnsignedValue::TimestampValidationData { certificates, .. } => {
                    out.extend(certificates.iter().map(Vec::as_slice))
                }
                _ => {}
            }
        }
        out
    }

    /// Every CRL the properties carry (`rVals`, and `tstVD`), in order.
    pub fn crls(&self) -> Vec<&[u8]> {
        let mut out = Vec::new();
        for c in &self.components {
            match &c.component {
                UnsignedValue::RevocationValues(r)
                | UnsignedValue::TimestampValidationData { revocation: r, .. } => {
                    out.extend(r.crls.iter().map(Vec::as_slice))
                }
                _ => {}
            }
        }
        out
    }

    /// Whether both `xVals` and `rVals` are present (what B-LT adds).
    pub fn has_validation_data(&self) -> bool {
        let has = |f: fn(&UnsignedValue) -> bool| self.components.iter().any(|c| f(&c.component));
        has(|c| matches!(c, UnsignedValue::CertificateValues(_)))
            && has(|c| matches!(c, UnsignedValue::RevocationValues(_)))
    }
}

/// Decodes the value of one component by its name.
fn decode_component(name: &str, value: &Value) -> Result<UnsignedValue, JadesError> {
    Ok(match name {
        "sigTst" => UnsignedValue::SignatureTimestamp(tokens(value)?),
        "arcTst" => UnsignedValue::ArchiveTimestamp(tokens(value)?),
        "xVals" => UnsignedValue::CertificateValues(certificates(value, "xVals")?),
        "rVals" => UnsignedValue::RevocationValues(revocation(value)?),
        "tstVD" => {
            let Value::Object(o) = value else {
                return Err(JadesError::format("etsiU", "tstVD is not an object"));
            };
            let certs = o.get("certVals").or_else(|| o.get("xVals"));
            let revs = o.get("revVals").or_else(|| o.get("rVals"));
            UnsignedValue::TimestampValidationData {
                certificates: match certs {
                    Some(v) => certificates(v, "tstVD")?,
                    None => Vec::new(),
                },
                revocation: match revs {
                    Some(v) => revocation(v)?,
                    None => RevocationValues::default(),
                },
            }
        }
        _ => UnsignedValue::Other,
    })
}

/// `{"tstTokens": [{"val": base64}, ...]}` (ETSI TS 119 182-1 §5.3.4); DER tokens only.
fn tokens(value: &Value) -> Result<Vec<Vec<u8>>, JadesError> {
    let list = value
        .get("tstTokens")
        .and_then(Value::as_array)
        .ok_or_else(|| JadesError::format("etsiU", "a timestamp has no tstTokens array"))?;
    if list.is_empty() || list.len() > EtsiULimits::TOKENS {
        return Err(JadesError::format(
            "etsiU",
            "a timestamp must hold 1 to 8 tokens",
        ));
    }
    list.iter()
        .map(|t| {
            if t.get("encoding").is_some_and(|e| e != "der") {
                return Err(JadesError::format(
                    "etsiU",
                    "only DER timestamp tokens are read",
                ));
            }
            std_b64(t.get("val"), "a timestamp token")
        })
        .collect()
}

/// `xVals`: `[{"x509Cert": {"val": base64}}, ...]`; other certificate kinds are refused.
fn certificates(value: &Value, part: &'static str) -> Result<Vec<Vec<u8>>, JadesError> {
    let list = value
        .as_array()
        .ok_or_else(|| JadesError::format("etsiU", format!("{part} is not an array")))?;
    if list.len() > EtsiULimits::VALUES {
        return Err(JadesError::format(
            "etsiU",
            format!("{part}: too many values"),
        ));
    }
    list.iter()
        .map(|c| {
            std_b64(
                c.get("x509Cert").and_then(|x| x.get("val")),
                "a certificate",
            )
        })
        .collect()
}

/// `rVals`: `{"crlVals": [{"val": base64}], "ocspVals": [{"val": base64}]}`.
fn revocation(value: &Value) -> Result<RevocationValues, JadesError> {
    let Value::Object(o) = value else {
        return Err(JadesError::format("etsiU", "rVals is not an object"));
    };
    let list = |key: &str| -> Result<Vec<Vec<u8>>, JadesError> {
        match o.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) if items.len() <= EtsiULimits::VALUES => items
                .iter()
                .map(|i| std_b64(i.get("val"), "a revocation value"))
                .collect(),
            Some(_) => Err(JadesError::format(
                "etsiU",
                format!("rVals.{key} is not an array of at most 64 values"),
            )),
        }
    };
    Ok(RevocationValues {
        crls: list("crlVals")?,
        ocsp_responses: list("ocspVals")?,
    })
}

fn std_b64(value: Option<&Value>, what: &str) -> Result<Vec<u8>, JadesError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| JadesError::format("etsiU", format!("{what} has no val string")))?;
    b64::STD
        .decode(text)
        .map_err(|e| JadesError::format("etsiU", format!("{what} is not standard base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_components_read_back_in_order() {
        let mut p = UnsignedProperties::new();
        p.push(UnsignedComponent::signature_timestamp(b"token"))
            .unwrap();
        p.push(UnsignedComponent::certificate_values(&[b"cert".to_vec()]))
            .unwrap();
        p.push(UnsignedComponent::revocation_values(&[b"crl".to_vec()]))
            .unwrap();
        let back = UnsignedProperties::from_header(&p.to_header().unwrap()).unwrap();
        assert_eq!(back, p);
        assert!(back.has_validation_data());
        assert_eq!(back.signature_timestamps().collect::<Vec<_>>(), [b"token"]);
    }

    #[test]
    fn mixed_forms_unknown_members_and_bad_values_are_refused() {
        let sig = UnsignedComponent::signature_timestamp(b"t");
        let text = String::from_utf8(sig.covered_bytes().to_vec()).unwrap();
        for header in [
            serde_json::json!({ "etsiU": [text, {"sigTst": {"tstTokens": [{"val": "AA=="}]}}] }),
            serde_json::json!({ "etsiU": [], "kid": "x" }),
            serde_json::json!({ "etsiU": "x" }),
            serde_json::json!({ "etsiU": [{"sigTst": {"tstTokens": []}}] }),
            serde_json::json!({ "etsiU": [{"sigTst": {"tstTokens": [{"val": "!"}]}}] }),
            serde_json::json!({ "etsiU": [{"a": 1, "b": 2}] }),
            serde_json::json!({ "etsiU": ["not base64url!"] }),
        ] {
            assert!(
                matches!(
                    UnsignedProperties::from_header(&header),
                    Err(JadesError::Format { .. })
                ),
                "{header}"
            );
        }
    }
}
