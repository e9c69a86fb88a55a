//! RFC 7515 appendix A, RFC 7520 §4 (JOSE cookbook) and RFC 7797 §4.2 through the plain-JWS
//! path: JwsMessage → ParsedSignature (Profile::PlainJws) → verify_attached_with_key.
//! RS256 and ES256 examples verify; HMAC, `none`, PS384 and ES512 examples are REFUSED as
//! algorithms this crate never accepts (RFC 7520 §4.2 is PS384, so no PS256 vector exists
//! there: PS256 is covered by Wycheproof and our own round trips).

#[path = "common/conformance.rs"]
mod conformance;
mod jades_common;

use edoc::{
    verify_attached_with_key, verify_detached_payload, Algorithm, JadesError, JwsMessage,
    ParsedSignature, Profile, Signer,
};
use jades_common::*;
use serde_json::{json, Value};

fn load(path: &str) -> Value {
    let p = vectors("jose").join(path);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// Verifies every signature of `text` with the first key in `keys` of the matching type.
fn verify_all(text: &str, keys: &[Value]) -> Vec<Result<(), JadesError>> {
    let msg = JwsMessage::parse(text).unwrap();
    msg.signatures
        .iter()
        .map(|sig| {
            let parsed = ParsedSignature::parse_with(sig, Profile::PlainJws)?;
            let kty = match parsed.algorithm() {
                Algorithm::Rs256 | Algorithm::Ps256 => "RSA",
                Algorithm::Es256 | Algorithm::Es384 => "EC",
                Algorithm::EdDsa => "OKP",
            };
            let key = keys
                .iter()
                .find(|k| k["kty"] == kty)
                .and_then(jwk_to_spki)
                .expect("a key of the right type");
            verify_attached_with_key(&parsed, msg.payload.as_deref().unwrap_or(""), &key)
        })
        .collect()
}

fn refused(r: &Result<(), JadesError>) -> bool {
    matches!(r, Err(JadesError::UnsupportedAlgorithm { .. }))
}

#[test]
fn rfc7515_appendix_a_rs256_es256_verify_and_hmac_es512_none_are_refused() {
    let v = load("rfc7515-appendixA.json");
    let (mut ok, mut refused_count) = (0, 0);
    for vec in v["vectors"].as_array().unwrap() {
        let id = vec["id"].as_str().unwrap();
        let text = match (
            vec.get("compact"),
            vec.get("general_json"),
            vec.get("flattened_json"),
        ) {
            (Some(Value::String(c)), _, _) => c.clone(),
            (_, Some(j), _) | (_, _, Some(j)) => j.to_string(),
            _ => panic!("{id}: no serialization"),
        };
        let keys = match (vec.get("jwk"), vec.get("jwks")) {
            (Some(k), _) => vec![k.clone()],
            (_, Some(Value::Array(ks))) => ks.clone(),
            _ => panic!("{id}: no key"),
        };
        let results = verify_all(&text, &keys);
        for r in &results {
            if vec["expected"].as_str().unwrap().starts_with("valid")
                && vec.get("alg").is_none_or(|a| a == "RS256" || a == "ES256")
            {
                assert!(r.is_ok(), "{id}: {r:?}");
                ok += 1;
            } else {
                assert!(refused(r), "{id} must be refused: {r:?}");
                refused_count += 1;
            }
        }
        // A modified payload must fail for the compact ones that verify.
        if let (Some(Value::String(compact)), [Ok(())]) = (vec.get("compact"), results.as_slice()) {
            let parts: Vec<&str> = compact.split('.').collect();
            let bad = format!("{}.{}.{}", parts[0], b64u(b"tampered"), parts[2]);
            let [r] = verify_all(&bad, &keys).try_into().unwrap();
            assert!(
                matches!(r, Err(JadesError::SignatureInvalid { .. })),
                "{id}"
            );
        }
    }
    conformance::record(&format!(
        "RFC 7515 appendix A: verified {ok}, refused (HS256, ES512, none) {refused_count}"
    ));
    assert_eq!(
        (ok, refused_count),
        (5, 3),
        "A.2, A.3, A.6 (two), A.7 verify"
    );
}

#[test]
fn rfc7520_section4_examples() {
    let dir = vectors("jose").join("jws");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "RFC 7520 §4.1-4.8");
    let (mut verified, mut refused_count) = (0, 0);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        let keys: Vec<Value> = match &v["input"]["key"] {
            Value::Array(k) => k.clone(),
            k => vec![k.clone()],
        };
        for form in ["compact", "json", "json_flat"] {
            let Some(out) = v["output"].get(form) else {
                continue;
            };
            let text = match out {
                Value::String(s) => s.clone(),
                o => o.to_string(),
            };
            if name.starts_with("4_5") {
                // Detached content (HS256): the payload is absent; HMAC is refused before it matters.
                let msg = JwsMessage::parse(&text).unwrap();
                let r =
                    ParsedSignature::parse_with(&msg.signatures[0], Profile::PlainJws).map(|_| ());
                assert!(refused(&r), "{name} {form}: {r:?}");
                refused_count += 1;
                continue;
            }
            if name.starts_with("4_7") || name.starts_with("4_8") {
                // 4.7 (content only) and 4.8's ES512 signature have no protected header at all:
                // this crate requires an integrity-protected header, so the message is refused.
                let e = JwsMessage::parse(&text).unwrap_err();
                assert!(
                    matches!(
                        e,
                        JadesError::Format {
                            member: "protected",
                            ..
                        }
                    ),
                    "{e:?}"
                );
                refused_count += 1;
                continue;
            }
            for (i, r) in verify_all_lenient(&text, &keys).into_iter().enumerate() {
                // RS256 (4.1) verifies; everything else here is PS384 (4.2), ES512 (4.3) or
                // HS256 (4.4, 4.6, 4.7): refused. 4.6/4.7 keep `alg` partly or wholly in the
                // unprotected header, which fails as a missing protected `alg` — also a refusal.
                let alg_is_rs256 = name.starts_with("4_1");
                if alg_is_rs256 {
                    assert!(r.is_ok(), "{name} {form} #{i}: {r:?}");
                    verified += 1;
                } else {
                    assert!(
                        refused(&r) || matches!(r, Err(JadesError::Format { member: "alg", .. })),
                        "{name} {form} #{i}: {r:?}"
                    );
                    refused_count += 1;
                }
            }
        }
    }
    conformance::record(&format!("RFC 7520 §4: verified {verified}, refused {refused_count} (PS384 4.2 skipped as a forbidden algorithm: no PS256 example exists)"));
    assert_eq!(verified, 3, "4.1 in compact, general and flattened form");
}

