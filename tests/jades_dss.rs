//! EU DSS JAdES samples (`shared/vectors/jades-dss`, esig/dss test resources): our verifier
//! checks format + hash + signature crypto with the `x5c` leaf key. These certificates do not
//! chain to any trust store of ours, so no chain validation happens here.
//!
//! Every sample is listed in `TABLE` with the outcome we expect and why; the test fails if a
//! sample is missing from the table, or the table names a file EXPECTED.json does not list,
//! and an unexpected pass fails like an unexpected rejection.

#[path = "common/conformance.rs"]
mod conformance;
mod jades_common;

use edoc::{verify_attached, verify_detached_documents, JadesError, JwsMessage, ParsedSignature};
use jades_common::*;
use std::path::Path;

#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Every signature verifies (format + digests + crypto); the number of signatures.
    Accept(usize),
    /// Refused with this sub-indication hint and, for format failures, this member.
    Reject(&'static str, Option<&'static str>),
    /// Not a JWS file.
    NotJws,
}
use Expect::*;

const FMT: &str = "FORMAT_FAILURE";

/// (file, expected outcome, reason). "stricter than DSS" marks a policy choice of this crate.
const TABLE: &[(&str, Expect, &str)] = &[
    (
        "altered-jws.json",
        Reject("SIG_CRYPTO_FAILURE", None),
        "payload altered after signing (DSS: not intact)",
    ),
    (
        "double-lta-in-container.json",
        Accept(1),
        "B part valid; LTA attributes (unsigned etsiU) are not evaluated",
    ),
    (
        "dss2620/jades-b-level-with-etsiu-in-crit.json",
        Reject(FMT, Some("crit")),
        "etsiU in crit (DSS: JSON_NOT_ETSI)",
    ),
    (
        "dss2620/jades-t-level-with-etsiu-in-crit.json",
        Reject(FMT, Some("crit")),
        "etsiU in crit: DSS accepts at T level; stricter than DSS, we process no etsiU",
    ),
    (
        "dss2620/jades-with-b64-not-in-crit.json",
        Reject(FMT, Some("crit")),
        "b64 present but not in crit (DSS: JSON_NOT_ETSI)",
    ),
    (
        "dss2620/jades-with-crit-string-type.json",
        Reject(FMT, Some("crit")),
        "crit is a string",
    ),
    (
        "dss2620/jades-with-crit-with-duplicated-header.json",
        Reject(FMT, Some("crit")),
        "crit lists sigT twice",
    ),
    (
        "dss2620/jades-with-crit-with-wrong-entry-type.json",
        Reject(FMT, Some("crit")),
        "crit entry is an array",
    ),
    (
        "dss2620/jades-with-critical-headers-in-crit.json",
        Reject(FMT, Some("crit")),
        "registered members (alg, x5c, ...) in crit",
    ),
    (
        "dss2620/jades-with-empty-crit.json",
        Reject(FMT, Some("crit")),
        "empty crit",
    ),
    (
        "dss2620/jades-with-expiration-time-header-in-crit.json",
        Reject(FMT, Some("crit")),
        "exp in crit: DSS accepts; stricter than DSS, exp is not processed",
    ),
    (
        "dss2620/jades-with-expiration-time-header.json",
        Accept(1),
        "exp outside crit is ignored, as DSS does",
    ),
    (
        "dss2620/jades-with-extra-crit-entry.json",
        Reject(FMT, Some("crit")),
        "crit names sigPl, absent / not understood",
    ),
    (
        "dss2620/jades-with-notBefore-header-in-crit.json",
        Reject("CRYPTO_CONSTRAINTS_FAILURE", None),
        "RS512 is not accepted (refused before the crit check)",
    ),
    (
        "dss2620/jades-with-notBefore-header.json",
        Reject("CRYPTO_CONSTRAINTS_FAILURE", None),
        "RS512 is not accepted",
    ),
    (
        "dss2620/jades-without-non-critical-header-in-crit.json",
        Reject(FMT, Some("crit")),
        "sigPl (signer's place) is not implemented: unknown critical member",
    ),
    (
        "evidence-record/Signature-J-LT-a0baac29-c2b6-4544-abc5-d26ac6c8b655.json",
        Accept(1),
        "B part valid; LT data and evidence record not evaluated",
    ),
    (
        "evidence-record/evidence-record-a0baac29-c2b6-4544-abc5-d26ac6c8b655.ers",
        NotJws,
        "ASN.1 evidence record, not a JWS",
    ),
    (
        "evidence-record/evidence-record-a0baac29-c2b6-4544-abc5-d26ac6c8b655.xml",
        NotJws,
        "XML evidence record, not a JWS",
    ),
    (
        "flattened-extra-element.json",
        Reject(FMT, Some("jws")),
        "unknown top-level member \"evil\": DSS accepts; stricter than DSS",
    ),
    (
        "jades-b-copied-cnttst.json",
        Reject(FMT, Some("crit")),
        "adoTst (content timestamp) is not implemented: unknown critical member",
    ),
    (
        "jades-b-iat-and-sigt.json",
        Reject(FMT, Some("iat")),
        "both iat and sigT (DSS: JSON_NOT_ETSI)",
    ),
    (
        "jades-b-no-signing-time.json",
        Reject(FMT, Some("srCms")),
        "ProofOfCreation commitment is not one of ours (it also lacks a signing time)",
    ),
    (
        "jades-b-with-xvals.json",
        Reject("CRYPTO_CONSTRAINTS_FAILURE", None),
        "RS512; also no x5c (cert only in unsigned xVals)",
    ),
    (
        "jades-detached-by-uri-encoded-pars.json",
        Reject(FMT, Some("sigD")),
        "mId ObjectIdByURI (no digest) is not implemented",
    ),
    (
        "jades-detached-by-uri-hash-encoded-pars.json",
        Accept(1),
        "detached ObjectIdByURIHash, b64 false, two HTML documents",
    ),
    (
        "jades-double-sig-different-etsiU.json",
        Accept(2),
        "two signatures, both valid at B level",
    ),
    (
        "jades-flattened-BpB-detached-objectByURIHash.json",
        Accept(1),
        "detached ObjectIdByURIHash, b64 absent (hashV over base64url text)",
    ),
    (
        "jades-flattened-BpT-broken-sigTst.json",
        Accept(1),
        "B part valid; the broken sigTst is unsigned and not evaluated",
    ),
    (
        "jades-level-b-full-type.json",
        Accept(1),
        "typ application/jose is fine",
    ),
    (
        "jades-level-b-sig-policy-invalid-digest-algo.json",
        Reject("CRYPTO_CONSTRAINTS_FAILURE", None),
        "RS512",
    ),
    (
        "jades-lta-broken-arcTst.json",
        Accept(1),
        "B part valid; arcTst not evaluated",
    ),
    (
        "jades-lta-copied-arctst.json",
        Accept(1),
        "B part valid; arcTst not evaluated",
    ),
    (
        "jades-lta-with-etsiU-whitespaces.json",
        Accept(1),
        "B part valid",
    ),
    ("jades-lta.json", Accept(1), "B part valid"),
    ("jades-t-clear-etsiu.json", Accept(1), "B part valid"),
    (
        "jades-t-copied-sigtst.json",
        Reject(FMT, Some("crit")),
        "adoTst is not implemented: unknown critical member",
    ),
    (
        "jades-t-duplicated-sigtst.json",
        Accept(1),
        "B part valid; timestamps not evaluated",
    ),
    ("jades-triple-LTA.json", Accept(1), "B part valid"),
    (
        "jades-two-sigs-copied-tst.json",
        Accept(2),
        "both signatures valid at B level",
    ),
    (
        "jades-unsupported-signature-algorithm.json",
        Reject("CRYPTO_CONSTRAINTS_FAILURE", None),
        "alg is an OID",
    ),
    (
        "jades-with-asn1policy-digPSp.json",
        Reject(FMT, Some("crit")),
        "sigPId (signature policy) is not implemented",
    ),
    (
        "jades-with-asn1policy.json",
        Reject(FMT, Some("crit")),
        "sigPId is not implemented",
    ),
    (
        "jades-with-attached-counter-signature-replace-attack.json",
        Accept(1),
        "master valid; counter-signatures (unsigned cSig) are not verified",
    ),
    (
        "jades-with-broken-attached-counter-signature.json",
        Accept(1),
        "master valid; cSig not verified",
    ),
    (
        "jades-with-broken-detached-counter-signature.json",
        Accept(1),
        "master valid; cSig not verified",
    ),
    (
        "jades-with-certified.json",
        Reject(FMT, Some("crit")),
        "srAts (signer attributes) is not implemented",
    ),
    (
        "jades-with-counter-signature.json",
        Accept(1),
        "master valid; cSig not verified",
    ),
    (
        "jades-with-double-sigt.json",
        Reject(FMT, Some("protected")),
        "duplicate sigT key in the protected header",
    ),
    (
        "jades-with-line-break.json",
        Accept(1),
        "trailing newline after the compact JWS is ignored",
    ),
    (
        "jades-with-mixed-etsiU-type.json",
        Reject(FMT, Some("crit")),
        "sigPId is not implemented",
    ),
    (
        "jades-with-multiple-sign-cert-refs.json",
        Reject(FMT, Some("crit")),
        "sigX5ts (several cert refs) is not implemented",
    ),
    (
        "jades-with-sigAndRefsTst-with-dot.json",
        Accept(1),
        "B part valid",
    ),
    (
        "jades-with-sigAndRefsTst-without-dot.json",
        Accept(1),
        "B part valid",
    ),
    (
        "jades-with-spUserNotice.json",
        Reject(FMT, Some("crit")),
        "sigPId is not implemented",
    ),
    (
        "jades-with-spdspec.json",
        Reject(FMT, Some("crit")),
        "sigPId is not implemented",
    ),
    (
        "jades-wrong-etsiu-type.json",
        Reject(FMT, Some("crit")),
        "sigPId is not implemented",
    ),
    (
        "jades-wrong-x5c-header.json",
        Reject(FMT, Some("crit")),
        "sigPl not implemented (and x5c is a string, refused too)",
    ),
    (
        "jws-serialization-no-signatures.json",
        Reject(FMT, Some("signatures")),
        "no signature",
    ),
    (
        "malformed-jades-serialization.json",
        Reject(FMT, Some("jws")),
        "not JSON",
    ),
    (
        "serialization-extra-element.json",
        Reject(FMT, Some("jws")),
        "unknown member \"evil\": stricter than DSS",
    ),
    (
        "serialization-wrong-payload-type.json",
        Reject(FMT, Some("payload")),
        "payload is an array",
    ),
    (
        "signature-policy.der",
        NotJws,
        "the policy document the sigPId samples point to",
    ),
    (
        "simple-detached-wrong-algo.json",
        Reject(FMT, Some("sigD")),
        "hashM is an XML URI and hashV padded base64 (DSS: sigD not intact)",
    ),
    (
        "simple-detached.json",
        Accept(1),
        "detached ObjectIdByURIHash, b64 absent, compact",
    ),
];

