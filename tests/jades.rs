//! JAdES B-B detached signatures: sign → verify for every algorithm, and every mutation an
//! attacker could try rejected with its specific error.

mod jades_common;

use edoc::{
    sign_attached_compact, sign_detached, verify_detached, Algorithm, Commitment, DetachedObject,
    JadesError, JwsMessage, JwsSignature, ParsedSignature, SignOptions, Signer,
};
use jades_common::*;
use serde_json::{json, Value};
use time::macros::datetime;

// Signing time pinned: the library never reads the clock.
const WHEN: time::OffsetDateTime = datetime!(2025-07-18 08:30:00 UTC);

fn objects() -> Vec<DetachedObject> {
    vec![
        DetachedObject::from_bytes("header.json", br#"{"subject":"report"}"#),
        DetachedObject::from_bytes("attachment-1.pdf", b"%PDF-1.7 fake"),
        DetachedObject::from_bytes("attachment-2.pdf", b"%PDF-1.7 other"),
    ]
}

fn opts() -> SignOptions {
    SignOptions::new(WHEN).with_commitment(Commitment::ProofOfApproval)
}

fn sign(s: &dyn Signer) -> JwsSignature {
    sign_detached(s, &objects(), &opts()).unwrap()
}

fn check(sig: &JwsSignature, objs: &[DetachedObject]) -> Result<(), JadesError> {
    verify_detached(&ParsedSignature::parse(sig)?, objs)
}

fn format_member(r: Result<impl std::fmt::Debug, JadesError>) -> &'static str {
    match r {
        Err(JadesError::Format { member, .. }) => member,
        other => panic!("expected a format failure, got {other:?}"),
    }
}

#[test]
fn every_algorithm_signs_and_verifies_with_its_header_as_dss_expects() {
    for alg in Algorithm::ALL {
        let s = signer(alg);
        let sig = sign(&s);
        let parsed = ParsedSignature::parse(&sig).unwrap();
        verify_detached(&parsed, &objects()).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(parsed.algorithm(), alg);
        assert_eq!(parsed.commitment(), Some(Commitment::ProofOfApproval));
        assert_eq!(parsed.signing_time(), Some(WHEN));
        assert_eq!(parsed.leaf(), s.certificate_chain().first());
        let uris: Vec<_> = parsed
            .signed_objects()
            .unwrap()
            .iter()
            .map(|o| o.uri.as_str())
            .collect();
        assert_eq!(
            uris,
            ["header.json", "attachment-1.pdf", "attachment-2.pdf"]
        );
        let h = header_of(&sig);
        assert_eq!(h["crit"], json!(["b64", "sigD"]));
        assert_eq!(h["b64"], json!(false));
        assert_eq!(h["iat"], json!(WHEN.unix_timestamp()));
        assert_eq!(
            h["sigD"]["mId"],
            json!("http://uri.etsi.org/19182/ObjectIdByURIHash")
        );
        assert_eq!(h["sigD"]["hashM"], json!("S256"));
        assert_eq!(
            h["srCms"][0]["commId"]["id"],
            json!(Commitment::ProofOfApproval.uri())
        );
        assert_eq!(
            parsed.signing_input(),
            format!("{}.", sig.protected).into_bytes()
        );
    }
}

#[test]
fn changed_protected_header_is_a_signature_failure() {
    let s = signer(Algorithm::Es256);
    let sig = sign(&s);
    let mut h = header_of(&sig);
    h.insert("iat".into(), json!(WHEN.unix_timestamp() + 1));
    let forged = JwsSignature {
        protected: b64u(serde_json::to_string(&h).unwrap().as_bytes()),
        ..sig
    };
    assert!(matches!(
        check(&forged, &objects()),
        Err(JadesError::SignatureInvalid { .. })
    ));
}

#[test]
fn changed_signature_byte_is_a_signature_failure() {
    for alg in Algorithm::ALL {
        let sig = sign(&signer(alg));
        let mut raw = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &sig.signature,
        )
        .unwrap();
        raw[5] ^= 1;
        let forged = JwsSignature {
            signature: b64u(&raw),
            ..sig
        };
        let e = check(&forged, &objects()).unwrap_err();
        assert!(
            matches!(e, JadesError::SignatureInvalid { ref subject } if subject.contains(&format!("Test signer {alg}"))),
            "{alg}: {e:?}"
        );
        assert_eq!(e.sub_indication_hint(), "SIG_CRYPTO_FAILURE");
    }
}

