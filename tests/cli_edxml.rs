//! `edoc edxml import`, `edoc edxml export` and `edoc inspect FILE.edxml`, run for real: every
//! sample imports with exit 0 and a report with no unmapped field; a signed package survives
//! the edXML hop and `edoc verify` still catches a change made inside the edXML; hostile XML
//! exits 1 with the element path; statuses go both ways.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const SIGNED_AT: &str = "2025-07-02T10:00:00Z";
const SEALED_AT: &str = "2025-07-02T10:05:00Z";
const VERIFY_AT: &str = "2025-07-02T15:00:00Z";
/// A commune of the sample directory (A Luoi 1) writing to the Department of Finance.
const SENDER: &str = "000.00.41.H57";

fn edoc() -> Command {
    Command::cargo_bin("edoc").expect("the edoc binary is built")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/edxml")
}

fn samples() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["vpcp-sdk-example", "received"] {
        for entry in std::fs::read_dir(vectors().join(sub)).expect("the edXML vectors are required")
        {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "edxml") {
                out.push(path);
            }
        }
    }
    assert!(out.len() >= 17);
    out
}

#[test]
fn every_sample_imports_and_inspects_with_no_unmapped_field() {
    let tmp = TempDir::new().expect("tmp");
    for sample in samples() {
        let out_path = tmp.path().join("out.json");
        let out = edoc()
            .args(["edxml", "import"])
            .arg(&sample)
            .arg("-o")
            .arg(&out_path)
            .output()
            .expect("runs");
        let report = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            sample.display(),
            text(&out.stderr)
        );
        assert!(report.contains("Unmapped fields (0)"), "{report}");
        assert!(report.contains("MessageHeader/From/OrganId → "), "{report}");
        let written = std::fs::read(&out_path).expect("written");
        let value: serde_json::Value = serde_json::from_slice(&written).expect("JSON");
        assert!(value.get("edoc").is_some() || value.get("status").is_some());

        let out = edoc().arg("inspect").arg(&sample).output().expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let shown = text(&out.stdout);
        assert!(shown.starts_with("edXML "), "{shown}");
        assert!(shown.contains("Unmapped fields (0)"), "{shown}");
    }
}

/// A demo PKI and a package from A Lưới 1 signed by its chairman and its seal.
struct Demo {
    _tmp: TempDir,
    pki: PathBuf,
    work: PathBuf,
}

impl Demo {
    fn new() -> Demo {
        let tmp = TempDir::new().expect("tmp");
        let pki = tmp.path().join("demo");
        let out = edoc()
            .arg("pki")
            .arg("demo")
            .arg(&pki)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).expect("dir");
        Demo {
            _tmp: tmp,
            pki,
            work,
        }
    }

    fn org(&self, file: &str) -> PathBuf {
        self.pki.join("orgs").join(SENDER).join(file)
    }

    fn signed_package(&self) -> PathBuf {
        let attachment = self.work.join("request.pdf");
        std::fs::write(&attachment, b"%PDF-1.7 request for purchasing guidelines").expect("write");
        let package = self.work.join("letter.json");
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
            .arg("-o")
            .arg(&package)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        for (who, commitment, at) in [
            ("signer", "approval", SIGNED_AT),
            ("seal", "origin", SEALED_AT),
        ] {
            let out = edoc()
                .arg("sign")
                .arg("--key")
                .arg(self.org(&format!("{who}.key")))
                .arg("--cert")
                .arg(self.org(&format!("{who}.pem")))
                .arg("--chain")
                .arg(self.pki.join("intermediates.pem"))
                .args(["--commitment", commitment, "--at", at])
                .arg(&package)
                .output()
                .expect("runs");
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        }
        package
    }

    fn verify(&self, package: &Path) -> std::process::Output {
        let p = |f: &str| self.pki.join(f);
        edoc()
            .arg("verify")
            .arg("--trust")
            .arg(p("trust.pem"))
            .arg("--intermediates")
            .arg(p("intermediates.pem"))
            .arg("--crl")
            .arg(p("crl.pem"))
            .arg("--directory")
            .arg(p("directory.json"))
            .args(["--at", VERIFY_AT])
            .arg(package)
            .output()
            .expect("runs")
    }
}

