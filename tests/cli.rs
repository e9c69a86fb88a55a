//! The `edoc` binary, run for real: a demo PKI, a new package, two signatures, verification
//! of files, folders and standard input, JSON reports, inspection, status messages and the
//! exit codes (0 verified, 1 failed or refused, 2 usage or I/O).
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use edoc::{Commitment, DetachedObject, SignOptions, SignatureReport, SoftwareSigner};
use tempfile::TempDir;

// Signed at 10:00 UTC on 2 July 2025 and verified five hours later: inside the demo
// certificates' validity (2025-01-01..2030-01-01) and before the CRLs' nextUpdate (2035).
const SIGNED_AT: &str = "2025-07-02T10:00:00Z";
const SEALED_AT: &str = "2025-07-02T10:05:00Z";
const VERIFY_AT: &str = "2025-07-02T15:00:00Z";
/// A commune of the sample directory (A Luoi 1) writing to the Department of Finance.
const SENDER: &str = "000.00.41.H57";
const PDF: &[u8] = b"%PDF-1.7 request for purchasing guidelines";

fn edoc() -> Command {
    Command::cargo_bin("edoc").expect("the edoc binary is built")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A demo PKI in a temporary folder, and a work folder beside it.
struct Demo {
    _tmp: TempDir,
    pki: PathBuf,
    work: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let tmp = TempDir::new().unwrap();
        let pki = tmp.path().join("demo");
        let out = edoc().arg("pki").arg("demo").arg(&pki).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).unwrap();
        Demo {
            _tmp: tmp,
            pki,
            work,
        }
    }

    fn org(&self, file: &str) -> PathBuf {
        self.pki.join("orgs").join(SENDER).join(file)
    }

    /// The common name in a demo certificate, read through the library (not through the CLI).
    fn common_name(&self, file: &str) -> String {
        let pem = std::fs::read(self.org(file)).unwrap();
        let der = edoc::certificates_from_bytes(&pem).unwrap().remove(0);
        SignatureReport::new(None)
            .with_unverified_certificate(der.as_ref())
            .signer
            .and_then(|n| n.common_name)
            .unwrap()
    }

    fn trust_args(&self) -> Vec<String> {
        let p = |f: &str| self.pki.join(f).display().to_string();
        vec![
            "--trust".into(),
            p("trust.pem"),
            "--intermediates".into(),
            p("intermediates.pem"),
            "--crl".into(),
            p("crl.pem"),
            "--directory".into(),
            p("directory.json"),
            "--at".into(),
            VERIFY_AT.into(),
        ]
    }

    fn verify(&self) -> Command {
        let mut c = edoc();
        c.arg("verify").args(self.trust_args());
        c
    }

    /// `edoc new` with an attachment, written to `work/<name>`.
    fn new_package(&self, name: &str, extra: &[&str]) -> PathBuf {
        let attachment = self.work.join("request.pdf");
        if !attachment.exists() {
            std::fs::write(&attachment, PDF).unwrap();
        }
        let out_path = self.work.join(name);
        let out = edoc()
            .args([
                "new",
                "--sender",
                SENDER,
                "--sender-name",
                "UBND xã A Lưới 1",
            ])
            .args(["--to", "000.00.05.H57=Sở Tài chính thành phố Huế"])
            .args(["--cc", "000.00.00.H57=UBND thành phố Huế"])
            .args(["--type-code", "CV", "--type-name", "Công văn"])
            .args(["--number", "42", "--notation", "UBND-TCKH"])
            .args(["--place", "A Lưới", "--date", "2025-07-02"])
            .args(["--subject", "Xin hướng dẫn mua sắm và tạm cấp kinh phí"])
            .args([
                "--signer-name",
                "Nguyễn Văn An (TEST)",
                "--signer-position",
                "Chủ tịch",
            ])
            .args(["--urgency", "urgent", "--due", "2025-07-18"])
            .arg("--attach")
            .arg(&attachment)
            .args(extra)
            .arg("-o")
            .arg(&out_path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        out_path
    }

    fn sign(&self, package: &Path, who: &str, commitment: &str, at: &str) -> std::process::Output {
        edoc()
            .arg("sign")
            .arg("--key")
            .arg(self.org(&format!("{who}.key")))
            .arg("--cert")
            .arg(self.org(&format!("{who}.pem")))
            .arg("--chain")
            .arg(self.pki.join("intermediates.pem"))
            .args(["--commitment", commitment, "--at", at])
            .arg(package)
            .output()
            .unwrap()
    }

    /// A package signed by the person (approval) then the commune's seal (origin).
    fn signed_package(&self, name: &str) -> PathBuf {
        let p = self.new_package(name, &[]);
        let out = self.sign(&p, "signer", "approval", SIGNED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let out = self.sign(&p, "seal", "origin", SEALED_AT);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        p
    }
}

/// One byte of the subject changed: "sắm" becomes "sắn".
fn tamper(package: &Path, to: &Path) {
    let text = std::fs::read_to_string(package).unwrap();
    assert!(text.contains("mua sắm"));
    std::fs::write(to, text.replacen("mua sắm", "mua sắn", 1)).unwrap();
}

#[test]
fn signed_letter_verifies_and_one_changed_byte_fails_with_its_sub_indication() {
    let demo = Demo::new();
    let package = demo.signed_package("letter.json");

    let out = demo.verify().arg(&package).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let person = demo.common_name("signer.pem");
    let seal = demo.common_name("seal.pem");
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("OK "), "{first}");
    assert!(first.contains("42/UBND-TCKH"), "{first}");
    assert!(
        first.contains("UBND xã A Lưới 1 (000.00.41.H57)"),
        "{first}"
    );
    assert!(first.contains(&format!("{person} (approval)")), "{first}");
    assert!(first.contains(&format!("{seal} (seal)")), "{first}");
    assert_eq!(text.lines().last(), Some("1 verified, 0 failed"));

    let bad = demo.work.join("bad.json");
    tamper(&package, &bad);
    let out = demo.verify().arg(&bad).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let first = text.lines().next().unwrap();
    assert!(first.starts_with("FAILED "), "{first}");
    assert!(first.contains("HASH_FAILURE"), "{first}");
    assert!(
        first.contains("header.json"),
        "the reason names the object: {first}"
    );
    assert_eq!(text.lines().last(), Some("0 verified, 1 failed"));
}

