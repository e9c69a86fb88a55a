//! The RFC 8785 reference vectors (cyberphone/json-canonicalization, see
//! `../shared/vectors/jcs/SOURCE`) through the canonicalizer that `Header::canonical_bytes`
//! uses. Fails, never skips, when the vectors are missing.

use std::path::{Path, PathBuf};

#[path = "common/conformance.rs"]
mod conformance;

fn vectors() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/jcs");
    assert!(
        dir.is_dir(),
        "RFC 8785 vectors missing at {}: they are required, not optional",
        dir.display()
    );
    dir
}

#[test]
fn every_input_file_canonicalizes_to_its_output_byte_for_byte() {
    let dir = vectors();
    let mut names: Vec<_> = std::fs::read_dir(dir.join("input"))
        .expect("input folder")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut passed = 0;
    for input in &names {
        let name = input.file_name().expect("file name");
        let expected = std::fs::read(dir.join("output").join(name)).expect("matching output");
        let value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(input).expect("read")).expect("input is JSON");
        let got = serde_json_canonicalizer::to_vec(&value).expect("canonicalizes");
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&expected),
            "{}",
            input.display()
        );
        passed += 1;
    }
    conformance::record(&format!(
        "RFC 8785 jcs input/output: {passed} passed / 0 expected failures / 0 skipped (of {})",
        names.len()
    ));
    assert_eq!(passed, 6, "the reference set has six files");
}

#[test]
fn all_es6_number_lines_format_as_expected() {
    let text = std::fs::read_to_string(vectors().join("es6testfile100k.txt")).expect("number file");
    let (mut passed, mut skipped) = (0usize, 0usize);
    for (n, line) in text.lines().enumerate() {
        let (hex, expected) = line.split_once(',').expect("hex,expected");
        let bits = u64::from_str_radix(hex, 16).expect("hex");
        let value = f64::from_bits(bits);
        if !value.is_finite() {
            // RFC 8785 §3.2.2.2: NaN and infinities are not JSON; none are in the file.
            skipped += 1;
            continue;
        }
        let got = serde_json_canonicalizer::to_string(&value).expect("finite number");
        assert_eq!(got, expected, "line {}: {hex}", n + 1);
        passed += 1;
    }
    conformance::record(&format!(
        "RFC 8785 es6testfile100k: {passed} passed / 0 expected failures / {skipped} skipped (not finite)"
    ));
    assert_eq!(passed + skipped, 100_000);
    assert_eq!(skipped, 0);
}
