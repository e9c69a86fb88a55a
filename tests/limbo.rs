//! x509-limbo (`../shared/vectors/limbo/limbo-generic.json`) through `TrustStore::validate_chain`.
//!
//! Each case's trusted certificates become anchors, its untrusted intermediates travel with the
//! peer certificate as a signer's `x5c` would, and validation runs at the case's time. The
//! policy is the crate's strict one minus what a TLS corpus cannot satisfy: no EKU required
//! (these are server certificates), no CRLs (the file has none), the certificate's own time.
//! Per-case results go to `target/limbo-results.json`; the totals and the comparison with the
//! plain rustls-webpki baseline are printed. The test fails when the folder is missing, when a
//! case the baseline gets right is wrong here, or when a case differs from its expectation
//! without being listed in `KNOWN_DIFFERENCES` (and when a listed one no longer differs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

#[path = "common/conformance.rs"]
mod conformance;

use edoc::{
    EkuPolicy, KeyUsagePolicy, Policy, RevocationMode, TrustStore, ValidationTimeMode,
    ValidationTimes,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Cases whose outcome differs from limbo's expectation, each with the reason.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    ("pathlen::validation-ignores-pathlen-in-leaf",
     "webpki refuses a CA certificate as end-entity (CaUsedAsEndEntity); a document signer must not be a CA, so we keep it"),
    ("rfc5280::ca-as-leaf",
     "webpki refuses a CA certificate as end-entity (CaUsedAsEndEntity); a document signer must not be a CA, so we keep it"),
    ("pathlen::self-issued-certs-pathlen",
     "webpki does not build paths through self-issued (key-rollover) intermediates"),
    ("rfc5280::nc::permitted-self-issued",
     "webpki does not build paths through self-issued (key-rollover) intermediates"),
    ("pathlen::max-chain-depth-1-self-issued",
     "our maxChainLength counts every certificate, self-issued ones too (RFC 5280 §6.1.4 would not)"),
    ("rfc5280::nc::permitted-dn-match",
     "webpki does not support directoryName name constraints and refuses the chain"),
    ("rfc5280::nc::permitted-dns-match-noncritical",
     "conflicts with webpki::nc::permitted-dns-match-noncritical (same root, opposite expectation); we follow webpki and do not require roots' name constraints to be critical"),
    ("rfc5280::aki::cross-signed-root-missing-aki",
     "anchors are exempt from the AKI rule: they are trusted by configuration (needed for cve::cve-2024-0567, a non-self-signed anchor without AKI)"),
    ("rfc5280::nc::invalid-dnsname-leading-period",
     "a malformed DNS name in a subjectAltName: TLS naming, which a document signature does not check"),
    ("rfc5280::san::underscore-dns",
     "a DNS name with an underscore in a subjectAltName: TLS naming, which a document signature does not check"),
];

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/limbo")
}

fn read_json(name: &str) -> Value {
    let path = vectors().join(name);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{} is required (no skipping): {e}", path.display()));
    serde_json::from_slice(&bytes).expect("valid JSON")
}

fn pem_cert(text: &Value) -> CertificateDer<'static> {
    CertificateDer::from_pem_slice(text.as_str().expect("PEM string").as_bytes()).expect("PEM")
}

fn limbo_policy(max_chain_depth: Option<u64>) -> Policy {
    let mut p = Policy::strict();
    p.eku = EkuPolicy::NotRequired;
    p.revocation.mode = RevocationMode::CheckIfAvailable;
    p.validation_time = ValidationTimeMode::Current;
    p.leaf_key_usage = KeyUsagePolicy::SigningIfPresent;
    // limbo's depth counts intermediates; ours counts the leaf and the anchor too.
    p.max_chain_length =
        max_chain_depth.map_or(u8::MAX, |d| u8::try_from(d + 2).unwrap_or(u8::MAX));
    p
}

