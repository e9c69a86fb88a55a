//! The library's default features are lean (issue 18, point 9): a service that writes
//! `edoc = "0.1"` compiles no command-line dependency and no test PKI, while `--features cli`
//! brings them, so the check can fail.

use std::process::Command;

/// The crate names `cargo tree` lists for the library's normal dependencies with `features`.
fn normal_dependencies(features: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "--prefix",
            "none",
            "-p",
            "edoc",
        ])
        .args(features)
        .arg("--manifest-path")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

const CLI_ONLY: [&str; 6] = [
    "clap",
    "rayon",
    "rcgen",
    "p12-keystore",
    "rpassword",
    "pkcs8",
];

#[test]
fn default_features_bring_no_cli_dependency_and_no_test_pki() {
    let lean = normal_dependencies(&[]);
    for name in CLI_ONLY {
        assert!(
            !lean.iter().any(|n| n == name),
            "{name} in the default build: {lean:?}"
        );
    }
    let cli = normal_dependencies(&["--features", "cli"]);
    for name in CLI_ONLY {
        assert!(
            cli.iter().any(|n| n == name),
            "{name} missing with --features cli"
        );
    }
    assert!(lean.len() < cli.len());
    println!(
        "crates: {} by default, {} with --features cli",
        lean.len(),
        cli.len()
    );
}