/// The detached document for a `pars` entry: its last path segment in `detached/`.
fn document(docs: &Path, uri: &str) -> Vec<u8> {
    let name = uri.rsplit('/').next().unwrap_or(uri);
    std::fs::read(docs.join(name)).unwrap_or_else(|e| panic!("detached document {name}: {e}"))
}

fn verify_sample(text: &str, docs: &Path, tamper: bool) -> Result<usize, JadesError> {
    let msg = JwsMessage::parse(text)?;
    for sig in &msg.signatures {
        let p = ParsedSignature::parse(sig)?;
        match p.signed_objects() {
            Some(objs) => {
                let mut files: Vec<(String, Vec<u8>)> = objs
                    .iter()
                    .map(|o| (o.uri.clone(), document(docs, &o.uri)))
                    .collect();
                if tamper {
                    files[0].1.push(b' ');
                }
                let refs: Vec<(&str, &[u8])> = files
                    .iter()
                    .map(|(u, b)| (u.as_str(), b.as_slice()))
                    .collect();
                verify_detached_documents(&p, &refs)?;
            }
            None => verify_attached(&p, msg.payload.as_deref().unwrap_or(""))?,
        }
    }
    Ok(msg.signatures.len())
}

#[test]
fn dss_samples_match_the_table() {
    let dir = vectors("jades-dss");
    let docs = dir.join("detached");
    let expected: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("EXPECTED.json")).unwrap()).unwrap();
    let mut listed: Vec<&str> = expected
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file"].as_str().unwrap())
        .collect();
    let mut ours: Vec<&str> = TABLE.iter().map(|t| t.0).collect();
    listed.sort();
    ours.sort();
    assert_eq!(
        listed, ours,
        "the table must list every sample of EXPECTED.json"
    );

    let (mut accepted, mut rejected, mut not_jws, mut wrong) = (0, 0, 0, Vec::new());
    for (file, expect, why) in TABLE {
        let got = std::fs::read(dir.join(file))
            .map(|b| String::from_utf8(b).map_err(|_| ()))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let result = got.map(|text| verify_sample(&text, &docs, false));
        match (expect, result) {
            (NotJws, Err(())) | (NotJws, Ok(Err(JadesError::Format { .. }))) => not_jws += 1,
            (Accept(n), Ok(Ok(m))) if *n == m => accepted += 1,
            (Reject(hint, member), Ok(Err(e))) if e.sub_indication_hint() == *hint => {
                match (member, &e) {
                    (Some(m), JadesError::Format { member: got, .. }) if m != got => {
                        wrong.push(format!("{file}: {e} ({why})"))
                    }
                    _ => rejected += 1,
                }
            }
            (_, r) => wrong.push(format!("{file}: expected {expect:?} ({why}), got {r:?}")),
        }
    }
    conformance::record(&format!("DSS JAdES samples: accepted {accepted}, rejected as expected {rejected}, not JWS {not_jws}, of {}", TABLE.len()));
    assert!(
        wrong.is_empty(),
        "unexpected outcomes:\n{}",
        wrong.join("\n")
    );
    assert_eq!(accepted, 24);
}

