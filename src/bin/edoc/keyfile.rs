//! Private keys in the forms people have them: PKCS#8 (plain or encrypted), SEC1 `EC PRIVATE
//! KEY`, PKCS#1 `RSA PRIVATE KEY`, and PKCS#12 bundles with their chain, PEM or DER. Each is
//! decoded by a well-kept crate (pkcs8, sec1, p12-keystore) and handed to the library as PKCS#8.
//! Any other format gets a message that names it and says how to convert it.

use std::io::IsTerminal;
use std::path::Path;

use pkcs8::der::asn1::{Any, AnyRef};
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier, PrivateKeyInfo};
use rustls_pki_types::CertificateDer;
use zeroize::Zeroizing;

use crate::error::CliError;

const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// How to convert a key file into PKCS#8, the form every signer here reads.
const TO_PKCS8: &str = "convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out key.pem` \
     (or `-v2 aes-256-cbc` instead of `-nocrypt` to keep it encrypted)";

/// Where the passphrase of an encrypted key comes from.
pub(crate) struct Passphrase<'a> {
    /// `--key-pass-env VAR`: the name of an environment variable holding it.
    pub(crate) env: Option<&'a str>,
}

impl Passphrase<'_> {
    /// The passphrase: from the environment variable, else asked on the terminal (never
    /// echoed), else an error saying how to give it.
    fn get(&self, what: &str, path: &Path) -> Result<Zeroizing<String>, CliError> {
        if let Some(var) = self.env {
            return std::env::var(var).map(Zeroizing::new).map_err(|_| {
                CliError::Config(format!(
                    "{}: the environment variable {var} (--key-pass-env) is not set",
                    path.display()
                ))
            });
        }
        if std::io::stdin().is_terminal() || std::io::stderr().is_terminal() {
            let prompt = format!("Passphrase for {what} {}: ", path.display());
            return rpassword::prompt_password(prompt)
                .map(Zeroizing::new)
                .map_err(|e| CliError::io("cannot read the passphrase for", path, e));
        }
        Err(CliError::Config(format!(
            "{}: {what} is protected by a passphrase: put it in an environment variable and \
             name it with --key-pass-env VAR (without a terminal edoc cannot ask for it)",
            path.display()
        )))
    }
}

/// A key as PKCS#8 DER, with the certificates a bundle carried (leaf first), if any.
pub(crate) struct LoadedKey {
    pub(crate) pkcs8: Zeroizing<Vec<u8>>,
    pub(crate) chain: Vec<CertificateDer<'static>>,
    /// What the file was, for messages: "PKCS#8", "SEC1 EC key", ...
    pub(crate) format: &'static str,
}

/// Reads the key file at `path`.
pub(crate) fn load(path: &Path, pass: &Passphrase<'_>) -> Result<LoadedKey, CliError> {
    let bytes = Zeroizing::new(
        std::fs::read(path).map_err(|e| CliError::io("cannot read the key", path, e))?,
    );
    if bytes.is_empty() {
        return Err(CliError::Config(format!(
            "{}: the key file is empty",
            path.display()
        )));
    }
    match pem_label(&bytes) {
        Some(label) => load_pem(path, &bytes, &label, pass),
        None => load_der(path, &bytes, pass),
    }
}

/// The label of the first PEM block (`PRIVATE KEY`, `EC PRIVATE KEY`, ...), if the file is PEM.
fn pem_label(bytes: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(bytes).ok()?;
    let start = text.find("-----BEGIN ")? + "-----BEGIN ".len();
    let end = text[start..].find("-----")?;
    Some(text[start..start + end].to_owned())
}

/// The text of the first PEM block with this label, from BEGIN to END, for strict decoders.
fn pem_block<'a>(bytes: &'a [u8], label: &str) -> Option<&'a str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let begin = text.find(&format!("-----BEGIN {label}-----"))?;
    let end_marker = format!("-----END {label}-----");
    let end = begin + text[begin..].find(&end_marker)? + end_marker.len();
    Some(&text[begin..end])
}

