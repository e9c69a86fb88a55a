//! `edoc sign`: adds one JAdES signature to a package.

use std::path::Path;

use edoc::{Commitment, Limits, Package, Signer};
use time::OffsetDateTime;
use x509_parser::prelude::{FromDer, X509Certificate};

use crate::cli::SignArgs;
use crate::error::CliError;
use crate::{io, key, words};

pub(crate) fn run(args: &SignArgs) -> Result<(), CliError> {
    let signer = key::open(&args.key)?;
    let at = args.at.unwrap_or_else(io::now);
    check_validity(signer.as_ref(), at, args.at.is_some())?;
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    let mut package = Package::parse(&bytes, &limits)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let mut detached = io::detached(&args.package, args.detached_dir.as_deref());
    let commitment: Commitment = args.commitment.into();
    package
        .sign(signer.as_ref(), commitment, at, &mut detached)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let mut json = package.to_json();
    json.push(b'\n');
    let out = match (&args.output, args.package.as_str()) {
        (Some(out), _) => Some(out.as_path()),
        (None, "-") => None,
        (None, path) => Some(Path::new(path)),
    };
    io::write_output(out, &json)?;
    eprintln!("{}", wrote(out, &package, signer.as_ref(), commitment, at));
    Ok(())
}

/// The leaf certificate's subject and validity, read (not verified) for messages and checks.
fn leaf(signer: &dyn Signer) -> Option<(String, OffsetDateTime, OffsetDateTime)> {
    let der = signer.certificate_chain().first()?;
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let name = cert
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map_or_else(|| cert.subject().to_string(), str::to_owned);
    let validity = cert.validity();
    Some((
        name,
        validity.not_before.to_datetime(),
        validity.not_after.to_datetime(),
    ))
}

/// A signature made outside its certificate's validity fails every verification: refuse it.
fn check_validity(signer: &dyn Signer, at: OffsetDateTime, given: bool) -> Result<(), CliError> {
    let Some((name, not_before, not_after)) = leaf(signer) else {
        return Ok(()); // the library reports an unreadable certificate itself
    };
    if (not_before..=not_after).contains(&at) {
        return Ok(());
    }
    let when = if given { "--at" } else { "now" };
    Err(CliError::Refused(format!(
        "the certificate of {name} is valid from {} to {}; the signing time ({when}, {}) lies \
         outside it, so the signature would never verify{}",
        words::time_text(not_before),
        words::time_text(not_after),
        words::time_text(at),
        if at > not_after {
            ": sign with a current certificate"
        } else {
            ""
        }
    )))
}

/// What `sign` did, on standard error (the package may be on standard output).
fn wrote(
    out: Option<&Path>,
    package: &Package,
    signer: &dyn Signer,
    commitment: Commitment,
    at: OffsetDateTime,
) -> String {
    let place = out.map_or_else(|| "standard output".to_owned(), |p| p.display().to_string());
    let who = leaf(signer).map_or_else(|| "the signer".to_owned(), |(name, ..)| name);
    let role = words::role(Some(commitment));
    let count = package.signatures().len();
    let next = match commitment {
        Commitment::ProofOfApproval => "; next: the agency seal (edoc sign --commitment origin)",
        Commitment::ProofOfOrigin => "; next: edoc verify, then send it",
        Commitment::ProofOfReceipt => "",
    };
    format!(
        "edoc: wrote {place}: added the {role} of {who} ({}, signed {}); {count} signature{} \
         now{next}",
        signer.algorithm(),
        words::time_text(at),
        if count == 1 { "" } else { "s" }
    )
}
