//! The counts of the conformance suites: printed, and appended to `target/conformance.txt` so
//! that `.ci/test` can show them after `cargo test` (which hides what passing tests print).
//! Include it with `mod common;` or alone with `#[path = "common/conformance.rs"] mod conformance;`.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;

/// Prints `line` and appends it to `target/conformance.txt`.
pub(crate) fn record(line: &str) {
    println!("{line}");
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder");
    // One short write per line, in append mode: lines of tests running at once do not mix.
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(target.join("conformance.txt"))
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()));
    appended.expect("append to target/conformance.txt");
}
