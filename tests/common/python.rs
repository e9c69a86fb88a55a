//! The Python of the interoperability tests: the virtual environment `.ci/setup.sh` makes under
//! `target/py`, never the system's (stock Debian refuses `pip install` there). Include it with
//! `mod common;` (as `common::python::python()`) or alone with
//! `#[path = "common/python.rs"] mod python;`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `target/py/bin/python`. Panics, so the test fails rather than skips, when the venv is
/// missing, saying how to make it.
pub(crate) fn python() -> PathBuf {
    // Integration tests get CARGO_TARGET_TMPDIR = <target dir>/tmp; the venv sits beside it.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .to_path_buf();
    let python = target.join("py").join("bin").join("python");
    assert!(
        python.exists(),
        "{} is missing: run `bash .ci/setup.sh`, which makes the Python venv of the tests",
        python.display()
    );
    python
}