fn verify_all_lenient(text: &str, keys: &[Value]) -> Vec<Result<(), JadesError>> {
    let msg = JwsMessage::parse(text).unwrap();
    msg.signatures
        .iter()
        .map(|sig| {
            let parsed = ParsedSignature::parse_with(sig, Profile::PlainJws)?;
            let key = keys
                .iter()
                .find(|k| k["kty"] == "RSA")
                .and_then(jwk_to_spki)
                .unwrap();
            verify_attached_with_key(&parsed, msg.payload.as_deref().unwrap_or(""), &key)
        })
        .collect()
}

#[test]
fn rfc7797_hs256_example_is_refused_and_our_own_b64_false_detached_payload_verifies() {
    let v = load("rfc7797-4.2-corrected.json");
    let msg = JwsMessage::parse(v["compact_detached"].as_str().unwrap()).unwrap();
    let r = ParsedSignature::parse_with(&msg.signatures[0], Profile::PlainJws).map(|_| ());
    assert!(refused(&r), "{r:?}");

    // The same construction (b64 false, crit [b64], detached "$.02") with an accepted algorithm.
    let s = signer(Algorithm::Es256);
    let cert = s.certificate_chain()[0].clone();
    let mut h = serde_json::Map::new();
    h.insert("alg".into(), json!("ES256"));
    h.insert("b64".into(), json!(false));
    h.insert("crit".into(), json!(["b64"]));
    h.insert("x5c".into(), x5c_of(&cert));
    h.insert("x5t#S256".into(), x5t_of(&cert));
    h.insert("iat".into(), json!(1_750_000_000));
    let protected = b64u(serde_json::to_string(&h).unwrap().as_bytes());
    let sig = s.sign(format!("{protected}.$.02").as_bytes()).unwrap();
    let jws = edoc::JwsSignature {
        protected,
        signature: b64u(&sig),
    };
    let parsed = ParsedSignature::parse(&jws).unwrap();
    verify_detached_payload(&parsed, b"$.02").unwrap();
    assert!(matches!(
        verify_detached_payload(&parsed, b"$.03"),
        Err(JadesError::SignatureInvalid { .. })
    ));
    // And through JwsMessage with an empty payload member, the way a CLI gets it.
    let compact = format!("{}..{}", jws.protected, jws.signature);
    assert_eq!(
        JwsMessage::parse(&compact)
            .unwrap()
            .verify(Some(b"$.02"))
            .unwrap()
            .len(),
        1
    );
}
