//! What the CLI tells a clerk (issue 18, points 3 to 6): the size limit at creation with the
//! true size, the first cause of a failure with what to do, policy files that name only what
//! they change, and messages in words (empty files, RFC 3339 times at +07:00, names of urgency
//! and confidentiality, what was written, a signing time outside the certificate).
#![cfg(feature = "cli")]

mod cli_common;

use base64::Engine;
use cli_common::*;

const B64U: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn new_refuses_a_package_over_the_limit_with_its_true_size_and_what_to_do() {
    let demo = Demo::new();
    // 49 MiB of attachment: 65.3 MiB once in base64. Sparse, so the test writes nothing.
    let big = demo.work.join("scan.pdf");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(49 << 20)
        .unwrap();
    let out = demo
        .new_command(&[])
        .arg("--attach")
        .arg(&big)
        .arg("-o")
        .arg(demo.work.join("big.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for expected in [
        "the package would be about 68",
        "(65.",
        "with 49.0 MiB of inline attachments",
        "a package may be at most 67108864 bytes (64.0 MiB)",
        "about 47.8 MiB of them fit",
        "--detached (for local use: hubs take inline attachments only)",
        "split the attachments across several documents",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in {err}");
    }
    assert!(!demo.work.join("big.json").exists());

    // The same file detached: written, with a word that hubs take inline attachments only.
    let out = demo
        .new_command(&["--detached"])
        .arg("--attach")
        .arg(&big)
        .arg("-o")
        .arg(demo.work.join("local.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("2 detached beside it: for local use, hubs take inline attachments only"),
        "{}",
        stderr(&out)
    );

    // A file over the limit given to `sign` is refused with its real size, not the bytes read.
    let huge = demo.work.join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(70 << 20)
        .unwrap();
    let out = demo.sign(&huge, "signer", "approval", SIGNED_AT);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "the file is 73400320 bytes (70.0 MiB); the limit is 67108864 bytes (64.0 MiB)"
        ),
        "{}",
        stderr(&out)
    );
}