fn load_pem(
    path: &Path,
    bytes: &[u8],
    label: &str,
    pass: &Passphrase<'_>,
) -> Result<LoadedKey, CliError> {
    let unsupported = |what: &str, how: &str| {
        CliError::Config(format!(
            "{}: {what} is not a key format edoc reads; {how}",
            path.display()
        ))
    };
    let block = || {
        pem_block(bytes, label).ok_or_else(|| {
            CliError::Config(format!(
                "{}: the {label} PEM block has no END line",
                path.display()
            ))
        })
    };
    let der = |block: &str| -> Result<Zeroizing<Vec<u8>>, CliError> {
        let (_, doc) = pkcs8::SecretDocument::from_pem(block).map_err(|e| {
            CliError::Config(format!(
                "{}: the {label} PEM block is malformed: {e}",
                path.display()
            ))
        })?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    };
    match label {
        "PRIVATE KEY" => plain_pkcs8(path, der(block()?)?),
        "ENCRYPTED PRIVATE KEY" => encrypted_pkcs8(path, &der(block()?)?, pass),
        "EC PRIVATE KEY" if block()?.contains("Proc-Type:") => Err(legacy_encrypted(path, label)),
        "EC PRIVATE KEY" => sec1(path, &der(block()?)?),
        "RSA PRIVATE KEY" if block()?.contains("Proc-Type:") => Err(legacy_encrypted(path, label)),
        "RSA PRIVATE KEY" => pkcs1(&der(block()?)?),
        "PKCS12" => pkcs12(path, &der(block()?)?, pass),
        "OPENSSH PRIVATE KEY" => Err(unsupported(
            "an OpenSSH private key",
            "convert a copy to PKCS#8 with `ssh-keygen -p -m PKCS8 -f COPY` (it rewrites COPY)",
        )),
        "DSA PRIVATE KEY" => Err(unsupported(
            "a DSA private key",
            "DSA cannot make JWS signatures: use an RSA, P-256, P-384 or Ed25519 key",
        )),
        "CERTIFICATE" => Err(unsupported(
            "a certificate, not a private key,",
            "give the certificate with --cert and the private key with --key",
        )),
        "PUBLIC KEY" | "RSA PUBLIC KEY" => Err(unsupported(
            "a public key",
            "signing needs the private key that belongs to it",
        )),
        other => Err(unsupported(
            &format!("a PEM \"{other}\" block"),
            &format!("expected PRIVATE KEY, ENCRYPTED PRIVATE KEY, EC PRIVATE KEY, RSA PRIVATE KEY or a .p12 bundle; {TO_PKCS8}"),
        )),
    }
}

fn legacy_encrypted(path: &Path, label: &str) -> CliError {
    CliError::Config(format!(
        "{}: an {label} encrypted the old OpenSSL way (Proc-Type: 4,ENCRYPTED), which edoc does \
         not read; convert it to encrypted PKCS#8 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in \
         KEY -out key.pem`",
        path.display()
    ))
}

fn load_der(path: &Path, bytes: &[u8], pass: &Passphrase<'_>) -> Result<LoadedKey, CliError> {
    if PrivateKeyInfo::from_der(bytes).is_ok() {
        return plain_pkcs8(path, Zeroizing::new(bytes.to_vec()));
    }
    if pkcs8::EncryptedPrivateKeyInfo::try_from(bytes).is_ok() {
        return encrypted_pkcs8(path, bytes, pass);
    }
    if sec1::EcPrivateKey::from_der(bytes).is_ok() {
        return sec1(path, bytes);
    }
    if pkcs1::RsaPrivateKey::from_der(bytes).is_ok() {
        return pkcs1(bytes);
    }
    if pkcs12::pfx::Pfx::from_der(bytes).is_ok() {
        return pkcs12(path, bytes, pass);
    }
    let what = if bytes.starts_with(b"PuTTY-User-Key-File") {
        "a PuTTY key; export it from PuTTYgen as OpenSSH, then convert a copy with \
         `ssh-keygen -p -m PKCS8 -f COPY`"
            .to_owned()
    } else if bytes.trim_ascii_start().starts_with(b"{") {
        format!("JSON (a JWK?); edoc reads PEM or DER keys: {TO_PKCS8}")
    } else {
        format!(
            "neither PEM nor a DER key edoc knows (PKCS#8, encrypted PKCS#8, SEC1, PKCS#1, \
             PKCS#12); {TO_PKCS8}"
        )
    };
    Err(CliError::Config(format!("{}: {what}", path.display())))
}

