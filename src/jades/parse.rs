//! Strict, bounded parsing of one JWS/JAdES signature (RFC 7515, ETSI TS 119 182-1).

use super::{b64, Commitment, JadesError, JwsSignature};
use crate::signer::Algorithm;
use base64::Engine;
use rustls_pki_types::CertificateDer;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// Size and count limits for one signature; each bounds work an attacker can cause.
pub(crate) struct Limits;

impl Limits {
    /// Base64url protected header: an x5c chain of a few 8192-bit certificates fits in 64 KiB.
    pub(crate) const PROTECTED_B64: usize = 64 * 1024;
    /// Base64url signature: an 8192-bit RSA signature is 1366 characters.
    pub(crate) const SIGNATURE_B64: usize = 2048;
    /// Certificates in `x5c`: leaf, intermediates, root.
    pub(crate) const CHAIN: usize = 8;
    /// Objects in `sigD`: a document header plus its attachments.
    pub(crate) const OBJECTS: usize = 1024;
    /// Length of one `pars` URI.
    pub(crate) const URI: usize = 2048;
    /// Signatures in one general-serialization JWS: approval, seal, and a few receipts.
    pub(crate) const SIGNATURES: usize = 16;
    /// A whole JWS text: the payload may be attached, so far above the header limit.
    pub(crate) const MESSAGE: usize = 64 * 1024 * 1024;
    /// JSON nesting (ours has depth 4: header, sigD/srCms, arrays, commId).
    pub(crate) const JSON_DEPTH: usize = 16;

    /// Limits for `crate::json::check` over JOSE JSON of at most `total` bytes.
    pub(crate) fn json(total: usize) -> crate::limits::Limits {
        crate::limits::Limits {
            max_package_bytes: total,
            max_depth: Limits::JSON_DEPTH,
            ..crate::limits::Limits::default()
        }
    }
}

/// `mId` of JAdES detached objects referenced by URI and digest (ETSI TS 119 182-1 §5.2.8.3).
pub(crate) const OBJECT_ID_BY_URI_HASH: &str = "http://uri.etsi.org/19182/ObjectIdByURIHash";

/// Header members registered by RFC 7515/7518/7797 that `crit` must never list (RFC 7515 §4.1.11).
const STANDARD_MEMBERS: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
];
/// Extensions this verifier understands and processes when listed in `crit`.
const UNDERSTOOD_CRIT: &[&str] = &["b64", "sigD", "srCms", "sigT"];

/// How much of JAdES a parsed signature must carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Profile {
    /// JAdES baseline B-B: `x5c`, `x5t#S256` and a signing time (`iat` or `sigT`) are required.
    JadesBaselineB,
    /// Plain JWS (RFC 7515/7797): only the algorithm and `crit` rules apply; the verifying key
    /// comes from elsewhere (see [`verify_raw_signature`](super::verify_raw_signature)).
    PlainJws,
}

/// One `sigD` entry: the object's URI (`pars`) and its claimed SHA-256 digest (`hashV`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedObjectRef {
    /// The object's URI as signed (`pars` entry).
    pub uri: String,
    /// The decoded `hashV` entry.
    pub sha256: [u8; 32],
}

/// A signature whose structure has been checked but whose digests and cryptography have NOT:
/// every accessor returns untrusted data until [`verify_detached`](super::verify_detached) (or
/// another verify function) succeeds.
#[derive(Debug, Clone)]
pub struct ParsedSignature {
    protected_b64: String,
    signature: Vec<u8>,
    algorithm: Algorithm,
    chain: Vec<CertificateDer<'static>>,
    x5t_s256: Option<[u8; 32]>,
    signing_time: Option<OffsetDateTime>,
    commitment: Option<Commitment>,
    objects: Option<Vec<SignedObjectRef>>,
    b64: bool,
}

impl ParsedSignature {
    /// Parses a JAdES baseline B-B signature ([`Profile::JadesBaselineB`]).
    pub fn parse(sig: &JwsSignature) -> Result<ParsedSignature, JadesError> {
        ParsedSignature::parse_with(sig, Profile::JadesBaselineB)
    }