#[test]
fn tampered_attachment_is_a_hash_failure_naming_the_object() {
    let sig = sign(&signer(Algorithm::EdDsa));
    let mut objs = objects();
    objs[2] = DetachedObject::from_bytes("attachment-2.pdf", b"%PDF-1.7 swapped");
    let e = check(&sig, &objs).unwrap_err();
    assert_eq!(
        e,
        JadesError::HashMismatch {
            object: "attachment-2.pdf".into()
        }
    );
    assert_eq!(e.sub_indication_hint(), "HASH_FAILURE");
}

#[test]
fn reordered_missing_or_extra_objects_are_refused() {
    let sig = sign(&signer(Algorithm::Es384));
    let mut reordered = objects();
    reordered.swap(1, 2);
    let mut missing = objects();
    missing.pop();
    let mut extra = objects();
    extra.push(DetachedObject::from_bytes("attachment-3.pdf", b"x"));
    for objs in [reordered, missing, extra] {
        assert!(matches!(
            check(&sig, &objs),
            Err(JadesError::SignedObjects { .. })
        ));
    }
}

#[test]
fn rs256_header_signed_with_pss_padding_fails_crypto() {
    // The header says RS256 but the key holder produced PSS: the algorithm is bound to the header.
    let pss = signer(Algorithm::Ps256);
    let mut h = header_of(&sign(&pss));
    h.insert("alg".into(), json!("RS256"));
    let sig = sign_header(&pss, &h);
    assert!(matches!(
        check(&sig, &objects()),
        Err(JadesError::SignatureInvalid { .. })
    ));
    // And the other way round.
    let rs = signer(Algorithm::Rs256);
    let mut h = header_of(&sign(&rs));
    h.insert("alg".into(), json!("PS256"));
    let sig = sign_header(&rs, &h);
    assert!(matches!(
        check(&sig, &objects()),
        Err(JadesError::SignatureInvalid { .. })
    ));
}

#[test]
fn algorithm_that_does_not_fit_the_key_is_refused_before_crypto() {
    for (key_alg, claimed, key_words) in [
        (Algorithm::Es384, "ES256", "EC P-384"),
        (Algorithm::Es256, "ES384", "EC P-256"),
        (Algorithm::Es256, "RS256", "EC P-256"),
        (Algorithm::Rs256, "EdDSA", "RSA"),
        (Algorithm::EdDsa, "ES256", "Ed25519"),
    ] {
        let s = signer(key_alg);
        let mut h = header_of(&sign(&s));
        h.insert("alg".into(), json!(claimed));
        let sig = sign_header(&s, &h);
        match check(&sig, &objects()) {
            Err(JadesError::AlgorithmKeyMismatch { key, .. }) => assert_eq!(key, key_words),
            other => panic!("{claimed} with {key_words}: {other:?}"),
        }
    }
}

#[test]
fn none_hmac_and_unknown_algorithms_are_refused_before_any_key_is_read() {
    let s = signer(Algorithm::Es256);
    let cert = s.certificate_chain()[0].clone();
    let base = header_of(&sign(&s));
    // HS256 keyed with the signer's public certificate: the classic confusion attack.
    let mut h = base.clone();
    h.insert("alg".into(), json!("HS256"));
    let protected = b64u(serde_json::to_string(&h).unwrap().as_bytes());
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, cert.as_ref());
    let tag = ring::hmac::sign(&key, format!("{protected}.").as_bytes());
    let hmac = JwsSignature {
        protected,
        signature: b64u(tag.as_ref()),
    };
    assert_eq!(
        ParsedSignature::parse(&hmac).unwrap_err(),
        JadesError::UnsupportedAlgorithm {
            alg: "HS256".into()
        }
    );
    for alg in ["none", "ES512", "es256", "RS384", "PS384"] {
        let mut h = base.clone();
        h.insert("alg".into(), json!(alg));
        let sig = sign_header(&s, &h);
        let e = ParsedSignature::parse(&sig).unwrap_err();
        assert_eq!(e, JadesError::UnsupportedAlgorithm { alg: alg.into() });
        assert_eq!(e.sub_indication_hint(), "CRYPTO_CONSTRAINTS_FAILURE");
    }
    let mut h = base;
    h.remove("alg");
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &h))),
        "alg"
    );
}