fn plain_pkcs8(path: &Path, der: Zeroizing<Vec<u8>>) -> Result<LoadedKey, CliError> {
    let info = PrivateKeyInfo::from_der(&der).map_err(|e| {
        CliError::Config(format!(
            "{}: the PKCS#8 key is malformed: {e}",
            path.display()
        ))
    })?;
    check_algorithm(path, &info)?;
    Ok(LoadedKey {
        pkcs8: der,
        chain: Vec::new(),
        format: "PKCS#8",
    })
}

/// Names keys the signer cannot use (P-521, secp256k1, DSA, X25519) before ring says "unknown".
fn check_algorithm(path: &Path, info: &PrivateKeyInfo<'_>) -> Result<(), CliError> {
    let oid = info.algorithm.oid;
    if oid == EC_PUBLIC_KEY {
        let curve = info
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if let Some(curve) = curve {
            if curve != P256 && curve != P384 {
                let name = match curve.to_string().as_str() {
                    "1.3.132.0.35" => "P-521".to_owned(),
                    "1.3.132.0.10" => "secp256k1".to_owned(),
                    other => format!("the curve {other}"),
                };
                return Err(CliError::Config(format!(
                    "{}: an EC key on {name}; JAdES signatures here use P-256 (ES256) or P-384 \
                     (ES384): ask the CA for a certificate on one of those",
                    path.display()
                )));
            }
        }
    } else if oid.to_string() == "1.2.840.10040.4.1" {
        return Err(CliError::Config(format!(
            "{}: a DSA key; DSA cannot make JWS signatures: use an RSA, P-256, P-384 or Ed25519 key",
            path.display()
        )));
    }
    Ok(())
}

fn encrypted_pkcs8(path: &Path, der: &[u8], pass: &Passphrase<'_>) -> Result<LoadedKey, CliError> {
    let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der).map_err(|e| {
        CliError::Config(format!(
            "{}: the encrypted PKCS#8 key is malformed: {e}",
            path.display()
        ))
    })?;
    let passphrase = pass.get("the encrypted key", path)?;
    let doc = info.decrypt(passphrase.as_bytes()).map_err(|e| {
        let why = match e {
            pkcs8::Error::EncryptedPrivateKey(pkcs8::pkcs5::Error::UnsupportedAlgorithm {
                ..
            }) => format!(
                "it is encrypted with a scheme edoc does not read (old PBES1?); re-encrypt it \
                 with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out key.pem` ({e})"
            ),
            _ => "the passphrase is wrong (or the file is damaged)".to_owned(),
        };
        CliError::Config(format!("{}: cannot decrypt the key: {why}", path.display()))
    })?;
    let der = Zeroizing::new(doc.as_bytes().to_vec());
    let mut key = plain_pkcs8(path, der)?;
    key.format = "encrypted PKCS#8";
    Ok(key)
}

