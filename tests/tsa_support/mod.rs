//! OpenSSL's own time-stamping authority (`openssl ts -reply`, Debian's openssl) as the
//! third-party TSA of the tests, and `openssl ts -verify` as the third-party verifier.
//!
//! Each [`OpenSslTsa`] lives in its own temporary folder (config, certificate, key, serial
//! file). With a fixed time it runs under `faketime` (Debian `faketime`, installed by
//! `.ci/setup.sh`), so a token can carry any generation time the test needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use edoc::{TestIdentity, TestPki, TimestampAuthority, TimestampError};
use time::OffsetDateTime;

/// How OpenSSL names the TSA certificate in the token's signed attributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum EssAlg {
    /// signing-certificate-v2 with SHA-256 (RFC 5816).
    Sha256,
    /// signing-certificate (v1) with SHA-1, OpenSSL 3.0's default.
    Sha1,
}

pub(crate) struct OpenSslTsa {
    dir: tempfile::TempDir,
    at: Option<OffsetDateTime>,
}

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out + &format!("-----END {label}-----\n")
}

/// Writes a file and returns its path.
pub(crate) fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

impl OpenSslTsa {
    /// An OpenSSL TSA signing with `tsa` (a certificate from [`TestPki::tsa`]), its chain
    /// included in tokens when the request asks (`certReq`).
    pub(crate) fn new(tsa: &TestIdentity, ess: EssAlg) -> OpenSslTsa {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "tsa.pem", tsa.certificate_pem());
        write(d, "chain.pem", tsa.chain_pem());
        write(d, "tsa.key", tsa.key_pem());
        write(d, "serial", "01\n");
        let ess = match ess {
            EssAlg::Sha256 => "sha256",
            EssAlg::Sha1 => "sha1",
        };
        let cfg = format!(
            "[tsa]\ndefault_tsa = tsa1\n\n[tsa1]\ndir = {dir}\nserial = $dir/serial\n\
             crypto_device = builtin\nsigner_cert = $dir/tsa.pem\ncerts = $dir/chain.pem\n\
             signer_key = $dir/tsa.key\nsigner_digest = sha256\ndefault_policy = 1.3.6.1.4.1.99999.7.1\n\
             digests = sha256, sha384, sha512\naccuracy = secs:1\nclock_precision_digits = 0\n\
             ordering = no\ntsa_name = yes\ness_cert_id_chain = no\ness_cert_id_alg = {ess}\n",
            dir = d.display()
        );
        write(d, "tsa.cnf", cfg);
        OpenSslTsa { dir, at: None }
    }

    /// The same TSA with its clock set to `at` (through faketime).
    pub(crate) fn at(mut self, at: OffsetDateTime) -> OpenSslTsa {
        self.at = Some(at);
        self
    }

    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl TimestampAuthority for OpenSslTsa {
    fn respond(&self, request: &[u8]) -> Result<Vec<u8>, TimestampError> {
        let d = self.dir.path();
        let query = write(d, "query.tsq", request);
        let reply = d.join("reply.tsr");
        let mut cmd = match self.at {
            Some(at) => {
                // `-f` with an absolute time stops the clock there, so genTime is exact.
                let mut c = Command::new("faketime");
                c.env("TZ", "UTC").arg("-f").arg(format!(
                    "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                    at.year(),
                    u8::from(at.month()),
                    at.day(),
                    at.hour(),
                    at.minute(),
                    at.second()
                ));
                c.arg("openssl");
                c
            }
            None => Command::new("openssl"),
        };
        let out = cmd
            .args(["ts", "-reply", "-config"])
            .arg(d.join("tsa.cnf"))
            .arg("-queryfile")
            .arg(&query)
            .arg("-out")
            .arg(&reply)
            .output()
            .map_err(|e| TimestampError::Unavailable {
                tsa: "openssl ts -reply".into(),
                reason: e.to_string(),
            })?;
        if !out.status.success() {
            return Err(TimestampError::Unavailable {
                tsa: "openssl ts -reply".into(),
                reason: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        Ok(std::fs::read(reply).unwrap())
    }
}

/// `openssl ts -verify` of a token over `data`, trusting `pki`'s root, at `at` (unix seconds
/// given to `-attime`). Returns OpenSSL's exit status and its output.
pub(crate) fn openssl_verify(
    pki: &TestPki,
    token: &[u8],
    data: &[u8],
    at: OffsetDateTime,
) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = write(d, "token.der", token);
    let data = write(d, "data.bin", data);
    let root = write(d, "root.pem", pem("CERTIFICATE", pki.root()));
    let inter = write(d, "inter.pem", pem("CERTIFICATE", pki.intermediate()));
    let out = Command::new("openssl")
        .args(["ts", "-verify", "-token_in", "-in"])
        .arg(&token)
        .arg("-data")
        .arg(&data)
        .arg("-CAfile")
        .arg(&root)
        .arg("-untrusted")
        .arg(&inter)
        .arg("-attime")
        .arg(at.unix_timestamp().to_string())
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl cms -verify` of a token's CMS signature alone (the TS code of OpenSSL 3.0 reads
/// signatures through its PKCS#7 layer, which knows no RSASSA-PSS; its CMS layer does).
pub(crate) fn openssl_cms_verify(
    pki: &TestPki,
    token: &[u8],
    at: OffsetDateTime,
) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let token = write(d, "token.der", token);
    let root = write(d, "root.pem", pem("CERTIFICATE", pki.root()));
    let inter = write(d, "inter.pem", pem("CERTIFICATE", pki.intermediate()));
    let out = Command::new("openssl")
        .args(["cms", "-verify", "-binary", "-inform", "DER", "-in"])
        .arg(&token)
        .arg("-CAfile")
        .arg(&root)
        .arg("-certfile")
        .arg(&inter)
        .args(["-purpose", "timestampsign", "-out"])
        .arg(d.join("tstinfo.der"))
        .arg("-attime")
        .arg(at.unix_timestamp().to_string())
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}
