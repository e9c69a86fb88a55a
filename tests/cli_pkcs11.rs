//! `edoc sign` with a PKCS#11 token: a real SoftHSM2 token holding the demo person's key,
//! the chain read from the demo's PEM files (which start with a comment line).
//!
//! Run with `cargo test --features pkcs11 --test cli_pkcs11`. When SoftHSM2 is missing this
//! test fails and says to run `.ci/install-softhsm.sh`.
#![cfg(all(feature = "cli", feature = "pkcs11"))]

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;

const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN: &str = "edoc-cli-test";
const PIN: &str = "user-pin-2468";
const SENDER: &str = "000.00.41.H57";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_token_key_signs_the_approval_and_the_package_verifies() {
    assert!(
        Path::new(MODULE).is_file(),
        "SoftHSM2 is not installed ({MODULE} is missing): run .ci/install-softhsm.sh"
    );
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo");
    let org = demo.join("orgs").join(SENDER);
    let edoc = || {
        let mut c = Command::cargo_bin("edoc").unwrap();
        c.env("SOFTHSM2_CONF", tmp.path().join("softhsm2.conf"));
        c
    };
    let out = edoc().arg("pki").arg("demo").arg(&demo).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // A token of our own in a temporary folder, holding the demo person's key.
    let tokens = tmp.path().join("tokens");
    std::fs::create_dir(&tokens).unwrap();
    std::fs::write(
        tmp.path().join("softhsm2.conf"),
        format!(
            "directories.tokendir = {}\nlog.level = ERROR\n",
            tokens.display()
        ),
    )
    .unwrap();
    let util = |args: &[&str]| {
        let out = Std::new("softhsm2-util")
            .env("SOFTHSM2_CONF", tmp.path().join("softhsm2.conf"))
            .args(args)
            .output()
            .expect("softhsm2-util runs (Debian package softhsm2)");
        assert!(
            out.status.success(),
            "softhsm2-util {args:?}: {}",
            text(&out.stderr)
        );
    };
    util(&[
        "--init-token",
        "--free",
        "--label",
        TOKEN,
        "--so-pin",
        "so-1357",
        "--pin",
        PIN,
    ]);
    let key = org.join("signer.key").display().to_string();
    util(&[
        "--import", &key, "--token", TOKEN, "--label", "person", "--id", "01", "--pin", PIN,
    ]);

    let package = tmp.path().join("letter.json");
    let out = edoc()
        .args([
            "new",
            "--sender",
            SENDER,
            "--sender-name",
            "UBND xã A Lưới 1",
        ])
        .args(["--to", "000.00.05.H57=Sở Tài chính thành phố Huế"])
        .args(["--type-code", "CV", "--type-name", "Công văn"])
        .args([
            "--number",
            "7",
            "--notation",
            "UBND-VP",
            "--place",
            "A Lưới",
        ])
        .args(["--date", "2025-07-02", "--subject", "Báo cáo tiến độ"])
        .args([
            "--signer-name",
            "Nguyễn Văn An (TEST)",
            "--signer-position",
            "Chủ tịch",
        ])
        .arg("-o")
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let token_sign = |pin: &str| {
        edoc()
            .env("EDOC_TEST_CLI_PIN", pin)
            .args(["sign", "--pkcs11-module", MODULE, "--token", TOKEN])
            .args(["--key-label", "person", "--pin-env", "EDOC_TEST_CLI_PIN"])
            .arg("--cert-chain")
            .arg(org.join("signer.pem"))
            .arg("--cert-chain")
            .arg(demo.join("intermediates.pem"))
            .args(["--commitment", "approval", "--at", "2025-07-02T10:00:00Z"])
            .arg(&package)
            .output()
            .unwrap()
    };

    // A wrong PIN: a configuration error (exit 2) that never shows the PIN.
    let out = token_sign("0000-wrong");
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("PIN was refused"), "{err}");
    assert!(!err.contains("0000-wrong"), "{err}");

    let out = token_sign(PIN);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = edoc()
        .arg("sign")
        .arg("--key")
        .arg(org.join("seal.key"))
        .arg("--cert")
        .arg(org.join("seal.pem"))
        .args(["--commitment", "origin", "--at", "2025-07-02T10:05:00Z"])
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.join("trust.pem"))
        .arg("--intermediates")
        .arg(demo.join("intermediates.pem"))
        .arg("--crl")
        .arg(demo.join("crl.pem"))
        .args(["--at", "2025-07-02T15:00:00Z"])
        .arg(&package)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.starts_with("OK "), "{stdout}");
    assert!(
        stdout.contains("(approval)") && stdout.contains("(seal)"),
        "{stdout}"
    );
}
