//! Opening the signer named on the command line: a key file, or a PKCS#11 token.

use edoc::{certificates_from_bytes, Signer, SoftwareSigner};
use rustls_pki_types::CertificateDer;

use crate::cli::KeyArgs;
use crate::error::CliError;
use crate::{io, keyfile};

/// Opens the signer the flags name.
pub(crate) fn open(args: &KeyArgs) -> Result<Box<dyn Signer>, CliError> {
    #[cfg(feature = "pkcs11")]
    if let Some(module) = &args.pkcs11_module {
        return open_token(args, module);
    }
    let Some(key_path) = &args.key else {
        return Err(CliError::Usage(
            "a signing key is needed: --key KEY --cert CERT, or --key BUNDLE.p12".to_owned()
                + if cfg!(feature = "pkcs11") {
                    " (or --pkcs11-module with --token and --key-label)"
                } else {
                    ""
                },
        ));
    };
    let pass = keyfile::Passphrase {
        env: args.key_pass_env.as_deref(),
    };
    let key = keyfile::load(key_path, &pass)?;
    let mut chain = match &args.cert {
        Some(cert) => {
            let bytes = io::read_file(cert, "cannot read the certificate")?;
            let mut leaf = certificates_from_bytes(&bytes)
                .map_err(|e| CliError::Config(format!("{}: {e}", cert.display())))?;
            leaf.truncate(1);
            leaf
        }
        None if !key.chain.is_empty() => without_roots(key.chain.clone()),
        None => {
            return Err(CliError::Usage(format!(
                "{} is a {} without certificate: give the signer's certificate with --cert CERT",
                key_path.display(),
                key.format
            )))
        }
    };
    if let Some(p) = &args.chain {
        let bytes = io::read_file(p, "cannot read the chain")?;
        for c in certificates_from_bytes(&bytes)
            .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?
        {
            if !chain.contains(&c) {
                chain.push(c);
            }
        }
    }
    let signer = SoftwareSigner::from_pkcs8_der(&key.pkcs8, chain, None)
        .map_err(|e| CliError::Config(format!("{} ({}): {e}", key_path.display(), key.format)))?;
    Ok(Box::new(signer))
}

/// A bundle's chain without self-signed roots: `x5c` carries the signer and its CAs; the
/// verifier's trust anchors supply the root.
fn without_roots(chain: Vec<CertificateDer<'static>>) -> Vec<CertificateDer<'static>> {
    use x509_parser::prelude::{FromDer, X509Certificate};
    let mut out: Vec<CertificateDer<'static>> = Vec::with_capacity(chain.len());
    for (i, c) in chain.into_iter().enumerate() {
        let self_signed = X509Certificate::from_der(c.as_ref())
            .map(|(_, x)| x.subject() == x.issuer())
            .unwrap_or(false);
        if i == 0 || !self_signed {
            out.push(c);
        }
    }
    out
}

#[cfg(feature = "pkcs11")]
fn open_token(args: &KeyArgs, module: &std::path::Path) -> Result<Box<dyn Signer>, CliError> {
    use edoc::{
        Algorithm, CertificateSource, KeySelector, PinSource, Pkcs11Config, Pkcs11Signer,
        TokenSelector,
    };
    let token = match (&args.token, args.slot) {
        (Some(label), None) => TokenSelector::Label(label.clone()),
        (None, Some(slot)) => TokenSelector::Slot(slot),
        _ => {
            return Err(CliError::Usage(
                "give exactly one of --token and --slot".into(),
            ))
        }
    };
    let key = match (&args.key_label, &args.key_id) {
        (Some(label), None) => KeySelector::Label(label.clone()),
        (None, Some(hex)) => KeySelector::Id(
            unhex(hex)
                .ok_or_else(|| CliError::Usage(format!("--key-id {hex:?} is not hexadecimal")))?,
        ),
        _ => {
            return Err(CliError::Usage(
                "give exactly one of --key-label and --key-id".into(),
            ))
        }
    };
    let pin = args
        .pin_env
        .clone()
        .ok_or_else(|| CliError::Usage("--pin-env VAR is needed for a token".into()))?;
    let algorithm = match &args.alg {
        None => None,
        Some(name) => Some(Algorithm::from_jws_name(name).ok_or_else(|| {
            CliError::Usage(format!(
                "--alg {name:?}: expected RS256, PS256, ES256 or ES384"
            ))
        })?),
    };
    let certificates = if args.cert_chain.is_empty() {
        CertificateSource::Token
    } else {
        CertificateSource::Files(args.cert_chain.clone())
    };
    let signer = Pkcs11Signer::open(Pkcs11Config {
        module: module.to_path_buf(),
        token,
        pin: PinSource::Env(pin),
        key,
        certificates,
        algorithm,
    })
    .map_err(|e| CliError::Config(e.to_string()))?;
    Ok(Box::new(signer))
}

#[cfg(feature = "pkcs11")]
fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if s.is_empty() || s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}