    /// Parses a signature under the given profile.
    pub fn parse_with(sig: &JwsSignature, profile: Profile) -> Result<ParsedSignature, JadesError> {
        let header_bytes = b64::decode_url(&sig.protected, Limits::PROTECTED_B64)
            .map_err(|e| JadesError::format("protected", e))?;
        let signature = b64::decode_url(&sig.signature, Limits::SIGNATURE_B64)
            .map_err(|e| JadesError::format("signature", e))?;
        // Duplicate keys at any depth (two verifiers could read two different headers),
        // depth, string sizes and unsafe integers: the crate's one strict JSON pre-pass.
        crate::json::check(&header_bytes, &Limits::json(Limits::PROTECTED_B64))
            .map_err(|e| JadesError::format("protected", e.to_string()))?;
        let header: Map<String, Value> = match serde_json::from_slice(&header_bytes) {
            Ok(Value::Object(m)) => m,
            _ => return Err(JadesError::format("protected", "not a JSON object")),
        };

        // Algorithm first: `none`, HMAC and anything else end here, before any key is read.
        let algorithm = match header.get("alg") {
            Some(Value::String(name)) => Algorithm::from_jws_name(name)
                .ok_or_else(|| JadesError::UnsupportedAlgorithm { alg: name.clone() })?,
            Some(_) => return Err(JadesError::format("alg", "not a string")),
            None => return Err(JadesError::format("alg", "missing")),
        };
        // Keys named outside the signature would let the signer pick its own verifier.
        for forbidden in ["jwk", "jku", "x5u"] {
            if header.contains_key(forbidden) {
                return Err(JadesError::format(
                    member_name(forbidden),
                    "key or certificate by reference or embedded JWK is not accepted; use x5c",
                ));
            }
        }
        check_crit(&header)?;

        let b64 = match header.get("b64") {
            None => true,
            Some(Value::Bool(b)) => *b,
            Some(_) => return Err(JadesError::format("b64", "not a boolean")),
        };
        let chain = parse_x5c(&header)?;
        let x5t_s256 = match header.get("x5t#S256") {
            None => None,
            Some(Value::String(t)) => {
                let raw = b64::decode_url(t, 64).map_err(|e| JadesError::format("x5t#S256", e))?;
                Some(
                    <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| {
                        JadesError::format("x5t#S256", "not a 32-byte SHA-256 digest")
                    })?,
                )
            }
            Some(_) => return Err(JadesError::format("x5t#S256", "not a string")),
        };
        // ETSI TS 119 182-1 §5.1.7/5.2.2: exactly one signing-certificate reference.
        let refs = ["x5t#S256", "x5t#o", "sigX5ts"]
            .iter()
            .filter(|k| header.contains_key(**k))
            .count();
        if refs > 1 {
            return Err(JadesError::format(
                "x5t#S256",
                "more than one signing-certificate reference (x5t#S256, x5t#o, sigX5ts)",
            ));
        }
        let signing_time = parse_signing_time(&header)?;
        let commitment = parse_sr_cms(&header)?;
        let objects = parse_sig_d(&header)?;

        if profile == Profile::JadesBaselineB {
            if chain.is_empty() {
                return Err(JadesError::format(
                    "x5c",
                    "missing: the signer's chain is required",
                ));
            }
            if x5t_s256.is_none() {
                return Err(JadesError::format("x5t#S256", "missing"));
            }
            if signing_time.is_none() {
                return Err(JadesError::format("iat", "missing claimed signing time"));
            }
        }
        Ok(ParsedSignature {
            protected_b64: sig.protected.clone(),
            signature,
            algorithm,
            chain,
            x5t_s256,
            signing_time,
            commitment,
            objects,
            b64,
        })
    }

    /// The `alg` of the protected header (untrusted until verified).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
    /// The `x5c` chain, leaf first (untrusted; chain validation is the trust module's job).
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }
    /// The claimed signer certificate (`x5c[0]`), if any.
    pub fn leaf(&self) -> Option<&CertificateDer<'static>> {
        self.chain.first()
    }
    /// The claimed signing time (`iat`, or legacy `sigT`).
    pub fn signing_time(&self) -> Option<OffsetDateTime> {
        self.signing_time
    }
    /// The commitment in `srCms`, if any.
    pub fn commitment(&self) -> Option<Commitment> {
        self.commitment
    }
    /// The `sigD` objects (`pars` with their `hashV`), in signed order; `None` without `sigD`.
    pub fn signed_objects(&self) -> Option<&[SignedObjectRef]> {
        self.objects.as_deref()
    }
    /// Whether the payload is base64url-encoded (`b64`, RFC 7797; `true` when absent).
    pub fn payload_is_base64url(&self) -> bool {
        self.b64
    }
    /// The `x5t#S256` digest, if present.
    pub fn x5t_s256(&self) -> Option<&[u8; 32]> {
        self.x5t_s256.as_ref()
    }
    /// The protected header exactly as received (base64url).
    pub fn protected_b64(&self) -> &str {
        &self.protected_b64
    }
    /// The signing input for a detached, empty payload: `BASE64URL(protected) || "."`.
    pub fn signing_input(&self) -> Vec<u8> {
        let mut input = Vec::with_capacity(self.protected_b64.len() + 1);
        input.extend_from_slice(self.protected_b64.as_bytes());
        input.push(b'.');
        input
    }
    pub(crate) fn signature_bytes(&self) -> &[u8] {
        &self.signature
    }
}

