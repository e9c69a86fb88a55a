//! `edoc status`, run for real: it signs only what a hub would accept (the answering agency's
//! own seal, a verified document, an allowed transition) and refuses the rest with exit 1.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

const SIGNED_AT: &str = "2025-07-02T10:00:00Z";
const SEALED_AT: &str = "2025-07-02T10:05:00Z";
const ANSWER_AT: &str = "2025-07-02T15:00:00Z";
const SENDER: &str = "000.00.41.H57";
const FINANCE: &str = "000.00.05.H57";

fn edoc() -> Command {
    Command::cargo_bin("edoc").expect("the edoc binary is built")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

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
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let work = tmp.path().join("work");
        std::fs::create_dir(&work).unwrap();
        Demo {
            _tmp: tmp,
            pki,
            work,
        }
    }

    fn org(&self, code: &str, file: &str) -> PathBuf {
        self.pki.join("orgs").join(code).join(file)
    }

    /// A Lưới 1's letter to Finance, unsigned.
    fn unsigned(&self, name: &str) -> PathBuf {
        let pdf = self.work.join("request.pdf");
        std::fs::write(&pdf, b"%PDF-1.7 request").unwrap();
        let path = self.work.join(name);
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
            .args(["--number", "42", "--notation", "UBND-TCKH"])
            .args(["--place", "A Lưới", "--date", "2025-07-02"])
            .args(["--subject", "Xin hướng dẫn mua sắm"])
            .args([
                "--signer-name",
                "Nguyễn Văn An (TEST)",
                "--signer-position",
                "Chủ tịch",
            ])
            .arg("--attach")
            .arg(&pdf)
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        path
    }

    /// The letter approved and sealed by A Lưới 1.
    fn signed(&self, name: &str) -> PathBuf {
        let p = self.unsigned(name);
        for (who, commitment, at) in [
            ("signer", "approval", SIGNED_AT),
            ("seal", "origin", SEALED_AT),
        ] {
            let out = edoc()
                .arg("sign")
                .arg("--key")
                .arg(self.org(SENDER, &format!("{who}.key")))
                .arg("--cert")
                .arg(self.org(SENDER, &format!("{who}.pem")))
                .arg("--chain")
                .arg(self.pki.join("intermediates.pem"))
                .args(["--commitment", commitment, "--at", at])
                .arg(&p)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        }
        p
    }

    /// `edoc status` answering `package` as Finance, signed with `seal_of`'s seal, checked
    /// against the demo's trust material and directory.
    fn status(&self, package: &Path, seal_of: &str, code: &str) -> std::process::Output {
        self.status_after(package, seal_of, code, &[])
    }

    fn status_after(
        &self,
        package: &Path,
        seal_of: &str,
        code: &str,
        after: &[&Path],
    ) -> std::process::Output {
        let mut cmd = edoc();
        cmd.arg("status");
        for (flag, file) in [
            ("--trust", "trust.pem"),
            ("--intermediates", "intermediates.pem"),
            ("--crl", "crl.pem"),
            ("--directory", "directory.json"),
        ] {
            cmd.arg(flag).arg(self.pki.join(file));
        }
        for a in after {
            cmd.arg("--after").arg(a);
        }
        cmd.arg("--key")
            .arg(self.org(seal_of, "seal.key"))
            .arg("--cert")
            .arg(self.org(seal_of, "seal.pem"))
            .args(["--code", code, "--staff", "Trần Thị Bình"])
            .args(["--from", FINANCE, "--at", ANSWER_AT])
            .arg(package)
            .output()
            .unwrap()
    }
}

#[test]
fn status_refuses_a_seal_of_another_agency() {
    let demo = Demo::new();
    let letter = demo.signed("letter.json");
    // A Lưới 1's seal answering as the Department of Finance.
    let out = demo.status(&letter, SENDER, "03");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "nothing is signed");
    let err = text(&out.stderr);
    assert!(err.contains(FINANCE), "{err}");
}

#[test]
fn status_refuses_to_answer_an_unsigned_package() {
    let demo = Demo::new();
    let letter = demo.unsigned("letter.json");
    let out = demo.status(&letter, FINANCE, "03");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "nothing is signed");
}

#[test]
fn status_refuses_completed_before_accepted() {
    let demo = Demo::new();
    let letter = demo.signed("letter.json");
    let out = demo.status(&letter, FINANCE, "06");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "nothing is signed");
    let err = text(&out.stderr);
    assert!(err.contains("06"), "{err}");
}

#[test]
fn status_signs_completed_after_the_accepted_status_it_follows() {
    let demo = Demo::new();
    let letter = demo.signed("letter.json");
    let accepted = demo.status(&letter, FINANCE, "03");
    assert_eq!(
        accepted.status.code(),
        Some(0),
        "{}",
        text(&accepted.stderr)
    );
    let first = demo.work.join("accepted.jws");
    std::fs::write(&first, &accepted.stdout).unwrap();
    let out = demo.status_after(&letter, FINANCE, "06", &[&first]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("ey"), "a JWS on stdout");
    // 03 cannot be set twice.
    let again = demo.status_after(&letter, FINANCE, "03", &[&first]);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again.stdout));
}

#[test]
fn status_refuses_an_altered_package() {
    let demo = Demo::new();
    let letter = demo.signed("letter.json");
    let text_of = std::fs::read_to_string(&letter).unwrap();
    let altered = text_of.replace("Xin hướng dẫn mua sắm", "Xin hướng dẫn mua sắm gấp");
    assert_ne!(altered, text_of);
    std::fs::write(&letter, altered).unwrap();
    let out = demo.status(&letter, FINANCE, "03");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "nothing is signed");
}
