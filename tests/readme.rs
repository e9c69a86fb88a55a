//! The README's examples run as written, so they cannot drift from the binary: the "Try it in
//! a minute" block is executed by bash with the built `edoc` first on the PATH, and the output
//! lines it shows in comments must appear.
#![cfg(feature = "cli")]

use std::process::Command;

/// The first ```sh block after `heading` in the README.
fn sh_block(readme: &str, heading: &str) -> String {
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let rest = &readme[start..];
    let open = rest.find("```sh\n").expect("a sh block") + "```sh\n".len();
    let close = rest[open..].find("```").expect("the block ends");
    rest[open..open + close].to_owned()
}

/// Whether `line` holds the pieces of `expected` in order, `…` standing for anything.
fn matches(line: &str, expected: &str) -> bool {
    let mut at = 0;
    for piece in expected.split('…').map(str::trim).filter(|p| !p.is_empty()) {
        match line[at..].find(piece) {
            Some(i) => at += i + piece.len(),
            None => return false,
        }
    }
    true
}

#[test]
fn readme_try_it_in_a_minute_runs_as_written() {
    let readme = include_str!("../README.md");
    let block = sh_block(readme, "### Try it in a minute");
    // Comment lines that start with an output word are what the commands print.
    let expected: Vec<&str> = block
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| l.starts_with("OK ") || l.starts_with("FAILED ") || l.contains(" verified, "))
        .collect();
    assert!(!expected.is_empty(), "the block shows its output");

    let dir = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("edoc");
    let script = format!(
        "set -euo pipefail\nexport PATH='{}':\"$PATH\"\n{block}",
        bin.parent().unwrap().display()
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the README block failed:\n{stdout}\n{stderr}"
    );
    for e in expected {
        assert!(
            stdout.lines().any(|l| matches(l, e)),
            "the README shows {e:?}, the commands printed:\n{stdout}"
        );
    }
    // `edoc inspect letter.json` ends the block: the header is shown.
    assert!(
        stdout.contains("Subject    Xin hướng dẫn mua sắm"),
        "{stdout}"
    );
}
