//! The document rules of issue 12 through the real `edoc` binary: `edoc sign` refuses a key in
//! the other role, and `edoc verify` fails what an attacker signs around it (swapped roles, one
//! key in both roles, another commune's approval), and shows the declared signatory beside the
//! approval certificate (a failure under the strict policy, a warning under a policy file that
//! says `"declaredSignatory": "Warn"`).
#![cfg(feature = "cli")]

mod cli_common;

use std::path::Path;

use cli_common::*;
use edoc::{Commitment, DetachedObject, Limits, Package, SignOptions, SoftwareSigner};
use sha2::{Digest, Sha256};

/// The signer of `orgs/<agency>/<who>.key`.
fn signer(demo: &Demo, agency: &str, who: &str) -> SoftwareSigner {
    let folder = demo.pki.join("orgs").join(agency);
    SoftwareSigner::from_files(
        &folder.join(format!("{who}.key")),
        &folder.join(format!("{who}.pem")),
        Some(&demo.pki.join("intermediates.pem")),
    )
    .unwrap()
}

/// Adds a signature as an attacker would, around `edoc sign`'s early refusals: the signed
/// objects of docs/package-format.md, computed here.
fn force_sign(path: &Path, signer: &SoftwareSigner, c: Commitment) {
    let mut p = Package::parse(&std::fs::read(path).unwrap(), &Limits::default()).unwrap();
    let mut objects = vec![DetachedObject::from_bytes(
        "header.json",
        p.canonical_header(),
    )];
    for a in p.header().attachments() {
        objects.push(DetachedObject {
            uri: format!("attachments/{}", a.name()),
            sha256: *a.sha256(),
        });
    }
    for (i, s) in p.signatures().iter().enumerate() {
        objects.push(DetachedObject {
            uri: format!("signatures/{i}"),
            sha256: Sha256::digest(format!("{}.{}", s.protected, s.signature)).into(),
        });
    }
    let at = time::macros::datetime!(2025-07-02 10:00 UTC);
    let opts = SignOptions::new(at).with_commitment(c);
    p.push_signature(edoc::sign_detached(signer, &objects, &opts).unwrap());
    std::fs::write(path, p.to_json()).unwrap();
}

/// `edoc verify --json` of one file: the exit code, and the names of the failed document
/// checks with their details.
fn failed_checks(demo: &Demo, package: &Path) -> (Option<i32>, Vec<(String, String)>) {
    let out = demo.verify().arg("--json").arg(package).output().unwrap();
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim())
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    let failed = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "failed")
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (out.status.code(), failed)
}

#[test]
fn edoc_sign_refuses_the_seal_as_approval_and_edoc_verify_fails_swapped_roles() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    let before = std::fs::read(&p).unwrap();
    let out = demo.sign(&p, "seal", "approval", SIGNED_AT);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("organisation's"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&p).unwrap(),
        before,
        "the package is left alone"
    );

    // Signed around edoc sign: the seal's key approves, the person's key seals.
    force_sign(
        &p,
        &signer(&demo, SENDER, "seal"),
        Commitment::ProofOfApproval,
    );
    force_sign(
        &p,
        &signer(&demo, SENDER, "signer"),
        Commitment::ProofOfOrigin,
    );
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let first = stdout(&out).lines().next().unwrap().to_owned();
    assert!(
        first.starts_with("FAILED ") && first.contains("CHAIN_CONSTRAINTS_FAILURE"),
        "{first}"
    );
    let (_, failed) = failed_checks(&demo, &p);
    let names: Vec<&str> = failed.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"sealRole") && names.contains(&"approvalRole"),
        "{failed:?}"
    );
}

#[test]
fn edoc_verify_fails_one_persons_key_in_both_roles() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    let out = demo.sign(&p, "signer", "approval", SIGNED_AT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = demo.sign(&p, "signer", "origin", SEALED_AT);
    assert_eq!(out.status.code(), Some(1), "edoc sign refuses it early");
    force_sign(
        &p,
        &signer(&demo, SENDER, "signer"),
        Commitment::ProofOfOrigin,
    );
    let (code, failed) = failed_checks(&demo, &p);
    assert_eq!(code, Some(1));
    assert_eq!(failed[0].0, "sealRole", "{failed:?}");
    assert!(failed[0].1.contains("natural person"), "{failed:?}");
}

#[test]
fn edoc_verify_fails_an_approval_by_another_communes_person() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    // A Lưới 5's person approves A Lưới 1's letter; A Lưới 1 seals it.
    force_sign(
        &p,
        &signer(&demo, "000.00.45.H57", "signer"),
        Commitment::ProofOfApproval,
    );
    let out = demo.sign(&p, "seal", "origin", SEALED_AT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, failed) = failed_checks(&demo, &p);
    assert_eq!(code, Some(1));
    assert_eq!(failed[0].0, "approverAgency", "{failed:?}");
    assert!(
        failed[0].1.contains("000.00.45.H57") && failed[0].1.contains(SENDER),
        "{failed:?}"
    );
}

#[test]
fn edoc_verify_shows_the_declared_signatory_beside_the_certificate_and_a_policy_can_make_a_mismatch_a_warning(
) {
    let demo = Demo::new();
    // The letter declares another name than the person who approves it.
    let p = demo.work.join("letter.json");
    let args = |name: &str| {
        let mut c = edoc();
        c.args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", "000.00.05.H57=Sở Tài chính thành phố Huế"])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args(["--number", "42", "--notation", "UBND-TCKH"])
        .args(["--place", "A Lưới", "--date", "2025-07-02"])
        .args(["--subject", "Xin hướng dẫn mua sắm"])
        .args(["--signer-name", name, "--signer-position", "Chủ tịch"])
        .arg("-o")
        .arg(&p);
        c
    };
    let out = args("Trần Văn Khác").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (who, c) in [("signer", "approval"), ("seal", "origin")] {
        let out = demo.sign(&p, who, c, SIGNED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = demo.verify().arg(&p).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("SIG_CONSTRAINTS_FAILURE")
            && text.contains("declares the signatory \"Trần Văn Khác\"")
            && text.contains("\"Nguyễn Văn An (TEST)\""),
        "{text}"
    );
    // Side by side in the JSON report.
    let out = demo.verify().arg("--json").arg(&p).output().unwrap();
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(
        report["signatory"],
        serde_json::json!({
            "declared": "Trần Văn Khác",
            "certificate": "Nguyễn Văn An (TEST)",
            "matches": false
        })
    );

    // A lenient policy file: the same package verifies, with the mismatch as a warning.
    let policy = demo.work.join("policy.json");
    std::fs::write(&policy, r#"{"signerRoles": {"declaredSignatory": "Warn"}}"#).unwrap();
    let out = demo
        .verify()
        .arg("--policy")
        .arg(&policy)
        .arg(&p)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(
        text.starts_with("OK ") && text.contains("; warning (signatory): the header declares"),
        "{text}"
    );

    // The same person written in decomposed Unicode (NFD), in capitals, with extra spaces:
    // the same name.
    let nfd: String =
        unicode_normalization::UnicodeNormalization::nfd("  NGUYỄN  Văn An (TEST)").collect();
    std::fs::remove_file(&p).unwrap();
    let out = args(&nfd).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (who, c) in [("signer", "approval"), ("seal", "origin")] {
        let out = demo.sign(&p, who, c, SIGNED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(!stdout(&out).contains("warning"), "{}", stdout(&out));
    let out = demo.verify().arg("--json").arg(&p).output().unwrap();
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["signatory"]["matches"], true, "{report}");
}