#[test]
fn unknown_flags_and_missing_files_exit_2() {
    let demo = Demo::new();
    let package = demo.signed_package("letter.json");
    let out = demo
        .verify()
        .arg("--no-such-flag")
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--no-such-flag"));

    let out = edoc().arg("verify").arg(&package).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--trust is required");

    let out = demo
        .verify()
        .arg(demo.work.join("missing.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("ERROR "), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("0 verified, 0 failed, 1 unreadable\n"));

    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.work.join("no-trust.pem"))
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-trust.pem"), "{}", stderr(&out));
}

#[test]
fn dash_reads_the_package_from_standard_input() {
    let demo = Demo::new();
    let package = demo.signed_package("letter.json");
    let out = demo
        .verify()
        .arg("-")
        .write_stdin(std::fs::read(&package).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("OK      -: 42/UBND-TCKH"),
        "{}",
        stdout(&out)
    );

    let mut bad = std::fs::read_to_string(&package).unwrap();
    bad = bad.replacen("mua sắm", "mua sắn", 1);
    let out = demo.verify().arg("-").write_stdin(bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("FAILED  -: HASH_FAILURE"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_folder_is_verified_recursively_and_the_summary_counts_good_and_bad() {
    let demo = Demo::new();
    let good = demo.signed_package("good.json");
    let folder = demo.work.join("inbox");
    std::fs::create_dir_all(folder.join("sub")).unwrap();
    std::fs::copy(&good, folder.join("a-good.json")).unwrap();
    std::fs::copy(&good, folder.join("sub").join("c-good.edoc")).unwrap();
    tamper(&good, &folder.join("b-bad.json"));
    // Not a signed artifact: listed as skipped, never passed over silently.
    std::fs::write(folder.join("notes.txt"), "not a package").unwrap();

    let out = demo.verify().arg(&folder).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(
        lines[0].starts_with("OK ") && lines[0].contains("a-good.json"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("FAILED ") && lines[1].contains("b-bad.json"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("SKIPPED ") && lines[2].contains("notes.txt"),
        "{text}"
    );
    assert!(
        lines[3].starts_with("OK ") && lines[3].contains("c-good.edoc"),
        "{text}"
    );
    assert_eq!(
        lines[4],
        "2 verified, 1 failed, 1 skipped (not signed artifacts)"
    );

    // Only good ones: exit 0.
    std::fs::remove_file(folder.join("b-bad.json")).unwrap();
    let out = demo.verify().arg(&folder).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("2 verified, 0 failed, 1 skipped (not signed artifacts)\n"));
}

#[test]
fn json_prints_one_validation_report_per_line_with_stable_fields() {
    let demo = Demo::new();
    let good = demo.signed_package("good.json");
    let bad = demo.work.join("bad.json");
    tamper(&good, &bad);
    let out = demo
        .verify()
        .arg("--json")
        .arg(&good)
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let reports: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(reports.len(), 2, "{text}");

    let ok = &reports[0];
    assert_eq!(ok["target"], good.display().to_string());
    assert_eq!(ok["indication"], "TOTAL_PASSED");
    assert_eq!(ok["subIndication"], serde_json::Value::Null);
    assert_eq!(ok["documentId"], "000.00.41.H57,2025/07/02,42/UBND-TCKH");
    assert_eq!(ok["numberNotation"], "42/UBND-TCKH");
    assert_eq!(ok["sender"], SENDER);
    assert_eq!(ok["validatedAt"], VERIFY_AT);
    let sigs = ok["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 2);
    assert_eq!(sigs[0]["commitment"], "ProofOfApproval");
    assert_eq!(
        sigs[0]["signer"]["commonName"],
        demo.common_name("signer.pem")
    );
    assert_eq!(sigs[0]["signingTime"], SIGNED_AT);
    assert_eq!(sigs[0]["algorithm"], "ES256");
    assert_eq!(sigs[1]["commitment"], "ProofOfOrigin");
    assert_eq!(sigs[1]["signer"]["orgId"], SENDER);
    assert_eq!(sigs[1]["signingTime"], SEALED_AT);
    let check_names: Vec<&str> = ok["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        check_names,
        [
            "attachments",
            "commitments",
            "sealRole",
            "approvalRole",
            "sealOwner",
            "approverAgency",
            "signatory"
        ]
    );
    // The declared signatory beside the approval certificate's subject.
    assert_eq!(ok["signatory"]["declared"], "Nguyễn Văn An (TEST)");
    assert_eq!(
        ok["signatory"]["certificate"],
        demo.common_name("signer.pem")
    );
    assert_eq!(ok["signatory"]["matches"], true);
    assert!(ok["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "passed"));

    let failed = &reports[1];
    assert_eq!(failed["target"], bad.display().to_string());
    assert_eq!(failed["indication"], "TOTAL_FAILED");
    assert_eq!(failed["subIndication"], "HASH_FAILURE");
    assert_eq!(failed["signatures"][0]["subIndication"], "HASH_FAILURE");
    let sig_check = &failed["signatures"][0]["checks"][1];
    assert_eq!(sig_check["name"], "signature");
    assert_eq!(sig_check["status"], "failed");
}

#[test]
fn a_trust_store_without_the_signers_root_gives_no_certificate_chain_found() {
    let demo = Demo::new();
    let package = demo.signed_package("letter.json");
    // An unrelated root CA: its name matches nothing in the signers' chains.
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Some Other Root CA (test)");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other = params.self_signed(&key).unwrap();
    let other_pem = demo.work.join("other-root.pem");
    std::fs::write(&other_pem, other.pem()).unwrap();

    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(&other_pem)
        .arg("--intermediates")
        .arg(demo.pki.join("intermediates.pem"))
        .arg("--crl")
        .arg(demo.pki.join("crl.pem"))
        .args(["--at", VERIFY_AT])
        .arg(&package)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with(&format!(
            "FAILED  {}: NO_CERTIFICATE_CHAIN_FOUND",
            package.display()
        )),
        "{text}"
    );
    assert!(text.contains("does not lead to a trusted root"), "{text}");

    // Another demo PKI: same CA names, other keys. Not trusted either.
    let other_demo = Demo::new();
    let out = edoc()
        .arg("verify")
        .args(other_demo.trust_args())
        .arg("--json")
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["indication"], "INDETERMINATE");
}

#[test]
fn an_approval_after_the_seal_is_refused_and_the_package_is_left_alone() {
    let demo = Demo::new();
    let package = demo.signed_package("letter.json");
    let before = std::fs::read(&package).unwrap();
    let out = demo.sign(&package, "signer", "approval", SEALED_AT);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("already carries the agency seal"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(&package).unwrap(), before);
}

#[test]
fn a_package_with_only_the_persons_signature_is_indeterminate() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    let out = demo.sign(&p, "signer", "approval", SIGNED_AT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("SIG_CONSTRAINTS_FAILURE: the agency seal (proof of origin) is missing"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn detached_attachments_are_read_beside_the_package() {
    let demo = Demo::new();
    let out_dir = demo.work.join("outbox");
    std::fs::create_dir(&out_dir).unwrap();
    let p = demo.new_package("outbox/letter.json", &["--detached"]);
    // The content was copied beside the package, and is not inline.
    assert_eq!(std::fs::read(out_dir.join("request.pdf")).unwrap(), PDF);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    assert_eq!(json["attachments"], serde_json::json!([]));
    for (who, c, at) in [
        ("signer", "approval", SIGNED_AT),
        ("seal", "origin", SEALED_AT),
    ] {
        let out = demo.sign(&p, who, c, at);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // Moved away from its attachment: the signed data is not found.
    let elsewhere = demo.work.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let alone = elsewhere.join("letter.json");
    std::fs::copy(&p, &alone).unwrap();
    let out = demo.verify().arg(&alone).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("SIGNED_DATA_NOT_FOUND"),
        "{}",
        stdout(&out)
    );

    // A changed attachment beside it: a hash failure.
    std::fs::write(
        out_dir.join("request.pdf"),
        b"%PDF-1.7 something else entirely!!",
    )
    .unwrap();
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("HASH_FAILURE"), "{}", stdout(&out));
}

#[test]
fn inspect_shows_header_attachments_and_unverified_signatures() {
    let demo = Demo::new();
    let p = demo.signed_package("letter.json");
    let out = edoc().arg("inspect").arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let sha = {
        use sha2::Digest;
        sha2::Sha256::digest(PDF)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for expected in [
        "Number     42/UBND-TCKH",
        "From       UBND xã A Lưới 1 (000.00.41.H57)",
        "To         Sở Tài chính thành phố Huế (000.00.05.H57)",
        "Copy to    UBND thành phố Huế (000.00.00.H57)",
        "Subject    Xin hướng dẫn mua sắm và tạm cấp kinh phí",
        "Signatory  Chủ tịch, Nguyễn Văn An (TEST)",
        &format!("request.pdf  application/pdf  {} bytes  inline  sha256 {sha}", PDF.len()),
        "Signatures (2) — UNVERIFIED",
        &format!(
            "1. {} (UBND xã A Lưới 1, {SENDER}): proof of approval (the competent person), ES256, signed 2025-07-02T17:00:00+07:00 [UNVERIFIED]",
            demo.common_name("signer.pem")
        ),
        "2. UBND xã A Lưới 1 (000.00.41.H57): proof of origin (the agency seal), ES256, signed 2025-07-02T17:05:00+07:00 [UNVERIFIED]",
        "Trace (0)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }

    let out = edoc()
        .arg("inspect")
        .arg("--json")
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["header"]["subject"],
        "Xin hướng dẫn mua sắm và tạm cấp kinh phí"
    );
    assert_eq!(v["header"]["urgency"], 1);
    assert_eq!(v["header"]["dueDate"], "2025-07-18");
    assert_eq!(v["attachments"][0]["sha256"], sha);
    assert_eq!(v["attachments"][0]["inline"], true);
    assert_eq!(v["signatures"][0]["verified"], false);
    assert_eq!(v["signatures"][0]["commitment"], "ProofOfApproval");
    assert_eq!(v["signatures"][1]["signer"]["orgId"], SENDER);
    assert_eq!(v["trace"], serde_json::json!([]));
}

#[test]
fn a_header_file_with_attachments_makes_the_same_header_as_the_flags() {
    let demo = Demo::new();
    let from_flags = demo.new_package("flags.json", &[]);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&from_flags).unwrap()).unwrap();
    // The header without its manifest, as a user would write it.
    let mut header = v["header"].clone();
    header["attachments"] = serde_json::json!([]);
    let header_file = demo.work.join("header.json");
    std::fs::write(&header_file, header.to_string()).unwrap();
    let from_file = demo.work.join("file.json");
    let out = edoc()
        .arg("new")
        .arg("--header")
        .arg(&header_file)
        .arg("--attach")
        .arg(demo.work.join("request.pdf"))
        .arg("-o")
        .arg(&from_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&from_file).unwrap(),
        std::fs::read(&from_flags).unwrap()
    );

    // A header flag together with --header is a usage error.
    let out = edoc()
        .arg("new")
        .arg("--header")
        .arg(&header_file)
        .args(["--subject", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn an_invalid_header_from_flags_is_refused_with_exit_1() {
    let demo = Demo::new();
    let out = edoc()
        .args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", &format!("{SENDER}=UBND xã A Lưới 1")])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args(["--number", "1", "--notation", "X", "--place", "A Lưới"])
        .args(["--date", "2025-07-02", "--subject", "s"])
        .args(["--signer-name", "A", "--signer-position", "B"])
        .arg("-o")
        .arg(demo.work.join("x.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is the sender itself"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_plain_jades_signature_over_a_payload_file_verifies() {
    let demo = Demo::new();
    let payload = demo.work.join("report.pdf");
    std::fs::write(&payload, PDF).unwrap();
    let signer = SoftwareSigner::from_files(
        &demo.org("seal.key"),
        &demo.org("seal.pem"),
        Some(&demo.pki.join("intermediates.pem")),
    )
    .unwrap();
    let at = time::OffsetDateTime::parse(SIGNED_AT, &time::format_description::well_known::Rfc3339)
        .unwrap();
    let sig = edoc::sign_detached(
        &signer,
        &[DetachedObject::from_bytes("report.pdf", PDF)],
        &SignOptions::new(at).with_commitment(Commitment::ProofOfOrigin),
    )
    .unwrap();
    let jws = demo.work.join("report.pdf.jws");
    std::fs::write(
        &jws,
        serde_json::json!({"protected": sig.protected, "signature": sig.signature}).to_string(),
    )
    .unwrap();

    let out = demo
        .verify()
        .arg("--payload")
        .arg(&payload)
        .arg(&jws)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("signed by UBND xã A Lưới 1 (seal)"),
        "{}",
        stdout(&out)
    );

    std::fs::write(&payload, b"%PDF-1.7 another report").unwrap();
    let out = demo
        .verify()
        .arg("--payload")
        .arg(&payload)
        .arg(&jws)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("HASH_FAILURE"), "{}", stdout(&out));
}

#[test]
fn status_signs_an_accepted_message_for_the_sender() {
    let demo = Demo::new();
    let p = demo.signed_package("letter.json");
    let finance = demo.pki.join("orgs").join("000.00.05.H57");
    let out = edoc()
        .arg("status")
        .args(demo.trust_args())
        .arg("--key")
        .arg(finance.join("seal.key"))
        .arg("--cert")
        .arg(finance.join("seal.pem"))
        .args(["--code", "03", "--description", "Đã tiếp nhận"])
        .args([
            "--staff",
            "Trần Thị Bình",
            "--staff-position",
            "Chuyên viên",
        ])
        .arg(&p)
        .output()
        .unwrap();
    // Two recipients (main and copy): who answers must be said.
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--from"));

    let out = edoc()
        .arg("status")
        .args(demo.trust_args())
        .arg("--key")
        .arg(finance.join("seal.key"))
        .arg("--cert")
        .arg(finance.join("seal.pem"))
        .args(["--code", "03", "--description", "Đã tiếp nhận"])
        .args([
            "--staff",
            "Trần Thị Bình",
            "--staff-position",
            "Chuyên viên",
        ])
        .args(["--from", "000.00.05.H57"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let jws = stdout(&out);
    let message = edoc::JwsMessage::parse(&jws).unwrap();
    let verified = message.verify(None).unwrap();
    assert_eq!(verified[0].commitment(), Some(Commitment::ProofOfReceipt));
    let payload = base64::Engine::decode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        message.payload.unwrap(),
    )
    .unwrap();
    let status = edoc::StatusMessage::from_json(&payload).unwrap();
    assert_eq!(status.code, edoc::StatusCode::Accepted);
    assert_eq!(status.from.to_string(), "000.00.05.H57");
    assert_eq!(status.to.to_string(), SENDER);
    assert_eq!(status.document_id, "000.00.41.H57,2025/07/02,42/UBND-TCKH");
    assert_eq!(status.staff.name, "Trần Thị Bình");
}

#[test]
fn quiet_prints_nothing_and_keeps_the_exit_code() {
    let demo = Demo::new();
    let good = demo.signed_package("good.json");
    let bad = demo.work.join("bad.json");
    tamper(&good, &bad);
    let out = demo.verify().arg("--quiet").arg(&good).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    let out = demo.verify().arg("-q").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn pki_demo_writes_test_only_files_and_refuses_a_non_empty_folder() {
    let demo = Demo::new();
    for f in ["trust.pem", "intermediates.pem", "crl.pem"] {
        let text = std::fs::read_to_string(demo.pki.join(f)).unwrap();
        assert!(text.starts_with("# FOR TESTING ONLY."), "{f}");
    }
    for f in ["seal.key", "seal.pem", "signer.key", "signer.pem"] {
        let text = std::fs::read_to_string(demo.org(f)).unwrap();
        assert!(text.starts_with("# FOR TESTING ONLY."), "{f}");
    }
    let readme = std::fs::read_to_string(demo.pki.join("README.txt")).unwrap();
    assert!(readme.contains("FOR TESTING ONLY"));
    assert!(readme.contains(&demo.common_name("signer.pem")));
    // Every agency of the sample directory has its folder, and the directory binds its seal.
    let dir = edoc::Directory::from_json(&std::fs::read(demo.pki.join("directory.json")).unwrap())
        .unwrap();
    assert_eq!(
        dir.agencies().len(),
        edoc::Directory::sample().agencies().len()
    );
    for a in dir.agencies() {
        assert!(demo
            .pki
            .join("orgs")
            .join(a.id().to_string())
            .join("seal.pem")
            .is_file());
        assert_eq!(a.certificates().len(), 1, "{}", a.id());
    }

    let out = edoc()
        .arg("pki")
        .arg("demo")
        .arg(&demo.pki)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = edoc()
        .args(["pki", "demo", "--force"])
        .arg(&demo.pki)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn every_command_help_has_an_example() {
    for cmd in [
        vec!["verify"],
        vec!["new"],
        vec!["sign"],
        vec!["inspect"],
        vec!["status"],
        vec!["pki", "demo"],
    ] {
        let out = edoc().args(&cmd).arg("--help").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{cmd:?}");
        let text = stdout(&out);
        assert!(
            text.contains("Example"),
            "{cmd:?} --help has no example:\n{text}"
        );
        assert!(
            text.contains(&format!("edoc {}", cmd.join(" "))),
            "{cmd:?} --help example does not run the command:\n{text}"
        );
    }
    let out = edoc().arg("--help").output().unwrap();
    assert!(stdout(&out).contains("Exit codes:"));
}

#[test]
fn a_policy_file_changes_what_is_required_and_an_invalid_one_exits_2() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    let out = demo.sign(&p, "signer", "approval", SIGNED_AT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Only the person's approval required: the unsealed package passes under this policy.
    let mut policy = serde_json::to_value(edoc::Policy::strict()).unwrap();
    policy["requiredCommitments"] = serde_json::json!(["ProofOfApproval"]);
    let policy_file = demo.work.join("policy.json");
    std::fs::write(&policy_file, policy.to_string()).unwrap();
    let out = demo
        .verify()
        .arg("--policy")
        .arg(&policy_file)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    policy["minRsaBit"] = 2048.into();
    std::fs::write(&policy_file, policy.to_string()).unwrap();
    let out = demo
        .verify()
        .arg("--policy")
        .arg(&policy_file)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("policy file rejected"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn new_writes_the_reply_reference_and_an_express_set_time_into_the_header() {
    let demo = Demo::new();
    let p = demo.new_package(
        "reply.json",
        &[
            "--in-reply-to",
            "000.00.05.H57,2025/06/20,12/STC-QLG",
            "--reply-agency",
            "000.00.05.H57",
            "--reply-code",
            "12/STC-QLG",
            "--reply-date",
            "2025-06-20",
            "--competence",
            "deputy",
        ],
    );
    let out = edoc()
        .arg("inspect")
        .arg("--json")
        .arg(&p)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["header"]["inReplyTo"],
        serde_json::json!({
            "agency": "000.00.05.H57",
            "code": "12/STC-QLG",
            "date": "2025-06-20",
            "documentId": "000.00.05.H57,2025/06/20,12/STC-QLG"
        })
    );
    assert_eq!(v["header"]["signatory"]["competence"], "deputy");

    // Express at a set time needs its time, and the time only goes with it.
    let out = edoc()
        .args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", "000.00.05.H57=Sở Tài chính"])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args(["--number", "1", "--notation", "X", "--place", "A Lưới"])
        .args(["--date", "2025-07-02", "--subject", "s"])
        .args(["--signer-name", "A", "--signer-position", "B"])
        .args(["--urgency", "express-at-set-time"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--urgency-time"), "{}", stderr(&out));
    let out = edoc()
        .args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", "000.00.05.H57=Sở Tài chính"])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args(["--number", "1", "--notation", "X", "--place", "A Lưới"])
        .args(["--date", "2025-07-02", "--subject", "s"])
        .args(["--signer-name", "A", "--signer-position", "B"])
        .args(["--urgency", "express-at-set-time"])
        .args(["--urgency-time", "2025-07-02T14:00:00+07:00"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["header"]["urgency"], 4);
    assert_eq!(v["header"]["urgencySetTime"], "2025-07-02T14:00:00+07:00");
}

/// A signed package whose attachment is detached, in `work/outbox/`.
fn signed_detached_package(demo: &Demo) -> PathBuf {
    let out_dir = demo.work.join("outbox");
    std::fs::create_dir_all(&out_dir).unwrap();
    let p = demo.new_package("outbox/letter.json", &["--detached"]);
    for (who, c, at) in [
        ("signer", "approval", SIGNED_AT),
        ("seal", "origin", SEALED_AT),
    ] {
        let out = demo.sign(&p, who, c, at);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    p
}

#[test]
fn standard_input_reads_detached_attachments_only_from_the_detached_dir() {
    let demo = Demo::new();
    let p = signed_detached_package(&demo);
    let outbox = demo.work.join("outbox");
    // Run from the folder that holds the attachment: `-` alone must not read it from there.
    let out = demo
        .verify()
        .current_dir(&outbox)
        .arg("-")
        .write_stdin(std::fs::read(&p).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).starts_with("FAILED  -: SIGNED_DATA_NOT_FOUND"),
        "{}",
        stdout(&out)
    );
    let out = demo
        .verify()
        .arg("--detached-dir")
        .arg(&outbox)
        .arg("-")
        .write_stdin(std::fs::read(&p).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("OK      -:"), "{}", stdout(&out));
}

#[cfg(unix)]
#[test]
fn verify_refuses_a_detached_attachment_linked_from_outside_the_package_folder() {
    let demo = Demo::new();
    let p = signed_detached_package(&demo);
    let outbox = demo.work.join("outbox");
    // The real file moves out of the folder; a link takes its place.
    let outside = demo.work.join("outside.pdf");
    std::fs::rename(outbox.join("request.pdf"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, outbox.join("request.pdf")).unwrap();
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("SIGNED_DATA_NOT_FOUND") && stdout(&out).contains("folder"),
        "{}",
        stdout(&out)
    );
}