#[test]
fn a_signed_package_verifies_after_export_and_import_and_a_change_inside_the_edxml_fails() {
    let demo = Demo::new();
    let package = demo.signed_package();
    let xml = demo.work.join("letter.edxml");
    let out = edoc()
        .args(["edxml", "export"])
        .arg(&package)
        .arg("-o")
        .arg(&xml)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let back = demo.work.join("back.json");
    let out = edoc()
        .args(["edxml", "import"])
        .arg(&xml)
        .arg("-o")
        .arg(&back)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("2 signature(s)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read(&back).expect("back"),
        std::fs::read(&package).expect("package"),
        "the package that comes back is the one that left"
    );
    let out = demo.verify(&back);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // The attachment changed inside the edXML: verification fails with a hash failure.
    let edxml = std::fs::read_to_string(&xml).expect("edxml");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let original = b64.encode(b"%PDF-1.7 request for purchasing guidelines");
    assert!(edxml.contains(&original));
    let forged = edxml.replace(
        &original,
        &b64.encode(b"%PDF-1.7 request for purchasing guidelinez"),
    );
    let forged_path = demo.work.join("forged.edxml");
    std::fs::write(&forged_path, forged).expect("write");
    let forged_back = demo.work.join("forged.json");
    let out = edoc()
        .args(["edxml", "import", "-q"])
        .arg(&forged_path)
        .arg("-o")
        .arg(&forged_back)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = demo.verify(&forged_back);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("HASH_FAILURE"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_signed_status_goes_to_edxml_and_back_with_its_signature() {
    let demo = Demo::new();
    let package = demo.signed_package();
    // The recipient, the Department of Finance, answers with its own seal; `edoc status`
    // verifies the package first, so it gets the demo's trust material.
    let jws = demo.work.join("status.jws");
    let finance = demo.pki.join("orgs").join("000.00.05.H57");
    let mut status = edoc();
    status.arg("status");
    for (flag, file) in [
        ("--trust", "trust.pem"),
        ("--intermediates", "intermediates.pem"),
        ("--crl", "crl.pem"),
        ("--directory", "directory.json"),
    ] {
        status.arg(flag).arg(demo.pki.join(file));
    }
    let out = status
        .arg("--key")
        .arg(finance.join("seal.key"))
        .arg("--cert")
        .arg(finance.join("seal.pem"))
        .args([
            "--code",
            "03",
            "--description",
            "Đã tiếp nhận",
            "--staff",
            "Trần Thị Bình",
        ])
        .args(["--staff-position", "Văn thư", "--from", "000.00.05.H57"])
        .args(["--at", "2025-07-03T09:00:00+07:00"])
        .arg(&package)
        .arg("-o")
        .arg(&jws)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let xml = demo.work.join("status.edxml");
    let out = edoc()
        .args(["edxml", "export"])
        .arg(&jws)
        .arg("-o")
        .arg(&xml)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::read_to_string(&xml)
        .expect("xml")
        .contains("<edXML:StatusCode>03</edXML:StatusCode>"));
    let back = demo.work.join("status.json");
    let out = edoc()
        .args(["edxml", "import", "-q"])
        .arg(&xml)
        .arg("-o")
        .arg(&back)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&back).expect("back")).expect("json");
    assert_eq!(
        value["signed"].as_str(),
        Some(std::fs::read_to_string(&jws).expect("jws").trim())
    );
    assert_eq!(value["status"]["code"], "03");
    // And what import wrote, export reads.
    let again = demo.work.join("again.edxml");
    let out = edoc()
        .args(["edxml", "export"])
        .arg(&back)
        .arg("-o")
        .arg(&again)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn hostile_xml_exits_1_naming_what_was_refused() {
    let tmp = TempDir::new().expect("tmp");
    let xxe = tmp.path().join("xxe.edxml");
    std::fs::write(
        &xxe,
        "<?xml version=\"1.0\"?><!DOCTYPE edXML [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\
         <edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">&x;</edXML>",
    )
    .expect("write");
    for args in [vec!["edxml", "import"], vec!["inspect"]] {
        let out = edoc().args(&args).arg(&xxe).output().expect("runs");
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("DTD"), "{}", text(&out.stderr));
    }
}

#[test]
fn an_agency_mapping_on_the_command_line_replaces_the_placeholder() {
    let tmp = TempDir::new().expect("tmp");
    let out_path = tmp.path().join("out.json");
    let sample = vectors().join("vpcp-sdk-example/edoc_new.edxml");
    let out = edoc()
        .args([
            "edxml",
            "import",
            "--agency",
            "28.22.H17=000.22.28.H17",
            "-q",
        ])
        .arg(&sample)
        .arg("-o")
        .arg(&out_path)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_path).expect("out")).expect("json");
    assert_eq!(value["header"]["recipients"][0]["id"], "000.22.28.H17");
}