#[test]
fn embedded_jwk_and_key_urls_are_refused() {
    let s = signer(Algorithm::Es256);
    let base = header_of(&sign(&s));
    for (member, value) in [
        ("jwk", json!({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})),
        ("jku", json!("https://evil.example/keys")),
        ("x5u", json!("https://evil.example/cert.pem")),
    ] {
        let mut h = base.clone();
        h.insert(member.into(), value);
        assert_eq!(
            format_member(ParsedSignature::parse(&sign_header(&s, &h))),
            member
        );
    }
}

#[test]
fn crit_problems_are_format_failures() {
    let s = signer(Algorithm::Es256);
    let base = header_of(&sign(&s));
    let cases: [(&str, Value); 6] = [
        ("sigD not listed", json!(["b64", "srCms"])),
        ("b64 not listed", json!(["sigD", "srCms"])),
        ("unknown member", json!(["b64", "sigD", "srCms", "foo"])),
        ("empty", json!([])),
        ("standard member", json!(["b64", "sigD", "srCms", "alg"])),
        ("listed twice", json!(["b64", "sigD", "sigD"])),
    ];
    for (why, crit) in cases {
        let mut h = base.clone();
        h.insert("crit".into(), crit);
        assert_eq!(
            format_member(ParsedSignature::parse(&sign_header(&s, &h))),
            "crit",
            "{why}"
        );
    }
    // Listing a member that is absent, and a crit that is not an array.
    let mut h = base.clone();
    h.insert("crit".into(), json!(["b64", "sigD", "srCms", "sigT"]));
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &h))),
        "crit"
    );
    let mut h = base;
    h.insert("crit".into(), json!("sigD"));
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &h))),
        "crit"
    );
}

#[test]
fn duplicate_keys_in_protected_header_are_refused_at_depth_one_and_inside_sigd() {
    let s = signer(Algorithm::Es256);
    let good = serde_json::to_string(&header_of(&sign(&s))).unwrap();
    // Depth 1: a second alg after the first.
    let dup_top = good.replacen("{", r#"{"alg":"none","#, 1);
    // Inside sigD: a second pars list.
    let dup_sigd = good.replacen(r#""pars":"#, r#""pars":["other.pdf"],"pars":"#, 1);
    assert_ne!(dup_sigd, good);
    for text in [dup_top, dup_sigd] {
        match ParsedSignature::parse(&sign_raw_header(&s, &text)) {
            Err(JadesError::Format {
                member: "protected",
                reason,
            }) => assert!(reason.contains("duplicate"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn base64url_variants_are_refused() {
    let sig = sign(&signer(Algorithm::Es256));
    let with_first = |s: &str, c: char| format!("{c}{}", &s[1..]);
    let variants = [
        JwsSignature {
            signature: format!("{}=", sig.signature),
            ..sig.clone()
        },
        JwsSignature {
            signature: with_first(&sig.signature, '+'),
            ..sig.clone()
        },
        JwsSignature {
            signature: with_first(&sig.signature, '/'),
            ..sig.clone()
        },
        JwsSignature {
            signature: format!(" {}", sig.signature),
            ..sig.clone()
        },
        JwsSignature {
            protected: format!("{}\n", sig.protected),
            ..sig.clone()
        },
        JwsSignature {
            protected: format!("{}==", sig.protected),
            ..sig.clone()
        },
        JwsSignature {
            protected: with_first(&sig.protected, '+'),
            ..sig.clone()
        },
    ];
    for (i, v) in variants.iter().enumerate() {
        let member = format_member(ParsedSignature::parse(v));
        assert!(
            member == "signature" || member == "protected",
            "variant {i}: {member}"
        );
    }
}

#[test]
fn x5t_that_does_not_name_the_leaf_is_refused() {
    let s = signer(Algorithm::Es256);
    let other = signer(Algorithm::Es256);
    let mut h = header_of(&sign(&s));
    h.insert("x5t#S256".into(), x5t_of(&other.certificate_chain()[0]));
    let e = check(&sign_header(&s, &h), &objects()).unwrap_err();
    assert!(
        matches!(e, JadesError::CertificateReference { ref subject } if subject.contains("Test signer ES256"))
    );
}

#[test]
fn swapped_x5c_leaf_is_refused() {
    let s = signer(Algorithm::Es256);
    let other = signer(Algorithm::Es256);
    let sig = sign(&s);
    // Swap the certificate only (protected header altered, signature kept): x5t still names the real leaf.
    let mut h = header_of(&sig);
    h.insert("x5c".into(), x5c_of(&other.certificate_chain()[0]));
    let forged = JwsSignature {
        protected: b64u(serde_json::to_string(&h).unwrap().as_bytes()),
        ..sig.clone()
    };
    assert!(matches!(
        check(&forged, &objects()),
        Err(JadesError::CertificateReference { .. })
    ));
    // Swap both x5c and x5t consistently: the signature no longer verifies with the new key.
    h.insert("x5t#S256".into(), x5t_of(&other.certificate_chain()[0]));
    let forged = JwsSignature {
        protected: b64u(serde_json::to_string(&h).unwrap().as_bytes()),
        ..sig
    };
    assert!(matches!(
        check(&forged, &objects()),
        Err(JadesError::SignatureInvalid { .. })
    ));
}

#[test]
fn signing_time_and_certificate_reference_rules() {
    let s = signer(Algorithm::Es256);
    let base = header_of(&sign(&s));
    let mut both = base.clone();
    both.insert("sigT".into(), json!("2025-07-18T08:30:00Z"));
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &both))),
        "iat"
    );
    let mut none = base.clone();
    none.remove("iat");
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &none))),
        "iat"
    );
    let mut two_refs = base.clone();
    two_refs.insert("x5t#o".into(), json!({"digAlg": "S256", "digVal": "AA"}));
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &two_refs))),
        "x5t#S256"
    );
    let mut no_x5c = base;
    no_x5c.remove("x5c");
    assert_eq!(
        format_member(ParsedSignature::parse(&sign_header(&s, &no_x5c))),
        "x5c"
    );
}