/// A SEC1 `ECPrivateKey`, wrapped into PKCS#8 with its curve in the AlgorithmIdentifier (where
/// ring wants it) and without the inner copy of the parameters.
fn sec1(path: &Path, der: &[u8]) -> Result<LoadedKey, CliError> {
    let bad = |e: String| {
        CliError::Config(format!(
            "{}: the SEC1 EC key is malformed: {e}",
            path.display()
        ))
    };
    let key = sec1::EcPrivateKey::from_der(der).map_err(|e| bad(e.to_string()))?;
    let curve = match key.parameters.and_then(|p| p.named_curve()) {
        Some(oid) => oid,
        // No parameters: the curve follows from the size of the private scalar.
        None if key.private_key.len() == 32 => P256,
        None if key.private_key.len() == 48 => P384,
        None => return Err(bad("its curve is not named".into())),
    };
    if key.public_key.is_none() {
        return Err(CliError::Config(format!(
            "{}: the SEC1 EC key carries no public key, which the signer needs; {TO_PKCS8}",
            path.display()
        )));
    }
    let inner = sec1::EcPrivateKey {
        private_key: key.private_key,
        parameters: None,
        public_key: key.public_key,
    };
    let inner = Zeroizing::new(inner.to_der().map_err(|e| bad(e.to_string()))?);
    let params = Any::encode_from(&curve).map_err(|e| bad(e.to_string()))?;
    let info = PrivateKeyInfo::new(
        AlgorithmIdentifierRef {
            oid: EC_PUBLIC_KEY,
            parameters: Some(AnyRef::from(&params)),
        },
        &inner,
    );
    let pkcs8 = Zeroizing::new(info.to_der().map_err(|e| bad(e.to_string()))?);
    let mut loaded = plain_pkcs8(path, pkcs8)?;
    loaded.format = "SEC1 EC key";
    Ok(loaded)
}

/// A PKCS#1 `RSAPrivateKey`, wrapped into PKCS#8 (rsaEncryption, NULL parameters).
fn pkcs1(der: &[u8]) -> Result<LoadedKey, CliError> {
    let info = PrivateKeyInfo::new(
        AlgorithmIdentifierRef {
            oid: RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        der,
    );
    let pkcs8 = Zeroizing::new(
        info.to_der()
            .map_err(|e| CliError::Config(format!("the PKCS#1 RSA key is malformed: {e}")))?,
    );
    Ok(LoadedKey {
        pkcs8,
        chain: Vec::new(),
        format: "PKCS#1 RSA key",
    })
}

/// A PKCS#12 bundle: its (only, or first) private key and that key's chain, leaf first.
fn pkcs12(path: &Path, der: &[u8], pass: &Passphrase<'_>) -> Result<LoadedKey, CliError> {
    // Bundles exported without a password are common; try the empty one first, unless a
    // passphrase was named explicitly.
    let store = match (pass.env, p12_keystore::KeyStore::from_pkcs12(der, "")) {
        (None, Ok(store)) => store,
        _ => {
            let passphrase = pass.get("the PKCS#12 bundle", path)?;
            p12_keystore::KeyStore::from_pkcs12(der, &passphrase).map_err(|e| {
                let why = match e {
                    p12_keystore::error::Error::MacError(_) => {
                        "the passphrase is wrong (or the file is damaged)".to_owned()
                    }
                    p12_keystore::error::Error::UnsupportedEncryptionScheme
                    | p12_keystore::error::Error::UnsupportedMacAlgorithm => format!(
                        "it uses an encryption edoc does not read ({e}); export it again with \
                         `openssl pkcs12 -export` (AES-256, SHA-256), or extract the key with \
                         `openssl pkcs12 -in FILE -nocerts -out key.pem` and {TO_PKCS8}"
                    ),
                    other => other.to_string(),
                };
                CliError::Config(format!(
                    "{}: cannot open the PKCS#12 bundle: {why}",
                    path.display()
                ))
            })?
        }
    };
    let (_, chain) = store.private_key_chain().ok_or_else(|| {
        CliError::Config(format!(
            "{}: the PKCS#12 bundle holds no private key (only certificates)",
            path.display()
        ))
    })?;
    let certificates: Vec<CertificateDer<'static>> = chain
        .chain()
        .iter()
        .map(|c| CertificateDer::from(c.as_der().to_vec()))
        .collect();
    let mut loaded = plain_pkcs8(path, Zeroizing::new(chain.key().to_vec()))?;
    loaded.chain = certificates;
    loaded.format = "PKCS#12 bundle";
    Ok(loaded)
}
