//! Wycheproof vectors through the crate's verification layer (`verify_raw_signature`, and the
//! JWS parser for json_web_signature_test.json): every `valid` vector verifies, every
//! `invalid` one is rejected. An unexpected pass fails the test like an unexpected failure.
//!
//! ECDSA DER (ASN.1) files: the signature is converted DER → r‖s by the strict parser below,
//! and a conversion failure counts as rejection; then r‖s goes through the JWS verifier
//! (`ECDSA_*_FIXED`), like every JWS signature. ring's ASN.1 verifier is NOT used.
//!
//! `acceptable` vectors (either outcome passes; counts are printed): RSA PKCS#1 "Missing NULL
//! in the ASN encoding" (ring refuses: the DigestInfo must be exact), and sig_gen "short
//! signature" / "close to n" with the SmallPublicKey flag (ring accepts them: they verify).

#[path = "common/conformance.rs"]
mod conformance;
mod jades_common;

use base64::Engine;
use edoc::{
    verify_attached_with_key, verify_raw_signature, Algorithm, JadesError, JwsMessage,
    ParsedSignature, Profile,
};
use jades_common::*;
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn load(file: &str) -> Value {
    let path = vectors("wycheproof").join(file);
    serde_json::from_slice(
        &std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

#[derive(Default, Debug)]
struct Counts {
    valid_ok: usize,
    invalid_rejected: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    skipped: Vec<String>,
    wrong: Vec<String>,
}

impl Counts {
    fn record(&mut self, id: &str, result: &str, accepted: bool) {
        match (result, accepted) {
            ("valid", true) => self.valid_ok += 1,
            ("invalid", false) => self.invalid_rejected += 1,
            ("acceptable", true) => self.acceptable_accepted += 1,
            ("acceptable", false) => self.acceptable_rejected += 1,
            _ => self
                .wrong
                .push(format!("{id}: expected {result}, accepted={accepted}")),
        }
    }
    fn finish(self, name: &str) {
        conformance::record(&format!(
            "Wycheproof {name}: valid verified {}, invalid rejected {}, acceptable accepted {} / rejected {}, skipped {}",
            self.valid_ok,
            self.invalid_rejected,
            self.acceptable_accepted,
            self.acceptable_rejected,
            self.skipped.len()
        ));
        for s in &self.skipped {
            println!("  skipped: {s}");
        }
        assert!(
            self.wrong.is_empty(),
            "{name}: {} unexpected outcomes:\n{}",
            self.wrong.len(),
            self.wrong.join("\n")
        );
        assert!(
            self.valid_ok > 0 && self.invalid_rejected > 0,
            "{name}: nothing ran"
        );
    }
}

/// Runs every group of `file` whose parameters match `alg`; other groups are skipped with
/// `why_not(group)` as the reason.
fn run_file(
    file: &str,
    alg: Algorithm,
    convert: fn(&[u8], usize) -> Option<Vec<u8>>,
    field: usize,
    counts: &mut Counts,
) {
    let v = load(file);
    for (gi, g) in v["testGroups"].as_array().unwrap().iter().enumerate() {
        if let Some(reason) = group_mismatch(g, alg) {
            counts.skipped.push(format!(
                "{file} group {gi}: {reason} ({} tests)",
                g["tests"].as_array().unwrap().len()
            ));
            continue;
        }
        let key = hex(g["publicKeyDer"].as_str().or(g["keyDer"].as_str()).unwrap());
        for t in g["tests"].as_array().unwrap() {
            let id = format!("{file}#{}", t["tcId"]);
            let sig = convert(&hex(t["sig"].as_str().unwrap()), field);
            let accepted = sig.is_some_and(|sig| {
                verify_raw_signature(alg, &key, &hex(t["msg"].as_str().unwrap()), &sig).is_ok()
            });
            counts.record(&id, t["result"].as_str().unwrap(), accepted);
        }
    }
}

/// Why a group's parameters are not those of `alg` (None when they are).
fn group_mismatch(g: &Value, alg: Algorithm) -> Option<String> {
    let sha = g["sha"].as_str().unwrap_or("");
    let want_sha = if alg == Algorithm::Es384 {
        "SHA-384"
    } else {
        "SHA-256"
    };
    if alg != Algorithm::EdDsa && sha != want_sha {
        return Some(format!("{sha} is not the hash of {alg}"));
    }
    if alg == Algorithm::Ps256 {
        let (mgf_sha, slen) = (
            g["mgfSha"].as_str().unwrap_or(""),
            g["sLen"].as_u64().unwrap_or(0),
        );
        if mgf_sha != "SHA-256" || slen != 32 {
            return Some(format!(
                "PS256 fixes MGF1-SHA-256 and a 32-byte salt, group has MGF1-{mgf_sha} salt {slen}"
            ));
        }
    }
    if let Some(bits) = g["keySize"].as_u64() {
        if matches!(alg, Algorithm::Rs256 | Algorithm::Ps256) && !(2048..=8192).contains(&bits) {
            return Some(format!(
                "{bits}-bit RSA is outside the 2048-8192 bits this crate verifies"
            ));
        }
    }
    None
}

fn as_is(sig: &[u8], _: usize) -> Option<Vec<u8>> {
    Some(sig.to_vec())
}

/// Strict DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) → r‖s, each `n` bytes.
/// Refuses long-form lengths below 128, non-minimal or negative integers, and trailing bytes.
fn der_to_fixed(sig: &[u8], n: usize) -> Option<Vec<u8>> {
    fn take(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&t, rest) = input.split_first()?;
        if t != tag {
            return None;
        }
        let (&l, rest) = rest.split_first()?;
        let (len, rest) = match l {
            0..=0x7f => (l as usize, rest),
            0x81 => {
                let (&b, rest) = rest.split_first()?;
                if b < 0x80 {
                    return None;
                }
                (b as usize, rest)
            }
            _ => return None,
        };
        (rest.len() >= len).then(|| rest.split_at(len))
    }
    fn int(input: &[u8], n: usize) -> Option<(Vec<u8>, &[u8])> {
        let (v, rest) = take(input, 0x02)?;
        let (&first, tail) = v.split_first()?;
        if first & 0x80 != 0 {
            return None;
        }
        let v = if first == 0 {
            if tail.first().is_none_or(|b| b & 0x80 == 0) && !tail.is_empty() {
                return None;
            }
            tail
        } else {
            v
        };
        if v.len() > n {
            return None;
        }
        let mut out = vec![0; n - v.len()];
        out.extend_from_slice(v);
        Some((out, rest))
    }
    let (seq, rest) = take(sig, 0x30)?;
    if !rest.is_empty() {
        return None;
    }
    let (r, seq) = int(seq, n)?;
    let (s, seq) = int(seq, n)?;
    seq.is_empty().then(|| [r, s].concat())
}

#[test]
fn ecdsa_p256_p1363_and_der() {
    let mut c = Counts::default();
    run_file(
        "ecdsa_secp256r1_sha256_p1363_test.json",
        Algorithm::Es256,
        as_is,
        32,
        &mut c,
    );
    run_file(
        "ecdsa_secp256r1_sha256_test.json",
        Algorithm::Es256,
        der_to_fixed,
        32,
        &mut c,
    );
    c.finish("ECDSA P-256");
}

#[test]
fn ecdsa_p384_p1363_and_der() {
    let mut c = Counts::default();
    run_file(
        "ecdsa_secp384r1_sha384_p1363_test.json",
        Algorithm::Es384,
        as_is,
        48,
        &mut c,
    );
    run_file(
        "ecdsa_secp384r1_sha384_test.json",
        Algorithm::Es384,
        der_to_fixed,
        48,
        &mut c,
    );
    // P-384 with SHA-256 is no JWS algorithm (ES384 fixes SHA-384): every group is skipped.
    run_file(
        "ecdsa_secp384r1_sha256_test.json",
        Algorithm::Es384,
        der_to_fixed,
        48,
        &mut c,
    );
    c.finish("ECDSA P-384");
}

#[test]
fn rsa_pkcs1_2048_to_8192() {
    let mut c = Counts::default();
    for bits in [2048, 3072, 4096, 8192] {
        for sha in ["sha256", "sha384"] {
            // sha384 files: RS384 is not accepted; their groups are skipped by hash.
            run_file(
                &format!("rsa_signature_{bits}_{sha}_test.json"),
                Algorithm::Rs256,
                as_is,
                0,
                &mut c,
            );
        }
    }
    for bits in [2048, 3072, 4096] {
        run_file(
            &format!("rsa_pkcs1_{bits}_sig_gen_test.json"),
            Algorithm::Rs256,
            as_is,
            0,
            &mut c,
        );
    }
    c.finish("RSA PKCS#1 v1.5");
}

#[test]
fn rsa_pss_with_ps256_parameters() {
    let mut c = Counts::default();
    for f in [
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        "rsa_pss_3072_sha256_mgf1_32_test.json",
        "rsa_pss_4096_sha256_mgf1_32_test.json",
        // Skipped by parameters (PS256 = SHA-256, MGF1-SHA-256, salt 32), listed so the skip shows.
        "rsa_pss_2048_sha256_mgf1_0_test.json",
        "rsa_pss_2048_sha384_mgf1_48_test.json",
        "rsa_pss_4096_sha384_mgf1_48_test.json",
        "rsa_pss_4096_sha512_mgf1_64_test.json",
        "rsa_pss_misc_test.json",
    ] {
        run_file(f, Algorithm::Ps256, as_is, 0, &mut c);
    }
    c.finish("RSA-PSS");
}

#[test]
fn ed25519() {
    let mut c = Counts::default();
    run_file("ed25519_test.json", Algorithm::EdDsa, as_is, 0, &mut c);
    c.finish("Ed25519");
}

/// json_web_signature_test.json through JwsMessage + ParsedSignature (plain JWS profile) +
/// verify_attached_with_key. valid vectors of refused algorithms are expected
/// failures; the JWK `alg`/`use`/`key_ops` restrictions are applied by the harness.
#[test]
fn json_web_signature_through_the_jws_parser() {
    let v = load("json_web_signature_test.json");
    let mut c = Counts::default();
    let mut hmac_refused = 0;
    for g in v["testGroups"].as_array().unwrap() {
        let jwk = if g["public"].is_object() {
            &g["public"]
        } else {
            &g["private"]
        };
        for t in g["tests"].as_array().unwrap() {
            let id = format!("jws#{}", t["tcId"]);
            let text = match &t["jws"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let outcome = (|| -> Result<(), Option<JadesError>> {
                let msg = JwsMessage::parse(&text)?;
                let [sig] = msg.signatures.as_slice() else {
                    return Err(None);
                };
                let parsed = ParsedSignature::parse_with(sig, Profile::PlainJws)?;
                // Key selection, which a JWK-based application does before calling the crate:
                // a JWK restricted to another `alg`, to `use: enc`, or without `verify` in
                // `key_ops` is not a key for this signature.
                let alg = parsed.algorithm().jws_name();
                if jwk.get("alg").is_some_and(|a| a != alg)
                    || jwk.get("use").is_some_and(|u| u != "sig")
                    || jwk.get("key_ops").is_some_and(|o| {
                        !o.as_array()
                            .is_some_and(|o| o.iter().any(|x| x == "verify"))
                    })
                {
                    return Err(None);
                }
                let key = jwk_to_spki(jwk).ok_or(None)?;
                Ok(verify_attached_with_key(
                    &parsed,
                    msg.payload.as_deref().unwrap_or(""),
                    &key,
                )?)
            })();
            let result = t["result"].as_str().unwrap();
            // Valid vectors for algorithms this crate refuses (HMAC, RS384/512, PS384/512,
            // ES512) are expected failures: refused before any crypto, counted apart.
            // HMAC ones may also fail earlier on strict base64url (tcId 372 has a `?` in the header).
            let hmac_group = g["private"]["kty"] == "oct";
            if result == "valid"
                && (hmac_group
                    || matches!(outcome, Err(Some(JadesError::UnsupportedAlgorithm { .. }))))
            {
                assert!(outcome.is_err(), "{id}: accepted");
                hmac_refused += 1;
                continue;
            }
            c.record(&id, result, outcome.is_ok());
        }
    }
    conformance::record(&format!("Wycheproof JWS: valid vectors of refused algorithms (HMAC, RS384/512, PS384/512, ES521), refused as expected: {hmac_refused}"));
    assert!(hmac_refused > 0);
    c.finish("JSON Web Signature");
}

#[test]
fn strict_der_conversion_refuses_ber_variants() {
    let good = der(0x30, &[der(0x02, &[1]), der(0x02, &[2])].concat());
    assert_eq!(der_to_fixed(&good, 2), Some(vec![0, 1, 0, 2]));
    let padded = der(0x30, &[der(0x02, &[0, 1]), der(0x02, &[2])].concat());
    assert_eq!(der_to_fixed(&padded, 2), None);
    let negative = der(0x30, &[der(0x02, &[0x81]), der(0x02, &[2])].concat());
    assert_eq!(der_to_fixed(&negative, 2), None);
    let long_form = [0x30, 0x81, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02];
    assert_eq!(der_to_fixed(&long_form, 2), None);
    let _ = base64::engine::general_purpose::STANDARD.encode([0u8]);
}
