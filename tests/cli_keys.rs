//! `edoc sign` reads the key files people have (issue 18, point 2): SEC1, PKCS#1, encrypted
//! PKCS#8 (passphrase from an environment variable or asked on a terminal) and PKCS#12 bundles
//! with their chain, each made here by OpenSSL; any other format is named with how to convert it.
#![cfg(feature = "cli")]

mod cli_common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use cli_common::*;

/// Runs OpenSSL, which `.ci/setup.sh` installs; the test fails if it is missing.
fn openssl(args: &[&str]) {
    let out = Process::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs (bash .ci/setup.sh installs it)");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Signs `package` with the key file and the person's certificate (none for a bundle), and
/// returns the run.
fn sign_with(
    demo: &Demo,
    package: &Path,
    key: &Path,
    cert: bool,
    env: &[(&str, &str)],
) -> std::process::Output {
    let mut c = edoc();
    c.arg("sign").arg("--key").arg(key);
    if cert {
        c.arg("--cert").arg(demo.org("signer.pem"));
    }
    c.arg("--chain")
        .arg(demo.pki.join("intermediates.pem"))
        .args(["--commitment", "approval", "--at", SIGNED_AT])
        .arg(package)
        .env_remove("EDOC_KEY_PASS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A fresh package signed with `key` as approval, then sealed with the demo seal, verified.
fn signs_and_verifies(
    demo: &Demo,
    name: &str,
    key: &Path,
    cert: bool,
    extra: &[&str],
    env: &[(&str, &str)],
) {
    let p = demo.new_package(name, &[]);
    let mut c = edoc();
    c.arg("sign").arg("--key").arg(key);
    if cert {
        c.arg("--cert").arg(demo.org("signer.pem"));
    }
    c.arg("--chain")
        .arg(demo.pki.join("intermediates.pem"))
        .args(extra)
        .args(["--commitment", "approval", "--at", SIGNED_AT])
        .arg(&p);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    let out = demo.sign(&p, "seal", "origin", SEALED_AT);
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
    let out = demo.verify().arg(&p).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{name}: {}", stdout(&out));
}

fn keys(demo: &Demo) -> PathBuf {
    let dir = demo.work.join("keys");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn sign_reads_sec1_pkcs1_and_encrypted_pkcs8_keys_made_by_openssl() {
    let demo = Demo::new();
    let dir = keys(&demo);
    let person = demo.org("signer.key");

    let sec1 = dir.join("sec1.pem");
    openssl(&["ec", "-in", path(&person), "-out", path(&sec1)]);
    assert!(std::fs::read_to_string(&sec1)
        .unwrap()
        .contains("BEGIN EC PRIVATE KEY"));
    signs_and_verifies(&demo, "sec1.json", &sec1, true, &[], &[]);

    let sec1_der = dir.join("sec1.der");
    openssl(&[
        "ec",
        "-in",
        path(&person),
        "-outform",
        "DER",
        "-out",
        path(&sec1_der),
    ]);
    signs_and_verifies(&demo, "sec1-der.json", &sec1_der, true, &[], &[]);

    let encrypted = dir.join("encrypted.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        path(&person),
        "-out",
        path(&encrypted),
        "-passout",
        "pass:mật khẩu 1",
    ]);
    assert!(std::fs::read_to_string(&encrypted)
        .unwrap()
        .contains("BEGIN ENCRYPTED PRIVATE KEY"));
    signs_and_verifies(
        &demo,
        "encrypted.json",
        &encrypted,
        true,
        &["--key-pass-env", "EDOC_KEY_PASS"],
        &[("EDOC_KEY_PASS", "mật khẩu 1")],
    );

    // PKCS#1 `RSA PRIVATE KEY`: read, and refused only because the certificate is another key's.
    let rsa = dir.join("rsa-pkcs1.pem");
    openssl(&[
        "pkey",
        "-in",
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys/rsa2048-a.pem"),
        "-traditional",
        "-out",
        path(&rsa),
    ]);
    assert!(std::fs::read_to_string(&rsa)
        .unwrap()
        .contains("BEGIN RSA PRIVATE KEY"));
    let p = demo.new_package("rsa.json", &[]);
    let out = sign_with(&demo, &p, &rsa, true, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("(PKCS#1 RSA key): signer certificate rejected")
            && stderr(&out).contains("is not for this private key"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_pkcs12_bundle_brings_its_certificate_chain() {
    let demo = Demo::new();
    let dir = keys(&demo);
    let bundle = dir.join("person.p12");
    openssl(&[
        "pkcs12",
        "-export",
        "-inkey",
        path(&demo.org("signer.key")),
        "-in",
        path(&demo.org("signer.pem")),
        "-certfile",
        path(&demo.pki.join("intermediates.pem")),
        "-passout",
        "pass:secret",
        "-out",
        path(&bundle),
    ]);
    // No --cert, no --chain: the bundle has both.
    let p = demo.new_package("bundle.json", &[]);
    let out = edoc()
        .arg("sign")
        .arg("--key")
        .arg(&bundle)
        .args([
            "--key-pass-env",
            "EDOC_KEY_PASS",
            "--commitment",
            "approval",
            "--at",
            SIGNED_AT,
        ])
        .arg(&p)
        .env("EDOC_KEY_PASS", "secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = demo.sign(&p, "seal", "origin", SEALED_AT);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Verified without --intermediates: the chain came from the bundle into x5c.
    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.pki.join("trust.pem"))
        .arg("--crl")
        .arg(demo.pki.join("crl.pem"))
        .args(["--at", VERIFY_AT])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    // A wrong passphrase is named as such.
    let out = edoc()
        .arg("sign")
        .arg("--key")
        .arg(&bundle)
        .args([
            "--key-pass-env",
            "EDOC_KEY_PASS",
            "--commitment",
            "approval",
            "--at",
            SIGNED_AT,
        ])
        .arg(&p)
        .env("EDOC_KEY_PASS", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot open the PKCS#12 bundle: the passphrase is wrong"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_encrypted_key_without_a_passphrase_says_how_to_give_one() {
    let demo = Demo::new();
    let dir = keys(&demo);
    let encrypted = dir.join("encrypted.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        path(&demo.org("signer.key")),
        "-out",
        path(&encrypted),
        "-passout",
        "pass:secret",
    ]);
    let p = demo.new_package("letter.json", &[]);
    // No terminal (the test's standard streams are pipes) and no --key-pass-env.
    let out = sign_with(&demo, &p, &encrypted, true, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is protected by a passphrase")
            && stderr(&out).contains("--key-pass-env VAR"),
        "{}",
        stderr(&out)
    );
    let out = edoc()
        .arg("sign")
        .arg("--key")
        .arg(&encrypted)
        .arg("--cert")
        .arg(demo.org("signer.pem"))
        .args([
            "--key-pass-env",
            "EDOC_KEY_PASS",
            "--commitment",
            "approval",
        ])
        .arg(&p)
        .env("EDOC_KEY_PASS", "not it")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot decrypt the key: the passphrase is wrong"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_passphrase_is_asked_on_a_terminal() {
    let demo = Demo::new();
    let dir = keys(&demo);
    let encrypted = dir.join("encrypted.pem");
    openssl(&[
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-in",
        path(&demo.org("signer.key")),
        "-out",
        path(&encrypted),
        "-passout",
        "pass:secret",
    ]);
    let p = demo.new_package("letter.json", &[]);
    let bin = assert_cmd::cargo::cargo_bin("edoc");
    let command = format!(
        "'{}' sign --key '{}' --cert '{}' --commitment approval --at {SIGNED_AT} '{}'",
        bin.display(),
        encrypted.display(),
        demo.org("signer.pem").display(),
        p.display()
    );
    // `script` (util-linux) runs the command on a pseudo-terminal fed from our stdin.
    let out = assert_cmd::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .write_stdin("secret\n")
        .output()
        .expect("script runs");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("Passphrase for the encrypted key"), "{text}");
    assert!(text.contains("added the approval of"), "{text}");
}

#[test]
fn other_key_formats_are_named_with_how_to_convert_them() {
    let demo = Demo::new();
    let dir = keys(&demo);
    let p = demo.new_package("letter.json", &[]);
    let cases: [(&str, &str, &str); 5] = [
        (
            "openssh.key",
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
            "an OpenSSH private key is not a key format edoc reads; convert a copy to PKCS#8 with `ssh-keygen -p -m PKCS8",
        ),
        (
            "legacy.pem",
            "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n",
            "encrypted the old OpenSSL way (Proc-Type: 4,ENCRYPTED)",
        ),
        (
            "jwk.json",
            r#"{"kty":"EC","crv":"P-256","d":"x"}"#,
            "JSON (a JWK?); edoc reads PEM or DER keys: convert it with `openssl pkcs8 -topk8",
        ),
        (
            "empty.key",
            "",
            "the key file is empty",
        ),
        (
            "garbage.der",
            "\u{1}\u{2}\u{3} not a key",
            "neither PEM nor a DER key edoc knows (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1, PKCS#12)",
        ),
    ];
    for (name, content, expected) in cases {
        let key = dir.join(name);
        std::fs::write(&key, content).unwrap();
        let out = sign_with(&demo, &p, &key, true, &[]);
        assert_eq!(out.status.code(), Some(2), "{name}");
        assert!(stderr(&out).contains(expected), "{name}: {}", stderr(&out));
    }
    // A certificate given as the key.
    let out = sign_with(&demo, &p, &demo.org("signer.pem"), true, &[]);
    assert!(
        stderr(&out).contains("a certificate, not a private key, is not a key format edoc reads; give the certificate with --cert"),
        "{}",
        stderr(&out)
    );
    // A P-521 key is named, with what the CA should issue instead.
    let p521 = dir.join("p521.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-521",
        "-out",
        path(&p521),
    ]);
    let out = sign_with(&demo, &p, &p521, true, &[]);
    assert!(
        stderr(&out).contains(
            "an EC key on P-521; JAdES signatures here use P-256 (ES256) or P-384 (ES384)"
        ),
        "{}",
        stderr(&out)
    );
}