/// `member` as a `&'static str` for error reporting.
fn member_name(name: &str) -> &'static str {
    STANDARD_MEMBERS
        .iter()
        .chain(UNDERSTOOD_CRIT)
        .find(|m| **m == name)
        .copied()
        .unwrap_or("crit")
}

/// RFC 7515 §4.1.11 and ETSI TS 119 182-1 §5.1.x, as DSS applies them (see mod.rs).
fn check_crit(header: &Map<String, Value>) -> Result<(), JadesError> {
    let listed: Vec<&str> = match header.get("crit") {
        None => Vec::new(),
        Some(Value::Array(items)) => {
            if items.is_empty() {
                return Err(JadesError::format("crit", "empty list (RFC 7515 §4.1.11)"));
            }
            let mut names = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(name) = item else {
                    return Err(JadesError::format("crit", "entry is not a string"));
                };
                if names.contains(&name.as_str()) {
                    return Err(JadesError::format(
                        "crit",
                        format!("\"{name}\" listed twice"),
                    ));
                }
                if STANDARD_MEMBERS.contains(&name.as_str()) {
                    return Err(JadesError::format(
                        "crit",
                        format!("standard member \"{name}\" must not be listed"),
                    ));
                }
                if !UNDERSTOOD_CRIT.contains(&name.as_str()) {
                    return Err(JadesError::format(
                        "crit",
                        format!("unknown critical member \"{name}\""),
                    ));
                }
                if !header.contains_key(name) {
                    return Err(JadesError::format(
                        "crit",
                        format!("lists \"{name}\" which is not in the header"),
                    ));
                }
                names.push(name.as_str());
            }
            names
        }
        Some(_) => return Err(JadesError::format("crit", "not an array")),
    };
    // A verifier that ignored sigD or b64 would check other bytes than the signer meant.
    for must in ["sigD", "b64"] {
        if header.contains_key(must) && !listed.contains(&must) {
            return Err(JadesError::format(
                "crit",
                format!("\"{must}\" is present but not listed in crit"),
            ));
        }
    }
    Ok(())
}

fn parse_x5c(header: &Map<String, Value>) -> Result<Vec<CertificateDer<'static>>, JadesError> {
    let items = match header.get("x5c") {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(JadesError::format("x5c", "not an array")),
    };
    if items.is_empty() || items.len() > Limits::CHAIN {
        return Err(JadesError::format(
            "x5c",
            format!(
                "{} certificates, expected 1..={}",
                items.len(),
                Limits::CHAIN
            ),
        ));
    }
    items
        .iter()
        .map(|item| match item {
            Value::String(s) => b64::STD
                .decode(s)
                .map(CertificateDer::from)
                .map_err(|e| JadesError::format("x5c", format!("not standard base64: {e}"))),
            _ => Err(JadesError::format("x5c", "entry is not a string")),
        })
        .collect()
}

fn parse_signing_time(header: &Map<String, Value>) -> Result<Option<OffsetDateTime>, JadesError> {
    match (header.get("iat"), header.get("sigT")) {
        (Some(_), Some(_)) => Err(JadesError::format(
            "iat",
            "both iat and sigT present (ETSI TS 119 182-1: never both)",
        )),
        (Some(Value::Number(n)), None) => {
            let secs = n
                .as_i64()
                .ok_or_else(|| JadesError::format("iat", "not an integer number of seconds"))?;
            OffsetDateTime::from_unix_timestamp(secs)
                .map(Some)
                .map_err(|_| JadesError::format("iat", "out of range"))
        }
        (Some(_), None) => Err(JadesError::format("iat", "not a number")),
        (None, Some(Value::String(s))) => {
            OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                .map(Some)
                .map_err(|e| JadesError::format("sigT", format!("not an RFC 3339 time: {e}")))
        }
        (None, Some(_)) => Err(JadesError::format("sigT", "not a string")),
        (None, None) => Ok(None),
    }
}

