//! `edoc verify` checks every signed artifact by its own rules (issue 18, point 1): packages
//! with their routing trace (`--hubs`), status messages, hubs' receipts; a folder lists what
//! it cannot classify; `inspect` shows whether the trace verified.
#![cfg(feature = "cli")]

mod cli_common;

use cli_common::*;

/// Changes the first character of a compact JWS's signature segment (a valid base64url
/// character for another): the bytes decode, and the signature no longer verifies.
fn flip_signature_char(path: &std::path::Path) {
    let mut text = std::fs::read_to_string(path).unwrap();
    let at = text.rfind('.').unwrap() + 1;
    let c = if text[at..].starts_with('A') {
        "B"
    } else {
        "A"
    };
    text.replace_range(at..at + 1, c);
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_status_message_and_a_receipt_are_recognised_and_verified_by_their_own_rules() {
    let story = Routed::new();
    let status = story.dir.join("report.status-03.jws");
    let receipt = story.dir.join("report.receipt.jws");

    let out = story
        .verify(true)
        .arg(&status)
        .arg(&receipt)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("OK ")
            && lines[0].contains(
                "status 03 accepted and registered about 000.00.42.H57,2025/07/03,21/UBND-VP"
            )
            && lines[0].contains("from 000.00.00.G09 to 000.00.42.H57")
            && lines[0].contains("2025-07-03T10:00:00+07:00")
            && lines[0].contains("sealed by Bộ Nội vụ"),
        "{text}"
    );
    assert!(
        lines[1].starts_with("OK ")
            && lines[1].contains("receipt of hub hub.h57 for 000.00.42.H57,2025/07/03,21/UBND-VP")
            && lines[1].contains("000.00.00.G09 forwarded to hub.national"),
        "{text}"
    );
    assert_eq!(lines[2], "2 verified, 0 failed");

    // A receipt names a hub: without the hubs' certificates nobody can tell it is that hub's.
    let out = story.verify(false).arg(&receipt).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("receipt: which certificates sign for which hub is not known: pass the hubs file with --hubs"),
        "{}",
        stdout(&out)
    );

    // One changed character of the status's signature: SIG_CRYPTO_FAILURE, not a parse error.
    flip_signature_char(&status);
    let out = story.verify(true).arg(&status).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("FAILED  ")
            && stdout(&out).contains("SIG_CRYPTO_FAILURE: status message"),
        "{}",
        stdout(&out)
    );

    // JSON Lines say which kind each file is.
    let out = story
        .verify(true)
        .arg("--json")
        .arg(&receipt)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["kind"], "receipt");
    assert_eq!(v["indication"], "TOTAL_PASSED");
    assert_eq!(v["receipt"]["hub"], "hub.h57");
    assert_eq!(v["target"], receipt.display().to_string());
}

#[test]
fn a_packages_routing_trace_is_verified_with_hubs_and_a_changed_entry_fails() {
    let story = Routed::new();
    let package = story.dir.join("report.delivered.package.json");

    let out = story.verify(true).arg(&package).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("; trace hub.h57 → hub.national verified"),
        "{}",
        stdout(&out)
    );

    // Without --hubs the package verifies, and the line says its trace was not checked.
    let out = story.verify(false).arg(&package).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out)
            .contains("its routing trace (2 hub entries) is not verified: pass --hubs FILE"),
        "{}",
        stdout(&out)
    );

    // The second hub's entry re-signed by nobody: its signature no longer verifies.
    let mut value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&package).unwrap()).unwrap();
    let sig = value["trace"][1]["signature"].as_str().unwrap().to_owned();
    let flipped = format!(
        "{}{}",
        &sig[..sig.len() - 2],
        if sig.ends_with("AA") { "BA" } else { "AA" }
    );
    value["trace"][1]["signature"] = flipped.into();
    let forged = story.dir.join("forged-trace.package.json");
    std::fs::write(&forged, serde_json::to_vec(&value).unwrap()).unwrap();
    let out = story.verify(true).arg(&forged).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("FAILED  ")
            && stdout(&out).contains("the routing trace does not verify: trace entry 1"),
        "{}",
        stdout(&out)
    );
    let out = story
        .verify(true)
        .arg("--json")
        .arg(&forged)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["kind"], "package");
    assert_eq!(v["trace"]["verified"], false);
    assert_eq!(v["trace"]["entries"], 2);
}