#[test]
fn valid_detached_dss_samples_fail_when_a_document_is_altered() {
    let dir = vectors("jades-dss");
    let docs = dir.join("detached");
    for file in [
        "simple-detached.json",
        "jades-flattened-BpB-detached-objectByURIHash.json",
        "jades-detached-by-uri-hash-encoded-pars.json",
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        assert_eq!(verify_sample(&text, &docs, false), Ok(1), "{file}");
        match verify_sample(&text, &docs, true) {
            Err(JadesError::HashMismatch { object }) => assert!(!object.is_empty()),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn b64_false_dss_sample_hashes_raw_bytes_so_digests_can_be_reused() {
    // jades-detached-by-uri-hash-encoded-pars uses b64 false: hashV is SHA-256 of the raw HTML,
    // which is what DetachedObject::from_bytes computes, so verify_detached works directly.
    let dir = vectors("jades-dss");
    let text =
        std::fs::read_to_string(dir.join("jades-detached-by-uri-hash-encoded-pars.json")).unwrap();
    let msg = JwsMessage::parse(&text).unwrap();
    let p = ParsedSignature::parse(&msg.signatures[0]).unwrap();
    assert!(!p.payload_is_base64url());
    let objects: Vec<_> = p
        .signed_objects()
        .unwrap()
        .iter()
        .map(|o| {
            edoc::DetachedObject::from_bytes(
                o.uri.clone(),
                &document(&dir.join("detached"), &o.uri),
            )
        })
        .collect();
    edoc::verify_detached(&p, &objects).unwrap();
}

/// The level each signature of a sample reaches through its timestamps and validation data
/// (tokens checked: imprint and CMS signature; no TSA chain, as DSS's tests set no anchors).
/// Samples not listed here reach B-B. "DSS format" is what DSS's test asserts, by content.
const LEVELS: &[(&str, &[JadesLevel], &str)] = &[
    (
        "double-lta-in-container.json",
        &[LTA],
        "one arcTst component holding two tokens, both over the same data",
    ),
    (
        "evidence-record/Signature-J-LT-a0baac29-c2b6-4544-abc5-d26ac6c8b655.json",
        &[LT],
        "sigTst, xVals, rVals (the evidence record itself is not read)",
    ),
    (
        "jades-double-sig-different-etsiU.json",
        &[LT, LTA],
        "DSS: one JAdES_BASELINE_LT and one JAdES_BASELINE_LTA; the first in clear JSON",
    ),
    (
        "jades-flattened-BpT-broken-sigTst.json",
        &[B],
        "DSS format T, but the sigTst imprint is not intact: stays at B",
    ),
    (
        "jades-lta-broken-arcTst.json",
        &[LT],
        "DSS format LTA, but the arcTst imprint is not intact: stays at LT",
    ),
    (
        "jades-lta-copied-arctst.json",
        &[LT],
        "arcTst is a copy of the sigTst (DSS: A level not valid): stays at LT",
    ),
    (
        "jades-lta-with-etsiU-whitespaces.json",
        &[LTA],
        "DSS: JAdES_BASELINE_LTA",
    ),
    ("jades-lta.json", &[LTA], "sigTst, xVals, rVals, arcTst"),
    (
        "jades-t-clear-etsiu.json",
        &[B],
        "sigTst in clear JSON from a 2020 DSS: its imprint is SHA-256 of the raw signature \
         bytes, not of their base64url text (TS 119 182-1 §5.3.4); DSS has no validation test",
    ),
    (
        "jades-t-duplicated-sigtst.json",
        &[T],
        "the same valid token twice",
    ),
    (
        "jades-triple-LTA.json",
        &[LTA],
        "three arcTst, with tstVD between them",
    ),
    (
        "jades-two-sigs-copied-tst.json",
        &[T, B],
        "the second signature's sigTst is the first one's (DSS: imprint not intact)",
    ),
    (
        "jades-with-sigAndRefsTst-with-dot.json",
        &[T],
        "sigTst valid; the refs timestamps (sigRTst, rfsTst) are not baseline and not read",
    ),
    (
        "jades-with-sigAndRefsTst-without-dot.json",
        &[T],
        "sigTst valid; the broken sigRTst is not a baseline property and is not read",
    ),
];

use edoc::JadesLevel::{BaselineB as B, BaselineLt as LT, BaselineLta as LTA, BaselineT as T};
use edoc::{JadesLevel, LevelEvaluation, SignedContent};

/// The level of every signature of a sample whose B part verifies.
fn levels_of(text: &str, docs: &Path) -> Vec<JadesLevel> {
    let msg = JwsMessage::parse(text).unwrap();
    let mut levels = Vec::new();
    for (i, sig) in msg.signatures.iter().enumerate() {
        let p = ParsedSignature::parse(sig).unwrap();
        let Ok(props) = msg.unsigned_properties(i) else {
            levels.push(B);
            continue;
        };
        let files: Vec<Vec<u8>> = p
            .signed_objects()
            .map(|objs| objs.iter().map(|o| document(docs, &o.uri)).collect())
            .unwrap_or_default();
        let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
        let content = match p.signed_objects() {
            Some(_) => SignedContent::Documents(&refs),
            None => SignedContent::Attached(msg.payload.as_deref().unwrap_or("")),
        };
        levels.push(LevelEvaluation::evaluate(&p, &props, content).level());
    }
    levels
}

#[test]
fn dss_samples_reach_the_levels_their_timestamps_support() {
    let dir = vectors("jades-dss");
    let docs = dir.join("detached");
    let mut wrong = Vec::new();
    let mut counts = std::collections::BTreeMap::new();
    for (file, expect, _) in TABLE {
        let Accept(_) = expect else { continue };
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let got = levels_of(&text, &docs);
        let want: Vec<JadesLevel> = match LEVELS.iter().find(|l| l.0 == *file) {
            Some((_, levels, _)) => levels.to_vec(),
            None => vec![B; got.len()],
        };
        if got != want {
            wrong.push(format!("{file}: expected {want:?}, got {got:?}"));
        }
        for l in got {
            *counts.entry(l.to_string()).or_insert(0) += 1;
        }
    }
    for (file, _, _) in LEVELS {
        assert!(
            TABLE
                .iter()
                .any(|t| t.0 == *file && matches!(t.1, Accept(_))),
            "{file} is in LEVELS but not accepted at B"
        );
    }
    conformance::record(&format!("DSS JAdES levels reached: {counts:?}"));
    assert!(wrong.is_empty(), "unexpected levels:\n{}", wrong.join("\n"));
}
