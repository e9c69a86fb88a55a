//! `edoc sign`: adds one JAdES signature to a package.

use std::path::Path;

use edoc::{Limits, Package};

use crate::cli::SignArgs;
use crate::error::CliError;
use crate::{io, key};

pub(crate) fn run(args: &SignArgs) -> Result<(), CliError> {
    let signer = key::open(&args.key)?;
    let limits = Limits::default();
    let bytes = io::read_bounded(&args.package, limits.max_package_bytes, "cannot read")?;
    let mut package = Package::parse(&bytes, &limits)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let at = args.at.unwrap_or_else(io::now);
    let mut detached = io::detached(&args.package, args.detached_dir.as_deref());
    package
        .sign(signer.as_ref(), args.commitment.into(), at, &mut detached)
        .map_err(|e| CliError::Refused(format!("{}: {e}", args.package)))?;
    let mut json = package.to_json();
    json.push(b'\n');
    let out = match (&args.output, args.package.as_str()) {
        (Some(out), _) => Some(out.as_path()),
        (None, "-") => None,
        (None, path) => Some(Path::new(path)),
    };
    io::write_output(out, &json)
}