/// Runs one case: Ok(()) = SUCCESS, Err(reason) = FAILURE.
fn run_case(case: &Value, now: OffsetDateTime) -> Result<(), String> {
    let mut store = TrustStore::default();
    for anchor in case["trusted_certs"].as_array().into_iter().flatten() {
        // An anchor that cannot be an anchor means no chain can be built through it.
        if let Err(e) = store.add_anchor_der(&pem_cert(anchor)) {
            return Err(format!("anchor refused: {e}"));
        }
    }
    let mut chain = vec![pem_cert(&case["peer_certificate"])];
    chain.extend(
        case["untrusted_intermediates"]
            .as_array()
            .into_iter()
            .flatten()
            .map(pem_cert),
    );
    let at = match case["validation_time"].as_str() {
        Some(t) => OffsetDateTime::parse(t, &Rfc3339).expect("RFC 3339 validation time"),
        None => now,
    };
    let policy = limbo_policy(case["max_chain_depth"].as_u64());
    store
        .validate_chain(&chain, ValidationTimes::at(at), &policy)
        .map(|_| ())
        .map_err(|e| format!("{e:?}"))
}

#[test]
fn limbo_generic_through_our_chain_validation() {
    let limbo = read_json("limbo-generic.json");
    let baseline = read_json("limbo-results-rustls-chainonly.json");
    let baseline: BTreeMap<String, String> = baseline["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_owned(),
                r["actual_result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let known: BTreeMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    // The test's clock: limbo cases without a time are valid "now".
    let now = OffsetDateTime::now_utc();

    let cases = limbo["testcases"].as_array().expect("testcases");
    let mut results = Vec::new();
    let (mut pass, mut expected_fail, mut differ) = (0, 0, 0);
    let (mut we_fix, mut we_break) = (Vec::new(), Vec::new());
    let mut unexplained = Vec::new();
    let mut differing = BTreeSet::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let expected = case["expected_result"].as_str().expect("expected_result");
        let outcome = run_case(case, now);
        let actual = if outcome.is_ok() {
            "SUCCESS"
        } else {
            "FAILURE"
        };
        let right = actual == expected;
        match (right, expected) {
            (true, "FAILURE") => expected_fail += 1,
            (true, _) => pass += 1,
            (false, _) => {
                differ += 1;
                differing.insert(id.to_owned());
                if !known.contains_key(id) {
                    unexplained.push(format!(
                        "{id}: expected {expected}, got {actual} {:?}",
                        outcome.as_ref().err()
                    ));
                }
            }
        }
        let baseline_right = baseline.get(id).is_some_and(|b| b == expected);
        if right && !baseline_right {
            we_fix.push(id.to_owned());
        }
        if !right && baseline_right {
            we_break.push(id.to_owned());
        }
        results.push(serde_json::json!({
            "id": id, "expected_result": expected, "actual_result": actual,
            "context": outcome.err(), "baseline_result": baseline.get(id),
        }));
    }

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    std::fs::create_dir_all(&target).expect("target dir");
    let out = target.join("limbo-results.json");
    std::fs::write(
        &out,
        serde_json::to_vec_pretty(
            &serde_json::json!({ "harness": "edoc-trust", "results": results }),
        )
        .unwrap(),
    )
    .expect("write results");

    conformance::record(&format!(
        "x509-limbo limbo-generic: {} cases: {pass} pass, {expected_fail} expected failures, {differ} differ, 0 skipped (results in {})",
        cases.len(),
        out.display()
    ));
    let baseline_right = cases
        .iter()
        .filter(|c| {
            baseline
                .get(c["id"].as_str().unwrap_or_default())
                .map(String::as_str)
                == c["expected_result"].as_str()
        })
        .count();
    conformance::record(&format!(
        "x509-limbo rustls-webpki chain-only baseline: {baseline_right} of {} right; here: {} right",
        cases.len(),
        pass + expected_fail
    ));
    println!(
        "right here but wrong in the rustls-webpki baseline: {} {we_fix:?}",
        we_fix.len()
    );
    println!(
        "wrong here but right in the baseline: {} {we_break:?}",
        we_break.len()
    );
    let stale: Vec<&&str> = known.keys().filter(|k| !differing.contains(**k)).collect();
    assert!(
        we_break.is_empty(),
        "regressions against the baseline: {we_break:?}"
    );
    assert!(
        unexplained.is_empty(),
        "unexplained differences:\n{}",
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "KNOWN_DIFFERENCES entries that no longer differ: {stale:?}"
    );
}