/// The package with one character changed inside the person's certificate in `x5c`.
fn with_broken_person_certificate(package: &std::path::Path) -> Vec<u8> {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(package).unwrap()).unwrap();
    let protected = v["signatures"]["signatures"][0]["protected"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut header: serde_json::Value =
        serde_json::from_slice(&B64U.decode(protected).unwrap()).unwrap();
    let cert = header["x5c"][0].as_str().unwrap().to_owned();
    let mut der = B64.decode(&cert).unwrap();
    der[40] ^= 0x01;
    header["x5c"][0] = B64.encode(der).into();
    v["signatures"]["signatures"][0]["protected"] =
        B64U.encode(serde_json::to_vec(&header).unwrap()).into();
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn the_text_line_names_the_first_cause_and_what_to_do_when_an_input_is_missing() {
    let demo = Demo::new();
    let p = demo.signed_package("letter.json");

    // One flipped byte inside the person's certificate: the line says so, not "seal missing".
    let broken = demo.work.join("broken.json");
    std::fs::write(&broken, with_broken_person_certificate(&p)).unwrap();
    let out = demo.verify().arg(&broken).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = stdout(&out);
    assert!(
        line.contains("the signature of") && !line.contains("is missing"),
        "{line}"
    );
    assert!(
        !line.contains("SIG_CONSTRAINTS_FAILURE"),
        "the cause is the certificate, not the commitments: {line}"
    );

    // No CRL given: TRY_LATER would tell a clerk to wait; the line says to pass --crl.
    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.pki.join("trust.pem"))
        .arg("--intermediates")
        .arg(demo.pki.join("intermediates.pem"))
        .args(["--at", VERIFY_AT])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(": TRY_LATER: the signature of")
            && stdout(&out).contains(
                "no CRL was given: pass the current CRL of every CA of the chain (the root's too) with --crl"
            ),
        "{}",
        stdout(&out)
    );

    // Signed without the intermediate in x5c and checked without --intermediates: the chain
    // is not found, and the line says which flag is missing.
    let q = demo.new_package("unchained.json", &[]);
    for (who, commitment, at) in [
        ("signer", "approval", SIGNED_AT),
        ("seal", "origin", SEALED_AT),
    ] {
        let out = edoc()
            .arg("sign")
            .arg("--key")
            .arg(demo.org(&format!("{who}.key")))
            .arg("--cert")
            .arg(demo.org(&format!("{who}.pem")))
            .args(["--commitment", commitment, "--at", at])
            .arg(&q)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.pki.join("trust.pem"))
        .arg("--crl")
        .arg(demo.pki.join("crl.pem"))
        .args(["--at", VERIFY_AT])
        .arg(&q)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains(": NO_CERTIFICATE_CHAIN_FOUND: the signature of")
            && stdout(&out)
                .contains("if the signer's CA is an intermediate, pass it with --intermediates"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_policy_file_overrides_only_what_it_names_and_policy_show_prints_the_strict_policy() {
    let demo = Demo::new();
    let p = demo.signed_package("letter.json");
    let policy = demo.work.join("policy.json");
    std::fs::write(&policy, r#"{"revocation":{"mode":"CheckIfAvailable"}}"#).unwrap();
    // Without --crl: the strict policy wants CRLs, this file only makes them optional.
    let out = edoc()
        .arg("verify")
        .arg("--trust")
        .arg(demo.pki.join("trust.pem"))
        .arg("--intermediates")
        .arg(demo.pki.join("intermediates.pem"))
        .arg("--directory")
        .arg(demo.pki.join("directory.json"))
        .arg("--policy")
        .arg(&policy)
        .args(["--at", VERIFY_AT])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );

    let out = edoc().args(["policy", "show"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        edoc::Policy::from_json(&out.stdout).unwrap(),
        edoc::Policy::strict()
    );
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["revocation"]["mode"], "RequireCrl");

    // A typo is refused, naming the field.
    std::fs::write(&policy, r#"{"revocation":{"mod":"CheckIfAvailable"}}"#).unwrap();
    let out = demo
        .verify()
        .arg("--policy")
        .arg(&policy)
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown field `mod`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_file_says_the_file_is_empty() {
    let demo = Demo::new();
    let empty = demo.work.join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let out = demo.verify().arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("empty.json: FORMAT_FAILURE: the file is empty"),
        "{}",
        stdout(&out)
    );
    for command in ["inspect", "sign"] {
        let mut c = edoc();
        c.arg(command);
        if command == "sign" {
            c.arg("--key")
                .arg(demo.org("signer.key"))
                .arg("--cert")
                .arg(demo.org("signer.pem"))
                .args(["--commitment", "approval", "--at", SIGNED_AT]);
        }
        let out = c.arg(&empty).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(
            stderr(&out).contains("empty.json: the file is empty") && !stderr(&out).contains("EOF"),
            "{command}: {}",
            stderr(&out)
        );
    }
    // An empty policy file, too.
    let out = demo
        .verify()
        .arg("--policy")
        .arg(&empty)
        .arg(&empty)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("empty.json: the file is empty"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn times_are_printed_in_rfc3339_at_plus_seven() {
    let demo = Demo::new();
    let p = demo.signed_package("letter.json");
    // Checked in 2031: the certificates (valid to 2030-01-01 00:00 UTC) have expired.
    let out = edoc()
        .arg("verify")
        .args(demo.trust_args().into_iter().take(8))
        .args(["--at", "2031-01-01T00:00:00Z"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("expired on 2030-01-01T07:00:00+07:00"),
        "{text}"
    );
    assert!(
        !text.contains("+00:00:00") && !text.contains(".0 +"),
        "{text}"
    );

    // Checked before it was signed: both times, in the same form.
    let out = edoc()
        .arg("verify")
        .args(demo.trust_args().into_iter().take(8))
        .args(["--at", "2025-06-01T00:00:00Z"])
        .arg(&p)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("the signing time 2025-07-02T17:00:00+07:00 lies after the validation time 2025-06-01T07:00:00+07:00"),
        "{text}"
    );
}

#[test]
fn inspect_prints_urgency_and_confidentiality_by_name() {
    let demo = Demo::new();
    let p = demo.new_package(
        "secret.json",
        &["--urgency", "express", "--confidentiality", "confidential"],
    );
    let out = edoc().arg("inspect").arg(&p).output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("Urgency    Hỏa tốc (express, code 3)"),
        "{text}"
    );
    assert!(text.contains("Confid.    Mật (confidential)"), "{text}");
    assert!(!text.contains("Urgency    code"), "{text}");
}

#[test]
fn new_and_sign_say_what_they_wrote() {
    let demo = Demo::new();
    let out_path = demo.work.join("letter.json");
    let out = demo
        .new_command(&[])
        .arg("-o")
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "edoc: wrote {}: unsigned package 42/UBND-TCKH (000.00.41.H57,2025/07/02,42/UBND-TCKH)",
            out_path.display()
        )) && err.contains("1 attachment")
            && err.contains("next: edoc sign --commitment approval"),
        "{err}"
    );
    let out = demo.sign(&out_path, "signer", "approval", SIGNED_AT);
    let err = stderr(&out);
    assert!(
        err.contains("added the approval of")
            && err.contains("signed 2025-07-02T17:00:00+07:00")
            && err
                .contains("1 signature now; next: the agency seal (edoc sign --commitment origin)"),
        "{err}"
    );
    let out = demo.sign(&out_path, "seal", "origin", SEALED_AT);
    assert!(
        stderr(&out).contains("added the seal of UBND xã A Lưới 1"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("2 signatures now"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sign_refuses_a_signing_time_outside_the_certificates_validity() {
    let demo = Demo::new();
    let p = demo.new_package("letter.json", &[]);
    let before = std::fs::read(&p).unwrap();
    for at in ["2031-01-01T00:00:00Z", "2024-06-01T00:00:00Z"] {
        let out = demo.sign(&p, "signer", "approval", at);
        assert_eq!(out.status.code(), Some(1), "{at}");
        assert!(
            stderr(&out).contains("is valid from 2025-01-01T07:00:00+07:00 to 2030-01-01T07:00:00+07:00; the signing time (--at,"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read(&p).unwrap(),
        before,
        "the package is left alone"
    );
}

#[test]
fn help_marks_the_required_flags_and_new_does_not_require_output() {
    let out = edoc().args(["new", "--help"]).output().unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("Required, unless --header FILE is given:"),
        "{help}"
    );
    let heading = help
        .find("Required, unless --header FILE is given:")
        .unwrap();
    assert!(help[heading..].contains("--sender <CODE>"), "{help}");

    let out = edoc().arg("new").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let usage = stderr(&out);
    let usage = usage.lines().find(|l| l.starts_with("Usage:")).unwrap();
    assert!(!usage.contains("--output"), "{usage}");

    let out = edoc().args(["verify", "--help"]).output().unwrap();
    assert!(
        stdout(&out).contains("[required] Trust anchors"),
        "{}",
        stdout(&out)
    );
    let out = edoc().args(["sign", "--help"]).output().unwrap();
    assert!(
        stdout(&out).contains("Required:\n      --commitment"),
        "{}",
        stdout(&out)
    );

    // --detached without -o is a usage error in words, not a clap requirement.
    let demo = Demo::new();
    let out = demo.new_command(&["--detached"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains("--detached needs -o OUT: the detached files are put beside the package"),
        "{}",
        stderr(&out)
    );
}