#[test]
fn rsa_key_below_2048_bits_is_refused_before_crypto() {
    let cert = cert_for_rsa_spki("rsa1024-a.spki.der", "Weak RSA");
    let s = signer(Algorithm::Rs256);
    let mut h = header_of(&sign(&s));
    h.insert("x5c".into(), x5c_of(&cert));
    h.insert("x5t#S256".into(), x5t_of(&cert));
    let e = check(&sign_header(&s, &h), &objects()).unwrap_err();
    assert!(
        matches!(
            e,
            JadesError::KeySize {
                bits: 1024,
                min: 2048,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn rsa_8192_passes_the_size_check_and_reaches_the_crypto() {
    // ring cannot sign with 8192 bits: a signature by another key must fail in the crypto
    // step, not in the size check. Real 8192 verification is proven by Wycheproof.
    let cert = cert_for_rsa_spki("rsa8192-a.spki.der", "Big RSA");
    let s = signer(Algorithm::Rs256);
    let mut h = header_of(&sign(&s));
    h.insert("x5c".into(), x5c_of(&cert));
    h.insert("x5t#S256".into(), x5t_of(&cert));
    let e = check(&sign_header(&s, &h), &objects()).unwrap_err();
    assert!(
        matches!(e, JadesError::SignatureInvalid { ref subject } if subject.contains("Big RSA")),
        "{e:?}"
    );
}

#[test]
fn attached_compact_and_single_detached_payload_verify_through_jws_message() {
    for alg in Algorithm::ALL {
        let s = signer(alg);
        let compact = sign_attached_compact(&s, b"hello world", &opts()).unwrap();
        let msg = JwsMessage::parse(&compact).unwrap();
        assert_eq!(msg.verify(None).unwrap().len(), 1);
        // Payload segment swapped: signature fails.
        let parts: Vec<&str> = compact.split('.').collect();
        let bad = format!("{}.{}.{}", parts[0], b64u(b"hello w0rld"), parts[2]);
        assert!(matches!(
            JwsMessage::parse(&bad).unwrap().verify(None),
            Err(JadesError::SignatureInvalid { .. })
        ));

        // One detached object in a flattened JSON file, verified against --payload bytes.
        let sig = sign_detached(
            &s,
            &[DetachedObject::from_bytes("doc.txt", b"payload file")],
            &opts(),
        )
        .unwrap();
        let json = serde_json::to_string(&sig).unwrap();
        let msg = JwsMessage::parse(&json).unwrap();
        assert_eq!(msg.verify(Some(b"payload file")).unwrap().len(), 1);
        assert_eq!(
            msg.verify(Some(b"payload filE")).unwrap_err(),
            JadesError::HashMismatch {
                object: "doc.txt".into()
            }
        );
    }
}
