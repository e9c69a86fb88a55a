//! Opening the signer named on the command line: a key file, or a PKCS#11 token.

use edoc::{Signer, SoftwareSigner};

use crate::cli::KeyArgs;
use crate::error::CliError;

/// Opens the signer the flags name.
pub(crate) fn open(args: &KeyArgs) -> Result<Box<dyn Signer>, CliError> {
    #[cfg(feature = "pkcs11")]
    if let Some(module) = &args.pkcs11_module {
        return open_token(args, module);
    }
    let (Some(key), Some(cert)) = (&args.key, &args.cert) else {
        return Err(CliError::Usage(
            "a signing key is needed: --key KEY --cert CERT".to_owned()
                + if cfg!(feature = "pkcs11") {
                    " (or --pkcs11-module with --token and --key-label)"
                } else {
                    ""
                },
        ));
    };
    let signer = SoftwareSigner::from_files(key, cert, args.chain.as_deref())
        .map_err(|e| CliError::Config(e.to_string()))?;
    Ok(Box::new(signer))
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