fn parse_sr_cms(header: &Map<String, Value>) -> Result<Option<Commitment>, JadesError> {
    let items = match header.get("srCms") {
        None => return Ok(None),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(JadesError::format("srCms", "not an array")),
    };
    // One commitment per signature: approval and origin are distinct signatures in this domain.
    let [entry] = items.as_slice() else {
        return Err(JadesError::format(
            "srCms",
            "expected exactly one commitment",
        ));
    };
    // ETSI TS 119 182-1 §5.2.3: commId is an object whose `id` is the commitment URI.
    let id = entry
        .get("commId")
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| JadesError::format("srCms", "commId.id missing or not a string"))?;
    Commitment::from_uri(id)
        .map(Some)
        .ok_or_else(|| JadesError::format("srCms", format!("unknown commitment \"{id}\"")))
}

fn parse_sig_d(header: &Map<String, Value>) -> Result<Option<Vec<SignedObjectRef>>, JadesError> {
    let sig_d = match header.get("sigD") {
        None => return Ok(None),
        Some(Value::Object(o)) => o,
        Some(_) => return Err(JadesError::format("sigD", "not an object")),
    };
    if sig_d.get("mId").and_then(Value::as_str) != Some(OBJECT_ID_BY_URI_HASH) {
        return Err(JadesError::format(
            "sigD",
            format!("mId must be {OBJECT_ID_BY_URI_HASH}"),
        ));
    }
    if sig_d.get("hashM").and_then(Value::as_str) != Some("S256") {
        return Err(JadesError::format("sigD", "hashM must be \"S256\""));
    }
    let (Some(Value::Array(pars)), Some(Value::Array(hash_v))) =
        (sig_d.get("pars"), sig_d.get("hashV"))
    else {
        return Err(JadesError::format("sigD", "pars and hashV must be arrays"));
    };
    if pars.is_empty() || pars.len() > Limits::OBJECTS || pars.len() != hash_v.len() {
        return Err(JadesError::format(
            "sigD",
            format!(
                "{} pars and {} hashV (1..={} each, equal counts)",
                pars.len(),
                hash_v.len(),
                Limits::OBJECTS
            ),
        ));
    }
    let mut objects: Vec<SignedObjectRef> = Vec::with_capacity(pars.len());
    for (uri, digest) in pars.iter().zip(hash_v) {
        let (Value::String(uri), Value::String(digest)) = (uri, digest) else {
            return Err(JadesError::format(
                "sigD",
                "pars and hashV entries must be strings",
            ));
        };
        if uri.is_empty() || uri.len() > Limits::URI {
            return Err(JadesError::format("sigD", "pars entry empty or too long"));
        }
        let raw = b64::decode_url(digest, 64)
            .map_err(|e| JadesError::format("sigD", format!("hashV: {e}")))?;
        let sha256 = <[u8; 32]>::try_from(raw.as_slice())
            .map_err(|_| JadesError::format("sigD", "hashV entry is not a SHA-256 digest"))?;
        // Two objects under one name would let a verifier match either one.
        if objects.iter().any(|o| o.uri == *uri) {
            return Err(JadesError::format(
                "sigD",
                format!("\"{uri}\" listed twice in pars"),
            ));
        }
        objects.push(SignedObjectRef {
            uri: uri.clone(),
            sha256,
        });
    }
    Ok(Some(objects))
}

pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sig_of(header: &Value) -> JwsSignature {
        JwsSignature {
            protected: b64::encode_url(header.to_string().as_bytes()),
            signature: "AAAA".into(),
        }
    }

    fn header() -> Value {
        json!({
            "alg": "ES256",
            "x5c": ["AAAA"],
            "x5t#S256": b64::encode_url(&[7; 32]),
            "iat": 1_752_800_000,
            "srCms": [{"commId": {"id": Commitment::ProofOfOrigin.uri()}}],
            "sigD": {
                "mId": OBJECT_ID_BY_URI_HASH,
                "pars": ["a", "b"],
                "hashM": "S256",
                "hashV": [b64::encode_url(&[1; 32]), b64::encode_url(&[2; 32])],
            },
            "b64": false,
            "crit": ["b64", "sigD", "srCms"],
        })
    }

    fn member_of(h: &Value) -> &'static str {
        match ParsedSignature::parse(&sig_of(h)) {
            Err(JadesError::Format { member, .. }) => member,
            other => panic!("expected a format failure, got {other:?}"),
        }
    }

    #[test]
    fn well_formed_header_parses_with_its_accessors() {
        let p = ParsedSignature::parse(&sig_of(&header())).unwrap();
        assert_eq!(p.algorithm(), Algorithm::Es256);
        assert_eq!(p.commitment(), Some(Commitment::ProofOfOrigin));
        assert_eq!(p.signed_objects().unwrap()[1].sha256, [2; 32]);
        assert!(!p.payload_is_base64url());
    }

    #[test]
    fn oversize_members_are_refused_before_decoding() {
        let big = JwsSignature {
            protected: "A".repeat(Limits::PROTECTED_B64 + 1),
            signature: "AAAA".into(),
        };
        assert!(matches!(
            ParsedSignature::parse(&big),
            Err(JadesError::Format {
                member: "protected",
                ..
            })
        ));
        let big_sig = JwsSignature {
            signature: "A".repeat(Limits::SIGNATURE_B64 + 1),
            ..sig_of(&header())
        };
        assert!(matches!(
            ParsedSignature::parse(&big_sig),
            Err(JadesError::Format {
                member: "signature",
                ..
            })
        ));
        let mut h = header();
        h["x5c"] = json!(vec!["AAAA"; Limits::CHAIN + 1]);
        assert_eq!(member_of(&h), "x5c");
    }

    #[test]
    fn sigd_shape_is_checked() {
        let cases: [(&str, Value); 8] = [
            ("/sigD/pars", json!(["a"])),
            ("/sigD/pars", json!([])),
            (
                "/sigD/hashV",
                json!([b64::encode_url(&[1; 31]), b64::encode_url(&[2; 32])]),
            ),
            (
                "/sigD/hashV",
                json!([
                    format!("{}=", b64::encode_url(&[1; 32])),
                    b64::encode_url(&[2; 32])
                ]),
            ),
            (
                "/sigD/mId",
                json!("http://uri.etsi.org/19182/ObjectIdByURI"),
            ),
            ("/sigD/hashM", json!("S512")),
            ("/sigD/pars", json!([1, "b"])),
            ("/sigD/pars", json!(["a", "a"])),
        ];
        for (pointer, value) in cases {
            let mut h = header();
            *h.pointer_mut(pointer).unwrap() = value;
            assert_eq!(member_of(&h), "sigD", "{pointer}");
        }
    }

    #[test]
    fn b64_iat_and_srcms_types_are_checked() {
        for (key, value, member) in [
            ("b64", json!("false"), "b64"),
            ("iat", json!(1.5), "iat"),
            ("iat", json!("1752800000"), "iat"),
            (
                "srCms",
                json!([{"commId": "http://uri.etsi.org/01903/v1.2.2#ProofOfOrigin"}]),
                "srCms",
            ),
            ("srCms", json!([]), "srCms"),
        ] {
            let mut h = header();
            h[key] = value;
            assert_eq!(member_of(&h), member, "{key}");
        }
    }

    #[test]
    fn mutated_headers_never_panic() {
        // A cheap stand-in for fuzzing: every byte of a valid header replaced by bytes that
        // break JSON structure, types and base64.
        let text = header().to_string().into_bytes();
        for i in 0..text.len() {
            for b in [b'"', b'{', b'[', b'0', b'-', b'\\', 0xff, b' '] {
                let mut t = text.clone();
                t[i] = b;
                let sig = JwsSignature {
                    protected: b64::encode_url(&t),
                    signature: "AAAA".into(),
                };
                let _ = ParsedSignature::parse(&sig);
            }
            let sig = JwsSignature {
                protected: b64::encode_url(&text[..i]),
                signature: "AAAA".into(),
            };
            let _ = ParsedSignature::parse(&sig);
        }
    }
}
