//! Interop: signatures this crate produces verify with jwcrypto (Python), a third-party JOSE
//! library, using the x5c leaf key and the detached payload; tampered ones are rejected.
//! If `import jwcrypto` fails the test installs it with pip; if that fails the test FAILS.

mod jades_common;

use edoc::{sign_detached, Algorithm, Commitment, DetachedObject, JwsSignature, SignOptions};
use jades_common::*;
use std::path::Path;
use std::process::Command;
use time::macros::datetime;

fn ensure_jwcrypto() {
    let has = |py: &str| {
        Command::new("python3")
            .args(["-c", py])
            .status()
            .is_ok_and(|s| s.success())
    };
    if has("import jwcrypto") {
        return;
    }
    let installed = Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "jwcrypto"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        installed && has("import jwcrypto"),
        "jwcrypto is not installed and pip could not install it"
    );
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
    let out = Command::new("python3")
        .args(&args)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn jwcrypto_verifies_our_signatures_and_rejects_tampered_ones() {
    ensure_jwcrypto();
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
    for alg in [
        Algorithm::Es256,
        Algorithm::Rs256,
        Algorithm::Ps256,
        Algorithm::EdDsa,
        Algorithm::Es384,
    ] {
        let sig = sign_detached(&signer(alg), &objects, &opts).unwrap();
        let (ok, out) = jwcrypto_verifies(&sig, dir.path(), &docs);
        assert!(ok, "{alg}: jwcrypto refused our signature: {out}");
        assert!(out.contains("jwcrypto: verified"), "{out}");

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

        // Tampered document: the sigD digest check in the script must reject.
        let tampered: [(&str, &[u8]); 2] = [docs[0], ("annex.pdf", b"%PDF-1.7 annex!")];
        let (ok, out) = jwcrypto_verifies(&sig, dir.path(), &tampered);
        assert!(
            !ok && out.contains("hashV mismatch"),
            "{alg}: tampered document accepted: {out}"
        );
    }
}
