//! Interop: signatures this crate produces verify with jwcrypto (Python), a third-party JOSE
//! library, using the x5c leaf key and the detached payload; tampered ones are rejected.
//! jwcrypto comes from the venv `.ci/setup.sh` makes under target/py; without it the test FAILS.

#[path = "common/conformance.rs"]
mod conformance;
mod jades_common;
#[path = "common/python.rs"]
mod python;

use edoc::{sign_detached, Algorithm, Commitment, DetachedObject, JwsSignature, SignOptions};
use jades_common::*;
use std::path::Path;
use std::process::Command;
use time::macros::datetime;

/// The venv's python, with jwcrypto importable.
fn python_with_jwcrypto() -> std::path::PathBuf {
    let python = python::python();
    let ok = Command::new(&python)
        .args(["-c", "import jwcrypto"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "jwcrypto is not installed in {}: run `bash .ci/setup.sh`",
        python.display()
    );
    python
}

fn jwcrypto_verifies(sig: &JwsSignature, dir: &Path, docs: &[(&str, &[u8])]) -> (bool, String) {
    let sig_path = dir.join("sig.json");
    std::fs::write(&sig_path, serde_json::to_string(sig).unwrap()).unwrap();
    let mut args = vec![
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/verify_jws.py").to_string(),
        sig_path.display().to_string(),
    ];
    for (i, (uri, bytes)) in docs.iter().enumerate() {
        let p = dir.join(format!("doc{i}"));
        std::fs::write(&p, bytes).unwrap();
        args.push(format!("{uri}={}", p.display()));
    }
    let out = Command::new(python_with_jwcrypto())
        .args(&args)
        .output()
        .expect("the venv's python runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn jwcrypto_verifies_our_signatures_and_rejects_tampered_ones() {
    python_with_jwcrypto();
    let dir = tempfile::tempdir().unwrap();
    let docs: [(&str, &[u8]); 2] = [
        ("header.json", br#"{"so":"267/VPCP"}"#),
        ("annex.pdf", b"%PDF-1.7 annex"),
    ];
    let objects: Vec<_> = docs
        .iter()
        .map(|(u, b)| DetachedObject::from_bytes(*u, b))
        .collect();
    let opts = SignOptions::new(datetime!(2025-07-18 09:00 UTC))
        .with_commitment(Commitment::ProofOfOrigin);
    let algorithms = [
        Algorithm::Es256,
        Algorithm::Rs256,
        Algorithm::Ps256,
        Algorithm::EdDsa,
        Algorithm::Es384,
    ];
    let mut as_expected = 0;
    for alg in algorithms {
        let sig = sign_detached(&signer(alg), &objects, &opts).unwrap();
        let (ok, out) = jwcrypto_verifies(&sig, dir.path(), &docs);
        assert!(ok, "{alg}: jwcrypto refused our signature: {out}");
        assert!(out.contains("jwcrypto: verified"), "{out}");
        as_expected += 1;

        // Tampered signature value: jwcrypto must reject.
        let mut raw = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            &sig.signature,
        )
        .unwrap();
        raw[0] ^= 0x80;
        let bad = JwsSignature {
            signature: b64u(&raw),
            ..sig.clone()
        };
        let (ok, out) = jwcrypto_verifies(&bad, dir.path(), &docs);
        assert!(
            !ok && out.contains("REJECTED"),
            "{alg}: tampered signature accepted: {out}"
        );
        as_expected += 1;

        // Tampered document: the sigD digest check in the script must reject.
        let tampered: [(&str, &[u8]); 2] = [docs[0], ("annex.pdf", b"%PDF-1.7 annex!")];
        let (ok, out) = jwcrypto_verifies(&sig, dir.path(), &tampered);
        assert!(
            !ok && out.contains("hashV mismatch"),
            "{alg}: tampered document accepted: {out}"
        );
        as_expected += 1;
    }
    let names: Vec<&str> = algorithms.iter().map(|a| a.jws_name()).collect();
    conformance::record(&format!(
        "jwcrypto (Python): verifies our {} signatures and refuses each with a changed value or document: {as_expected} of {} cases as expected",
        names.join(", "),
        3 * algorithms.len()
    ));
}