#[test]
fn inspect_shows_whether_the_trace_was_verified() {
    let story = Routed::new();
    let package = story.dir.join("report.delivered.package.json");
    let out = edoc().arg("inspect").arg(&package).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(
        text.contains("Trace (2) — UNVERIFIED: give --trust and --hubs to verify it"),
        "{text}"
    );
    assert!(text.contains("1. hub.h57, 2025-07-03T09:00:00+07:00: forwarded to hub.national for 000.00.00.G09 [UNVERIFIED"), "{text}");

    let out = edoc()
        .arg("inspect")
        .arg("--trust")
        .arg(story.trust("trust.pem"))
        .arg("--intermediates")
        .arg(story.trust("intermediates.pem"))
        .arg("--crl")
        .arg(story.trust("crl.pem"))
        .arg("--hubs")
        .arg(story.trust("hubs.json"))
        .args(["--at", ROUTED_AT])
        .arg(&package)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("forwarded to hub.national for 000.00.00.G09 [VERIFIED]"),
        "{text}"
    );
    assert!(
        text.contains("hub.national, ") && text.matches("[VERIFIED]").count() == 4,
        "{text}"
    );
    assert!(text.contains("Verdict    the package verifies"), "{text}");
}

#[test]
fn a_folder_lists_every_file_it_cannot_classify_and_names_detached_attachments() {
    let story = Routed::new();
    // A detached package beside its attachment, trust material and a note in the same folder.
    let demo = Demo::new();
    let detached = demo.new_package("detached.json", &["--detached"]);
    std::fs::copy(&detached, story.dir.join("detached.json")).unwrap();
    std::fs::write(story.dir.join("request.pdf"), PDF).unwrap();
    std::fs::copy(story.trust("hubs.json"), story.dir.join("hubs.json")).unwrap();
    std::fs::copy(story.trust("crl.pem"), story.dir.join("crl.pem")).unwrap();
    std::fs::write(story.dir.join("notes.txt"), "nothing signed here").unwrap();
    // A damaged package is not a file to skip: it fails.
    std::fs::write(story.dir.join("damaged.json"), "{\"edoc\": 1, \"hea").unwrap();

    let out = story.verify(true).arg(&story.dir).output().unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let line = |name: &str| {
        text.lines()
            .find(|l| l.contains(&format!("/{name}:")))
            .unwrap_or_else(|| panic!("no line for {name} in\n{text}"))
            .to_owned()
    };
    assert!(
        line("crl.pem").starts_with("SKIPPED ") && line("crl.pem").contains("PEM"),
        "{text}"
    );
    assert!(
        line("hubs.json").starts_with("SKIPPED ") && line("hubs.json").contains("a hubs file"),
        "{text}"
    );
    assert!(line("notes.txt").starts_with("SKIPPED "), "{text}");
    assert!(
        line("request.pdf").starts_with("SKIPPED ")
            && line("request.pdf").contains("a detached attachment of")
            && line("request.pdf").contains("detached.json"),
        "{text}"
    );
    // Unsigned, so it fails; but it is checked, not skipped.
    assert!(line("detached.json").starts_with("FAILED "), "{text}");
    assert!(
        line("damaged.json").starts_with("FAILED ")
            && line("damaged.json").contains("FORMAT_FAILURE"),
        "{text}"
    );
    for name in [
        "report.delivered.package.json",
        "report.receipt.jws",
        "report.status-03.jws",
    ] {
        assert!(line(name).starts_with("OK "), "{text}");
    }
    assert!(
        text.ends_with("3 verified, 2 failed, 4 skipped (not signed artifacts)\n"),
        "{text}"
    );

    // Named on the command line, a file that is not a signed artifact fails.
    let out = story
        .verify(true)
        .arg(story.dir.join("notes.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("not a package, status message or receipt"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn payload_mode_says_that_a_status_message_carries_what_it_signs() {
    let story = Routed::new();
    let out = story
        .verify(true)
        .arg("--payload")
        .arg(story.trust("crl.pem"))
        .arg(story.dir.join("report.status-03.jws"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "is a status message, which carries what it signs: verify it without --payload"
        ),
        "{}",
        stderr(&out)
    );
}
